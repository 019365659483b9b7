"""Running products for the end-to-end tests of a session, each on an explicit clock.

``stack`` runs on an open Thursday morning, ``weekend_stack`` on a Saturday (closed);
each test's own process follows the clock of the stack it uses, so the console and the
register checks see the same time as the action server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.stack import OPEN_THURSDAY, SATURDAY, RasaStack


def _run(tmp_path_factory: pytest.TempPathFactory, name: str, now: str) -> Iterator[RasaStack]:
    running = RasaStack(tmp_path_factory.mktemp(name), now=now).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    yield from _run(tmp_path_factory, "stack", OPEN_THURSDAY)


@pytest.fixture(scope="session")
def weekend_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    yield from _run(tmp_path_factory, "weekend-stack", SATURDAY)


@pytest.fixture(autouse=True)
def _stack_clock(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("weekend_stack", "stack"):
        if name in request.fixturenames:
            request.getfixturevalue(name).use_clock(monkeypatch)
            return
