"""The handover queue: request, place in queue, take, hand back, transfer, close, timeout."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kontaktcenter.db.migrate import upgrade
from kontaktcenter.handover import (
    BACK_TO_BOT,
    CLOSED,
    QUEUED,
    TIMED_OUT,
    WITH_AGENT,
    HandoverError,
    HandoverService,
    parse_contact,
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)  # every call is a little later
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(tmp_path: Path, clock: Clock) -> HandoverService:
    url = f"sqlite:///{tmp_path / 'handover.db'}"
    upgrade(url)
    return HandoverService(url, now=clock)


def test_request_queues_with_place_and_is_idempotent(service: HandoverService) -> None:
    first = service.request("a", diarienummer="KC-2026-000001", concern="Bygglov")
    second = service.request("b", concern="Parkering")
    again = service.request("a")
    assert (first.place, first.new) == (1, True)
    assert (second.place, second.new) == (2, True)
    assert (again.place, again.new, again.handover.id) == (1, False, first.handover.id)
    assert [h.concern for h in service.queue("anna")] == ["Bygglov", "Parkering"]


def test_take_reply_rights_hand_back_and_close(service: HandoverService) -> None:
    ticket = service.request("a")
    taken = service.take(ticket.handover.id, "anna", "Anna")
    assert taken.status == WITH_AGENT and taken.agent_name == "Anna"
    with pytest.raises(HandoverError, match="redan tagits över av Anna"):
        service.take(ticket.handover.id, "bo", "Bo")
    with pytest.raises(HandoverError, match="annan kommunvägledare"):
        service.require_agent(ticket.handover.id, "bo")
    assert service.queue("anna") == []
    assert [h.id for h in service.taken_by("anna")] == [ticket.handover.id]
    assert service.hand_back(ticket.handover.id, "anna").status == BACK_TO_BOT
    assert service.active_for_conversation("a") is None
    assert service.close(ticket.handover.id, "anna").status == CLOSED
    with pytest.raises(HandoverError):
        service.close(ticket.handover.id, "anna")
    # A new request after the close is a new ärende in the queue.
    assert service.request("a").new


def test_transfer_to_queue_and_to_named_colleague(service: HandoverService) -> None:
    ticket = service.request("a")
    service.take(ticket.handover.id, "anna", "Anna")
    moved = service.transfer(ticket.handover.id, "anna", "bo")
    assert (moved.status, moved.assigned_to, moved.agent_username) == (QUEUED, "bo", None)
    # The resident keeps the original queue time (and so the timeout), and the ärende is
    # not hidden from the others in case Bo is away.
    assert moved.queued_at == ticket.handover.queued_at
    assert [h.id for h in service.queue("lisa")] == [ticket.handover.id]
    service.take(ticket.handover.id, "bo", "Bo")
    with pytest.raises(HandoverError, match="annan kollega än dig själv"):
        service.transfer(ticket.handover.id, "bo", "bo")
    back = service.transfer(ticket.handover.id, "bo", None)
    assert back.assigned_to is None and [h.id for h in service.queue("lisa")] == [back.id]


def test_timeout_marks_only_those_waiting_too_long(service: HandoverService, clock: Clock) -> None:
    old = service.request("old")
    clock.now += timedelta(minutes=11)
    fresh = service.request("fresh")
    expired = service.expire_waiting(timedelta(minutes=10))
    assert [h.id for h in expired] == [old.handover.id]
    assert service.get(old.handover.id).status == TIMED_OUT
    assert service.get(fresh.handover.id).status == QUEUED
    assert service.expire_waiting(timedelta(minutes=10)) == []


def test_callbacks_list_and_mark_handled(service: HandoverService) -> None:
    left = service.leave_callback("a", "  Hur söker jag bygglov?  ",
                                  parse_contact("anna@exempel.se"), "KC-2026-000007")
    assert left.question == "Hur söker jag bygglov?" and left.contact_kind == "e-post"
    assert [c.id for c in service.callbacks()] == [left.id]
    done = service.mark_handled(left.id, "anna", "Ringde upp, klart.")
    assert done.handled_by == "anna" and done.note == "Ringde upp, klart."
    assert service.callbacks() == []
    assert len(service.callbacks(include_handled=True)) == 1
    with pytest.raises(HandoverError, match="redan markerat"):
        service.mark_handled(left.id, "anna", "")
    with pytest.raises(HandoverError, match="finns inte"):
        service.mark_handled(999, "anna", "")
    with pytest.raises(ValueError, match="ingen fråga"):
        service.leave_callback("a", "   ", parse_contact("070-123 45 67"))


def test_two_agents_taking_at_once_exactly_one_wins(service: HandoverService) -> None:
    import threading

    ticket = service.request("race")
    barrier = threading.Barrier(8)
    winners: list[str] = []
    refused: list[str] = []

    def take(name: str) -> None:
        barrier.wait()
        try:
            service.take(ticket.handover.id, name, name.capitalize())
            winners.append(name)
        except HandoverError:
            refused.append(name)

    threads = [threading.Thread(target=take, args=(f"agent{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1 and len(refused) == 7
    assert service.get(ticket.handover.id).agent_username == winners[0]
