"""Swedish answers that contain contact facts, formatted from config/contact.yml.

The Rasa actions only pick which answer to send; the wording lives here so that it is
tested without Rasa and every fact has one source (kontaktcenter.facts).
"""

from __future__ import annotations

from collections.abc import Callable

from kontaktcenter.facts import ContactFacts


def phone(f: ContactFacts) -> str:
    return (
        f"Du kan prata med en {f.staff_title} på telefon {f.phone}. "
        "Telefonen är öppen under kontaktcentrets öppettider."
    )


def address(f: ContactFacts) -> str:
    return (
        f"Välkommen att besöka oss på {f.name} på {f.address} i {f.city}. "
        "Vi har öppet för besök under kontaktcentrets öppettider."
    )


def chat(f: ContactFacts) -> str:
    return (
        f"Ja! I chatten kan du få svar direkt av en {f.staff_title} under öppettiderna. "
        f'Skriv "{f.staff_title}" här så kopplar jag dig vidare. '
        "Utanför öppettiderna svarar jag, chattboten, så gott jag kan."
    )


def contact(f: ContactFacts) -> str:
    return (
        f"Kontakta kommunen – en väg in: {f.staff_title_plural} på {f.name} tar hand om "
        f"dina frågor. Chatta här, ring {f.phone} eller besök oss på {f.address}."
    )


def privacy(f: ContactFacts) -> str:
    return (
        "Ditt ärende sparas och blir en allmän handling som kan komma att läsas av andra. "
        "Skriv därför inga känsliga uppgifter, till exempel personnummer eller "
        f"hälsouppgifter, i chatten. {f.privacy_text}"
    )


def social_media(f: ContactFacts) -> str:
    channels = ", ".join(f.social_media[:-1]) + " och " + f.social_media[-1]
    return f"Helsingborgs stad finns i sociala medier på {channels}."


def bot_challenge(f: ContactFacts) -> str:
    return (
        "Jag är en chattbot, alltså ett datorprogram och inte en människa. "
        f"Vill du prata med en {f.staff_title} kan du skriva det här, "
        f"eller ringa {f.phone}."
    )


def out_of_scope(f: ContactFacts) -> str:
    return (
        "Det kan jag tyvärr inte svara på. Jag svarar på frågor om Helsingborg kontaktcenter "
        f"och om Helsingborg Innovation District. För andra frågor kan en {f.staff_title} "
        f"hjälpa dig på telefon {f.phone}."
    )


def other_language_english(f: ContactFacts) -> str:
    return f"Sorry, I only understand Swedish. Please call {f.phone}."


def other_language(f: ContactFacts) -> str:
    return (
        "Jag förstår tyvärr bara svenska. Ring gärna Helsingborg kontaktcenter på "
        f"{f.phone}. ({other_language_english(f)})"
    )


def fallback(f: ContactFacts) -> str:
    return (
        "Förlåt, det förstod jag inte. Kan du skriva frågan på ett annat sätt? "
        f"Du kan också ringa en {f.staff_title} på {f.phone}."
    )





def unusable_input(f: ContactFacts) -> str:
    return (
        "Ditt meddelande var tomt eller gick inte att läsa. Skriv gärna din fråga med "
        f"vanlig text, eller ring oss på {f.phone}."
    )


def too_long(f: ContactFacts) -> str:
    return (
        "Ditt meddelande är sparat, men det var för långt för att jag ska kunna tolka det. "
        "Skriv gärna din fråga kort, med en fråga i taget."
    )


def record_notice(f: ContactFacts) -> str:
    return (
        f"Välkommen till {f.name}! Det du skriver här sparas och blir en allmän handling "
        f"som kan komma att läsas av andra. {f.privacy_text}"
    )


def case_number(diarienummer: str | None, f: ContactFacts) -> str:
    if not diarienummer:
        return (
            "Jag kan inte visa ditt ärendenummer just nu, men konversationen sparas ändå. "
            f"Ring gärna {f.phone} om du behöver numret."
        )
    return (
        f"Ditt ärendenummer (diarienummer) är {diarienummer}. Ange det om du kontaktar "
        "oss igen om samma sak."
    )


BY_INTENT: dict[str, Callable[[ContactFacts], str]] = {
    "ask_phone": phone,
    "ask_address": address,
    "ask_chat": chat,
    "ask_contact": contact,
    "ask_privacy": privacy,
    "ask_social_media": social_media,
    "bot_challenge": bot_challenge,
    "out_of_scope": out_of_scope,
    "other_language": other_language,
}


def answer_for_intent(intent: str | None, f: ContactFacts) -> str:
    """The answer for a contact intent; the fallback text for anything unknown."""
    return BY_INTENT.get(intent or "", fallback)(f)


# Parts of an answer in another language than Swedish, so that the widget can mark them
# with their language (WCAG 3.1.2) and a screen reader pronounces them right.
OTHER_LANGUAGE_PARTS: dict[str, Callable[[ContactFacts], list[tuple[str, str]]]] = {
    "other_language": lambda f: [(other_language_english(f), "en")],
}


def language_parts(intent: str | None, f: ContactFacts) -> list[dict[str, str]]:
    """``[{"text": ..., "lang": "en"}]`` for the non-Swedish parts of the intent's answer."""
    parts = OTHER_LANGUAGE_PARTS.get(intent or "")
    return [{"text": text, "lang": lang} for text, lang in parts(f)] if parts else []
