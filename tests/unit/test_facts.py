"""Every contact fact has one source (config/contact.yml) and matches the city's text."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from kontaktcenter import answers
from kontaktcenter.facts import get_facts

ROOT = Path(__file__).resolve().parents[2]
# The city's page that every answer must stay true to (a copy of shared/seed).
SEED = ROOT / "docs" / "source" / "helsingborg-far-ett-innovationsdistrikt.txt"
FACTS = get_facts(ROOT / "config")


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def test_phone_and_address_are_the_seeds() -> None:
    seed = seed_text()
    assert f"telefon {FACTS.phone}" in seed
    assert "Stortorget 17" in seed and FACTS.address == "Stortorget 17"
    for channel in FACTS.social_media:
        assert channel.lower() in seed.lower()


def test_regular_hours_are_the_seeds() -> None:
    seed = seed_text()
    config = yaml.safe_load((ROOT / "config" / "opening_hours.yml").read_text(encoding="utf-8"))
    found = dict(re.findall(r"^(Måndag–onsdag|Torsdag|Fredag): (\d\d\.\d\d — \d\d\.\d\d)$", seed, re.M))
    assert found == {
        "Måndag–onsdag": "08.00 — 17.00",
        "Torsdag": "08.00 — 18.00",
        "Fredag": "08.00 — 17.00",
    }
    regular = config["regular"]

    def span(day: str) -> str:
        return f"{regular[day]['opens']} — {regular[day]['closes']}".replace(":", ".")

    assert {span(d) for d in ("monday", "tuesday", "wednesday")} == {found["Måndag–onsdag"]}
    assert span("thursday") == found["Torsdag"]
    assert span("friday") == found["Fredag"]
    assert regular["saturday"] == regular["sunday"] == "closed"


def test_domain_responses_repeat_no_contact_fact() -> None:
    """Facts in domain.yml would be a second source of truth that can drift."""
    domain = (ROOT / "domain.yml").read_text(encoding="utf-8")
    digits = re.sub(r"\D", "", FACTS.phone)
    assert digits not in re.sub(r"\D", "", domain)
    assert FACTS.address not in domain


# What each answer must tell the resident, taken from config/contact.yml (FACTS).
WAYS_IN = {
    "ask_address": [FACTS.address, FACTS.city, FACTS.name],
    "ask_chat": ["chatten", FACTS.staff_title],
    "ask_contact": [FACTS.phone, FACTS.address, "Chatta här"],
    "ask_phone": [FACTS.phone, FACTS.staff_title],
    "ask_privacy": ["allmän handling", "personnummer", "helsingborg.se"],
    "ask_social_media": list(FACTS.social_media),
    "bot_challenge": ["chattbot", FACTS.staff_title, FACTS.phone],
    "other_language": ["svenska", FACTS.phone],
    "out_of_scope": [FACTS.staff_title, FACTS.phone],
}
SWEDISH_WORDS = {"och", "på", "du", "dig", "vi", "jag", "är", "det", "en", "att", "kan", "i",
                 "för", "om", "oss", "har", "inte", "finns"}


def test_every_intent_with_a_contact_answer_is_checked() -> None:
    assert set(answers.BY_INTENT) == set(WAYS_IN)


@pytest.mark.parametrize("intent", sorted(WAYS_IN))
def test_every_contact_answer_is_swedish_and_names_a_way_in(intent: str) -> None:
    text = answers.answer_for_intent(intent, FACTS)
    for fact in WAYS_IN[intent]:
        assert fact in text, f"{intent}: {fact!r} saknas i {text!r}"
    swedish = re.sub(r"\([^)]*\)", "", text)  # other_language adds an English aside
    words = set(re.findall(r"[a-zåäö]+", swedish.lower()))
    assert len(words & SWEDISH_WORDS) >= 2, text
    assert not words & {"the", "you", "please", "call", "sorry"}, text
    assert FACTS.phone not in text or FACTS.phone == "042-10 50 00"  # one number, as written


def test_changed_facts_reach_every_answer() -> None:
    """The answers read the facts; nothing is written into the wording."""
    other = replace(FACTS, phone="040-12 34 56", address="Drottninggatan 1", staff_title="handläggare")
    for intent, facts in WAYS_IN.items():
        text = answers.answer_for_intent(intent, other)
        assert "042-10 50 00" not in text and "Stortorget" not in text, intent
        if FACTS.phone in facts:
            assert "040-12 34 56" in text, intent


def test_unknown_intent_gets_the_fallback() -> None:
    assert FACTS.phone in answers.answer_for_intent("nonsense", FACTS)
    assert answers.answer_for_intent(None, FACTS) == answers.fallback(FACTS)


def test_phone_e164() -> None:
    assert FACTS.phone_e164 == "+4642105000"
