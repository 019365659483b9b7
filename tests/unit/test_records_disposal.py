"""Gallring per config/retention.yml, the disposal log and --dry-run."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kontaktcenter.records import Register
from kontaktcenter.records.disposal import disposal_log
from kontaktcenter.records.models import Message, MessageOriginal
from kontaktcenter.records.policy import load_policy, parse_policy
from tests.records_events import CONFIG_DIR, T0, conversation, ev, make_register

POLICY = load_policy(CONFIG_DIR / "retention.yml")
ROUTINE = POLICY.categories[POLICY.default_category]
HANDLED = POLICY.categories[POLICY.staff_category]


def _closed_cases(register: Register) -> tuple[str, str, str]:
    """A routine case, a staff-handled case (both closed at T0+1h) and an open one."""
    for event in conversation("routine", T0):
        register.record_event(event)
    register.record_event(ev("user", "handled", T0, "Mitt nr 070-123 45 67"))
    register.record_event(
        ev("bot", "handled", T0 + timedelta(seconds=1), "Hej!", metadata={"kc_agent": "Anna"})
    )
    closed_at = T0 + timedelta(hours=1)
    register.close_idle_cases(closed_at, timedelta(minutes=30))
    register.record_event(ev("user", "open", T0, "Fortfarande öppen"))
    return (
        register.case_for_conversation("routine").diarienummer,
        register.case_for_conversation("handled").diarienummer,
        register.case_for_conversation("open").diarienummer,
    )


def test_configuration_names_decisions_and_periods() -> None:
    for category in POLICY.categories.values():
        assert category.decision and "EXEMPEL" in category.decision  # placeholder, marked
        assert category.retention_days > 0
        assert category.action in ("delete", "anonymise")


def test_nothing_expires_too_early(register: Register) -> None:
    _closed_cases(register)
    closed_at = T0 + timedelta(hours=1)
    just_before = closed_at + timedelta(days=min(ROUTINE.retention_days, HANDLED.retention_days))
    report = register.dispose(just_before - timedelta(seconds=1))
    assert report.items == []


def test_dry_run_reports_but_changes_nothing(register: Register) -> None:
    routine, handled, _ = _closed_cases(register)
    late = T0 + timedelta(days=max(ROUTINE.retention_days, HANDLED.retention_days) + 1)
    report = register.dispose(late, dry_run=True)
    assert report.dry_run
    assert sorted(i.diarienummer for i in report.items) == sorted([routine, handled])
    assert "Provkörning" in report.summary()
    assert register.get_case(routine).case.message_count == 4
    assert register.get_case(handled).case.message_count == 2
    assert disposal_log(register) == []


def test_dispose_deletes_and_anonymises_and_logs(register: Register) -> None:
    routine, handled, still_open = _closed_cases(register)
    late = T0 + timedelta(days=max(ROUTINE.retention_days, HANDLED.retention_days) + 1)
    report = register.dispose(late, performed_by="arkivarie Ann")
    actions = {i.diarienummer: i.action for i in report.items}
    assert actions == {routine: "raderad", handled: "avidentifierad"}  # per retention.yml
    assert register.get_case(routine) is None
    anonymised = register.get_case(handled)
    assert anonymised.case.status == "disposed"
    assert anonymised.case.sender == "Anonym invånare"
    assert anonymised.case.conversation_id is None
    assert anonymised.messages == []
    assert anonymised.case.subject  # the registration itself stays
    assert register.get_case(still_open).case.message_count == 1
    with register.db.session() as session:
        assert session.execute(select(func.count()).select_from(MessageOriginal)).scalar() == 0
        assert session.execute(select(func.count()).select_from(Message)).scalar() == 1
    log = {e.diarienummer: e for e in disposal_log(register)}
    assert set(log) == {routine, handled}
    assert log[routine].decision == ROUTINE.decision and log[routine].category == ROUTINE.name
    assert log[handled].action == "avidentifierad" and log[handled].performed_by == "arkivarie Ann"
    assert log[routine].disposed_at == late
    # Running again disposes nothing more and never touches the disposal log.
    assert register.dispose(late + timedelta(days=400)).items == []
    assert len(disposal_log(register)) == 2


def test_periods_come_from_configuration(sqlite_url: str) -> None:
    policy = parse_policy(
        {
            "categories": {"kort": {"decision": "Test 1", "retention_days": 0, "action": "delete"}},
            "default_category": "kort",
        }
    )
    register = Register(
        sqlite_url,
        masker=make_register(sqlite_url).masker,
        policy=policy,
        topics=make_register(sqlite_url).topics,
    )
    register.record_event(ev("user", "c1", T0, "hej"))
    register.close_idle_cases(T0 + timedelta(hours=1), timedelta(minutes=1))
    assert [i.decision for i in register.dispose(T0 + timedelta(hours=1)).items] == ["Test 1"]


def test_unknown_category_is_reported_not_disposed(sqlite_url: str) -> None:
    register = make_register(sqlite_url)
    register.record_event(ev("user", "c1", T0, "hej"))
    register.close_idle_cases(T0 + timedelta(hours=1), timedelta(minutes=1))
    other = parse_policy(
        {
            "categories": {"annan": {"decision": "X", "retention_days": 1, "action": "delete"}},
            "default_category": "annan",
        }
    )
    strict = Register(sqlite_url, masker=register.masker, policy=other, topics=register.topics)
    report = strict.dispose(T0 + timedelta(days=1000))
    assert report.items == [] and "saknas i retention.yml" in report.problems[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "categories"),
        ({"categories": {"a": {"retention_days": 3, "action": "delete"}}}, "beslut"),
        (
            {"categories": {"a": {"decision": "X", "retention_days": -1, "action": "delete"}}},
            "retention_days",
        ),
        (
            {"categories": {"a": {"decision": "X", "retention_days": "31", "action": "delete"}}},
            "retention_days",
        ),
        ({"categories": {"a": {"decision": "X", "retention_days": 3, "action": "burn"}}}, "action"),
        (
            {
                "categories": {"a": {"decision": "X", "retention_days": 3, "action": "delete"}},
                "default_category": "b",
            },
            "default_category",
        ),
    ],
)
def test_bad_configuration_gives_swedish_errors(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_policy(data)


def test_missing_configuration_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Kan inte läsa"):
        load_policy(tmp_path / "saknas.yml")
