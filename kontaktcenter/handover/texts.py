"""Everything the bot or the console says to a resident about the handover (Swedish)."""

from __future__ import annotations

from datetime import datetime

from kontaktcenter.calendar import Status, day_phrase, format_time


def queued(place: int) -> str:
    ahead = "Du är först i kön." if place <= 1 else f"Du är nummer {place} i kön."
    return (
        f"Jag kopplar dig till en kommunvägledare som svarar dig här i chatten. {ahead} "
        "Skriv gärna din fråga redan nu, så ser kommunvägledaren den direkt."
    )


def already_waiting(place: int) -> str:
    return f"Du står redan i kö till en kommunvägledare (nummer {max(place, 1)}). Vänta kvar."


def closed(status: Status) -> str:
    """Nobody staffs the chat: say so, say when it opens, offer to leave a message."""
    text = "Just nu finns ingen kommunvägledare i chatten."
    nxt: datetime | None = status.next_opening
    if nxt is not None:
        when = day_phrase(nxt.date(), status.at.date())
        again = "" if when == "idag" else "igen "
        text += f" Vi öppnar {again}{when} kl. {format_time(nxt.time())}."
    return text + " " + OFFER_MESSAGE


OFFER_MESSAGE = (
    "Vill du lämna ett meddelande med din fråga och hur vi når dig? "
    "Då återkommer en kommunvägledare när vi har öppet."
)

OFFER_BUTTONS = [
    {"title": "Ja, lämna ett meddelande", "payload": "/leave_message"},
    {"title": "Nej tack", "payload": "/deny"},
]

TIMED_OUT = (
    "Förlåt att du har fått vänta. Ingen kommunvägledare har kunnat ta din fråga just nu. "
    "Det du har skrivit är sparat. " + OFFER_MESSAGE
)

ASK_QUESTION = (
    "Skriv din fråga i ett meddelande. En kommunvägledare läser den när vi har öppet."
)
ASK_CONTACT = "Hur kan vi nå dig? Skriv din e-postadress eller ditt telefonnummer."

HANDED_BACK = (
    "Nu är du tillbaka hos chattbotten. Fråga mig gärna om öppettider, hur du når oss "
    "eller om Helsingborg Innovation District."
)
RESIDENT_LEFT = "Invånaren har lämnat samtalet (Avsluta och rensa samtalet)."


def agent_joined(first_name: str) -> str:
    """What the resident reads when a kommunvägledare takes the chat."""
    name = " ".join(str(first_name or "").split())[:60] or "En kommunvägledare"
    return f"{name} från kontaktcenter har anslutit och svarar dig här."


TRANSFERRED = "Du kopplas vidare till en annan kommunvägledare. Vänta kvar, så svarar hen här."
CLOSED_BY_AGENT = (
    "Kommunvägledaren har avslutat samtalet. Tack för att du hörde av dig! "
    "Chattbotten svarar igen om du undrar något mer."
)


def callback_saved(kind: str, diarienummer: str | None) -> str:
    number = f" Ditt ärendenummer är {diarienummer}." if diarienummer else ""
    how = "mejlar" if kind == "e-post" else "ringer"
    return (
        f"Tack! Ditt meddelande är sparat.{number} En kommunvägledare {how} dig "
        "när vi har öppet."
    )
