"""The dialogue yardstick's own checks: each expectation passes a right reply and fails a
wrong one, computed at the clock (tests/dialogues/expectations.py)."""

from __future__ import annotations

import importlib.util
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.dialogues.expectations import (
    HID_FACTS,
    HID_SOURCE,
    ExpectationError,
    Truth,
    Turn,
    check_invariants,
    check_turn,
    names_day,
    resolve_day,
    resolve_moment,
    resolve_period,
    validate_turn,
    verdict,
)
from tests.dialogues.harness import Dialogue, Report, load_dialogues, play

_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "run_dialogues.py"
_SPEC = importlib.util.spec_from_file_location("run_dialogues", _SCRIPT)
assert _SPEC is not None and _SPEC.loader is not None
run_dialogues = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(run_dialogues)

STHLM = ZoneInfo("Europe/Stockholm")
TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=STHLM)
SATURDAY_02 = datetime(2026, 12, 5, 2, 0, tzinfo=STHLM)
TRUTH = Truth.from_config()


def misses(expect: dict, reply: str, at: datetime = TUESDAY_10) -> list[str]:
    return [key for key, _ in check_turn(expect, Turn(reply, at, TRUTH))]


# -- resolving expressions -----------------------------------------------------------------


def test_days_and_moments_resolve_at_the_clock() -> None:
    assert resolve_day("fredag", TUESDAY_10).isoformat() == "2026-12-04"
    assert resolve_day("fredag", SATURDAY_02).isoformat() == "2026-12-11"
    assert resolve_day("fredag -1d", TUESDAY_10).isoformat() == "2026-12-03"
    assert resolve_day("idag", SATURDAY_02).isoformat() == "2026-12-05"
    assert resolve_moment("fredag 16.30", TUESDAY_10) == datetime(2026, 12, 4, 16, 30, tzinfo=STHLM)
    assert resolve_moment("17.30", SATURDAY_02) == datetime(2026, 12, 5, 17, 30, tzinfo=STHLM)
    assert resolve_moment("+1h", TUESDAY_10) == datetime(2026, 12, 1, 11, 0, tzinfo=STHLM)
    assert resolve_moment("imorgon 07.00", TUESDAY_10).day == 2


def test_unresolvable_expressions_are_errors_not_passes() -> None:
    with pytest.raises(ExpectationError):
        resolve_day("blabla", TUESDAY_10)
    with pytest.raises(ExpectationError):
        resolve_moment("fredag", TUESDAY_10)  # no clock time
    with pytest.raises(ExpectationError):
        resolve_period("sportlovet", TUESDAY_10)


@pytest.mark.parametrize(
    ("period", "at", "first", "count"),
    [
        ("i helgen", TUESDAY_10, "2026-12-05", 2),
        ("i helgen", SATURDAY_02, "2026-12-05", 2),
        ("nästa vecka", TUESDAY_10, "2026-12-07", 7),
        ("i jul", TUESDAY_10, "2026-12-24", 3),
        ("mellandagarna", TUESDAY_10, "2026-12-27", 4),
        ("i påsk", TUESDAY_10, "2027-03-25", 5),
        ("valborg", TUESDAY_10, "2027-04-30", 2),
        ("nyår", TUESDAY_10, "2026-12-31", 2),
        ("i jul", datetime(2026, 12, 27, 12, 0, tzinfo=STHLM), "2027-12-24", 3),
    ],
)
def test_periods(period: str, at: datetime, first: str, count: int) -> None:
    days = resolve_period(period, at)
    assert days[0].isoformat() == first and len(days) == count


# -- single checks -----------------------------------------------------------------------


def test_contains_is_case_insensitive_but_keeps_swedish_letters() -> None:
    assert not misses({"contains": ["allmän handling"]}, "Det blir en Allmän Handling.")
    assert misses({"contains": ["allmän handling"]}, "Det blir en allman handling.")
    assert misses({"contains": ["hej", "tack"]}, "hej då")  # all of them


def test_contains_any_single_and_grouped() -> None:
    assert not misses({"contains_any": ["x", "sparas"]}, "Allt sparas.")
    grouped = {"contains_any": [["alltid"], ["vardag", "måndag"]]}
    assert not misses(grouped, "Boten svarar alltid, kommunvägledare på vardagar.")
    assert misses(grouped, "Boten svarar alltid.")


