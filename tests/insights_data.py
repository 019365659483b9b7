"""A known set of ärenden for the insights tests, and the figures it must give.

Recorded the way production records them: Rasa event dicts through the register (so
NLU confidence and DIET's guess are stored by the same code as in the broker),
handovers and callbacks through HandoverService with a fixed clock, satisfaction
answers in the (stand-in) widget table. Every expected number is written out by hand
in EXPECTED, never computed by the code under test.

Period: Monday 2026-11-02 to Sunday 2026-11-08 (Stockholm). Around it, ärenden on
Sunday 2026-11-01 23:50 and Monday 2026-11-09 00:10 local time must not count.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from kontaktcenter.db import get_database
from kontaktcenter.handover import HandoverService
from kontaktcenter.handover.contact import Contact
from kontaktcenter.insights.period import Period
from kontaktcenter.records.models import Case, Satisfaction
from kontaktcenter.records.register import Register
from tests.records_events import make_register

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PERIOD = Period(date(2026, 11, 2), date(2026, 11, 8))


def local(day: int, hour: int, minute: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=STOCKHOLM).astimezone(timezone.utc)


def user(sender: str, at: datetime, text: str, intent: str, confidence: float,
         ranking: list[tuple[str, float]] | None = None) -> dict:
    ranking = ranking or [(intent, confidence)]
    return {
        "sender_id": sender, "event": "user", "timestamp": at.timestamp(), "text": text,
        "input_channel": "socketio", "message_id": f"m-{sender}-{at.timestamp()}",
        "parse_data": {
            "text": text, "entities": [],
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        },
    }


def bot(sender: str, at: datetime, text: str) -> dict:
    return {"sender_id": sender, "event": "bot", "timestamp": at.timestamp(), "text": text}


def start(sender: str, at: datetime) -> dict:
    return {"sender_id": sender, "event": "session_started", "timestamp": at.timestamp(),
            "input_channel": "socketio"}


# (conversation, session start, events after the start)
def _conversations() -> list[tuple[str, datetime, list[dict]]]:
    c1, c2, c3, c4, c5 = (local(2, 9, 15), local(2, 9, 40), local(3, 14, 5),
                          local(4, 10, 0), local(8, 23, 30))
    s = timedelta(seconds=1)
    return [
        ("c1", c1, [user("c1", c1 + s, "När har ni öppet?", "ask_opening_hours", 0.95),
                    bot("c1", c1 + 2 * s, "Vi har öppet 8–17.")]),
        ("c2", c2, [user("c2", c2 + s, "Vad är HiD?", "hid_what", 0.91),
                    bot("c2", c2 + 2 * s, "HiD är ett innovationsdistrikt."),
                    user("c2", c2 + 3 * s, "blörk fnorp", "nlu_fallback", 0.55,
                         [("nlu_fallback", 0.55), ("ask_opening_hours", 0.31)]),
                    bot("c2", c2 + 4 * s, "Förlåt, jag förstod inte.")]),
        ("c3", c3, [user("c3", c3 + s, "kan jag parkera vid hid", "hid_where", 0.62),
                    bot("c3", c3 + 2 * s, "HiD ligger i Oceanhamnen.")]),
        ("c4", c4, [user("c4", c4 + s, "ring mig på 070-123 45 67 om bygglov", "nlu_fallback",
                         0.55, [("nlu_fallback", 0.55), ("ask_phone", 0.4)]),
                    bot("c4", c4 + 2 * s, "Förlåt, jag förstod inte.")]),
        ("c5", c5, [user("c5", c5 + s, "tack så mycket", "thank", 0.99),
                    bot("c5", c5 + 2 * s, "Varsågod!")]),
        # Outside the period, on both sides.
        ("c0", local(1, 23, 50), [user("c0", local(1, 23, 51), "hej", "greet", 0.9)]),
        ("c6", local(9, 0, 10), [user("c6", local(9, 0, 11), "nlu hej", "nlu_fallback", 0.5)]),
        # In the period, but the resident never wrote: not a samtal.
        ("c7", local(5, 12, 0), [bot("c7", local(5, 12, 0) + s, "Välkommen!")]),
    ]


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def build(url: str, with_satisfaction: bool = True) -> Register:
    """Record the known set into the migrated database at ``url``."""
    register = make_register(url)
    numbers: dict[str, str] = {}
    for sender, at, events in _conversations():
        register.record_event(start(sender, at))
        for event in events:
            register.record_event(event)
        numbers[sender] = next(c.diarienummer for c in register.list_cases(limit=100)
                               if c.conversation_id == sender)

    clock = FixedClock(local(2, 9, 41))
    service = HandoverService(url, now=clock)
    # c2: requested 09:41, taken 09:43 (120 s), closed.
    h2 = service.request("c2", diarienummer=numbers["c2"], channel="socketio").handover
    clock.at = local(2, 9, 43)
    service.take(h2.id, "anna", "Anna Andersson")
    clock.at = local(2, 9, 50)
    service.close(h2.id, "anna")
    # c3: requested 14:06, nobody took it within 5 minutes; a callback, later handled.
    clock.at = local(3, 14, 6)
    service.request("c3", diarienummer=numbers["c3"])
    clock.at = local(3, 14, 12)
    assert len(service.expire_waiting(timedelta(minutes=5))) == 1
    cb3 = service.leave_callback("c3", "Var kan jag parkera?",
                                 Contact("e-post", "a@example.se"), numbers["c3"])
    clock.at = local(4, 8, 0)
    service.mark_handled(cb3.id, "anna", "Svarat per e-post")
    # c4: a callback nobody has handled yet.
    clock.at = local(4, 10, 1)
    service.leave_callback("c4", "Bygglov?", Contact("telefon", "070-123 45 67"),
                           numbers["c4"])
    # c5: requested 23:31 Sunday, taken after 600 s (00:41 Monday: still this request).
    clock.at = local(8, 23, 31)
    h5 = service.request("c5", diarienummer=numbers["c5"]).handover
    clock.at = local(8, 23, 41)
    service.take(h5.id, "bo", "Bo Berg")
    # Outside the period: a handover and a callback for c6 (Monday 9 Nov).
    clock.at = local(9, 0, 12)
    service.request("c6", diarienummer=numbers["c6"])
    service.leave_callback("c6", "Hej?", Contact("e-post", "b@example.se"), numbers["c6"])

    if with_satisfaction:
        add_satisfaction(url, numbers)
    return register


def add_satisfaction(url: str, numbers: dict[str, str] | None = None) -> None:
    """Five "Fick du hjälp?" answers, one per ärende (the widget's table allows one each)."""
    engine = get_database(url).engine
    rows = [(5, local(2, 9, 20)), (4, local(2, 9, 55)), (4, local(3, 14, 20)),
            (2, local(8, 23, 59)), (1, local(9, 0, 30))]  # the last one is outside
    with engine.begin() as connection:
        cases = connection.execute(select(Case.id, Case.diarienummer).order_by(Case.id)).all()
        assert len(cases) >= len(rows), "the known set needs one ärende per answer"
        connection.execute(insert(Satisfaction.__table__), [
            {"case_id": case_id, "diarienummer": number, "score": score, "created_at": at,
             "comment": None}
            for (score, at), (case_id, number) in zip(rows, cases, strict=False)
        ])


EXPECTED = {
    "conversations": 5,
    "per_day": {"2026-11-02": 2, "2026-11-03": 1, "2026-11-04": 1, "2026-11-05": 0,
                "2026-11-06": 0, "2026-11-07": 0, "2026-11-08": 1},
    "per_weekday_hour": {(0, 9): 2, (1, 14): 1, (2, 10): 1, (6, 23): 1},
    "conversations_with_handover": 3,
    "conversations_with_callback": 2,
    "contained": 1,
    "containment_rate": 0.2,
    "handover_rate": 0.6,
    "handovers": 3,
    "handovers_answered": 2,
    "handovers_abandoned": 1,
    "handovers_waiting": 0,
    "abandonment_rate": 1 / 3,
    "wait_median_seconds": 360.0,
    "wait_p95_seconds": 600.0,
    "callbacks": 2,
    "callbacks_handled": 1,
    "resident_messages": 6,
    "missed_messages": 3,
    "fallback_rate": 0.5,
    "satisfaction": {1: 0, 2: 1, 3: 0, 4: 2, 5: 1},
    "satisfied_rate": 0.75,
    "satisfaction_mean": 3.75,
    "top_intents": [("ask_opening_hours", 1), ("hid_what", 1), ("thank", 1)],
    "top_missed": [("ask_opening_hours", 1), ("ask_phone", 1), ("hid_where", 1)],
}
