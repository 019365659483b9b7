"""The one phone-number normaliser (Google's libphonenumber via ``phonenumbers``).

Masking, the contact form and the case search all ask here, so "070-123 45 67",
"+46 70 123 45 67" and "0046701234567" are the same number everywhere.
"""

from __future__ import annotations

import phonenumbers

REGION = "SE"


def normalise(raw: str, *, strict: bool = True) -> str | None:
    """Swedish numbers in national form (``0701234567``), others as ``+E.164``.

    ``strict`` asks for a number in an allocated range (the contact form); masking uses
    ``strict=False`` (any number of a possible length), because a false mask costs less
    than a leak. None when ``raw`` cannot be a phone number.
    """
    text = str(raw or "").replace("(0)", "")
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < 7:
        return None
    if not text.lstrip().startswith("+") and not digits.startswith("0"):
        return None  # a Swedish number is written with its leading 0 (or +46)
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    ok = phonenumbers.is_valid_number(number) if strict else phonenumbers.is_possible_number(number)
    if not ok:
        return None
    if number.country_code == 46:
        return "0" + str(number.national_number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def numbers_in(text: str) -> set[str]:
    """Every phone number written in ``text``, normalised (for search)."""
    found = set()
    for match in phonenumbers.PhoneNumberMatcher(str(text or ""), REGION, leniency=0):
        value = normalise(match.raw_string, strict=False)
        if value:
            found.add(value)
    return found
