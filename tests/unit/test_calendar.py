"""Opening-hours rules: regular week, red days, eves, days before red days, DST, exceptions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
import yaml

from kontaktcenter.calendar import (
    DEVIATION_CAVEAT,
    STOCKHOLM,
    DayKind,
    OpeningCalendar,
    OpeningException,
    StaticExceptions,
    TimeRange,
    load_hours_config,
    named_days,
    parse_hours_config,
)

CONFIG_PATH = Path(__file__).resolve().parents[2] / "config" / "opening_hours.yml"
YEARS = range(2024, 2031)
CONFIG = load_hours_config(CONFIG_PATH)
UTC = timezone.utc


def calendar(exceptions=(), config=CONFIG, now=None) -> OpeningCalendar:
    clock = now or (lambda: datetime(2026, 11, 27, 17, 30, tzinfo=STOCKHOLM))
    return OpeningCalendar(config, StaticExceptions(exceptions), now=clock)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


def test_config_holds_the_seed_hours() -> None:
    eight, five, six = time(8), time(17), time(18)
    assert CONFIG.default.regular == (
        TimeRange(eight, five),
        TimeRange(eight, five),
        TimeRange(eight, five),
        TimeRange(eight, six),
        TimeRange(eight, five),
        None,
        None,
    )
    for channel in ("phone", "visit", "chat"):
        assert CONFIG.channel(channel).regular == CONFIG.default.regular
    assert CONFIG.default.day_before_red_day_configured is False


@pytest.mark.parametrize("year", YEARS)
def test_every_red_day_is_closed_with_its_swedish_name(year: int) -> None:
    cal = calendar()
    official = holidays.Sweden(years=year, language="sv", include_sundays=False)
    assert len(official) >= 13
    for day, name in official.items():
        hours = cal.hours_on(day)
        assert hours.is_closed, day
        assert hours.kind is DayKind.RED_DAY
        assert hours.reason is not None and hours.reason.lower() == name.lower(), (day, name)
        for instant in (time(0), time(8), time(12), time(17, 59)):
            assert not cal.is_open(datetime.combine(day, instant))


@pytest.mark.parametrize("year", YEARS)
def test_the_three_eves_are_closed(year: int) -> None:
    cal = calendar()
    days = named_days(year)
    assert days["julafton"] == date(year, 12, 24)
    assert days["nyårsafton"] == date(year, 12, 31)
    midsommarafton = days["midsommarafton"]
    assert midsommarafton.weekday() == 4
    assert date(year, 6, 19) <= midsommarafton <= date(year, 6, 25)
    for name in ("julafton", "nyårsafton", "midsommarafton"):
        hours = cal.hours_on(days[name])
        assert hours.is_closed and hours.kind is DayKind.EVE and hours.reason == name
        assert not cal.is_open(datetime.combine(days[name], time(10)))


EXPECTED_DAYS_BEFORE = {
    # year: workdays flagged "dag före röd dag" with the default list
    2026: {
        date(2026, 1, 5): "trettondagsafton",
        date(2026, 4, 2): "skärtorsdagen",
        date(2026, 4, 30): "valborgsmässoafton",
        date(2026, 5, 13): "dagen före Kristi himmelsfärdsdag",
        date(2026, 6, 5): "dagen före nationaldagen",
        date(2026, 10, 30): "allhelgonaafton",
    },
    2027: {
        date(2027, 1, 5): "trettondagsafton",
        date(2027, 3, 25): "skärtorsdagen",
        date(2027, 4, 30): "valborgsmässoafton",
        date(2027, 5, 5): "dagen före Kristi himmelsfärdsdag",
        date(2027, 11, 5): "allhelgonaafton",
    },
}


@pytest.mark.parametrize("year", sorted(EXPECTED_DAYS_BEFORE))
def test_days_before_red_days_give_regular_hours_with_a_caveat(year: int) -> None:
    cal = calendar()
    start = date(year, 1, 1)
    flagged = {}
    for offset in range(366 if year % 4 == 0 else 365):
        hours = cal.hours_on(start + timedelta(days=offset))
        if hours.kind is DayKind.DAY_BEFORE_RED_DAY:
            flagged[hours.day] = hours.reason
            assert hours.may_deviate is True
            assert hours.caveat == DEVIATION_CAVEAT
            assert (hours.opens, hours.closes) == (hours.regular_opens, hours.regular_closes)
            assert hours.opens == time(8)
    assert flagged == EXPECTED_DAYS_BEFORE[year]


def test_day_before_national_day_on_a_saturday_is_just_weekend() -> None:
    hours = calendar().hours_on(date(2027, 6, 5))
    assert hours.kind is DayKind.WEEKEND and hours.is_closed and not hours.may_deviate


@pytest.mark.parametrize("year", YEARS)
def test_days_before_red_days_are_flagged_every_year(year: int) -> None:
    cal = calendar()
    days = named_days(year)
    for name in ("trettondagsafton", "skärtorsdagen", "valborgsmässoafton", "allhelgonaafton"):
        hours = cal.hours_on(days[name])
        if days[name].weekday() < 5:
            assert hours.may_deviate and hours.reason == name
    ascension_eve = cal.hours_on(days["kristi himmelsfärdsdag"] - timedelta(days=1))
    assert ascension_eve.day.weekday() == 2
    assert ascension_eve.may_deviate


def test_configured_day_before_hours_are_used_and_never_invented() -> None:
    data = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    data["day_before_red_day"]["hours"] = {"opens": "08.00", "closes": "15.00"}
    cal = calendar(config=parse_hours_config(data))
    hours = cal.hours_on(date(2026, 4, 30))
    assert (hours.opens, hours.closes) == (time(8), time(15))
    assert hours.may_deviate is False and hours.caveat is None
    assert cal.is_open(local(2026, 4, 30, 14, 59)) and not cal.is_open(local(2026, 4, 30, 15))

    data["day_before_red_day"]["hours"] = "closed"
    closed = calendar(config=parse_hours_config(data)).hours_on(date(2026, 4, 30))
    assert closed.is_closed and closed.kind is DayKind.DAY_BEFORE_RED_DAY


def test_day_before_list_is_configurable_by_rule_names() -> None:
    data = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    data["day_before_red_day"]["days"] = ["dagen före julafton", "valborgsmässoafton"]
    cal = calendar(config=parse_hours_config(data))
    assert cal.hours_on(date(2026, 12, 23)).reason == "dagen före julafton"
    assert cal.hours_on(date(2026, 1, 5)).kind is DayKind.REGULAR
    data["day_before_red_day"]["days"] = ["lillejulafton"]
    with pytest.raises(ValueError, match="okänd dag 'lillejulafton'"):
        parse_hours_config(data)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(2026, 12, 3, 7, 59, 59), False),  # Thursday
        (local(2026, 12, 3, 8, 0), True),
        (local(2026, 12, 3, 16, 59), True),
        (local(2026, 12, 3, 17, 0), True),
        (local(2026, 12, 3, 17, 59, 59), True),
        (local(2026, 12, 3, 18, 0), False),
        (local(2026, 11, 30, 7, 59), False),  # Monday
        (local(2026, 11, 30, 8, 0), True),
        (local(2026, 11, 30, 16, 59, 59), True),
        (local(2026, 11, 30, 17, 0), False),
        (local(2026, 11, 30, 17, 59), False),
        (local(2026, 11, 27, 0, 0), False),  # Friday midnight
        (local(2026, 11, 27, 23, 59, 59), False),
        (local(2026, 11, 28, 12, 0), False),  # Saturday
        (local(2026, 11, 29, 12, 0), False),  # Sunday
    ],
)
def test_boundaries_are_half_open(moment: datetime, expected: bool) -> None:
    cal = calendar()
    assert cal.is_open(moment) is expected
    assert cal.is_open(moment.replace(tzinfo=None)) is expected  # naive = Stockholm


def test_midnight_rolls_over_to_the_next_day() -> None:
    cal = calendar()
    friday_night = local(2026, 11, 27, 23, 59, 59)
    assert cal.next_opening(friday_night) == local(2026, 11, 30, 8, 0)
    assert cal.next_opening(local(2026, 11, 30, 0, 0)) == local(2026, 11, 30, 8, 0)
    assert cal.next_closing(local(2026, 11, 30, 0, 0)) is None


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("month", [3, 10])
def test_dst_change_days(year: int, month: int) -> None:
    cal = calendar()
    sunday = _last_sunday(year, month)
    assert not cal.is_open(datetime.combine(sunday, time(12)))
    # The first working day after the change (annandag påsk can fall on that Monday).
    workday = sunday + timedelta(days=1)
    while cal.hours_on(workday).is_closed:
        workday += timedelta(days=1)
    assert workday.weekday() in (0, 1)
    offset = timedelta(hours=2 if month == 3 else 1)  # CEST after March, CET after October
    opens_utc = datetime.combine(workday, time(8), tzinfo=UTC) - offset
    assert not cal.is_open(opens_utc - timedelta(seconds=1))
    assert cal.is_open(opens_utc)
    closes_utc = datetime.combine(workday, time(17), tzinfo=UTC) - offset
    assert cal.is_open(closes_utc - timedelta(seconds=1)) and not cal.is_open(closes_utc)
    # Asked at 01.30 UTC on the change night (before and after the clocks move).
    nxt = cal.next_opening(datetime.combine(sunday, time(1, 30), tzinfo=UTC))
    assert nxt == datetime.combine(workday, time(8), tzinfo=STOCKHOLM)
    assert nxt.utcoffset() == offset
    assert nxt.astimezone(UTC) == opens_utc
    # The wall-clock hours of the change day itself exist once (March) or twice (October).
    assert cal.hours_on(datetime(sunday.year, sunday.month, sunday.day, 2, 30)).day == sunday


def test_inputs_in_other_zones_are_converted() -> None:
    cal = calendar()
    new_york = ZoneInfo("America/New_York")
    # 02.30 in New York on Thursday 3 December 2026 is 08.30 in Stockholm.
    assert cal.is_open(datetime(2026, 12, 3, 2, 30, tzinfo=new_york))
    assert not cal.is_open(datetime(2026, 12, 3, 1, 30, tzinfo=new_york))
    # 23.30 UTC on Sunday is 00.30 Monday in Stockholm: closed, opens at 08.00 that Monday.
    sunday_late = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert cal.hours_on(sunday_late).day == date(2026, 11, 30)
    assert cal.next_opening(sunday_late) == local(2026, 11, 30, 8)


def test_next_opening_and_closing() -> None:
    cal = calendar()
    thursday_noon = local(2026, 12, 3, 12)
    assert cal.next_closing(thursday_noon) == local(2026, 12, 3, 18)
    assert cal.next_opening(thursday_noon) == local(2026, 12, 4, 8)  # the following period
    assert cal.next_opening(local(2026, 12, 3, 8)) == local(2026, 12, 4, 8)
    assert cal.next_closing(local(2026, 12, 3, 18)) is None
    # Over Christmas 2026: julafton, juldagen, annandag jul and the weekend are closed.
    assert cal.next_opening(local(2026, 12, 23, 17)) == local(2026, 12, 28, 8)


def test_exception_overrides_a_red_day_and_a_regular_day() -> None:
    cal = calendar([
        OpeningException(date(2026, 12, 25), False, time(10), time(14), "Öppet för akuta ärenden."),
        OpeningException(date(2026, 12, 1), True, note="Personaldag."),
        OpeningException(date(2026, 12, 2), False, time(8), time(12)),
    ])
    juldagen = cal.hours_on(date(2026, 12, 25))
    assert juldagen.kind is DayKind.EXCEPTION and juldagen.reason == "juldagen"
    assert (juldagen.opens, juldagen.closes) == (time(10), time(14))
    assert juldagen.note == "Öppet för akuta ärenden."
    assert cal.is_open(local(2026, 12, 25, 10)) and not cal.is_open(local(2026, 12, 25, 14))

    closed = cal.hours_on(date(2026, 12, 1))
    assert closed.is_closed and closed.kind is DayKind.EXCEPTION and closed.note == "Personaldag."
    assert not cal.is_open(local(2026, 12, 1, 10))
    assert cal.next_opening(local(2026, 11, 30, 17)) == local(2026, 12, 2, 8)

    assert cal.next_closing(local(2026, 12, 2, 9)) == local(2026, 12, 2, 12)
    assert not cal.is_open(local(2026, 12, 2, 12))


def test_exception_overrides_a_day_before_red_day() -> None:
    cal = calendar([OpeningException(date(2026, 4, 30), False, time(8), time(13))])
    hours = cal.hours_on(date(2026, 4, 30))
    assert hours.kind is DayKind.EXCEPTION and not hours.may_deviate
    assert hours.reason == "valborgsmässoafton"


def test_week_and_upcoming_deviations() -> None:
    cal = calendar([OpeningException(date(2026, 12, 22), False, time(9), time(15))])
    week = cal.week(date(2026, 12, 21))
    assert [d.day for d in week] == [date(2026, 12, 21) + timedelta(days=i) for i in range(7)]
    assert [d.kind for d in week] == [
        DayKind.REGULAR, DayKind.EXCEPTION, DayKind.REGULAR, DayKind.EVE,
        DayKind.RED_DAY, DayKind.RED_DAY, DayKind.WEEKEND,
    ]
    upcoming = cal.upcoming_exceptions(date(2026, 12, 20), days=14)
    # annandag jul (Saturday) is not a deviation: Saturdays are closed anyway.
    assert [d.day for d in upcoming] == [
        date(2026, 12, 22), date(2026, 12, 24), date(2026, 12, 25),
        date(2026, 12, 31), date(2027, 1, 1),
    ]
    assert cal.upcoming_exceptions(date(2026, 11, 27)) == []  # defaults: 14 days from today
    assert cal.week()[0].day == date(2026, 11, 27)


def test_status_summary() -> None:
    cal = calendar()
    status = cal.status()  # injected clock: Friday 27 November 2026 17.30
    assert status.is_open is False
    assert status.at == local(2026, 11, 27, 17, 30)
    assert status.today.day == date(2026, 11, 27)
    assert status.closes_at is None
    assert status.next_opening == local(2026, 11, 30, 8)
    assert status.next_opening_day.day == date(2026, 11, 30)
    open_status = cal.status(local(2026, 11, 27, 9))
    assert open_status.is_open and open_status.closes_at == local(2026, 11, 27, 17)


def test_injected_clock_is_used() -> None:
    cal = calendar(now=lambda: datetime(2026, 12, 3, 7, 0, tzinfo=UTC))  # 08.00 Stockholm
    assert cal.is_open() and cal.today() == date(2026, 12, 3)
    assert cal.now().tzinfo == STOCKHOLM


def test_channel_overrides() -> None:
    data = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    data["channels"]["chat"] = {"regular": {"thursday": {"opens": "08.00", "closes": "17.00"}}}
    cal = calendar(config=parse_hours_config(data))
    thursday = local(2026, 12, 3, 17, 30)
    assert cal.is_open(thursday) and cal.is_open(thursday, channel="phone")
    assert not cal.is_open(thursday, channel="chat")
    assert cal.hours_on(date(2026, 12, 4), channel="chat").closes == time(17)
    with pytest.raises(ValueError, match="Okänd kanal 'fax'"):
        cal.hours_on(date(2026, 12, 4), channel="fax")


def test_coinciding_red_days_are_both_named() -> None:
    # 1 May 2008 was both första maj and Kristi himmelsfärdsdag.
    hours = calendar().hours_on(date(2008, 5, 1))
    assert hours.is_closed and hours.reason == "första maj och Kristi himmelsfärdsdag"


BRIEF_KEYS = (
    "julafton", "juldagen", "nyårsafton", "midsommarafton", "påskdagen", "långfredagen",
    "skärtorsdagen", "annandag påsk", "trettondedag jul", "kristi himmelsfärdsdag",
    "sveriges nationaldag", "första maj", "valborgsmässoafton", "alla helgons dag",
    "pingstdagen", "midsommardagen", "nyårsdagen", "annandag jul",
)


@pytest.mark.parametrize("year", YEARS)
def test_named_days_have_every_key(year: int) -> None:
    days = named_days(year)
    for key in BRIEF_KEYS:
        assert days[key].year == year, key
    assert days["långfredagen"] == days["påskdagen"] - timedelta(days=2)
    assert days["skärtorsdagen"] == days["påskdagen"] - timedelta(days=3)
    assert days["sveriges nationaldag"] == date(year, 6, 6)


def test_named_days_sample_values() -> None:
    days = named_days(2026)
    assert days["påskdagen"] == date(2026, 4, 5)
    assert days["midsommarafton"] == date(2026, 6, 19)
    assert days["kristi himmelsfärdsdag"] == date(2026, 5, 14)
    assert days["alla helgons dag"] == date(2026, 10, 31)
    days["julafton"] = date(2000, 1, 1)  # a copy: callers cannot corrupt the cache
    assert named_days(2026)["julafton"] == date(2026, 12, 24)


def _set(path: str, value: object):
    """A change to the loaded YAML: ``"regular.monday"`` -> ``data["regular"]["monday"]``."""

    def apply(data: dict) -> None:
        *parents, last = path.split(".")
        for key in parents:
            data = data[key]
        data[last] = value

    return apply


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("regular.monday", {"opens": "17.00", "closes": "08.00"}), "före stängningstiden"),
        (_set("regular.monday", {"opens": "25.00", "closes": "26.00"}), "Ogiltig tid"),
        (_set("regular.monday", {"opens": "åtta", "closes": "17.00"}), "Ogiltig tid"),
        (_set("regular.monday", {"opens": "08.00"}), "både opens och closes"),
        (_set("regular.måndag", "closed"), "okänd veckodag"),
        (_set("timezone", "Mars/Olympus"), "okänd tidszon"),
        (_set("channels.fax", {}), "okänd kanal"),
        (_set("channels.chat", {"hours": {}}), "okänd nyckel"),
        (_set("closed_eves", ["påskafton", "kalasafton"]), "okänd dag 'kalasafton'"),
        (_set("day_before_red_day.days", "valborg"), "lista med namn"),
    ],
)
def test_bad_configuration_is_rejected_in_swedish(change, message: str) -> None:
    data = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(ValueError, match=message):
        parse_hours_config(data)


def test_missing_weekday_and_empty_file_are_rejected(tmp_path: Path) -> None:
    data = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    del data["regular"]["friday"]
    with pytest.raises(ValueError, match="saknar friday"):
        parse_hours_config(data)
    empty = tmp_path / "opening_hours.yml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="tom"):
        load_hours_config(empty)
    with pytest.raises(ValueError, match="Kunde inte läsa"):
        load_hours_config(tmp_path / "saknas.yml")


def test_unquoted_yaml_times_are_understood() -> None:
    text = CONFIG_PATH.read_text(encoding="utf-8").replace('"08.00"', "08:00")
    config = parse_hours_config(yaml.safe_load(text))  # YAML 1.1 reads 08:00 as 480
    assert config.default.regular[0] == TimeRange(time(8), time(17))
