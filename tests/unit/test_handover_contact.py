"""Contact validation for messages left while closed: clear Swedish re-asks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontaktcenter.handover.contact import (
    ASK_AGAIN_EMAIL,
    ASK_AGAIN_NOTHING,
    ASK_AGAIN_PHONE,
    KIND_EMAIL,
    KIND_PHONE,
    clean_question,
    parse_contact,
)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("anna@exempel.se", KIND_EMAIL, "anna@exempel.se"),
        ("Min mejl är anna.b+chat@helsingborg.se.", KIND_EMAIL, "anna.b+chat@helsingborg.se"),
        ("070-123 45 67", KIND_PHONE, "0701234567"),
        ("ring mig på 042-10 50 00", KIND_PHONE, "042105000"),
        ("+46 70 123 45 67", KIND_PHONE, "0701234567"),
        ("0046701234567", KIND_PHONE, "0701234567"),
        ("+45 32 12 34 56", KIND_PHONE, "+4532123456"),
    ],
)
def test_valid_contacts(text: str, kind: str, value: str) -> None:
    contact = parse_contact(text)
    assert (contact.kind, contact.value) == (kind, value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("anna@", ASK_AGAIN_EMAIL),
        ("anna@exempel", ASK_AGAIN_EMAIL),
        ("anna@@exempel.se", ASK_AGAIN_EMAIL),
        ("<script>@x.se", ASK_AGAIN_EMAIL),
        ("123", ASK_AGAIN_PHONE),
        ("12345678", ASK_AGAIN_PHONE),
        ("070-12", ASK_AGAIN_PHONE),
        ("", ASK_AGAIN_NOTHING),
        ("ring mig", ASK_AGAIN_NOTHING),
        ("😀😀", ASK_AGAIN_NOTHING),
        ("\x00\x1b[31m", ASK_AGAIN_NOTHING),
    ],
)
def test_invalid_contacts_get_a_clear_swedish_reask(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_contact(text)
    assert str(info.value) == message


@given(st.text(max_size=300))
def test_parse_contact_never_crashes(text: str) -> None:
    try:
        contact = parse_contact(text)
    except ValueError as exc:
        assert str(exc) in (ASK_AGAIN_EMAIL, ASK_AGAIN_PHONE, ASK_AGAIN_NOTHING)
    else:
        assert contact.value and len(contact.value) <= 254


def test_question_checks() -> None:
    assert clean_question(" Hur\x00 söker jag? ") == "Hur  söker jag?"
    with pytest.raises(ValueError, match="ingen fråga"):
        clean_question("  ... ")
    with pytest.raises(ValueError, match="för långt"):
        clean_question("a" * 2001)
