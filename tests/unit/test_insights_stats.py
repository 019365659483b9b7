"""Statistics over a known set of ärenden: every figure checked against hand-made values."""

from __future__ import annotations

from datetime import date

import pytest
from freezegun import freeze_time

from kontaktcenter.insights import period as periods
from kontaktcenter.insights.config import InsightsConfig
from kontaktcenter.insights.period import Period
from kontaktcenter.insights.stats import compute, percentile
from tests.insights_data import EXPECTED, PERIOD, build

CONFIG = InsightsConfig(missed_confidence_threshold=0.7, top_count=10)


@pytest.fixture(name="known_url")
def known_url_fixture(sqlite_url: str) -> str:
    build(sqlite_url)
    return sqlite_url


def test_every_figure_matches_the_known_set(known_url: str) -> None:
    stats = compute(PERIOD, known_url, CONFIG)
    for name, expected in EXPECTED.items():
        if name == "per_day":
            assert {d.isoformat(): n for d, n in stats.per_day} == expected
        elif name == "per_weekday_hour":
            cells = {(w, h): n for w, row in enumerate(stats.per_weekday_hour)
                     for h, n in enumerate(row) if n}
            assert cells == expected
        elif isinstance(expected, float):
            assert getattr(stats, name) == pytest.approx(expected), name
        else:
            assert getattr(stats, name) == expected, name


def test_a_period_without_data_gives_zeros_and_no_rates(known_url: str) -> None:
    stats = compute(Period(date(2026, 10, 1), date(2026, 10, 2)), known_url, CONFIG)
    assert stats.conversations == 0 and stats.resident_messages == 0
    assert stats.containment_rate is None and stats.fallback_rate is None
    assert stats.wait_median_seconds is None and stats.satisfied_rate is None
    assert stats.satisfaction == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}


def test_without_satisfaction_answers_there_is_no_share(sqlite_url: str) -> None:
    build(sqlite_url, with_satisfaction=False)
    stats = compute(PERIOD, sqlite_url, CONFIG)
    assert stats.satisfaction == dict.fromkeys((1, 2, 3, 4, 5), 0)
    assert stats.satisfaction_answers == 0 and stats.satisfaction_mean is None
    assert stats.conversations == EXPECTED["conversations"]


def test_the_threshold_decides_what_counts_as_missed(known_url: str) -> None:
    # At 0.6 the 0.62 guess about parking is understood; both fallbacks remain.
    stats = compute(PERIOD, known_url, InsightsConfig(missed_confidence_threshold=0.6))
    assert stats.missed_messages == 2
    assert ("hid_where", 1) in stats.top_intents


def test_the_day_boundaries_are_stockholm_days(known_url: str) -> None:
    # Sunday 1 Nov 23:50 local is 22:50 UTC: it belongs to 1 Nov, not 2 Nov.
    stats = compute(Period(date(2026, 11, 1), date(2026, 11, 1)), known_url, CONFIG)
    assert stats.conversations == 1
    stats = compute(Period(date(2026, 11, 9), date(2026, 11, 9)), known_url, CONFIG)
    assert stats.conversations == 1 and stats.missed_messages == 1


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.95) is None
    assert percentile([10.0], 0.95) == 10.0
    assert percentile([float(i) for i in range(1, 101)], 0.95) == 95.0
    assert percentile([float(i) for i in range(1, 21)], 0.5) == 10.0


@pytest.mark.parametrize(
    ("now", "name", "first", "last"),
    [
        ("2026-12-31 22:59:30", "idag", "2026-12-31", "2026-12-31"),  # 23:59:30 local
        ("2026-12-31 23:00:30", "idag", "2027-01-01", "2027-01-01"),  # 00:00:30 local
        ("2026-11-30 01:00", "7dagar", "2026-11-24", "2026-11-30"),
        ("2026-12-31 09:00", "manad", "2026-12-01", "2026-12-31"),
        ("2027-01-01 09:00", "forra-manaden", "2026-12-01", "2026-12-31"),
        ("2026-03-01 01:00", "forra-manaden", "2026-02-01", "2026-02-28"),
    ],
)
def test_named_periods_follow_the_product_clock(now: str, name: str, first: str,
                                                last: str) -> None:
    with freeze_time(now):  # UTC
        chosen = periods.from_form(name, None, None)
    assert (chosen.first.isoformat(), chosen.last.isoformat()) == (first, last)


def test_bad_periods_get_swedish_errors() -> None:
    with pytest.raises(ValueError, match="efter till-datumet"):
        periods.from_form("egen", "2026-11-10", "2026-11-01")
    with pytest.raises(ValueError, match="Ogiltigt från-datum"):
        periods.from_form("egen", "igår", "2026-11-01")
    with pytest.raises(ValueError, match="både från- och till-datum"):
        periods.from_form("egen", "2026-11-01", "")
    with pytest.raises(ValueError, match="högst 366 dagar"):
        periods.from_form("egen", "2024-01-01", "2026-01-01")
    with pytest.raises(ValueError, match="Okänd period"):
        periods.from_form("kvartal", None, None)


def test_hours_across_the_end_of_summer_time(sqlite_url: str) -> None:
    """25 Oct 2026: 02:30 happens twice (CEST, then CET); both count as Sunday 02."""
    from datetime import datetime, timedelta, timezone

    from tests.insights_data import start, user
    from tests.records_events import make_register

    register = make_register(sqlite_url)
    for name, at in (("a", datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)),
                     ("b", datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)),
                     ("c", datetime(2026, 10, 24, 22, 30, tzinfo=timezone.utc))):
        register.record_event(start(name, at))
        register.record_event(user(name, at + timedelta(seconds=1), "hej", "greet", 0.9))
    stats = compute(Period(date(2026, 10, 25), date(2026, 10, 25)), sqlite_url, CONFIG)
    assert stats.conversations == 3
    assert stats.per_day == [(date(2026, 10, 25), 3)]
    assert stats.per_weekday_hour[6][0] == 1 and stats.per_weekday_hour[6][2] == 2
