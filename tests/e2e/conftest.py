"""One running product for all end-to-end tests of a session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.stack import RasaStack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    running = RasaStack(tmp_path_factory.mktemp("stack")).start()
    try:
        yield running
    finally:
        running.stop()
