"""How a resident can be reached: e-mail or phone, found in free text and validated.

Residents write "ring mig på 070-123 45 67" or "anna@exempel.se"; we take the first
address or number and answer anything else with a clear Swedish re-ask.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kontaktcenter import phones
from kontaktcenter.emails import is_email

KIND_EMAIL = "e-post"
KIND_PHONE = "telefon"

MAX_QUESTION_CHARS = 2000

_EMAIL_CANDIDATE = re.compile(r"[^\s,;]*@[^\s,;]*")  # the resident meant an address
_PHONE_CANDIDATE = re.compile(r"\+?\d[\d\s\-()/.]{4,24}\d")

ASK_AGAIN_EMAIL = (
    "Den e-postadressen ser inte ut att stämma. Skriv den som namn@exempel.se, "
    "eller skriv ett telefonnummer i stället."
)
ASK_AGAIN_NOTHING = (
    "Jag behöver en e-postadress eller ett telefonnummer för att vi ska kunna återkomma "
    "till dig. Skriv till exempel namn@exempel.se eller 070-123 45 67."
)
QUESTION_EMPTY = "Jag fick ingen fråga. Skriv med några ord vad du vill ha hjälp med."


def _facts_text(template: str) -> str:
    from kontaktcenter.facts import get_facts

    facts = get_facts()
    return template.format(staff=facts.staff_title, phone=facts.phone)


# Wording with the staff title and our own number (example) from config/contact.yml.
_TEMPLATES = {
    "ASK_AGAIN_PHONE": (
        "Telefonnumret verkar inte stämma. Skriv det med riktnummer, till exempel "
        "070-123 45 67 eller {phone}, eller skriv en e-postadress i stället."
    ),
    "QUESTION_TOO_LONG": (
        f"Meddelandet är för långt. Skriv det kortare, högst {MAX_QUESTION_CHARS} tecken, "
        "så läser en {staff} det."
    ),
}


def __getattr__(name: str) -> str:
    if name in _TEMPLATES:
        return _facts_text(_TEMPLATES[name])
    raise AttributeError(name)


@dataclass(frozen=True)
class Contact:
    kind: str  # KIND_EMAIL or KIND_PHONE
    value: str

    def __str__(self) -> str:
        return self.value


def _clean(text: str | None) -> str:
    text = unicodedata.normalize("NFC", str(text or ""))
    return "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text).strip()


def parse_contact(text: str | None) -> Contact:
    """The contact in ``text``; ValueError with the Swedish re-ask when there is none."""
    cleaned = _clean(text)[:1000]
    email = _EMAIL_CANDIDATE.search(cleaned)
    if email:
        value = email.group(0).rstrip(".")
        if is_email(value):
            return Contact(KIND_EMAIL, value)
        raise ValueError(ASK_AGAIN_EMAIL)
    phone = _PHONE_CANDIDATE.search(cleaned)
    if phone:
        number = phones.normalise(phone.group(0))
        if number:
            return Contact(KIND_PHONE, number)
        raise ValueError(_facts_text(_TEMPLATES["ASK_AGAIN_PHONE"]))
    if sum(ch.isdigit() for ch in cleaned) >= 3:
        raise ValueError(_facts_text(_TEMPLATES["ASK_AGAIN_PHONE"]))
    raise ValueError(ASK_AGAIN_NOTHING)


def clean_question(text: str | None) -> str:
    """The resident's question as stored; ValueError (Swedish) when empty or too long."""
    cleaned = _clean(text)
    if not any(ch.isalnum() for ch in cleaned):
        raise ValueError(QUESTION_EMPTY)
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise ValueError(_facts_text(_TEMPLATES["QUESTION_TOO_LONG"]))
    return cleaned
