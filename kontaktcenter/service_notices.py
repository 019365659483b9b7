"""What a resident reads when part of the service is down (Swedish, from contact facts).

Said by the Rasa server itself, so these must not depend on the action server.
"""

from __future__ import annotations

from kontaktcenter.facts import ContactFacts


def actions_unavailable(f: ContactFacts) -> str:
    """A custom action could not run (action server down or failing)."""
    return (
        "Jag kan tyvärr inte svara på det just nu på grund av ett tekniskt fel. "
        "Ditt meddelande är sparat. Försök igen om en liten stund, "
        f"eller ring oss på {f.phone}."
    )


def not_durable(f: ContactFacts) -> str:
    """The register cannot keep messages: refuse rather than accept and lose them."""
    return (
        "Chatten kan tyvärr inte ta emot meddelanden just nu, eftersom vi inte kan spara "
        "dem på ett säkert sätt. Ditt meddelande har inte sparats. Försök igen senare, "
        f"eller ring oss på {f.phone}."
    )
