"""The console pages Statistik and Obesvarade frågor, and GET /metrics, on the known set."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer
from freezegun import freeze_time
from prometheus_client.parser import text_string_to_metric_families

from kontaktcenter.records.spool import Spool
from kontaktcenter.settings import Settings
from kontaktcenter.staff import StaffDirectory
from kontaktcenter.web.app import create_app
from tests.insights_data import build, local, user
from tests.unit.test_console import PASSWORD, login, token_in

ROOT = Path(__file__).resolve().parents[2]
METRICS_TOKEN = "metrics-test-token"
PERIOD_QUERY = "?period=egen&fran=2026-11-02&till=2026-11-08"

# Written by hand from tests/insights_data.py (Swedish formatting as shown).
PAGE_FIGURES = {
    "conversations": "5", "contained": "1", "containment_rate": "20,0 %",
    "conversations_with_handover": "3", "handover_rate": "60,0 %",
    "conversations_with_callback": "2", "handovers": "3", "handovers_answered": "2",
    "handovers_abandoned": "1", "handovers_waiting": "0", "abandonment_rate": "33,3 %",
    "wait_median_seconds": "6 min 0 s", "wait_p95_seconds": "10 min 0 s", "callbacks": "2",
    "callbacks_handled": "1", "callbacks_handled_rate": "50,0 %", "satisfaction_answers": "4",
    "satisfied": "3", "satisfied_rate": "75,0 %", "satisfaction_mean": "3,75",
    "resident_messages": "6", "missed_messages": "3", "fallback_rate": "50,0 %",
}

Scenario = Callable[[TestClient, str, Settings], Awaitable[None]]


def run(url: str, tmp_path: Path, scenario: Scenario, metrics_token: str = METRICS_TOKEN) -> None:
    staff = StaffDirectory(url)
    staff.add("tina", "Tina Teamledare", "teamledare", PASSWORD)
    staff.add("rita", "Rita Registrator", "registrator", PASSWORD)
    staff.add("anna", "Anna Andersson", "kommunvägledare", PASSWORD)
    settings = Settings(root=ROOT, var_dir=tmp_path / "var", config_dir=ROOT / "config",
                        database_url=url, rasa_token="t", metrics_token=metrics_token)

    async def main() -> None:
        client = TestClient(TestServer(create_app(settings)), cookie_jar=CookieJar(unsafe=True))
        await client.start_server()
        try:
            await scenario(client, url, settings)
        finally:
            await client.close()

    asyncio.run(main())


def cell(html: str, element_id: str) -> str:
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>([^<]*)<', html)
    assert match, element_id
    return unescape(match.group(1)).strip()


def table(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, table_id
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [[unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


@pytest.fixture(name="known_url")
def known_url_fixture(sqlite_url: str) -> str:
    build(sqlite_url)
    return sqlite_url


def test_statistics_page_shows_every_figure_of_the_known_set(known_url: str,
                                                             tmp_path: Path) -> None:
    async def scenario(client: TestClient, url: str, settings: Settings) -> None:
        await login(client, "tina")
        page = await client.get("/console/statistik" + PERIOD_QUERY)
        assert page.status == 200
        html = await page.text()
        for key, shown in PAGE_FIGURES.items():
            assert cell(html, f"v-{key}") == shown, key
        assert table(html, "t-per-day") == [
            ["2026-11-02", "2"], ["2026-11-03", "1"], ["2026-11-04", "1"], ["2026-11-05", "0"],
            ["2026-11-06", "0"], ["2026-11-07", "0"], ["2026-11-08", "1"]]
        week = table(html, "t-week")
        assert [row[0] for row in week] == ["Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag",
                                            "Lördag", "Söndag"]
        nonzero = {(r, h): row[h + 1] for r, row in enumerate(week) for h in range(24)
                   if row[h + 1] != "0"}
        assert nonzero == {(0, 9): "2", (1, 14): "1", (2, 10): "1", (6, 23): "1"}
        assert table(html, "t-satisfaction") == [["1", "0"], ["2", "1"], ["3", "0"],
                                                 ["4", "2"], ["5", "1"]]
        intents = table(html, "t-intents")
        assert [row[1] for row in intents] == ["1", "1", "1"]
        assert any(row[0].endswith("(ask_opening_hours)") for row in intents)
        assert [row[0].rsplit("(", 1)[-1] for row in table(html, "t-themes")] == [
            "ask_opening_hours)", "ask_phone)", "hid_where)"]
        # Five charts, each a named image; aggregates only: no message text on the page.
        assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 5
        for private in ("blörk", "parkera", "070", "a@example.se", "Bygglov?", "Anna"):
            assert private not in html.replace("Anna Andersson", "")
        # The same numbers as CSV and JSON.
        csv_text = await (await client.get(
            "/console/statistik" + PERIOD_QUERY + "&format=csv")).text()
        assert "Andel klarade utan kommunvägledare,containment_rate,0.2000" in csv_text
        data = await (await client.get("/console/statistik" + PERIOD_QUERY + "&format=json")
                      ).json(content_type=None)
        assert data["wait_p95_seconds"] == 600.0 and data["handovers_abandoned"] == 1

    run(known_url, tmp_path, scenario)


def test_statistics_is_for_team_leads_and_registrars_only(known_url: str,
                                                          tmp_path: Path) -> None:
    async def scenario(client: TestClient, url: str, settings: Settings) -> None:
        anonymous = await client.get("/console/statistik", allow_redirects=False)
        assert anonymous.status == 302
        await login(client, "anna")
        refused = await client.get("/console/statistik" + PERIOD_QUERY + "&format=csv")
        assert refused.status == 403
        assert "bara för teamledare och registratorer" in await refused.text()
        home = await (await client.get("/console")).text()
        assert 'href="/console/statistik"' not in home and 'href="/console/obesvarade"' in home
        client.session.cookie_jar.clear()
        await login(client, "rita")
        assert (await client.get("/console/statistik")).status == 200

    run(known_url, tmp_path, scenario)


def test_a_bad_period_is_a_polite_message(known_url: str, tmp_path: Path) -> None:
    async def scenario(client: TestClient, url: str, settings: Settings) -> None:
        await login(client, "tina")
        page = await client.get("/console/statistik?period=egen&fran=2026-11-08&till=2026-11-01")
        assert page.status == 200
        assert "Från-datumet ligger efter till-datumet" in await page.text()
        page = await client.get("/console/statistik?period=egen&fran=%3Cscript%3E&till=x")
        text = await page.text()
        assert "Ogiltigt från-datum" in text and "<script>" not in text

    run(known_url, tmp_path, scenario)


def test_missed_questions_page_groups_and_triage(known_url: str, tmp_path: Path) -> None:
    async def scenario(client: TestClient, url: str, settings: Settings) -> None:
        await login(client, "anna")
        html = await (await client.get("/console/obesvarade" + PERIOD_QUERY)).text()
        headings = re.findall(r'<h2 id="g\d+">([^<]*)<span class="count">\(([^)]*)\)', html)
        assert [(h.strip(), c.split(",")[0]) for h, c in headings] == [
            ("Fråga om telefonnummer (ask_phone): bygglov, ring", "1 meddelande"),
            ("Fråga om Helsingborg Innovation District (hid_where): hid, parkera",
             "1 meddelande"),
            ("Fråga om öppettider (ask_opening_hours): blörk, fnorp", "1 meddelande"),
        ]
        assert "ring mig på [telefonnummer borttaget] om bygglov" in html
        assert "070-123" not in html
        ids = re.findall(r'name="message_id" value="(\d+)"', html)
        token = token_in(html)
        # Accept the parking question as a new phrasing for hid_where.
        response = await client.post("/console/obesvarade", data={
            "csrf_token": token, "message_id": ids[1], "decision": "ny formulering",
            "intent": "hid_where", "back": PERIOD_QUERY[1:]}, allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/console/obesvarade" + PERIOD_QUERY
        html = await (await client.get("/console/obesvarade" + PERIOD_QUERY)).text()
        assert "parkera" not in html and "bygglov" in html
        html = await (await client.get("/console/obesvarade" + PERIOD_QUERY + "&alla=1")).text()
        assert "beslut: <strong>ny formulering (hid_where)" in html
        # Refusals are polite and keep the page; no CSRF token, no change.
        bad = await client.post("/console/obesvarade", data={
            "csrf_token": token, "message_id": ids[0], "decision": "ny formulering",
            "intent": "finns_inte"})
        assert bad.status == 400 and "Okänd avsikt" in await bad.text()
        bad = await client.post("/console/obesvarade", data={
            "csrf_token": token, "message_id": "x", "decision": "ignorera"})
        assert bad.status == 400 and "Ogiltigt val" in await bad.text()
        forged = await client.post("/console/obesvarade", data={
            "message_id": ids[0], "decision": "ignorera"})
        assert forged.status == 403

    run(known_url, tmp_path, scenario)


def _metrics(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return values


def test_metrics_endpoint_counts_the_known_set(known_url: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # The console's queue timeout (real clock) must not end c6's November wait meanwhile.
    monkeypatch.setenv("KC_HANDOVER_TIMEOUT_MINUTES", "10000000")
    spool = Spool(tmp_path / "var" / "spool")
    spool.append({"event": "user", "sender_id": "x", "timestamp": local(9, 0, 20).timestamp()})
    spool.append({"event": "bot", "sender_id": "x", "timestamp": local(9, 0, 25).timestamp()})

    async def scenario(client: TestClient, url: str, settings: Settings) -> None:
        assert (await client.get("/metrics")).status == 401
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer fel"})
        assert wrong.status == 401
        auth = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        with freeze_time(local(9, 0, 42)):  # c6 has waited in the queue since 00:12
            response = await client.get("/metrics", headers=auth)
        assert response.status == 200
        m = _metrics(await response.text())
        assert m["kc_messages_total", (("direction", "in"), ("sender", "resident"))] == 8
        assert m["kc_messages_total", (("direction", "out"), ("sender", "bot"))] == 7
        assert {k[1][0][1]: n for k, n in m.items() if k[0] == "kc_replies_by_intent_total"} == {
            "ask_opening_hours": 1, "greet": 1, "hid_what": 1, "hid_where": 1, "thank": 1}
        assert m["kc_fallbacks_total", ()] == 3
        assert m["kc_low_confidence_total", ()] == 1
        assert m["kc_handovers_total", ()] == 4
        assert m["kc_queue_length", ()] == 1
        assert m["kc_queue_longest_wait_seconds", ()] == 30 * 60
        assert m["kc_spool_events", ()] == 2
        assert m["kc_spool_oldest_age_seconds", ()] == 22 * 60
        # Latency counts replies registered after the web process started reading.
        assert m["kc_reply_latency_seconds_count", ()] == 0
        assert m["kc_reply_latency_seconds_bucket", (("le", "+Inf"),)] == 0
        # New messages are added on the next scrape: one more fallback, answered in 3 s,
        # and one answered in 0.4 s.
        register_at = local(10, 9, 0)
        from tests.records_events import make_register

        register = make_register(url)
        register.record_event(user("c8", register_at, "hmm", "nlu_fallback", 0.4))
        register.record_event({"sender_id": "c8", "event": "bot", "text": "Förlåt?",
                               "timestamp": (register_at + timedelta(seconds=3)).timestamp()})
        again = register_at + timedelta(seconds=10)
        register.record_event(user("c8", again, "öppettider", "ask_opening_hours", 0.95))
        register.record_event({"sender_id": "c8", "event": "bot", "text": "8–17",
                               "timestamp": (again + timedelta(seconds=0.4)).timestamp()})
        m = _metrics(await (await client.get("/metrics", headers=auth)).text())
        assert m["kc_fallbacks_total", ()] == 4
        assert m["kc_messages_total", (("direction", "in"), ("sender", "resident"))] == 10
        assert m["kc_messages_total", (("direction", "out"), ("sender", "bot"))] == 9
        assert m["kc_replies_by_intent_total", (("intent", "ask_opening_hours"),)] == 2
        assert m["kc_reply_latency_seconds_count", ()] == 2
        assert m["kc_reply_latency_seconds_sum", ()] == pytest.approx(3.4, abs=0.01)
        assert m["kc_reply_latency_seconds_bucket", (("le", "0.25"),)] == 0
        assert m["kc_reply_latency_seconds_bucket", (("le", "0.5"),)] == 1
        assert m["kc_reply_latency_seconds_bucket", (("le", "2.5"),)] == 1
        assert m["kc_reply_latency_seconds_bucket", (("le", "5.0"),)] == 2

    run(known_url, tmp_path, scenario)


def test_metrics_are_off_without_a_token(known_url: str, tmp_path: Path) -> None:
    async def scenario(client: TestClient, url: str, settings: Settings) -> None:
        response = await client.get("/metrics", headers={"Authorization": "Bearer "})
        assert response.status == 403 and "KC_METRICS_TOKEN" in await response.text()

    run(known_url, tmp_path, scenario, metrics_token="")


def test_settings_read_the_metrics_token() -> None:
    settings = Settings.from_env({"KC_METRICS_TOKEN": "abc", "KC_HOME": str(ROOT)})
    assert settings.metrics_token == "abc" and "abc" not in repr(settings)
    assert replace(settings, metrics_token="").metrics_token == ""
