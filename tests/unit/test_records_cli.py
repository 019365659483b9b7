"""``kontaktcenter records …`` through main([...]): Swedish output, JSON, exit codes."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from kontaktcenter.cli import main
from tests.records_events import T0, ev, make_register


@pytest.fixture()
def url(sqlite_url: str) -> str:
    register = make_register(sqlite_url)
    register.record_event(ev("session_started", "c1", T0))
    register.record_event(
        ev(
            "user",
            "c1",
            T0 + timedelta(seconds=1),
            "Öppet på julafton? Ring 070-123 45 67",
            intent="ask_opening_hours",
        )
    )
    register.record_event(ev("bot", "c1", T0 + timedelta(seconds=2), "Vi har stängt 24/12."))
    register.record_event(
        ev("user", "c2", T0 + timedelta(days=1), "Vad är HiD?", intent="hid_what")
    )
    return sqlite_url


def run(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    code = main(["records", "--url", url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_and_filters(capsys, url: str) -> None:
    code, out, _ = run(capsys, url, "list")
    assert code == 0 and "2 ärenden" in out
    assert "KC-2026-000001" in out and "Fråga om öppettider" in out
    code, out, _ = run(capsys, url, "list", "--from", "2026-11-28", "--json")
    data = json.loads(out)
    assert [c["diarienummer"] for c in data] == ["KC-2026-000002"]
    assert data[0]["subject"] == "Fråga om Helsingborg Innovation District"
    code, out, _ = run(capsys, url, "list", "--status", "avslutad")
    assert code == 0 and "Inga ärenden hittades." in out
    code, out, _ = run(capsys, url, "list", "--text", "JULAFTON", "--to", "2026-11-27")
    assert "KC-2026-000001" in out and "KC-2026-000002" not in out


def test_search(capsys, url: str) -> None:
    code, out, _ = run(capsys, url, "search", "innovation", "--json")
    assert code == 0 and [c["diarienummer"] for c in json.loads(out)] == ["KC-2026-000002"]


def test_show_masked_and_json(capsys, url: str) -> None:
    code, out, _ = run(capsys, url, "show", "KC-2026-000001")
    assert code == 0
    assert "Diarienummer:" in out and "Avsändare:" in out and "Anonym invånare" in out
    assert "[telefonnummer borttaget]" in out and "070-123" not in out
    code, out, _ = run(capsys, url, "show", "kc-2026-000001", "--json")
    data = json.loads(out)
    assert data["case"]["diarienummer"] == "KC-2026-000001"
    assert [m["sender_role"] for m in data["messages"]] == ["invånare", "chattbot"]


def test_show_original_needs_role_and_is_audited(capsys, url: str) -> None:
    code, _, err = run(capsys, url, "show", "KC-2026-000001", "--original")
    assert code == 2 and "--user" in err
    code, _, err = run(
        capsys,
        url,
        "show",
        "KC-2026-000001",
        "--original",
        "--user",
        "Kim",
        "--role",
        "kommunvägledare",
        "--reason",
        "test",
    )
    assert code == 3 and "får inte läsa original" in err
    code, out, _ = run(
        capsys,
        url,
        "show",
        "KC-2026-000001",
        "--original",
        "--user",
        "Rita",
        "--role",
        "registrator",
        "--reason",
        "Begäran enligt GDPR",
    )
    assert code == 0 and "070-123 45 67" in out and "ORIGINALTEXT" in out
    code, out, _ = run(capsys, url, "audit", "--json")
    actions = [(e["actor"], e["action"]) for e in json.loads(out)["audit"]]
    assert actions == [("Rita", "läsning av original"), ("Kim", "nekad läsning av original")]
    code, out, _ = run(capsys, url, "audit")
    assert "Begäran enligt GDPR" in out


def test_export_to_file_and_stdout(capsys, url: str, tmp_path: Path) -> None:
    target = tmp_path / "kopia.html"
    code, out, _ = run(
        capsys,
        url,
        "export",
        "KC-2026-000001",
        "--format",
        "html",
        "--output",
        str(target),
        "--requested-by",
        "Journalist",
    )
    assert code == 0 and "sparad" in out
    page = target.read_text(encoding="utf-8")
    assert "Kopia av allmän handling" in page and "070-123" not in page
    code, out, _ = run(capsys, url, "export", "KC-2026-000001", "--format", "json")
    assert json.loads(out)["registrering"]["diarienummer"] == "KC-2026-000001"
    code, out, _ = run(capsys, url, "audit", "--json")
    assert [e["action"] for e in json.loads(out)["audit"]] == ["utlämnande", "utlämnande"]
    code, _, err = run(
        capsys,
        url,
        "export",
        "KC-2026-000001",
        "--format",
        "html",
        "--output",
        str(tmp_path / "saknas" / "x.html"),
    )
    assert code == 2 and "Kan inte skriva" in err


def test_dispose_dry_run_and_real(capsys, url: str) -> None:
    register = make_register(url)
    long_ago = T0 - timedelta(days=800)  # older than every period in retention.yml
    register.record_event(ev("user", "old1", long_ago, "gammal fråga"))
    register.record_event(ev("user", "old2", long_ago + timedelta(seconds=1), "också gammal"))
    register.close_idle_cases(long_ago + timedelta(days=1), timedelta(minutes=60))
    old = [register.case_for_conversation(c).diarienummer for c in ("old1", "old2")]
    code, out, _ = run(capsys, url, "dispose", "--dry-run")
    assert code == 0 and "2 ärenden skulle gallras" in out and "Provkörning" in out
    assert all(register.get_case(n) is not None for n in old)
    code, out, _ = run(capsys, url, "dispose", "--by", "Arkivarie Ann")
    assert code == 0 and "2 ärenden gallrades" in out and "EXEMPEL" in out
    code, out, _ = run(capsys, url, "audit", "--disposals")
    assert "Gallringslogg:" in out and old[0] in out and "Arkivarie Ann" in out
    assert register.get_case(old[0]) is None
    assert register.get_case("KC-2026-000001") is not None  # still open: never disposed
    code, out, _ = run(capsys, url, "dispose", "--json")
    assert json.loads(out)["items"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "<script>"], "Ogiltigt diarienummer"),
        (["list", "--from", "2026-02-30"], "Ogiltigt från-datum"),
        (["list", "--status", "borta"], "Okänd status"),
        (["search", "   "], "Ange en söktext"),
        (["search", "x" * 5000], "för lång"),
    ],
)
def test_bad_input_gives_polite_swedish_errors(capsys, url: str, args, message) -> None:
    code, _, err = run(capsys, url, *args)
    assert code == 2 and err.startswith("Fel: ") and message in err
    assert "Traceback" not in err


def test_unknown_case_and_missing_database(capsys, url: str, tmp_path: Path) -> None:
    code, _, err = run(capsys, url, "show", "KC-2026-000099")
    assert code == 1 and "inget ärende" in err
    code, _, err = run(capsys, f"sqlite:///{tmp_path}/tom.db", "list")
    assert code == 4 and "kontaktcenter db upgrade" in err


def test_drain_command(capsys, url: str, tmp_path: Path) -> None:
    from kontaktcenter.records.spool import Spool

    spool = Spool(tmp_path / "spool")
    spool.append(ev("user", "spooled", T0, "från spoolen"))
    spool.append(ev("user", "spooled", T0, "från spoolen"))  # duplicate
    code, out, _ = run(capsys, url, "drain", "--spool-dir", str(tmp_path / "spool"))
    assert code == 0 and "2 händelser skrevs" in out
    assert make_register(url).case_for_conversation("spooled").message_count == 1
    assert not spool.pending()
    code, out, _ = run(capsys, url, "drain", "--spool-dir", str(tmp_path / "saknas"))
    assert code == 0 and "Ingen spool" in out


def test_the_register_database_the_cli_creates_is_private(tmp_path: Path) -> None:
    """`kontaktcenter db upgrade` (make's set-up, deployments) made a world-readable
    register holding residents' messages (issue 11); the umask is restored afterwards."""
    import os
    import stat

    path = tmp_path / "fresh" / "kc.db"
    path.parent.mkdir()
    before = os.umask(0o022)
    try:
        assert main(["db", "upgrade", "--url", f"sqlite:///{path}"]) == 0
        assert os.umask(0o022) == 0o022  # the caller's umask is back
    finally:
        os.umask(before)
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, oct(path.stat().st_mode)
