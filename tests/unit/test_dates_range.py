"""Dates the calendar cannot answer for get a Swedish question back, never a crash."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker

from actions.answer import turn_from_tracker
from kontaktcenter.dates import DateErrorKind, parse_date_expression
from kontaktcenter.dates.messages import MAX_YEAR, MIN_YEAR
from kontaktcenter.dialogue import Context, respond
from tests.unit.dialogue_helpers import chat, deps

NOW = datetime(2026, 12, 31, 23, 59, 30, tzinfo=ZoneInfo("Europe/Stockholm"))
OUT_OF_RANGE = f"åren {MIN_YEAR}–{MAX_YEAR}"


@pytest.mark.parametrize("text", ["Har ni öppet 9999-12-31?", "öppet 31/12 9999", "0001-01-01",
                                  "julafton 9999", "öppet 1 januari 1899", "24 december 2200"])
def test_years_beyond_the_calendar_are_an_error(text: str) -> None:
    parsed = parse_date_expression(text, NOW)
    assert parsed.error is DateErrorKind.OUT_OF_RANGE and parsed.date is None
    assert OUT_OF_RANGE in parsed.message


@pytest.mark.parametrize("text", ["Har ni öppet 9999-12-31?", "julafton 9999", "0001-01-01"])
def test_opening_hours_answer_instead_of_crashing(text: str) -> None:
    [reply] = chat(NOW, ("ask_opening_hours", text))
    assert OUT_OF_RANGE in reply.text


@pytest.mark.parametrize("entity", [[1], 5, {"a": 1}, "9999-12-31", "0001-01-01", "nonsense"])
def test_unusable_date_entities_are_ignored(entity: object) -> None:
    tracker = Tracker("r", {}, {"text": "öppettider?", "intent": {"name": "ask_opening_hours"},
                                "entities": [{"entity": "date", "value": entity}]},
                      [], False, None, {}, "action_listen")
    turn = turn_from_tracker(tracker)
    reply = respond(replace(turn, now=NOW), Context(), deps())
    assert reply.text.startswith("Våra öppettider")


def test_edges_of_the_range_still_work() -> None:
    assert "2199" in chat(NOW, ("ask_opening_hours", "öppet 31/12 2199"))[0].text
    assert "1900" in chat(NOW, ("ask_opening_hours", "öppet 1/1 1900"))[0].text
