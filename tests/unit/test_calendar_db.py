"""Exceptions through a real SQLite database with the Alembic migrations applied, and the CLI."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from kontaktcenter.calendar import (
    STOCKHOLM,
    DayKind,
    ExceptionRepository,
    build_calendar_service,
    format_open_now,
    load_hours_config,
)
from kontaktcenter.calendar import cli as hours_cli
from kontaktcenter.calendar.models import OpeningExceptionRecord
from kontaktcenter.db import get_database
from kontaktcenter.db.migrate import upgrade

CONFIG = load_hours_config(Path(__file__).resolve().parents[2] / "config" / "opening_hours.yml")


def clock() -> datetime:
    return datetime(2026, 11, 27, 17, 30, tzinfo=STOCKHOLM)


@pytest.fixture(autouse=True)
def _late_november(kc_now) -> None:
    """The CLI reads the product clock: dates are checked against today and the year
    is left out of dates in the current year, so every test here runs on a fixed day."""
    kc_now("2026-11-27T17:30")


@pytest.fixture()
def url(tmp_path: Path) -> str:
    database_url = f"sqlite:///{tmp_path / 'kc.db'}"
    upgrade(database_url)
    yield database_url
    get_database(database_url).dispose()


def test_migration_creates_the_table_as_the_model_says(url: str) -> None:
    engine = get_database(url).engine
    columns = {c["name"] for c in inspect(engine).get_columns("opening_exceptions")}
    assert columns == {"id", "day", "closed", "opens", "closes", "note", "created_at",
                       "updated_at", "created_by", "updated_by"}
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        diff = compare_metadata(context, OpeningExceptionRecord.metadata)
    ours = [d for d in diff if "opening_exceptions" in repr(d)]
    assert ours == []
    upgrade(url)  # idempotent


def test_repository_crud(url: str) -> None:
    repo = ExceptionRepository(get_database(url), now=clock)
    assert repo.list() == []
    repo.add(date(2026, 12, 8), opens=time(10), closes=time(15), note="Utbildning.")
    repo.add(date(2026, 12, 1), closed=True)
    assert [item.day for item in repo.list()] == [date(2026, 12, 1), date(2026, 12, 8)]
    assert [item.day for item in repo.list(date(2026, 12, 2))] == [date(2026, 12, 8)]
    assert [item.day for item in repo.list(to_date=date(2026, 12, 1))] == [date(2026, 12, 1)]
    item = repo.get(date(2026, 12, 8))
    assert (item.opens, item.closes, item.note, item.closed) == (time(10), time(15),
                                                                  "Utbildning.", False)
    with pytest.raises(ValueError, match="Det finns redan en avvikelse för 2026-12-08"):
        repo.add(date(2026, 12, 8), closed=True)
    repo.update(date(2026, 12, 8), closed=True, note="Stängt.")
    assert repo.get(date(2026, 12, 8)).closed is True
    with pytest.raises(ValueError, match="ingen avvikelse registrerad"):
        repo.update(date(2026, 12, 9), closed=True)
    _, replaced = repo.put(date(2026, 12, 8), opens=time(9), closes=time(12))
    assert replaced is True and repo.get(date(2026, 12, 8)).opens == time(9)
    _, replaced = repo.put(date(2026, 12, 10), closed=True)
    assert replaced is False
    assert repo.remove(date(2026, 12, 8)) is True
    assert repo.remove(date(2026, 12, 8)) is False
    assert repo.get(date(2026, 12, 8)) is None
    with pytest.raises(ValueError, match="före stängningstiden"):
        repo.add(date(2026, 12, 11), opens=time(15), closes=time(9))
    assert repo.get(date(2026, 12, 11)) is None


def test_database_rejects_inconsistent_rows(url: str) -> None:
    db = get_database(url)
    with pytest.raises(IntegrityError), db.session() as session:
        session.execute(text(
            "INSERT INTO opening_exceptions (day, closed, opens, closes, note, created_at, "
            "updated_at) VALUES ('2026-12-08', 0, '15:00:00', '09:00:00', '', "
            "'2026-11-27 00:00:00', '2026-11-27 00:00:00')"
        ))


def test_calendar_sees_a_write_at_once(url: str) -> None:
    service = build_calendar_service(url, config=CONFIG, now=clock, ttl_seconds=60)
    calendar = service.calendar
    assert calendar.hours_on(date(2026, 12, 25)).kind is DayKind.RED_DAY
    service.repository.put(date(2026, 12, 25), opens=time(10), closes=time(14),
                           note="Öppet för akuta ärenden.")
    juldagen = calendar.hours_on(date(2026, 12, 25))  # same process: invalidated on write
    assert juldagen.kind is DayKind.EXCEPTION and juldagen.opens == time(10)
    assert calendar.is_open(datetime(2026, 12, 25, 11, tzinfo=STOCKHOLM))

    service.repository.put(date(2026, 11, 30), closed=True, note="Personaldag.")
    assert format_open_now(calendar.status()) == (
        "Nej, vi har stängt nu. Vi öppnar igen tisdag 1 december kl. 08.00."
    )


def test_write_from_another_process_is_seen_per_query(url: str) -> None:
    # ttl 0: every query reads the table, as a second process would see a CLI write.
    service = build_calendar_service(url, config=CONFIG, now=clock, ttl_seconds=0)
    other = ExceptionRepository(get_database(url), now=clock)  # not subscribed
    assert not service.calendar.hours_on(date(2026, 12, 2)).is_closed
    other.add(date(2026, 12, 2), closed=True)
    assert service.calendar.hours_on(date(2026, 12, 2)).is_closed
    other.remove(date(2026, 12, 2))
    assert not service.calendar.hours_on(date(2026, 12, 2)).is_closed


def test_missing_table_does_not_break_answers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"  # no migrations run
    service = build_calendar_service(url, config=CONFIG, now=clock)
    assert service.calendar.hours_on(date(2026, 12, 25)).is_closed
    assert service.cache.last_error is not None
    get_database(url).dispose()


# -- CLI -------------------------------------------------------------------------------


def run(url: str, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="kontaktcenter")
    hours_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["hours", *argv[:1], *(("--url", url) if argv else ()), *argv[1:]])
    return args.func(args)


def test_cli_add_list_remove(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(url, "add", "2026-12-08", "--opens", "10.00", "--closes", "15:00",
               "--note", "Utbildning.") == 0
    assert "Sparat: tisdag 8 december 2026: öppet 10.00–15.00." in capsys.readouterr().out
    assert run(url, "add", "2026-12-08", "--closed") == 0
    assert "Ersatt: tisdag 8 december 2026: stängt." in capsys.readouterr().out

    assert run(url, "list", "--from", "2026-12-01", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [{"date": "2026-12-08", "closed": True, "opens": None, "closes": None,
                       "note": ""}]
    assert run(url, "list", "--from", "2026-12-01", "--to", "2026-12-31") == 0
    assert "2026-12-08  tisdag 8 december" in capsys.readouterr().out

    assert run(url, "show", "2026-12-08") == 0
    assert "har vi stängt" in capsys.readouterr().out
    assert run(url, "week", "2026-12-21") == 0
    out = capsys.readouterr().out
    assert "Torsdag 24 december (julafton): stängt" in out
    assert out.count("\n") == 7

    assert run(url, "remove", "2026-12-08") == 0
    assert "Borttaget" in capsys.readouterr().out
    assert run(url, "list", "--from", "2026-12-01") == 0
    assert "Inga avvikande öppettider" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("add", "2026-13-01", "--closed"), "finns inte i kalendern"),
        (("add", "24/12", "--closed"), "ÅÅÅÅ-MM-DD"),
        (("add", "2026-12-24"), "Ange --closed"),
        (("add", "2026-12-24", "--closed", "--opens", "08.00"), "inte båda"),
        (("add", "2026-12-24", "--opens", "8", "--closes", "12.00"), "Ogiltig tid"),
        (("add", "2026-12-24", "--opens", "12.00", "--closes", "08.00"), "före stängningstiden"),
        (("add", "2026-12-24", "--closed", "--note", "<b>hej</b>"), "HTML"),
        (("add", "1990-12-24", "--closed"), "orimligt"),
        (("remove", "2026-12-24"), "ingen avvikelse"),
        (("list", "--from", "2026-12-31", "--to", "2026-12-01"), "Slutdatumet"),
    ],
)
def test_cli_bad_input_gives_swedish_errors(url: str, argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run(url, *argv)


def test_cli_without_migrations_explains_what_to_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with pytest.raises(ValueError, match="kontaktcenter db upgrade"):
        run(url, "list")
    get_database(url).dispose()


@pytest.mark.parametrize(
    ("moment", "answer"),
    [("2026-11-26T10:00", "Ja, vi har öppet nu"), ("2026-11-28T10:00", "Nej, ")],
)
def test_cli_show_now_prints_status(
    url: str, capsys: pytest.CaptureFixture[str], kc_now, moment: str, answer: str
) -> None:
    kc_now(moment)
    assert run(url, "show") == 0
    assert capsys.readouterr().out.startswith(answer)
