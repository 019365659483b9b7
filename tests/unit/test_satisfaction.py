"""kontaktcenter.records.satisfaction: one answer per ärende, masked, timed by the clock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import inspect

from kontaktcenter.db import get_database
from kontaktcenter.db.migrate import downgrade, upgrade
from kontaktcenter.records.register import Register
from kontaktcenter.records.satisfaction import (
    AlreadyAnswered,
    NoCaseForConversation,
    list_satisfaction,
    record_satisfaction,
    satisfaction_for,
)
from tests.records_events import T0, conversation, make_register, run_concurrently


@pytest.fixture
def register(tmp_path: Path) -> Iterator[Register]:
    url = f"sqlite:///{tmp_path / 'kc.db'}"
    upgrade(url)
    yield make_register(url)
    get_database(url).dispose()


def opened(register: Register, start: datetime = T0) -> tuple[str, str]:
    sender = uuid.uuid4().hex
    for event in conversation(sender, start):
        register.record_event(event)
    case = register.case_for_conversation(sender)
    assert case is not None
    return sender, case.diarienummer


@freeze_time("2026-12-31 23:59:30", tz_offset=0)
def test_answer_is_stored_with_the_case_masked_and_timed_by_the_clock(register: Register) -> None:
    sender, number = opened(register)

    saved = record_satisfaction(register.db, sender, 4, "  Bra! Ring mig på 070-123 45 67 ",
                                masker=register.masker)

    assert saved.diarienummer == number and saved.score == 4
    assert saved.comment == "Bra! Ring mig på [telefonnummer borttaget]"
    assert saved.created_at == datetime(2026, 12, 31, 23, 59, 30, tzinfo=timezone.utc)
    assert satisfaction_for(register.db, number) == saved


def test_at_most_one_answer_per_case(register: Register) -> None:
    sender, number = opened(register)
    record_satisfaction(register.db, sender, 5, None, masker=register.masker)

    with pytest.raises(AlreadyAnswered):
        record_satisfaction(register.db, sender, 1, "ändrade mig", masker=register.masker)

    stored = satisfaction_for(register.db, number)
    assert stored is not None and stored.score == 5 and stored.comment is None


def test_two_tabs_answering_at_once_store_one_answer(register: Register) -> None:
    sender, _ = opened(register)
    outcomes: list[str] = []

    def answer(i: int) -> None:
        try:
            record_satisfaction(register.db, sender, i % 5 + 1, None, masker=register.masker)
            outcomes.append("saved")
        except AlreadyAnswered:
            outcomes.append("refused")

    assert run_concurrently(4, answer) == []
    assert sorted(outcomes) == ["refused", "refused", "refused", "saved"]
    assert len(list_satisfaction(register.db)) == 1


def test_the_latest_case_of_the_conversation_gets_the_answer(register: Register) -> None:
    sender, first = opened(register)
    for event in conversation(sender, T0 + timedelta(hours=3)):
        register.record_event(event)
    latest = register.case_for_conversation(sender)
    assert latest is not None and latest.diarienummer != first

    saved = record_satisfaction(register.db, sender, 3, "", masker=register.masker)

    assert saved.diarienummer == latest.diarienummer and saved.comment is None
    assert satisfaction_for(register.db, first) is None


@pytest.mark.parametrize("score", [0, 6, -1, "5", 4.5, None, True])
def test_scores_outside_one_to_five_are_refused_in_swedish(register: Register, score: object) -> None:
    sender, number = opened(register)
    with pytest.raises(ValueError, match="Välj ett betyg från 1 till 5"):
        record_satisfaction(register.db, sender, score, None, masker=register.masker)
    assert satisfaction_for(register.db, number) is None


def test_too_long_comment_is_refused_not_cut(register: Register) -> None:
    sender, _ = opened(register)
    with pytest.raises(ValueError, match="högst 1000 tecken"):
        record_satisfaction(register.db, sender, 2, "x" * 1001, masker=register.masker)


def test_no_case_for_an_unknown_conversation(register: Register) -> None:
    with pytest.raises(NoCaseForConversation):
        record_satisfaction(register.db, uuid.uuid4().hex, 5, None, masker=register.masker)


def test_list_for_statistics_by_period(register: Register) -> None:
    answers = []
    for day in (1, 2, 3):
        sender, _ = opened(register, T0 + timedelta(days=day))
        with freeze_time(datetime(2026, 12, day, 12, 0, tzinfo=timezone.utc)):
            answers.append(record_satisfaction(register.db, sender, day, None,
                                               masker=register.masker))

    december_2 = list_satisfaction(register.db, datetime(2026, 12, 2, tzinfo=timezone.utc),
                                   datetime(2026, 12, 3, tzinfo=timezone.utc))

    assert december_2 == [answers[1]]
    assert list_satisfaction(register.db) == answers


def test_migration_creates_and_drops_the_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0005_satisfaction")
    engine = get_database(url).engine
    assert "satisfaction_answers" in inspect(engine).get_table_names()
    downgrade(url, "0003_handover_staff")
    assert "satisfaction_answers" not in inspect(engine).get_table_names()
    get_database(url).dispose()
