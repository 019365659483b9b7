"""The register stores the NLU confidence and DIET's best guess of each resident message."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from kontaktcenter.db import get_database
from kontaktcenter.records.models import Message
from kontaktcenter.records.rasa_events import _nlu_scores
from tests.insights_data import local, start, user
from tests.records_events import make_register


@pytest.mark.parametrize(
    ("parse_data", "expected"),
    [
        ({"intent": {"name": "greet", "confidence": 0.9}}, (0.9, "greet")),
        ({"intent": {"name": "nlu_fallback", "confidence": 0.55},
          "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.55},
                             {"name": "ask_phone", "confidence": 0.41}]}, (0.55, "ask_phone")),
        ({"intent": {"name": "nlu_fallback", "confidence": 0.55}}, (0.55, None)),
        ({"intent": {"name": "greet", "confidence": math.nan}}, (None, "greet")),
        ({"intent": {"name": "greet", "confidence": "hög"}}, (None, "greet")),
        ({"intent": {"name": "greet"}, "intent_ranking": ["skräp", {"x": 1}]}, (None, "greet")),
        ({"intent": "greet"}, (None, None)),
        ("inte ett objekt", (None, None)),
    ],
)
def test_scores_from_any_parse_data(parse_data: object, expected: tuple) -> None:
    assert _nlu_scores({"parse_data": parse_data}) == expected


def test_recorded_messages_carry_confidence_and_guess(sqlite_url: str) -> None:
    register = make_register(sqlite_url)
    at = local(2, 9, 0)
    register.record_event(start("s", at))
    register.record_event(user("s", local(2, 9, 1), "blörk", "nlu_fallback", 0.55,
                               [("nlu_fallback", 0.55), ("ask_phone", 0.3)]))
    register.record_event({"sender_id": "s", "event": "bot", "text": "Förlåt?",
                           "timestamp": local(2, 9, 2).timestamp()})
    with get_database(sqlite_url).session() as session:
        rows = session.execute(select(Message.sender_role, Message.intent,
                                      Message.intent_confidence, Message.predicted_intent)
                               .order_by(Message.seq)).all()
    assert rows == [("invånare", "nlu_fallback", 0.55, "ask_phone"),
                    ("chattbot", None, None, None)]
