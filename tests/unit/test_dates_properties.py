"""Property-based checks of the Swedish date parser (hypothesis)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kontaktcenter.dates import STOCKHOLM, named_day, parse_date_expression
from kontaktcenter.dates.parser import _parse

WEEKDAYS = {
    0: ["måndag", "mandag", "Måndag", "MÅNDAG"],
    1: ["tisdag", "Tisdag"],
    2: ["onsdag", "ONSDAG"],
    3: ["torsdag", "Torsdag"],
    4: ["fredag", "Fredag"],
    5: ["lördag", "lordag", "Lördag"],
    6: ["söndag", "sondag", "Söndag"],
}
COMING_FORMS = ["{}", "på {}", "nu på {}", "pa {}", "har ni öppet på {}?", "i {}"]
NEXT_WEEK_FORMS = [
    "nästa {}",
    "på nästa {}",
    "{} nästa vecka",
    "{} i nästa vecka",
    "nästa veckas {}",
    "nasta {}",
]
NAMED_DAYS = [
    "julafton", "juldagen", "annandag jul", "midsommarafton", "midsommardagen",
    "nyårsafton", "nyårsdagen", "påsk", "påskafton", "påskdagen", "annandag påsk",
    "långfredagen", "skärtorsdagen", "trettondagen", "trettondagsafton",
    "trettondedag jul", "Kristi himmelsfärd", "nationaldagen", "första maj", "valborg",
    "valborgsmässoafton", "alla helgons dag", "pingst", "MIDSOMMARAFTON", "oppet pa julafton",
]  # fmt: skip

nows = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2030, 12, 31, 23, 59),
    timezones=st.just(STOCKHOLM),
)


@given(now=nows, weekday=st.integers(0, 6), data=st.data())
def test_coming_weekday_is_within_a_week_today_included(now, weekday, data) -> None:
    name = data.draw(st.sampled_from(WEEKDAYS[weekday]))
    text = data.draw(st.sampled_from(COMING_FORMS)).format(name)
    result = parse_date_expression(text, now)
    assert result.date is not None, text
    assert result.date.weekday() == weekday
    assert 0 <= (result.date - now.date()).days <= 6


@given(now=nows, weekday=st.integers(0, 6), data=st.data())
def test_next_weekday_is_in_next_calendar_week(now, weekday, data) -> None:
    name = data.draw(st.sampled_from(WEEKDAYS[weekday]))
    text = data.draw(st.sampled_from(NEXT_WEEK_FORMS)).format(name)
    result = parse_date_expression(text, now)
    assert result.date is not None, text
    assert result.date.weekday() == weekday
    assert 1 <= (result.date - now.date()).days <= 13
    next_monday = now.date() + timedelta(days=7 - now.weekday())
    assert next_monday <= result.date < next_monday + timedelta(days=7)


MOVABLE = {"påsk", "påskafton", "påskdagen", "annandag påsk", "långfredagen", "skärtorsdagen",
           "Kristi himmelsfärd", "pingst", "midsommarafton", "midsommardagen",
           "MIDSOMMARAFTON", "alla helgons dag"}  # fmt: skip


@given(now=nows, name=st.sampled_from(NAMED_DAYS))
def test_named_days_are_the_next_occurrence(now, name) -> None:
    today = now.date()
    result = parse_date_expression(name, now)
    assert result.date is not None, name
    # Fixed days come within a year. Easter moves by up to 35 days between years, so
    # e.g. Kristi himmelsfärd seen from the day after it can be 384 days ahead.
    limit = 366 + 35 if name in MOVABLE else 366
    assert 0 <= (result.date - today).days <= limit
    if result.name is not None and result.date.year > today.year:
        assert named_day(result.name, result.date.year - 1) < today  # none skipped


@given(now=nows, day=st.integers(1, 31), month=st.integers(1, 12))
def test_day_month_without_year_is_on_or_after_today(now, day, month) -> None:
    result = parse_date_expression(f"{day}/{month}", now)
    if result.error is None:
        assert result.date is not None
        assert (result.date.day, result.date.month) == (day, month)
        assert result.date >= now.date()
        assert (result.date - now.date()).days <= 366 * 4 + 1  # 29/2 waits for a leap year


@settings(max_examples=300)
@given(text=st.text(), now=nows)
def test_never_raises_and_spans_point_into_the_text(text, now) -> None:
    result = _parse(text, now)  # the unguarded parser: a crash here is a real bug
    for span in (result.span, result.time_span):
        if span is not None:
            assert text[span.start : span.end] == span.text


@settings(max_examples=200)
@given(
    prefix=st.text(max_size=30),
    suffix=st.text(max_size=30),
    phrase=st.sampled_from(["julafton", "24/12", "nästa fredag", "kl 17.30", "i morgon"]),
)
def test_phrases_inside_arbitrary_text_keep_valid_spans(prefix, suffix, phrase) -> None:
    text = f"{prefix} {phrase} {suffix}"
    result = _parse(text, datetime(2026, 11, 27, 10, tzinfo=STOCKHOLM))
    for span in (result.span, result.time_span):
        if span is not None:
            assert text[span.start : span.end] == span.text