def test_not_contains() -> None:
    assert misses({"not_contains": ["Stortorget"]}, "HiD ligger på Stortorget 17.")
    assert not misses({"not_contains": ["Stortorget"]}, "HiD ligger i Oceanhamnen.")


def test_fact_comes_from_config_and_source() -> None:
    assert not misses({"fact": "phone"}, "Ring 042-10 50 00.")
    assert misses({"fact": "phone"}, "Ring 042-105000.")
    assert not misses({"fact": ["address", "hid_place"]}, "Stortorget 17 och Oceanhamnen")
    assert misses({"fact": "social_media"}, "Vi finns på Facebook och Instagram.")
    with pytest.raises(ExpectationError):
        misses({"fact": "fax"}, "x")


def test_hid_facts_are_phrases_of_the_source_text() -> None:
    source = HID_SOURCE.read_text(encoding="utf-8")
    for value in HID_FACTS.values():
        assert value in source


def test_hours_on_open_day_needs_name_and_range() -> None:
    assert not misses({"hours_on": "fredag"}, "Fredag 4 december har vi öppet 08.00–17.00.")
    assert not misses({"hours_on": "fredag"}, "På fredag (4/12) är vi där 8:00 - 17:00.")
    assert misses({"hours_on": "fredag"}, "Fredag har vi öppet 08.00–18.00.")  # wrong hours
    assert misses({"hours_on": "fredag"}, "Vi har öppet 08.00–17.00.")  # day not named
    assert not misses({"hours_on": "idag"}, "Idag har vi öppet 08.00–17.00.")


def test_hours_on_closed_day_needs_stangt() -> None:
    assert not misses({"hours_on": "juldagen"}, "Fredag 25 december (juldagen) har vi stängt.")
    assert misses({"hours_on": "juldagen"}, "Juldagen har vi öppet 08.00–17.00.")
    assert not misses({"hours_on": "lördag"}, "Nej, på lördag är kontaktcentret stängt.")


def test_hours_on_a_day_that_may_deviate_accepts_regular_hours() -> None:
    reply = ("Tisdag 5 januari är det trettondagsafton. Avvikande öppettider kan förekomma "
             "dagen före en röd dag. Ordinarie tider är 08.00–17.00.")
    assert not misses({"hours_on": "trettondagsafton"}, reply)


def test_hours_on_accepts_a_list() -> None:
    reply = "Måndag 08.00–17.00, torsdag 08.00–18.00."
    assert not misses({"hours_on": ["måndag", "torsdag"]}, reply)
    assert misses({"hours_on": ["måndag", "torsdag"]}, "Måndag 08.00–17.00.")


def test_verdict_is_the_first_word_and_respects_negation() -> None:
    assert verdict("Ja, vi har öppet nu till kl. 17.00.") is True
    assert verdict("Nej, vi har stängt nu. Vi öppnar igen måndag kl. 08.00.") is False
    assert verdict("Vi har inte öppet då.") is False
    assert verdict("Telefonen är öppen nu, till kl. 17.00. Lördag stängt.") is True
    assert verdict("Telefonen är stängd just nu.") is False
    assert verdict("Se våra öppettider.") is None  # a longer word is no verdict


def test_open_at_and_open_now() -> None:
    assert not misses({"open_at": "fredag 16.30"}, "Ja, fredag kl 16.30 har vi öppet.")
    assert misses({"open_at": "fredag 17.30"}, "Ja, fredag kl 17.30 har vi öppet.")
    assert misses({"open_at": "fredag 16.30"}, "Fredag 4 december.")  # no verdict
    assert not misses({"open_now": True}, "Ja, vi har öppet nu.", TUESDAY_10)
    assert misses({"open_now": True}, "Ja, vi har öppet nu.", SATURDAY_02)
    assert not misses({"open_now": True}, "Nej, vi har stängt nu.", SATURDAY_02)


def test_period_needs_every_day_with_its_hours() -> None:
    good = ("Torsdag 24 december (julafton): stängt\nFredag 25 december (juldagen): stängt\n"
            "Lördag 26 december (annandag jul): stängt")
    assert not misses({"period": "i jul"}, good)
    assert not misses({"period": "i jul"}, "Julafton, juldagen och annandag jul har vi stängt.")
    assert misses({"period": "i jul"}, "Julafton och juldagen har vi stängt.")
    week = ("Måndag–onsdag 08.00–17.00, torsdag 08.00–18.00, fredag 08.00–17.00. "
            "Lördag och söndag stängt.")
    assert not misses({"period": "nästa vecka"}, week)
    wrong = "Måndag–fredag 08.00–17.00. Lördag och söndag stängt."
    assert misses({"period": "nästa vecka"}, wrong)  # Thursday closes at 18.00


