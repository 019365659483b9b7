"""Validation of staff exceptions and the TTL cache that lets the bot see them at once."""

from __future__ import annotations

from datetime import date, time

import pytest

from kontaktcenter.calendar import CachedExceptions, OpeningException, validate_exception

TODAY = date(2026, 11, 27)


def check(**kwargs):
    kwargs.setdefault("closed", False)
    return validate_exception(kwargs.pop("day", date(2026, 12, 8)), today=TODAY, **kwargs)


def test_valid_exceptions() -> None:
    opened = check(opens=time(10), closes=time(15), note="  Utbildning   på förmiddagen ")
    assert opened == OpeningException(date(2026, 12, 8), False, time(10), time(15),
                                      "Utbildning på förmiddagen")
    closed = check(closed=True)
    assert closed.closed and closed.opens is None and closed.note == ""


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"opens": time(15), "closes": time(10)}, "måste vara före stängningstiden"),
        ({"opens": time(10), "closes": time(10)}, "måste vara före stängningstiden"),
        ({"opens": time(10)}, "både öppningstid och stängningstid"),
        ({"closed": True, "opens": time(10), "closes": time(12)}, "kan inte ha öppettider"),
        ({"opens": time(10, 0, 30), "closes": time(12)}, "hela minuter"),
        ({"closed": True, "day": date(1999, 12, 24)}, "orimligt"),
        ({"closed": True, "day": date(2040, 1, 1)}, "orimligt"),
        ({"closed": True, "day": "2026-12-24"}, "Ange ett datum"),
        ({"closed": True, "note": "x" * 301}, "för lång"),
        ({"closed": True, "note": "Stängt\nhela dagen"}, "otillåtna tecken"),
        ({"closed": True, "note": "Stängt\x00"}, "otillåtna tecken"),
        ({"closed": True, "note": "Stängt\u202e"}, "otillåtna tecken"),
        ({"closed": True, "note": "<script>alert(1)</script>"}, "HTML"),
        ({"closed": True, "note": 42}, "måste vara text"),
    ],
)
def test_invalid_exceptions_get_swedish_messages(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check(**kwargs)


def test_note_at_the_limit_and_foreign_letters_are_fine() -> None:
    assert len(check(closed=True, note="å" * 300).note) == 300
    assert check(closed=True, note="Zamknięte – مغلق").note == "Zamknięte – مغلق"


class FakeMonotonic:
    def __init__(self) -> None:
        self.value = 100.0

    def __call__(self) -> float:
        return self.value


def test_cache_reloads_after_ttl_and_on_invalidate() -> None:
    clock = FakeMonotonic()
    store = [OpeningException(date(2026, 12, 8), True)]
    loads = []

    def load():
        loads.append(1)
        return list(store)

    cache = CachedExceptions(load, ttl_seconds=5, monotonic=clock)
    assert set(cache.exceptions()) == {date(2026, 12, 8)}
    store.append(OpeningException(date(2026, 12, 9), True))
    clock.value += 4.9
    assert set(cache.exceptions()) == {date(2026, 12, 8)}  # still cached
    assert len(loads) == 1
    clock.value += 0.2
    assert set(cache.exceptions()) == {date(2026, 12, 8), date(2026, 12, 9)}
    store.clear()
    cache.invalidate()
    assert cache.exceptions() == {}
    assert len(loads) == 3


def test_cache_keeps_last_good_data_when_loading_fails() -> None:
    clock = FakeMonotonic()
    healthy = [True]

    def load():
        if not healthy[0]:
            raise ConnectionError("databasen svarar inte")
        return [OpeningException(date(2026, 12, 8), True)]

    cache = CachedExceptions(load, ttl_seconds=5, monotonic=clock)
    assert date(2026, 12, 8) in cache.exceptions()
    healthy[0] = False
    clock.value += 10
    assert date(2026, 12, 8) in cache.exceptions()
    assert isinstance(cache.last_error, ConnectionError)
    healthy[0] = True
    clock.value += 10
    cache.exceptions()
    assert cache.last_error is None
