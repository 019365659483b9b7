"""The Rasa glue of action_answer: tracker in, messages and context slots out."""

from __future__ import annotations

import asyncio

from freezegun import freeze_time
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import answer


def _tracker(text: str, intent: str, entities: list[dict], slots: dict | None = None) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.93},
        "entities": entities,
    }
    return Tracker("resident-1", slots or {}, latest, [], False, None, {}, "action_listen")


def _run(tracker: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(answer.ActionAnswer().run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def _slots(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@freeze_time("2026-12-02 09:15:00")  # 10:15 in Stockholm, a Wednesday: open
def test_followup_reads_the_context_slots_and_writes_them_back() -> None:
    first_messages, first_events = _run(
        _tracker("har ni öppet på fredag?", "ask_opening_hours",
                 [{"entity": "date", "value": "2026-12-04"}])
    )
    assert "08.00–17.00" in first_messages[0]["text"]
    slots = _slots(first_events)
    assert slots[answer.SLOT_TOPIC] == "hours" and slots[answer.SLOT_DAY] == "2026-12-04"

    messages, events = _run(
        _tracker("kan jag komma vid halv fem?", "ask_opening_hours",
                 [{"entity": "time", "value": "16:30"}], slots)
    )
    assert messages[0]["text"].startswith("Ja, på fredag 4 december kl. 16.30")
    assert _slots(events)[answer.SLOT_TIME] == "16:30"


@freeze_time("2026-12-02 09:15:00")
def test_period_entity_and_buttons_and_followup_action() -> None:
    messages, _ = _run(
        _tracker("öppet i helgen?", "ask_opening_hours",
                 [{"entity": "period", "value": "2026-12-05/2026-12-06",
                   "additional_info": {"name": "i helgen"}}])
    )
    assert "Så här har vi öppet i helgen" in messages[0]["text"]

    offered = {answer.SLOT_OFFER: "human", answer.SLOT_MISSES: 0.0}
    messages, events = _run(_tracker("ja", "affirm", [], offered))
    assert messages == []
    assert {"event": "followup", "name": "action_request_human"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]


@freeze_time("2026-12-05 01:00:00")  # Saturday night: closed
def test_second_miss_offers_buttons_that_the_widget_can_show() -> None:
    _, events = _run(_tracker("asdf", "nlu_fallback", []))
    messages, events = _run(_tracker("qwer", "nlu_fallback", [], _slots(events)))
    assert messages[-1]["buttons"] == [
        {"title": "Ja, tack", "payload": "/affirm"},
        {"title": "Nej tack", "payload": "/deny"},
    ]
    assert _slots(events)[answer.SLOT_OFFER] == "message"


def test_garbage_entities_are_ignored() -> None:
    turn = answer.turn_from_tracker(
        _tracker("x", "ask_opening_hours", [
            {"entity": "date", "value": [1]}, {"entity": "time", "value": "25:99"},
            {"entity": "period", "value": "nonsense"}, "not a dict",
        ])
    )
    assert turn.date is None and turn.time is None and turn.period is None


def test_english_part_of_the_language_answer_is_marked_for_the_widget() -> None:
    messages, _ = _run(_tracker("Do you speak English?", "other_language", []))
    assert messages[0]["kc_lang"] == [
        {"text": "Sorry, I only understand Swedish. Please call 042-10 50 00.", "lang": "en"}
    ]


@freeze_time("2026-12-02 09:15:00")  # Wednesday 10:15 in Stockholm
def test_each_clause_is_answered_for_the_day_the_extractor_gave_it() -> None:
    """The router takes each clause's day from the entities; it never parses again.

    The entities here deliberately disagree with the words (Sunday for "torsdag"): the
    answer must follow the entities, which proves the dates were read, not re-parsed.
    """
    entities = [
        {"entity": "date", "value": "2026-12-07"},
        {"entity": "date", "value": "2026-12-07",
         "additional_info": {"clause": "oppet mandag"}},
        {"entity": "date", "value": "2026-12-06",
         "additional_info": {"clause": "och torsdag"}},
    ]
    messages, _ = _run(_tracker("öppet måndag? och torsdag?", "ask_opening_hours", entities))
    text = " ".join(m["text"] for m in messages)
    assert "Måndag 7 december har vi öppet 08.00–17.00" in text
    assert "6 december" in text and "stängt" in text  # the entity's Sunday, not Thursday
    assert "Imorgon" not in text
