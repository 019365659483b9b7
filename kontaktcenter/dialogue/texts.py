"""Swedish wording of the conversational replies (greetings, yes/no, offers, reminders).

Each reply that may come twice in a row has variants; the router picks one that differs
from the bot's previous reply, so a resident never reads the same sentence twice.
"""

from __future__ import annotations

from kontaktcenter.dialogue.model import Button
from kontaktcenter.facts import ContactFacts

ANYTHING_ELSE = "Undrar du något mer?"

GREET = (
    "Hej! Jag är Helsingborg kontaktcenters chattbot. Fråga mig om öppettider, adress, "
    "telefon och chatt, eller om Helsingborg Innovation District.",
    "Hej och välkommen! Vad kan jag hjälpa dig med? Jag svarar på frågor om "
    "kontaktcentret och om Helsingborg Innovation District.",
)
GREET_PREFIX = "Hej!"
GOODBYE = (
    "Hej då, och tack för att du hörde av dig!",
    "Ha det så bra! Välkommen tillbaka om du undrar något mer.",
)
THANKS = (
    f"Varsågod! {ANYTHING_ELSE}",
    "Tack själv! Säg till om du har fler frågor.",
    "Så lite! Fråga gärna om det är något mer.",
)
ACK = (
    f"Bra! {ANYTHING_ELSE}",
    "Vad bra. Säg till om du undrar något mer.",
    "Toppen! Fråga gärna om det är något annat.",
)
YES_WHAT = (
    "Vad undrar du? Skriv din fråga, så svarar jag så gott jag kan.",
    "Skriv gärna vad du undrar över.",
)
NO_MORE = (
    "Okej! Ha en fin dag, och välkommen tillbaka om du undrar något.",
    "Då säger vi så. Ha det bra!",
)
DENY = (
    "Okej. Säg till om du undrar något mer.",
    "Jag förstår. Fråga gärna om något annat.",
)
HUMAN_DECLINED = ("Okej! Fråga gärna om något annat.", "Då fortsätter vi här. Vad undrar du?")
MESSAGE_DECLINED = ("Okej, då lämnar vi det så. Fråga mig gärna om något annat.",)

YES_NO = (Button("Ja, tack", "/affirm"), Button("Nej tack", "/deny"))
START_BUTTONS = (
    Button("Öppettider", "Vilka öppettider har ni?"),
    Button("Telefon och adress", "Hur når jag er?"),
    Button("Om HiD", "Vad är Helsingborg Innovation District?"),
)


def capabilities(f: ContactFacts) -> str:
    return (
        "Jag kan svara på frågor om Helsingborg kontaktcenter: öppettider (också för en viss "
        "dag, tid eller helg), adress, telefon och chatt, och om Helsingborg Innovation District "
        f"(HiD). Jag kan också koppla dig till en {f.staff_title} när kontaktcentret har öppet, "
        "eller ta emot ett meddelande när det är stängt."
    )


def fallback(f: ContactFacts) -> str:
    return (
        "Förlåt, det förstod jag inte. Kan du skriva frågan på ett annat sätt? Jag svarar på "
        "frågor om öppettider, adress, telefon och chatt, och om Helsingborg Innovation District. "
        f"Du kan också ringa en {f.staff_title} på {f.phone}."
    )


def fallback_again(f: ContactFacts) -> str:
    return "Jag förstod tyvärr inte det heller."


def offer_human(f: ContactFacts) -> str:
    return f"Vill du att jag kopplar dig till en {f.staff_title} här i chatten?"


def offer_message(f: ContactFacts) -> str:
    return (
        f"Just nu finns ingen {f.staff_title} i chatten. Vill du lämna ett meddelande, så hör "
        f"vi av oss? Du kan också ringa {f.phone} när vi har öppet."
    )


def out_of_scope(f: ContactFacts) -> str:
    return (
        "Det kan jag tyvärr inte svara på, och jag vill inte gissa. Jag svarar bara på frågor om "
        "kontaktcentrets öppettider, adress, telefon och chatt, och om Helsingborg Innovation "
        f"District. {f.staff_title_plural.capitalize()} på kontaktcentret hjälper dig med andra "
        f"frågor om kommunen: ring {f.phone}."
    )


# Said first when an upset resident also asked something the bot can answer.
SORRY_FOR_TROUBLE = "Förlåt att det har varit krångligt. Här är svaret på din fråga."


def frustrated(f: ContactFacts) -> str:
    return (
        "Förlåt, jag förstår att det är frustrerande när jag inte kan hjälpa dig. "
        f"En {f.staff_title} kan säkert hjälpa dig bättre."
    )


def personal_data_reminder(f: ContactFacts) -> str:
    return (
        "Tänk på att det du skriver här sparas och blir en allmän handling. Skriv därför inte "
        "personnummer, telefonnummer, e-post eller andra känsliga uppgifter i chatten."
    )


def privacy_who_reads(f: ContactFacts) -> str:
    return (
        "Ja, det kan hända. Chatten sparas som en allmän handling, och vem som helst kan "
        "begära att få läsa allmänna handlingar. Innan något lämnas ut prövar kommunen om "
        "uppgifterna omfattas av sekretess, och personnummer, telefonnummer och e-post maskas. "
        "Andra invånare kan aldrig se din konversation här i chatten. Skriv därför inga känsliga "
        f"uppgifter. {f.privacy_text}"
    )


def privacy_deleted(f: ContactFacts, days: int | None) -> str:
    kept = (
        f"Vanliga chattar med chattboten sparas i {days} dagar efter att ärendet avslutats och "
        "gallras sedan enligt stadens gallringsbeslut."
        if days
        else "Den gallras enligt stadens gallringsbeslut."
    )
    return (
        "Nej, inte direkt. Konversationen är en allmän handling och får bara tas bort (gallras) "
        f"enligt ett beslut om gallring. {kept} {f.privacy_text}"
    )


def privacy_anonymous(f: ContactFacts) -> str:
    return (
        "Nej, du behöver inte tala om vem du är för att ställa en fråga här. Vill du att vi ska "
        "kunna återkomma till dig behöver vi en e-postadress eller ett telefonnummer. Tänk på att "
        "det du skriver sparas och blir en allmän handling."
    )


def privacy_secret(f: ContactFacts) -> str:
    return (
        "Vi kan inte lova att hålla det du skriver hemligt. Allt i chatten blir en allmän "
        "handling. Vissa uppgifter kan skyddas av sekretess, men det prövas först när någon "
        "begär ut handlingen. Skriv därför inget känsligt här. Vill du ta upp något känsligt, "
        f"ring en {f.staff_title} på {f.phone}. {f.privacy_text}"
    )
