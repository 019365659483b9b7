"""Snabbsvar: shared canned replies with a keyword, kept in the database."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from freezegun import freeze_time

from kontaktcenter.db import get_database
from kontaktcenter.db.migrate import upgrade
from kontaktcenter.desk.canned import CannedResponseNotFound, CannedResponses


@pytest.fixture()
def canned(tmp_path: Path) -> CannedResponses:
    url = f"sqlite:///{tmp_path / 'kc.db'}"
    upgrade(url)
    yield CannedResponses(url)
    get_database(url).dispose()


def test_add_list_change_and_remove(canned: CannedResponses) -> None:
    with freeze_time("2026-12-31 23:59:30"):
        first = canned.add("/Oppettider", "Vi har öppet 8–17.\nVälkommen!", "Anna Andersson (anna)")
    canned.add("bygglov", "Bygglov söker du via e-tjänsten.", "Bo Berg (bo)")
    assert [(c.shortcut, c.updated_by) for c in canned.list()] == [
        ("bygglov", "Bo Berg (bo)"), ("oppettider", "Anna Andersson (anna)")]
    assert first.updated_at == datetime(2026, 12, 31, 23, 59, 30, tzinfo=timezone.utc)
    changed = canned.update(first.id, "öppet", "Vi har öppet 8–16.", "Bo Berg (bo)")
    assert (changed.shortcut, changed.text, changed.updated_by) == (
        "öppet", "Vi har öppet 8–16.", "Bo Berg (bo)")
    canned.remove(first.id)
    assert [c.shortcut for c in canned.list()] == ["bygglov"]
    with pytest.raises(CannedResponseNotFound):
        canned.remove(first.id)
    with pytest.raises(CannedResponseNotFound):
        canned.update(first.id, "x", "y", "z")


@pytest.mark.parametrize(("shortcut", "text", "message"), [
    ("", "text", "Kortordet"),
    ("två ord", "text", "Kortordet"),
    ("x" * 41, "text", "Kortordet"),
    ("ok", "  \n ", "Skriv snabbsvarets text"),
    ("ok", "x" * 4001, "för långt"),
])
def test_bad_input_gets_a_swedish_error(canned: CannedResponses, shortcut: str, text: str,
                                        message: str) -> None:
    with pytest.raises(ValueError, match=message):
        canned.add(shortcut, text, "Anna Andersson (anna)")
    assert canned.list() == []


def test_keywords_are_unique(canned: CannedResponses) -> None:
    canned.add("hej", "Hej!", "a")
    other = canned.add("hejsan", "Hejsan!", "a")
    with pytest.raises(ValueError, match="redan ett snabbsvar med kortordet /hej"):
        canned.add("HEJ", "Hej igen", "a")
    with pytest.raises(ValueError, match="/hej"):
        canned.update(other.id, "hej", "Hejsan!", "a")
    assert [c.text for c in canned.list()] == ["Hej!", "Hejsan!"]