def test_fallback_handover_reminder_empathy_topics() -> None:
    fallback = "Förlåt, det förstod jag inte."
    assert misses({"no_fallback": True}, fallback)
    assert not misses({"fallback": True}, fallback)
    assert not misses({"handover_offer": True}, "Vill du prata med en kommunvägledare?")
    assert misses({"handover_offer": True}, "Okej!")
    assert not misses({"referral": True}, "Ring 042-10 50 00.")
    reminder = "Tänk på att chatten blir en allmän handling: skriv inga känsliga uppgifter."
    assert not misses({"reminder": "personal_data"}, reminder)
    assert misses({"reminder": "personal_data"}, "Tack, jag har noterat det.")
    assert not misses({"empathy": True}, "Jag förstår att det är frustrerande.")
    topics = "Jag kan svara på öppettider, telefon, adress och Helsingborg Innovation District."
    assert not misses({"topics": 3}, topics)
    assert misses({"topics": 3}, "Fråga på!")


def test_closes_on_closing_time_regular_hours_max_length() -> None:
    assert not misses({"closes_on": "torsdag"}, "På torsdag stänger vi 18.00.")
    assert misses({"closes_on": "torsdag"}, "På torsdag stänger vi 17.00.")
    assert not misses({"closing_time": True}, "Telefonen är öppen till 17.00 vardagar.")
    assert misses({"closing_time": True}, "Ring oss gärna.")
    week = "Måndag–onsdag 08.00–17.00, torsdag 08.00–18.00, fredag 08.00–17.00. Helg stängt."
    assert not misses({"regular_hours": True}, week)
    assert misses({"regular_hours": True}, "Vi har öppet 08.00–17.00.")
    assert misses({"max_length": 5}, "för lång text")


def test_names_day_knows_aliases_and_not_substrings() -> None:
    day = resolve_day("trettondagen", TUESDAY_10)
    assert names_day("Trettondagen har vi stängt.", day, TUESDAY_10.date())
    friday = resolve_day("fredag", TUESDAY_10)
    assert not names_day("Långfredagen har vi stängt.", friday, TUESDAY_10.date())


def test_turn_validation() -> None:
    validate_turn({"user": "hej", "no_fallback": True}, "x")
    with pytest.raises(ExpectationError):
        validate_turn({"user": "hej", "hours": "fredag"}, "x")
    with pytest.raises(ExpectationError):
        validate_turn({"hours_on": "fredag"}, "x")


# -- invariants --------------------------------------------------------------------------


def test_invariants() -> None:
    one = [{"text": "Hej!"}]
    assert check_invariants(one, None, False) == []
    assert check_invariants([], None, False)
    assert check_invariants([{"text": "  "}], None, False)
    double = [{"text": "Förlåt, det förstod jag inte."}, {"text": "Förlåt, det förstod jag inte."}]
    assert any("fallback" in r for _, r in check_invariants(double, None, False))
    assert any("twice" in r for _, r in check_invariants(one, "Hej!", False))
    assert check_invariants(one, "Hej!", True) == []  # the resident asked again
    broken = [{"text": "Traceback (most recent call last): KeyError"}]
    assert check_invariants(broken, None, False)
    assert check_invariants([{"text": "Hej {name}"}], None, False)
    english_line = [{"text": "Sorry, I only understand Swedish. Please call 042-10 50 00."}]
    assert check_invariants(english_line, None, False) == []


def test_period_statement_may_span_sentences() -> None:
    reply = ("Fredag 30 april är det valborgsmässoafton. Avvikande öppettider kan förekomma "
             "dagen före en röd dag. Ordinarie tider är 08.00–17.00. "
             "Lördag 1 maj (första maj) har vi stängt.")
    at = datetime(2027, 4, 20, 10, 0, tzinfo=STHLM)
    assert not misses({"period": "valborg"}, reply, at)
    assert misses({"period": "valborg"}, "Lördag 1 maj har vi stängt.", at)


# -- the harness with a scripted bot -------------------------------------------------------


