"""Swedish date and time phrases, resolved against fixed "now" values."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from kontaktcenter.dates import (
    STOCKHOLM,
    DateErrorKind,
    SwedishParserInfo,
    error_message,
    parse_date_expression,
    swedish_date_text,
)

FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=STOCKHOLM)
SUNDAY = datetime(2026, 11, 29, 10, 0, tzinfo=STOCKHOLM)
AFTER_CHRISTMAS = datetime(2026, 12, 27, 10, 0, tzinfo=STOCKHOLM)  # a Sunday


def d(text: str) -> date:
    return date.fromisoformat(text)


DATE_CASES = [
    # relative words
    (FRIDAY, "idag", "2026-11-27"),
    (FRIDAY, "i dag", "2026-11-27"),
    (FRIDAY, "Har ni öppet IDAG?", "2026-11-27"),
    (FRIDAY, "imorgon", "2026-11-28"),
    (FRIDAY, "i morgon", "2026-11-28"),
    (FRIDAY, "imorn", "2026-11-28"),
    (FRIDAY, "i morgon bitti", "2026-11-28"),
    (FRIDAY, "i övermorgon", "2026-11-29"),
    (FRIDAY, "overmorgon", "2026-11-29"),
    (FRIDAY, "igår", "2026-11-26"),
    (FRIDAY, "i går", "2026-11-26"),
    (FRIDAY, "i förrgår", "2026-11-25"),
    (FRIDAY, "ikväll", "2026-11-27"),
    (FRIDAY, "om två veckor", "2026-12-11"),
    (FRIDAY, "om 3 dagar", "2026-11-30"),
    (FRIDAY, "för en vecka sedan", "2026-11-20"),
    # weekend
    (FRIDAY, "har ni öppet i helgen?", "2026-11-28"),
    (FRIDAY, "helgen", "2026-11-28"),
    (SUNDAY, "i helgen", "2026-11-29"),
    (FRIDAY, "nästa helg", "2026-12-05"),
    # weekdays: coming (today included)
    (FRIDAY, "fredag", "2026-11-27"),
    (FRIDAY, "på fredag", "2026-11-27"),
    (FRIDAY, "lördag", "2026-11-28"),
    (FRIDAY, "på måndag", "2026-11-30"),
    (FRIDAY, "nu på tisdag", "2026-12-01"),
    (FRIDAY, "i onsdag", "2026-12-02"),
    (FRIDAY, "torsdag", "2026-12-03"),
    (FRIDAY, "på söndag", "2026-11-29"),
    (SUNDAY, "söndag", "2026-11-29"),
    (SUNDAY, "på fredag", "2026-12-04"),
    # weekdays: next calendar week
    (FRIDAY, "nästa tisdag", "2026-12-01"),
    (FRIDAY, "nästa fredag", "2026-12-04"),
    (FRIDAY, "på nästa fredag", "2026-12-04"),
    (FRIDAY, "tisdag nästa vecka", "2026-12-01"),
    (FRIDAY, "tisdag i nästa vecka", "2026-12-01"),
    (FRIDAY, "nästa veckas tisdag", "2026-12-01"),
    (FRIDAY, "nästa söndag", "2026-12-06"),
    (SUNDAY, "nästa tisdag", "2026-12-01"),
    (SUNDAY, "nästa söndag", "2026-12-06"),
    # this week / past weekdays
    (FRIDAY, "måndag i veckan", "2026-11-23"),
    (FRIDAY, "i fredags", "2026-11-20"),
    (FRIDAY, "i måndags", "2026-11-23"),
    (FRIDAY, "förra fredagen", "2026-11-20"),
    # explicit dates
    (FRIDAY, "den 24 december", "2026-12-24"),
    (FRIDAY, "24 dec", "2026-12-24"),
    (FRIDAY, "24 december 2027", "2027-12-24"),
    (FRIDAY, "24/12", "2026-12-24"),
    (FRIDAY, "24/12 2026", "2026-12-24"),
    (FRIDAY, "24/12-26", "2026-12-24"),
    (FRIDAY, "2026-12-24", "2026-12-24"),
    (FRIDAY, "24.12.2026", "2026-12-24"),
    (FRIDAY, "den 24:e", "2026-12-24"),
    (FRIDAY, "den 24", "2026-12-24"),
    (FRIDAY, "den 27:e", "2026-11-27"),
    (FRIDAY, "den 28:e", "2026-11-28"),
    (FRIDAY, "den 31:a", "2026-12-31"),
    (FRIDAY, "den tjugofjärde", "2026-12-24"),
    (FRIDAY, "den tjugofjärde december", "2026-12-24"),
    (FRIDAY, "den första december", "2026-12-01"),
    (FRIDAY, "den 1:a maj", "2027-05-01"),
    (FRIDAY, "5/1", "2027-01-05"),
    (FRIDAY, "29 februari", "2028-02-29"),
    (FRIDAY, "fredagen den 4 december", "2026-12-04"),
    (FRIDAY, "torsdag 24/12", "2026-12-24"),
    # month names and abbreviations
    (FRIDAY, "3 jan", "2027-01-03"),
    (FRIDAY, "3 januari 2027", "2027-01-03"),
    (FRIDAY, "14 feb", "2027-02-14"),
    (FRIDAY, "14 februari", "2027-02-14"),
    (FRIDAY, "8 mars", "2027-03-08"),
    (FRIDAY, "1 apr", "2027-04-01"),
    (FRIDAY, "17 maj", "2027-05-17"),
    (FRIDAY, "10 jun", "2027-06-10"),
    (FRIDAY, "10 juni", "2027-06-10"),
    (FRIDAY, "4 jul", "2027-07-04"),
    (FRIDAY, "4 juli", "2027-07-04"),
    (FRIDAY, "20 aug", "2027-08-20"),
    (FRIDAY, "15 sep", "2027-09-15"),
    (FRIDAY, "15 sept", "2027-09-15"),
    (FRIDAY, "15 september", "2027-09-15"),
    (FRIDAY, "9 okt", "2027-10-09"),
    (FRIDAY, "27 nov", "2026-11-27"),
    (FRIDAY, "26 november", "2027-11-26"),
    # named days (Easter 2027 is 28 March)
    (FRIDAY, "har ni öppet på julafton?", "2026-12-24"),
    (FRIDAY, "juldagen", "2026-12-25"),
    (FRIDAY, "annandag jul", "2026-12-26"),
    (FRIDAY, "nyårsafton", "2026-12-31"),
    (FRIDAY, "nyårsdagen", "2027-01-01"),
    (FRIDAY, "trettondagsafton", "2027-01-05"),
    (FRIDAY, "trettondagen", "2027-01-06"),
    (FRIDAY, "trettondedag jul", "2027-01-06"),
    (FRIDAY, "skärtorsdagen", "2027-03-25"),
    (FRIDAY, "långfredagen", "2027-03-26"),
    (FRIDAY, "påskafton", "2027-03-27"),
    (FRIDAY, "påskdagen", "2027-03-28"),
    (FRIDAY, "öppet i påsk?", "2027-03-28"),
    (FRIDAY, "annandag påsk", "2027-03-29"),
    (FRIDAY, "valborg", "2027-04-30"),
    (FRIDAY, "valborgsmässoafton", "2027-04-30"),
    (FRIDAY, "första maj", "2027-05-01"),
    (FRIDAY, "Kristi himmelsfärd", "2027-05-06"),
    (FRIDAY, "kristi himmelsfärdsdag", "2027-05-06"),
    (FRIDAY, "pingst", "2027-05-16"),
    (FRIDAY, "nationaldagen", "2027-06-06"),
    (FRIDAY, "midsommarafton", "2027-06-25"),
    (FRIDAY, "midsommardagen", "2027-06-26"),
    (FRIDAY, "alla helgons dag", "2027-11-06"),
    (FRIDAY, "dagen före julafton", "2026-12-23"),
    (FRIDAY, "julafton 2027", "2027-12-24"),
    # year rollover: 2026-12-27
    (AFTER_CHRISTMAS, "julafton", "2027-12-24"),
    (AFTER_CHRISTMAS, "juldagen", "2027-12-25"),
    (AFTER_CHRISTMAS, "nyårsafton", "2026-12-31"),
    (AFTER_CHRISTMAS, "nyårsdagen", "2027-01-01"),
    (AFTER_CHRISTMAS, "24 december", "2027-12-24"),
    (AFTER_CHRISTMAS, "24/12", "2027-12-24"),
    (AFTER_CHRISTMAS, "den 24:e", "2027-01-24"),
    (AFTER_CHRISTMAS, "den 27:e", "2026-12-27"),
    (AFTER_CHRISTMAS, "i helgen", "2026-12-27"),
    (AFTER_CHRISTMAS, "nästa fredag", "2027-01-01"),
    (AFTER_CHRISTMAS, "imorgon", "2026-12-28"),
    # missing å/ä/ö, capitals, typos
    (FRIDAY, "oppet pa julafton", "2026-12-24"),
    (FRIDAY, "MIDSOMMARAFTON", "2027-06-25"),
    (FRIDAY, "nasta tisdag", "2026-12-01"),
    (FRIDAY, "lordag", "2026-11-28"),
    (FRIDAY, "SÖNDAG", "2026-11-29"),
    (FRIDAY, "nyarsafton", "2026-12-31"),
    (FRIDAY, "fredga", "2026-11-27"),
    (FRIDAY, "torsdg", "2026-12-03"),
    (FRIDAY, "julafotn", "2026-12-24"),
    (FRIDAY, "midsomarafton", "2027-06-25"),
    (FRIDAY, "fredan", "2026-11-27"),
]


@pytest.mark.parametrize(("now", "text", "expected"), DATE_CASES)
def test_date_phrases(now: datetime, text: str, expected: str) -> None:
    result = parse_date_expression(text, now)
    assert result.error is None, result.message
    assert result.date == d(expected)
    assert result.iso_date == expected
    assert result.span is not None
    assert text[result.span.start : result.span.end] == result.span.text


def test_enough_phrases_are_covered() -> None:
    assert len(DATE_CASES) >= 80


TIME_CASES = [
    ("kl 17", time(17, 0)),
    ("kl. 17.30", time(17, 30)),
    ("klockan 17:30", time(17, 30)),
    ("vid halv fem", time(16, 30)),
    ("halv 5", time(16, 30)),
    ("kvart över nio", time(9, 15)),
    ("kvart i fem", time(16, 45)),
    ("fem i halv fyra", time(15, 25)),
    ("tio över tre", time(15, 10)),
    ("halv ett", time(12, 30)),
    ("klockan tolv", time(12, 0)),
    ("17.30", time(17, 30)),
    ("kl 8", time(8, 0)),
    ("kl 5", time(17, 0)),
    ("kl 05", time(5, 0)),
    ("kl 7 på morgonen", time(7, 0)),
    ("kl 8 em", time(20, 0)),
    ("Kl 24", time(0, 0)),
]


@pytest.mark.parametrize(("text", "expected"), TIME_CASES)
def test_time_phrases(text: str, expected: time) -> None:
    result = parse_date_expression(text, FRIDAY)
    assert result.time == expected
    assert result.date is None
    assert result.error is None
    assert result.time_span is not None
    assert text[result.time_span.start : result.time_span.end] == result.time_span.text


def test_date_and_time_together() -> None:
    text = "Kan jag komma på fredag klockan 14.30?"
    result = parse_date_expression(text, FRIDAY)
    assert result.date == d("2026-11-27")
    assert result.time == time(14, 30)
    assert result.iso_time == "14:30"
    assert result.span.text == "på fredag"
    assert result.time_span.text == "klockan 14.30"


def test_julafton_with_time_and_offsets() -> None:
    text = "Har ni öppet på julafton kl 12?"
    result = parse_date_expression(text, FRIDAY)
    assert result.date == d("2026-12-24")
    assert result.name == "julafton"
    assert (result.span.start, result.span.end) == (16, 24)
    assert result.time == time(12, 0)
    assert (result.time_span.start, result.time_span.end) == (25, 30)


def test_first_of_several_dates_counts() -> None:
    result = parse_date_expression("idag eller imorgon", FRIDAY)
    assert result.date == d("2026-11-27")


ERROR_CASES = [
    ("31 februari", DateErrorKind.NO_SUCH_DAY, "31 februari"),
    ("den 45:e", DateErrorKind.NO_SUCH_DAY, "45:e"),
    ("30/2", DateErrorKind.NO_SUCH_DAY, "30 februari"),
    ("2026-02-30", DateErrorKind.NO_SUCH_DAY, "30 februari 2026"),
    ("32 dec", DateErrorKind.NO_SUCH_DAY, "32 december"),
    ("29 februari 2027", DateErrorKind.NO_SUCH_DAY, "29 februari 2027"),
    ("den 0:e", DateErrorKind.NO_SUCH_DAY, "0:e"),
    ("2026-13-01", DateErrorKind.NO_SUCH_MONTH, "13"),
    ("24/13", DateErrorKind.NO_SUCH_MONTH, "13"),
    ("fredag 24 december", DateErrorKind.WEEKDAY_MISMATCH, "är en torsdag, inte en fredag"),
    ("kl 25", DateErrorKind.NO_SUCH_TIME, "25.00"),
    ("klockan 17.75", DateErrorKind.NO_SUCH_TIME, "17.75"),
]


@pytest.mark.parametrize(("text", "kind", "in_message"), ERROR_CASES)
def test_impossible_dates_give_swedish_question(
    text: str, kind: DateErrorKind, in_message: str
) -> None:
    result = parse_date_expression(text, FRIDAY)
    assert result.error is kind
    assert result.date is None
    assert in_message in result.message
    assert result.message.endswith("?") or "Skriv till exempel" in result.message
    assert not result.found


def test_error_message_example_from_brief() -> None:
    result = parse_date_expression("Är ni öppna 31 februari?", FRIDAY)
    assert result.message == "Jag hittar inget datum som heter 31 februari. Vilket datum menar du?"
    assert result.span.text == "31 februari"


def test_time_error_keeps_the_date() -> None:
    result = parse_date_expression("imorgon kl 25", FRIDAY)
    assert result.date == d("2026-11-28")
    assert result.error is DateErrorKind.NO_SUCH_TIME


@pytest.mark.parametrize("kind", list(DateErrorKind))
def test_every_error_kind_has_a_general_message(kind: DateErrorKind) -> None:
    assert error_message(kind).endswith(("?", "14.30."))
    assert error_message(kind.value) == error_message(kind)
    assert "datum" in error_message("okänt")


NO_DATE_CASES = [
    "hej",
    "vad är HiD",
    "ring 042-10 50 00",
    "Prata med en kommunvägledare på telefon 042-10 50 00.",
    "Stortorget 17",
    "Besök oss på Helsingborg Kontaktcenter på Stortorget 17.",
    "år 2020",
    "Helsingborg utsågs år 2020 till en av Europas mest innovativa städer",
    "under 2022 arrangerades H22 City Expo",
    "har ni öppet på fredagar?",
    "trevlig helg",
    "god morgon",
    "i december",
    "december 2026",
    "det kostar 1 000 kr",
    "mitt personnummer är 19811218-9876",
    "den andra gången",
    "vi var den 3 personer",
    "Kommunens mandat",
    "det kostar 12.50 kr",
    "1/2 liter mjölk",
    "3/4 av alla ärenden",
    "ärende 2026/123",
    "postnummer 252 25",
    "vi är fem personer",
    "",
    "   ",
]


@pytest.mark.parametrize("text", NO_DATE_CASES)
def test_no_date(text: str) -> None:
    result = parse_date_expression(text, FRIDAY)
    assert result.date is None
    assert result.error is None
    assert result.span is None


BAD_INPUT = [
    "",
    "x" * 10_000,
    "julafton " * 2_000,
    "😀🎄📅" * 1000,
    "\x00\x01\x02\x1b[31m\r\n\t\x7f",
    "<script>alert('julafton')</script><b>24/12</b>",
    "İİİ julafton",  # lower() makes this longer: offsets must still map back
    "\u202eafton jul\u202c",
    "日本語のテキスト 2026年12月24日",
    "99999999999999/99999999999999",
    "9999-12-31",
    "0000-01-01",
]


@pytest.mark.parametrize("text", BAD_INPUT)
def test_bad_input_never_raises(text: str) -> None:
    result = parse_date_expression(text, FRIDAY)
    if result.span is not None:
        assert text[result.span.start : result.span.end] == result.span.text


def test_offsets_survive_length_changing_lowercase() -> None:
    text = "İİİ julafton"
    result = parse_date_expression(text, FRIDAY)
    assert result.span.text == "julafton"


def test_non_string_input_gives_no_date() -> None:
    assert parse_date_expression(None, FRIDAY).date is None  # type: ignore[arg-type]
    assert parse_date_expression(24, FRIDAY).date is None  # type: ignore[arg-type]


def test_now_in_another_zone_is_read_as_stockholm_time() -> None:
    # 23:30 UTC on 27 November is already 28 November in Stockholm.
    from zoneinfo import ZoneInfo

    late = datetime(2026, 11, 27, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert parse_date_expression("idag", late).date == d("2026-11-28")


def test_default_now_is_the_product_clock(frozen_at, kc_now) -> None:
    frozen_at("2026-12-31T23:59:30")  # Stockholm: the last half minute of the year
    assert parse_date_expression("idag").date == d("2026-12-31")
    assert parse_date_expression("imorgon").date == d("2027-01-01")
    frozen_at("2026-12-31T23:30:00+00:00")  # UTC: already the new year in Stockholm
    assert parse_date_expression("idag").date == d("2027-01-01")


def test_default_now_honours_kc_now(kc_now) -> None:
    kc_now("2027-06-18T10:00")  # midsommarafton
    assert parse_date_expression("idag").date == d("2027-06-18")
    assert parse_date_expression("på lördag").date == d("2027-06-19")


def test_swedish_parserinfo_works_with_dateutil() -> None:
    from dateutil.parser import parse

    info = SwedishParserInfo()
    assert parse("24 december 2027", parserinfo=info).date() == d("2027-12-24")
    assert parse("3 okt 2026", parserinfo=info).date() == d("2026-10-03")
    assert parse("05/01/2027", parserinfo=info).date() == d("2027-01-05")


def test_swedish_date_text() -> None:
    assert swedish_date_text(d("2026-12-24")) == "torsdag 24 december 2026"
    assert swedish_date_text(d("2026-12-24"), with_year=False) == "torsdag 24 december"
