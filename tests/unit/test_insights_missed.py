"""Obesvarade frågor: listing, grouping, triage and the NLU suggestions file."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from freezegun import freeze_time

from kontaktcenter.cli import main
from kontaktcenter.insights.config import InsightsConfig
from kontaktcenter.insights.missed import (
    IGNORE,
    NEW_PHRASING,
    OUT_OF_SCOPE,
    MissedMessage,
    MissedQuestions,
    content_words,
    group_messages,
)
from kontaktcenter.insights.period import Period
from kontaktcenter.insights.suggestions import build as build_suggestions
from kontaktcenter.insights.suggestions import domain_intents, to_yaml, training_examples
from kontaktcenter.records.masking import Masker
from tests.insights_data import EXPECTED, PERIOD, build, local, start, user

ROOT = Path(__file__).resolve().parents[2]
CONFIG = InsightsConfig(missed_confidence_threshold=0.7)
INTENTS = domain_intents(ROOT / "domain.yml")


@pytest.fixture(name="known_url")
def known_url_fixture(sqlite_url: str) -> str:
    build(sqlite_url)
    return sqlite_url


def test_lists_fallbacks_and_low_confidence_newest_first_masked(known_url: str) -> None:
    missed = MissedQuestions(known_url, CONFIG).messages(PERIOD)
    assert [m.text for m in missed] == [
        "ring mig på [telefonnummer borttaget] om bygglov",
        "kan jag parkera vid hid",
        "blörk fnorp",
    ]
    assert [m.predicted_intent for m in missed] == ["ask_phone", "hid_where", "ask_opening_hours"]
    assert missed[1].intent == "hid_where" and missed[1].confidence == pytest.approx(0.62)
    assert all("070" not in m.text for m in missed)


def test_grouping_by_predicted_intent_and_shared_words() -> None:
    t = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)

    def m(i: int, text: str, predicted: str | None) -> MissedMessage:
        return MissedMessage(i, "KC-2026-000001", t + timedelta(minutes=i), text, "nlu_fallback",
                             0.5, predicted)

    groups = group_messages([
        m(1, "var kan jag parkera bilen vid hid", "hid_where"),
        m(2, "parkera bilen nära hid?", "hid_where"),
        m(3, "parkera cykeln", "ask_address"),
        m(4, "hur söker jag bygglov", "hid_where"),
        m(5, "🙂🙂", None),
    ])
    assert [(g.predicted_intent, [x.id for x in g.messages]) for g in groups] == [
        (None, [5]), ("hid_where", [4]), ("ask_address", [3]), ("hid_where", [2, 1]),
    ]
    assert groups[3].count == 2 and groups[3].words[:2] == ["bilen", "hid"]
    assert groups[3].label.startswith("hid_where: ")
    assert content_words("Ring [telefonnummer borttaget] och fråga om BYGGLOV") == {
        "ring", "fråga", "bygglov"}


def test_triage_hides_reviewed_and_can_be_changed(known_url: str) -> None:
    service = MissedQuestions(known_url, CONFIG)
    first = service.messages(PERIOD)
    by_text = {m.text: m.id for m in first}
    with freeze_time("2026-11-10 08:00"):
        assert service.review([by_text["kan jag parkera vid hid"]], NEW_PHRASING,
                              by="anna", intent="hid_where", known_intents=INTENTS) == 1
        service.review([by_text["blörk fnorp"]], IGNORE, by="anna")
    left = service.messages(PERIOD)
    assert [m.text for m in left] == ["ring mig på [telefonnummer borttaget] om bygglov"]
    everything = {m.text: m for m in service.messages(PERIOD, include_reviewed=True)}
    assert everything["kan jag parkera vid hid"].decision == NEW_PHRASING
    assert everything["kan jag parkera vid hid"].decided_intent == "hid_where"
    # Changing one's mind replaces the decision (no second row).
    service.review([by_text["kan jag parkera vid hid"]], OUT_OF_SCOPE, by="bo")
    again = {m.text: m for m in service.messages(PERIOD, include_reviewed=True)}
    assert again["kan jag parkera vid hid"].decision == OUT_OF_SCOPE
    assert again["kan jag parkera vid hid"].decided_intent is None
    assert service.accepted() == []


@pytest.mark.parametrize(
    ("ids", "decision", "intent", "message"),
    [
        ([1], "kanske", None, "Okänt beslut"),
        ([1], NEW_PHRASING, None, "Välj vilken avsikt"),
        ([1], NEW_PHRASING, "finns_inte", "Okänd avsikt"),
        ([1], NEW_PHRASING, "DROP TABLE", "Okänd avsikt"),
        ([], IGNORE, None, "minst en fråga"),
        ([999999], IGNORE, None, "finns inte längre"),
    ],
)
def test_bad_triage_gets_a_swedish_refusal(known_url: str, ids: list[int], decision: str,
                                           intent: str | None, message: str) -> None:
    service = MissedQuestions(known_url, CONFIG)
    ids = [service.messages(PERIOD)[0].id if i == 1 else i for i in ids]
    with pytest.raises(ValueError, match=message):
        service.review(ids, decision, by="anna", intent=intent, known_intents=INTENTS)


def test_an_understood_message_cannot_be_triaged(known_url: str) -> None:
    service = MissedQuestions(known_url, CONFIG)
    from sqlalchemy import select

    from kontaktcenter.db import get_database
    from kontaktcenter.records.models import Message

    with get_database(known_url).session() as session:
        understood = session.execute(
            select(Message.id).where(Message.text == "När har ni öppet?")).scalar_one()
    with pytest.raises(ValueError, match="finns inte längre"):
        service.review([understood], IGNORE, by="anna")


def _accepted(url: str, texts: list[tuple[str, str]]) -> MissedQuestions:
    """Record fallback messages with the given texts and accept them for an intent."""
    from tests.records_events import make_register

    register = make_register(url)
    at = local(6, 10, 0)
    register.record_event(start("s1", at))
    for i, (text, _intent) in enumerate(texts):
        register.record_event(user("s1", at + timedelta(seconds=i + 1), text, "nlu_fallback",
                                   0.5, [("nlu_fallback", 0.5), ("greet", 0.2)]))
    service = MissedQuestions(url, CONFIG)
    by_text = {m.text: m.id for m in service.messages(PERIOD)}
    for text, intent in texts:
        masked = register.masker.mask(text).text
        service.review([by_text[masked]], NEW_PHRASING, by="anna", intent=intent,
                       known_intents=INTENTS)
    return service


PERSONAL = [
    ("mitt personnummer är 19811218-9876 när öppnar ni", "ask_opening_hours"),
    ("ring 070-123 45 67 när ni öppnar", "ask_opening_hours"),
    ("maila anna.andersson@example.se öppettider", "ask_opening_hours"),
]
GOOD = [
    ("hur dags slår ni upp portarna", "ask_opening_hours"),
    ("vart ska jag ringa er [nummer]", "ask_phone"),
    ("Hur dags slår ni upp portarna", "ask_opening_hours"),  # duplicate, other case
]


def test_suggestions_file_is_valid_rasa_yaml_without_personal_data(sqlite_url: str,
                                                                    tmp_path: Path) -> None:
    service = _accepted(sqlite_url, PERSONAL + GOOD)
    masker = Masker(allowed_phones=["042-10 50 00"])
    result = build_suggestions(service.accepted(), masker, training_examples(ROOT / "data/nlu"))
    assert result.skipped_personal == 3 and result.skipped_known == 1
    text = to_yaml(result, "2026-11-10 08.00")
    data = yaml.safe_load(text)
    assert data["version"] == "3.1"
    examples = {b["intent"]: b["examples"].splitlines() for b in data["nlu"]}
    assert examples == {"ask_opening_hours": ["- hur dags slår ni upp portarna"],
                        "ask_phone": ["- vart ska jag ringa er nummer"]}
    for secret in ("19811218", "9876", "070", "123 45 67", "@", "example.se", "anna", "borttag"):
        assert secret not in text
    # Rasa itself reads the file (its own YAML reader, with the schema check).
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    path = tmp_path / "s.yml"
    path.write_text(text, encoding="utf-8")
    training = RasaYAMLReader().read(path)
    assert sorted(m.get("text") for m in training.intent_examples) == [
        "hur dags slår ni upp portarna", "vart ska jag ringa er nummer"]


def test_examples_already_in_the_training_data_are_not_suggested(sqlite_url: str) -> None:
    known = training_examples(ROOT / "data" / "nlu")
    some = sorted(known)[0]
    service = _accepted(sqlite_url, [(some, "greet")])
    result = build_suggestions(service.accepted(), Masker(), known)
    assert result.suggestions == [] and result.skipped_known == 1
    assert yaml.safe_load(to_yaml(result, "x")) == {"version": "3.1", "nlu": []}


def test_cli_writes_the_suggestions_file(sqlite_url: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    _accepted(sqlite_url, PERSONAL[:1] + GOOD[:2])
    out = tmp_path / "förslag.yml"
    assert main(["nlu", "--url", sqlite_url, "suggestions", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Skrev 2 förslag" in printed and "1 utelämnade: innehöll personuppgifter" in printed
    assert "19811218" not in out.read_text(encoding="utf-8")
    assert len(yaml.safe_load(out.read_text(encoding="utf-8"))["nlu"]) == 2


def test_cli_stats_json_csv_and_text(known_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--url", known_url, "--from", "2026-11-02", "--to", "2026-11-08",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["period"] == {"from": "2026-11-02", "to": "2026-11-08"}
    for name, expected in EXPECTED.items():
        if name == "per_weekday_hour":
            cells = {(w, h): n for w, row in enumerate(data[name].values())
                     for h, n in enumerate(row) if n}
            assert cells == expected
        elif name == "satisfaction":
            assert data[name] == {str(k): n for k, n in expected.items()}
        elif name in ("top_intents", "top_missed"):
            assert [(i["intent"], i["count"]) for i in data[name]] == expected
        elif isinstance(expected, float):
            assert data[name] == pytest.approx(expected), name
        else:
            assert data[name] == expected, name
    assert list(data["per_weekday_hour"]) == ["måndag", "tisdag", "onsdag", "torsdag", "fredag",
                                          "lördag", "söndag"]
    assert main(["stats", "--url", known_url, "--from", "2026-11-02", "--to", "2026-11-08",
                 "--csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert "Andel som boten inte förstod,fallback_rate,0.5000" in rows
    assert "Samtal per dag,2026-11-08,1" in rows
    assert main(["stats", "--url", known_url, "--from", "2026-11-08", "--to", "2026-11-02"]) == 2
    assert "Från-datumet ligger efter till-datumet" in capsys.readouterr().err
    assert main(["stats", "--url", known_url, "--from", "igår", "--to", "2026-11-02"]) == 2
    assert "Ogiltigt från-datum" in capsys.readouterr().err


def test_cli_stats_on_a_missing_schema_is_a_clear_message(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    url = f"sqlite:///{tmp_path / 'tom.db'}"
    assert main(["stats", "--url", url, "--from", "2026-11-02", "--to", "2026-11-08"]) == 4
    assert "kontaktcenter db upgrade" in capsys.readouterr().err


def test_period_labels() -> None:
    assert Period(date(2026, 11, 2), date(2026, 11, 2)).label == "2026-11-02"
