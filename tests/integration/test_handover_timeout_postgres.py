"""The handover timeout runs once however many processes run it (issue 15), on PostgreSQL.

Each web server runs the timeout check; several web servers behind HAProxy run it at the
same time. Four runners on separate connections race over the same queued ärenden: every
resident is told exactly once and every ärende moves once.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from kontaktcenter.db.migrate import upgrade
from kontaktcenter.handover import HandoverService
from tests.records_events import T0, ev, make_register

pytestmark = pytest.mark.postgres
RUNNERS = 4
QUEUED = 20


def test_the_timeout_runs_once_with_four_runners_on_postgres(pg_schema: tuple[str, str]) -> None:
    url, _ = pg_schema
    upgrade(url)
    register = make_register(url)
    now = {"t": T0 + timedelta(seconds=10)}

    def clock() -> datetime:
        return now["t"]

    first = HandoverService(url, now=clock)
    numbers = []
    for i in range(QUEUED):
        conversation = f"timeout-{i:02d}"
        register.record_event(ev("session_started", conversation, T0))
        number = register.case_for_conversation(conversation).diarienummer
        first.request(conversation, diarienummer=number)
        numbers.append(number)
    now["t"] += timedelta(minutes=11)
    runners = [HandoverService(url, now=clock) for _ in range(RUNNERS)]
    barrier = threading.Barrier(RUNNERS)
    told: list[list[int]] = [[] for _ in range(RUNNERS)]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            told[i] = [h.id for h in runners[i].expire_waiting(timedelta(minutes=10))]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RUNNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    everyone = [h for ids in told for h in ids]
    assert len(everyone) == QUEUED and len(set(everyone)) == QUEUED  # each told once
    assert {register.get_case(n).case.status for n in numbers} == {"open"}
    assert all(runner.expire_waiting(timedelta(minutes=10)) == [] for runner in runners)
