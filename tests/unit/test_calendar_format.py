"""The Swedish sentences residents read, word for word, with a frozen now."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
import yaml

from kontaktcenter.calendar import (
    STOCKHOLM,
    OpeningCalendar,
    OpeningException,
    StaticExceptions,
    format_date,
    format_day,
    format_deviation,
    format_open_now,
    format_regular_week,
    format_time,
    format_week,
    load_hours_config,
    parse_hours_config,
)

CONFIG_PATH = Path(__file__).resolve().parents[2] / "config" / "opening_hours.yml"
CONFIG = load_hours_config(CONFIG_PATH)
TODAY = date(2026, 11, 27)  # a Friday
EXCEPTIONS = [
    OpeningException(
        date(2026, 12, 8), False, time(10), time(15), "Personalutbildning på morgonen"
    ),
    OpeningException(date(2026, 12, 9), True, note="Stängt på grund av flytt."),
    OpeningException(date(2026, 12, 25), False, time(10), time(14)),
]


def calendar(at: datetime = datetime(2026, 11, 27, 17, 30), config=CONFIG) -> OpeningCalendar:
    frozen = at.replace(tzinfo=STOCKHOLM)
    return OpeningCalendar(config, StaticExceptions(EXCEPTIONS), now=lambda: frozen)


def open_now(*args: int) -> str:
    return format_open_now(calendar(datetime(*args)).status())


def test_time_and_date_style() -> None:
    assert format_time(time(8)) == "08.00"
    assert format_time(time(17, 30)) == "17.30"
    assert format_date(date(2026, 12, 3)) == "torsdag 3 december"
    assert format_date(date(2027, 1, 4), TODAY) == "måndag 4 januari 2027"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ((2026, 11, 27, 17, 30),
         "Nej, vi har stängt nu. Vi öppnar igen måndag 30 november kl. 08.00."),
        ((2026, 11, 27, 10, 0), "Ja, vi har öppet nu till kl. 17.00."),
        ((2026, 12, 3, 17, 15), "Ja, vi har öppet nu till kl. 18.00."),
        ((2026, 12, 3, 6, 45), "Nej, vi har stängt nu. Vi öppnar idag kl. 08.00."),
        ((2026, 12, 2, 20, 0), "Nej, vi har stängt nu. Vi öppnar igen imorgon kl. 08.00."),
        ((2026, 11, 28, 0, 0),
         "Nej, vi har stängt nu. Vi öppnar igen måndag 30 november kl. 08.00."),
        ((2026, 12, 24, 9, 0),
         "Nej, idag har vi stängt (julafton). Vi öppnar igen imorgon kl. 10.00."),
        ((2026, 12, 25, 11, 0),
         "Ja, vi har öppet nu till kl. 14.00 (avvikande öppettider idag)."),
        ((2026, 12, 7, 18, 0),
         "Nej, vi har stängt nu. Vi öppnar igen imorgon kl. 10.00. "
         "Personalutbildning på morgonen."),
        ((2026, 12, 9, 9, 0),
         "Nej, idag har vi stängt. Stängt på grund av flytt. "
         "Vi öppnar igen imorgon kl. 08.00."),
        ((2026, 12, 31, 12, 0),
         "Nej, idag har vi stängt (nyårsafton). Vi öppnar igen måndag 4 januari 2027 kl. 08.00."),
        ((2027, 4, 29, 18, 30),
         "Nej, vi har stängt nu. Vi öppnar igen imorgon kl. 08.00. Imorgon är det "
         "valborgsmässoafton. Avvikande öppettider kan förekomma dagen före en röd dag."),
        ((2027, 4, 30, 9, 0),
         "Ja, vi har öppet nu till kl. 17.00. Idag är det valborgsmässoafton. "
         "Avvikande öppettider kan förekomma dagen före en röd dag."),
        ((2027, 3, 20, 12, 0),
         "Nej, vi har stängt nu. Vi öppnar igen måndag 22 mars kl. 08.00."),
        ((2027, 3, 24, 18, 0),
         "Nej, vi har stängt nu. Vi öppnar igen imorgon kl. 08.00. Imorgon är det "
         "skärtorsdagen. Avvikande öppettider kan förekomma dagen före en röd dag."),
        ((2026, 10, 24, 12, 0),
         "Nej, vi har stängt nu. Vi öppnar igen måndag 26 oktober kl. 08.00."),
        ((2026, 10, 29, 19, 0),
         "Nej, vi har stängt nu. Vi öppnar igen imorgon kl. 08.00. Imorgon är det "
         "allhelgonaafton. Avvikande öppettider kan förekomma dagen före en röd dag."),
        ((2027, 1, 4, 18, 0),
         "Nej, vi har stängt nu. Vi öppnar igen imorgon kl. 08.00. Imorgon är det "
         "trettondagsafton. Avvikande öppettider kan förekomma dagen före en röd dag."),
    ],
)
def test_open_now(moment: tuple[int, ...], expected: str) -> None:
    assert open_now(*moment) == expected


def test_next_opening_far_ahead_names_the_date() -> None:
    # 23 Dec 17.30 -> 24 julafton closed, 25 exception 10.00: "fredag 25 december"
    text = format_open_now(calendar(datetime(2026, 12, 23, 17, 30)).status())
    assert text == "Nej, vi har stängt nu. Vi öppnar igen fredag 25 december kl. 10.00."


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 3), "Torsdag 3 december har vi öppet 08.00–18.00."),
        (date(2026, 11, 27), "Idag har vi öppet 08.00–17.00."),
        (date(2026, 11, 28), "Imorgon har vi stängt."),
        (date(2026, 12, 26), "Lördag 26 december (annandag jul) har vi stängt."),
        (date(2026, 12, 24), "Torsdag 24 december (julafton) har vi stängt."),
        (date(2026, 12, 25), "Fredag 25 december (juldagen) har vi öppet 10.00–14.00."),
        (date(2026, 12, 8),
         "Tisdag 8 december har vi öppet 10.00–15.00. Personalutbildning på morgonen."),
        (date(2026, 12, 9), "Onsdag 9 december har vi stängt. Stängt på grund av flytt."),
        (date(2027, 1, 1), "Fredag 1 januari 2027 (nyårsdagen) har vi stängt."),
        (date(2027, 4, 30),
         "Fredag 30 april 2027 är det valborgsmässoafton. Avvikande öppettider kan förekomma "
         "dagen före en röd dag. Ordinarie tider är 08.00–17.00."),
        (date(2027, 5, 5),
         "Onsdag 5 maj 2027 är det dagen före Kristi himmelsfärdsdag. Avvikande öppettider "
         "kan förekomma dagen före en röd dag. Ordinarie tider är 08.00–17.00."),
        (date(2027, 5, 6), "Torsdag 6 maj 2027 (Kristi himmelsfärdsdag) har vi stängt."),
    ],
)
def test_format_day(day: date, expected: str) -> None:
    assert format_day(calendar().hours_on(day), TODAY) == expected


def test_format_day_with_configured_day_before_hours() -> None:
    data = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    data["day_before_red_day"]["hours"] = {"opens": "08.00", "closes": "15.00"}
    cal = calendar(config=parse_hours_config(data))
    assert format_day(cal.hours_on(date(2027, 4, 30)), TODAY) == (
        "Fredag 30 april 2027 (valborgsmässoafton) har vi öppet 08.00–15.00."
    )


def test_regular_week_without_deviations() -> None:
    cal = calendar()
    assert format_regular_week(cal.regular_week()) == (
        "Måndag–onsdag 08.00–17.00, torsdag 08.00–18.00, fredag 08.00–17.00. "
        "Lördag och söndag stängt."
    )
    assert [d.day for d in cal.upcoming_exceptions()] == [date(2026, 12, 8), date(2026, 12, 9)]


def test_regular_week_with_coming_deviations() -> None:
    cal = calendar(datetime(2026, 12, 20, 12))
    text = format_regular_week(cal.regular_week(), cal.upcoming_exceptions(), cal.today())
    assert text == (
        "Måndag–onsdag 08.00–17.00, torsdag 08.00–18.00, fredag 08.00–17.00. "
        "Lördag och söndag stängt.\n"
        "Avvikande öppettider de närmaste 14 dagarna:\n"
        "• Torsdag 24 december (julafton): stängt\n"
        "• Fredag 25 december (juldagen): öppet 10.00–14.00\n"
        "• Torsdag 31 december (nyårsafton): stängt\n"
        "• Fredag 1 januari 2027 (nyårsdagen): stängt"
    )


def test_other_week_shapes() -> None:
    data = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    data["regular"]["wednesday"] = "closed"
    data["regular"]["saturday"] = {"opens": "10.00", "closes": "14.00"}
    cal = calendar(config=parse_hours_config(data))
    assert format_regular_week(cal.regular_week()) == (
        "Måndag och tisdag 08.00–17.00. Onsdag stängt. Torsdag 08.00–18.00, "
        "fredag 08.00–17.00, lördag 10.00–14.00. Söndag stängt."
    )


def test_deviation_lines() -> None:
    cal = calendar()
    assert format_deviation(cal.hours_on(date(2026, 12, 8)), TODAY) == (
        "Tisdag 8 december: öppet 10.00–15.00 – Personalutbildning på morgonen."
    )
    assert format_deviation(cal.hours_on(date(2027, 4, 30)), TODAY) == (
        "Fredag 30 april 2027 (valborgsmässoafton): avvikande öppettider kan förekomma "
        "(ordinarie 08.00–17.00)"
    )


def test_format_week() -> None:
    cal = calendar()
    assert format_week(cal.week(date(2026, 11, 27)), TODAY) == "\n".join([
        "Idag: 08.00–17.00",
        "Imorgon: stängt",
        "Söndag 29 november: stängt",
        "Måndag 30 november: 08.00–17.00",
        "Tisdag 1 december: 08.00–17.00",
        "Onsdag 2 december: 08.00–17.00",
        "Torsdag 3 december: 08.00–18.00",
    ])
