"""The opening-hours actions through rasa_sdk, with a frozen clock and a real database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest
from freezegun import freeze_time
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.hours import ActionDeviatingHours, ActionOpeningHours, ActionOpenNow
from kontaktcenter.calendar import factory
from kontaktcenter.db.migrate import upgrade
from kontaktcenter.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def live_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'kc.db'}"
    upgrade(url)
    monkeypatch.setenv("KC_DATABASE_URL", url)
    monkeypatch.setenv("KC_HOME", str(ROOT))
    get_settings.cache_clear()
    factory.get_calendar_service.cache_clear()
    yield url
    get_settings.cache_clear()
    factory.get_calendar_service.cache_clear()


def tracker(text: str, intent: str, entities: list[dict] | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.99},
               "entities": entities or []}
    events = [{"event": "session_started"}, {"event": "user", "text": text, "parse_data": message}]
    return Tracker("resident-1", {}, message, events, False, None, {}, "action_listen")


def run(action, tr: Tracker) -> str:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tr, {}))
    return " ".join(m["text"] for m in dispatcher.messages)


# Friday 27 November 2026; Stockholm is UTC+1 in winter.
FRIDAY_EVENING = "2026-11-27 16:30:00"  # 17.30 local
THURSDAY_1730 = "2026-11-26 16:30:00"  # 17.30 local, Thursday closes 18.00


@freeze_time(FRIDAY_EVENING)
def test_open_now_after_closing_names_next_opening(live_db: str) -> None:
    reply = run(ActionOpenNow(), tracker("är ni öppna nu?", "ask_open_now"))
    assert reply == "Nej, vi har stängt nu. Vi öppnar igen måndag 30 november kl. 08.00."


@freeze_time(THURSDAY_1730)
def test_open_now_on_a_thursday_evening(live_db: str) -> None:
    reply = run(ActionOpenNow(), tracker("har ni öppet nu", "ask_open_now"))
    assert reply == "Ja, vi har öppet nu till kl. 18.00."


@freeze_time(FRIDAY_EVENING)
def test_hours_on_julafton_from_the_entity(live_db: str) -> None:
    entity = {"entity": "date", "value": "2026-12-24", "start": 16, "end": 24}
    reply = run(ActionOpeningHours(), tracker("har ni öppet på julafton?", "ask_opening_hours", [entity]))
    assert reply == "Torsdag 24 december (julafton) har vi stängt."


@freeze_time(FRIDAY_EVENING)
def test_hours_from_raw_text_when_nlu_found_no_date(live_db: str) -> None:
    reply = run(ActionOpeningHours(), tracker("öppet på torsdag?", "ask_opening_hours"))
    assert reply == "Torsdag 3 december har vi öppet 08.00–18.00."


@freeze_time(FRIDAY_EVENING)
def test_impossible_date_gets_a_question_back(live_db: str) -> None:
    reply = run(ActionOpeningHours(), tracker("har ni öppet 31 februari", "ask_opening_hours"))
    assert "31 februari" in reply and reply.endswith("?")


@freeze_time(FRIDAY_EVENING)
def test_regular_week_lists_coming_exceptions(live_db: str) -> None:
    service = factory.get_calendar_service()
    service.repository.put(date(2026, 12, 2), opens=time(8), closes=time(12),
                           note="Personalutbildning på eftermiddagen")
    reply = run(ActionOpeningHours(), tracker("vilka öppettider har ni", "ask_opening_hours"))
    assert reply.startswith("Våra öppettider: Måndag–onsdag 08.00–17.00, torsdag 08.00–18.00")
    assert "2 december" in reply and "08.00–12.00" in reply and "Personalutbildning" in reply


@freeze_time("2026-12-02 08:00:00")  # 09.00 local on the exception day
def test_staff_exception_applies_at_once(live_db: str) -> None:
    factory.get_calendar_service().repository.put(date(2026, 12, 2), closed=True, note="Stängt för flytt")
    reply = run(ActionOpenNow(), tracker("öppet nu?", "ask_open_now"))
    assert reply.startswith("Nej") and "Stängt för flytt" in reply


@freeze_time("2027-01-05 12:00:00")  # trettondagsafton, a day before a red day
def test_day_before_red_day_gives_honest_caveat(live_db: str) -> None:
    reply = run(ActionOpeningHours(), tracker("har ni öppet idag", "ask_opening_hours"))
    assert "trettondagsafton" in reply and "kan förekomma" in reply and "08.00–17.00" in reply


@freeze_time(FRIDAY_EVENING)
def test_deviating_hours_lists_christmas(live_db: str) -> None:
    reply = run(ActionDeviatingHours(), tracker("har ni andra tider runt helger", "ask_deviating_hours"))
    assert "julafton" in reply and "juldagen" in reply and "nyårsafton" in reply