class ScriptedBot:
    """Answers each message from a list; a missing answer raises like a dead server."""

    def __init__(self, answers: list[list[dict] | Exception]) -> None:
        self.answers = answers
        self.senders: list[str] = []

    def say(self, sender: str, text: str) -> list[dict]:
        self.senders.append(sender)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _dialogue(turns: list[dict]) -> Dialogue:
    return Dialogue("d1", "follow_up", tuple(turns))


def test_play_scores_each_turn_at_its_clock() -> None:
    bot = ScriptedBot([
        [{"text": "Fredag 4 december har vi öppet 08.00–17.00."}],
        [{"text": "Fredag 4 december har vi öppet 08.00–17.00."}],  # same again: a miss
    ])
    dialogue = _dialogue([{"user": "fredag?", "hours_on": "fredag"},
                          {"user": "och lördag?", "hours_on": "lördag"}])
    results = play(dialogue, bot, lambda: TUESDAY_10, TRUTH, "open")
    assert [r.passed for r in results] == [True, False]
    assert {key for key, _ in results[1].misses} == {"hours_on", "invariant"}
    assert len(set(bot.senders)) == 1 and bot.senders[0].startswith("dlg-d1-open-")


def test_play_allows_the_same_reply_when_the_user_repeats() -> None:
    same = [{"text": "Ring 042-10 50 00."}]
    bot = ScriptedBot([same, same])
    dialogue = _dialogue([{"user": "numret?", "fact": "phone"}, {"user": "Numret!", "fact": "phone"}])
    assert all(r.passed for r in play(dialogue, bot, lambda: TUESDAY_10, TRUTH, "open"))


def test_a_dead_server_is_a_miss_and_ends_the_dialogue() -> None:
    bot = ScriptedBot([OSError("connection refused")])
    dialogue = _dialogue([{"user": "hej"}, {"user": "hallå?"}])
    results = play(dialogue, bot, lambda: TUESDAY_10, TRUTH, "open")
    assert len(results) == 1 and not results[0].passed


def test_report_scores_and_lists_misses_by_kind() -> None:
    bot = ScriptedBot([[{"text": "Förlåt, det förstod jag inte."}], [{"text": "Ring 042-10 50 00."}]])
    report = Report()
    report.extend(play(_dialogue([{"user": "öppet?", "open_now": True}]), bot,
                       lambda: SATURDAY_02, TRUTH, "closed"))
    report.extend(play(Dialogue("d2", "contact", ({"user": "nr", "fact": "phone"},)), bot,
                       lambda: SATURDAY_02, TRUTH, "closed"))
    assert (report.passed, report.total) == (1, 2) and report.score == 0.5
    assert report.by_kind() == {"contact": (1, 1), "follow_up": (0, 1)}
    text = report.format()
    assert "1/2 = 50.0%" in text and "d1 turn 1" in text and "MISS open_now" in text


def test_loader_rejects_bad_files(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        "dialogues:\n  - id: x\n    kind: hours\n    turns:\n      - user: hej\n        hourz: fredag\n",
        encoding="utf-8")
    with pytest.raises(ExpectationError, match="hourz"):
        load_dialogues(tmp_path)
    (tmp_path / "a.yml").write_text(
        "dialogues:\n  - id: x\n    kind: weather\n    turns:\n      - user: hej\n", encoding="utf-8")
    with pytest.raises(ExpectationError, match="kind"):
        load_dialogues(tmp_path)
    (tmp_path / "a.yml").write_text(
        "dialogues:\n  - id: x\n    kind: hours\n    turns:\n      - user: hej\n"
        "  - id: x\n    kind: hours\n    turns:\n      - user: hej\n", encoding="utf-8")
    with pytest.raises(ExpectationError, match="duplicate"):
        load_dialogues(tmp_path / "a.yml")  # a single file is read the same way


def test_run_dialogues_refuses_non_http_urls() -> None:
    with pytest.raises(SystemExit):
        run_dialogues.parse_args(["--url", "file:///etc/passwd"])


def test_an_expectation_that_cannot_be_computed_is_a_miss_not_a_crash() -> None:
    bot = ScriptedBot([[{"text": "Hej!"}]])
    dialogue = _dialogue([{"user": "hej", "hours_on": "blabla"}])
    [result] = play(dialogue, bot, lambda: TUESDAY_10, TRUTH, "open")
    assert result.misses and result.misses[0][0] == "expectation"
