"""Mask personal identifiers in everything the register shows or releases.

What is masked (GDPR: collect and show little):

* e-mail addresses -> ``[e-post borttagen]``;
* personnummer and samordningsnummer, 10 or 12 digits, with ``-``/``+``/space or no
  separator, valid according to the ``personnummer`` package ->
  ``[personnummer borttaget]``;
* phone numbers: Swedish mobile and landline numbers with area code (``070-123 45 67``,
  ``08-123 456 78``, ``0701234567``), ``+46``/``0046`` forms with or without ``(0)``,
  and other ``+``-prefixed international numbers -> ``[telefonnummer borttaget]``;
* numbers shaped like a personnummer whose date is possible but whose check digit is
  wrong. Choice: these are masked too, as ``[personnummer borttaget]``, because a
  mistyped personnummer still identifies a person (birth date plus most digits) and a
  false mask costs less than a leak. The same goes for 10/12-digit runs such as order
  numbers when their first digits form a date.

What is never masked: the contact center's own numbers (an allowlist read from
``config/contact.yml``), dates (``2026-12-24``, ``24/12``, ``24.12.2026``), times
(``08.00``, ``17:00``), diarienummer (``KC-2026-000123``), street numbers and postal
codes. Masking runs on the text as a whole, so the result never holds part of a match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from personnummer import personnummer as pnr_lib

from kontaktcenter import phones
from kontaktcenter.emails import EMAIL_RE

PNR_MASK = "[personnummer borttaget]"
PHONE_MASK = "[telefonnummer borttaget]"
EMAIL_MASK = "[e-post borttagen]"

# 6 or 8 digits, optional separator, 4 digits; not glued to other digits or letters.
_PNR_RE = re.compile(r"(?<![\d+])(\d{6}|\d{8})([-+ ]?)(\d{4})(?!\d)")
# A possible phone number: a prefix, then digits with single separators between them.
_PHONE_RE = re.compile(
    r"(?<![\d+\-/])"
    r"(?:\+\d{1,3}|00\d{1,3}|\(0\d{1,3}\)|0)"
    r"(?:[ \-]?(?:\(0\))?[ \-]?\d)+"
)
# Spans that must survive untouched even if a rule above would match inside them.
_PROTECTED_RES = (
    re.compile(r"\bKC-\d{4}-\d{6}\b", re.IGNORECASE),  # diarienummer
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),  # ISO dates
    re.compile(r"\b\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?\b"),  # 24/12, 24.12.2026
    re.compile(r"\b\d{1,2}[.:]\d{2}\b"),  # times 08.00, 17:00
)



@dataclass(frozen=True)
class MaskResult:
    """The masked text and how many identifiers of each kind were removed."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.counts)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def search_phone(query: str) -> str | None:
    """The normalised phone number a search text is, or None (for the case search)."""
    return phones.normalise(query, strict=False)


def phone_digits_in(text: str) -> set[str]:
    """The normalised phone numbers written in ``text``."""
    return phones.numbers_in(text)


def _plausible_date(century_year: str, month: int, day: int) -> bool:
    if day > 60:  # samordningsnummer: day + 60
        day -= 60
    if not 1 <= month <= 12 or day < 1:
        return False
    year = int(century_year) if len(century_year) == 4 else 2000  # leap year: allow 29/2
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _pnr_kind(match: re.Match[str]) -> str | None:
    """'valid', 'possible' (date-shaped, bad check digit) or None."""
    head, sep, tail = match.group(1), match.group(2), match.group(3)
    candidate = head + ("-" if sep == " " else sep) + tail
    if pnr_lib.valid(candidate):
        return "valid"
    year = head[:-4]
    if not _plausible_date(year, int(head[-4:-2]), int(head[-2:])):
        return None
    return "possible"


class Masker:
    """Masks identifiers; ``allowed_phones`` are numbers never masked (own numbers)."""

    def __init__(self, allowed_phones: Iterable[str] = ()) -> None:
        own = (phones.normalise(p, strict=False) for p in allowed_phones)
        self._allowed = {n for n in own if n}

    def mask(self, text: str) -> MaskResult:
        if not text:
            return MaskResult(text or "")
        taken: list[tuple[int, int, str, str]] = []  # start, end, replacement, kind
        protected = [m.span() for r in _PROTECTED_RES for m in r.finditer(text)]

        def free(start: int, end: int) -> bool:
            spans = protected + [(s, e) for s, e, _, _ in taken]
            return all(end <= s or start >= e for s, e in spans)

        for m in EMAIL_RE.finditer(text):
            taken.append((m.start(), m.end(), EMAIL_MASK, "e-post"))

        possible: list[re.Match[str]] = []
        for m in _PNR_RE.finditer(text):
            kind = _pnr_kind(m)
            if kind == "valid" and free(*m.span()):
                taken.append((m.start(), m.end(), PNR_MASK, "personnummer"))
            elif kind == "possible":
                possible.append(m)

        for m in _PHONE_RE.finditer(text):
            span = self._phone_span(text, m)
            if span and free(*span):
                taken.append((span[0], span[1], PHONE_MASK, "telefonnummer"))

        for m in possible:  # after phones: 0701234567 is a phone number first
            if free(*m.span()):
                taken.append((m.start(), m.end(), PNR_MASK, "personnummer"))

        if not taken:
            return MaskResult(text)
        taken.sort()
        out: list[str] = []
        counts: dict[str, int] = {}
        pos = 0
        for start, end, replacement, kind in taken:
            out.append(text[pos:start])
            out.append(replacement)
            counts[kind] = counts.get(kind, 0) + 1
            pos = end
        out.append(text[pos:])
        return MaskResult("".join(out), counts)

    def _phone_span(self, text: str, match: re.Match[str]) -> tuple[int, int] | None:
        """The longest prefix of ``match`` that is a phone number, or None.

        The pattern is greedy ("070 123 45 67 2 gånger" would swallow the 2), so try
        ends from the longest down; the first prefix of a phone number's length decides
        (an allowlisted number is left alone as a whole, never masked in part).
        """
        start = match.start()
        chunk = match.group(0)
        ends = [i + 1 for i, ch in enumerate(chunk) if ch.isdigit()]
        for end in reversed(ends):
            if end < len(chunk) and chunk[end].isdigit():
                continue  # would cut a run of digits in two
            verdict = self._classify(chunk[:end])
            if verdict == "allowed":
                return None
            if verdict == "phone":
                return start, start + end
        return None

    def _classify(self, candidate: str) -> str | None:
        """'allowed' (own number), 'phone', or None when it cannot be a phone number."""
        number = phones.normalise(candidate, strict=False)
        if number is None:
            return None
        if number in self._allowed:
            return "allowed"
        if number.startswith("07") and len(number) != 10:
            return None  # Swedish mobile numbers have exactly ten digits
        return "phone"


def masker_from_facts() -> Masker:
    """A masker that never masks the contact center's own phone number."""
    from kontaktcenter.facts import get_facts

    return Masker(allowed_phones=[get_facts().phone])
