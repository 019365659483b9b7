"""Everything the bot or the console says to a resident about the handover (Swedish)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from kontaktcenter.calendar import Status, day_phrase, format_time


@lru_cache(maxsize=1)
def _words() -> dict[str, str]:
    """Staff title and phone number from config/contact.yml (facts live in config only)."""
    from kontaktcenter.facts import get_facts

    facts = get_facts()
    the = facts.staff_title + "n"
    return {"staff": facts.staff_title, "staff_the": the, "Staff_the": the.capitalize(),
            "phone": facts.phone}


def _say(template: str) -> str:
    return template.format(**_words())


def queued(place: int) -> str:
    ahead = "Du är först i kön." if place <= 1 else f"Du är nummer {place} i kön."
    return (
        _say("Jag kopplar dig till en {staff} som svarar dig här i chatten. ") + ahead + " "
        + _say("Skriv gärna din fråga redan nu, så ser {staff_the} den direkt.")
    )


def already_waiting(place: int) -> str:
    return _say("Du står redan i kö till en {staff}") + f" (nummer {max(place, 1)}). Vänta kvar."


def closed(status: Status) -> str:
    """Nobody staffs the chat: say so, say when it opens, offer to leave a message."""
    text = _say("Just nu finns ingen {staff} i chatten.")
    nxt: datetime | None = status.next_opening
    if nxt is not None:
        when = day_phrase(nxt.date(), status.at.date())
        again = "" if when == "idag" else "igen "
        text += f" Vi öppnar {again}{when} kl. {format_time(nxt.time())}."
    return text + " " + _say(_TEMPLATES["OFFER_MESSAGE"])



OFFER_BUTTONS = [
    {"title": "Ja, lämna ett meddelande", "payload": "/leave_message"},
    {"title": "Nej tack", "payload": "/deny"},
]





def agent_joined(first_name: str) -> str:
    """What the resident reads when a kommunvägledare takes the chat."""
    name = " ".join(str(first_name or "").split())[:60] or _say("En {staff}")
    return f"{name} från kontaktcenter har anslutit och svarar dig här."




def callback_saved(kind: str, diarienummer: str | None) -> str:
    number = f" Ditt ärendenummer är {diarienummer}." if diarienummer else ""
    how = "mejlar" if kind == "e-post" else "ringer"
    return (
        f"Tack! Ditt meddelande är sparat.{number} "
        + _say("En {staff} ") + f"{how} dig när vi har öppet."
    )


# Wording with the staff title and phone number from config, formatted on first use
# (``texts.TIMED_OUT`` etc. still read like constants).
_TEMPLATES = {
    "OFFER_MESSAGE": (
        "Vill du lämna ett meddelande med din fråga och hur vi når dig? "
        "Då återkommer en {staff} när vi har öppet."
    ),
    "TIMED_OUT": (
        "Förlåt att du har fått vänta. Ingen {staff} har kunnat ta din fråga just nu. "
        "Det du har skrivit är sparat. Vill du lämna ett meddelande med din fråga och hur vi "
        "når dig? Då återkommer en {staff} när vi har öppet."
    ),
    "ASK_QUESTION": (
        "Skriv din fråga i ett meddelande. En {staff} läser den när vi har öppet."
    ),
    "ASK_CONTACT": (
        "Hur kan vi nå dig? Skriv din e-postadress eller ditt telefonnummer."
    ),
    "HANDED_BACK": (
        "Nu är du tillbaka hos chattbotten. Fråga mig gärna om öppettider, hur du når oss "
        "eller om Helsingborg Innovation District."
    ),
    "TRANSFERRED": (
        "Du kopplas vidare till en annan {staff}. Vänta kvar, så svarar hen här."
    ),
    "CLOSED_BY_AGENT": (
        "{Staff_the} har avslutat samtalet. Tack för att du hörde av dig! "
        "Chattbotten svarar igen om du undrar något mer."
    ),
    "NOBODY_AVAILABLE": (
        "Just nu kan ingen {staff} ta emot chatten, alla är upptagna. Det du har skrivit "
        "är sparat. Vill du lämna ett meddelande med din fråga och hur vi når dig? "
        "Då återkommer en {staff} så snart som möjligt."
    ),
    "RESIDENT_LEFT": (
        "Invånaren har lämnat samtalet (Avsluta och rensa samtalet)."
    ),
}


def __getattr__(name: str) -> Any:
    if name in _TEMPLATES:
        return _say(_TEMPLATES[name])
    raise AttributeError(name)
