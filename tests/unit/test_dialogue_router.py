"""The conversation layer at fixed clocks: follow-ups, times, periods, yes/no, two questions."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import pytest

from kontaktcenter.dialogue import Context
from kontaktcenter.dialogue.model import OFFER_HUMAN, OFFER_MESSAGE
from tests.unit.dialogue_helpers import at, chat, verdict

WEDNESDAY_MORNING = at("2026-12-02T10:15")  # open 08-17
SATURDAY_NIGHT = at("2026-12-05T02:00")  # closed
THURSDAY_1730 = at("2026-12-03T17:30")  # open until 18


def test_followup_without_keyword_keeps_the_hours_topic() -> None:
    replies = chat(
        WEDNESDAY_MORNING,
        ("ask_opening_hours", "När har ni öppet idag?"),
        ("goodbye", "och på fredag då?"),
        ("followup", "än i morgon?"),
    )
    assert "08.00–17.00" in replies[0].text and replies[0].text.startswith("Idag")
    assert replies[1].text.startswith("Fredag 4 december har vi öppet 08.00–17.00")
    assert replies[2].text.startswith("Imorgon har vi öppet 08.00–18.00")  # Thursday


def test_a_time_is_answered_for_that_moment_not_now() -> None:
    replies = chat(
        WEDNESDAY_MORNING,
        ("ask_opening_hours", "har ni öppet på fredag?"),
        ("ask_opening_hours", "kan jag komma vid halv fem?"),
        ("followup", "och dagen innan?"),
        ("followup", "samma tid på lördag?"),
    )
    assert verdict(replies[1].text) == "open" and "fredag 4 december kl. 16.30" in replies[1].text
    assert replies[2].text.startswith("Imorgon")  # Thursday, the day before Friday
    assert verdict(replies[3].text) == "closed" and "lördag 5 december kl. 16.30" in replies[3].text


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        (WEDNESDAY_MORNING, "är ni öppna kl 7 imorgon bitti?", "closed"),
        (WEDNESDAY_MORNING, "kl 17.30 idag?", "closed"),
        (THURSDAY_1730, "har ni öppet om en kvart?", "open"),
        (THURSDAY_1730, "har ni öppet om en halvtimme?", "closed"),  # 18.00 is closing
        (THURSDAY_1730, "har ni öppet om en timme?", "closed"),
        (SATURDAY_NIGHT, "kan jag komma förbi vid halv fem på fredag?", "open"),
    ],
)
def test_moment_verdict_comes_first(now, text, expected) -> None:
    [reply] = chat(now, ("ask_opening_hours", text))
    assert verdict(reply.text) == expected, reply.text


def test_closed_moment_says_when_it_opens() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("ask_open_now", "är ni öppna kl 7 imorgon bitti?"))
    assert "öppnar vi kl. 08.00" in reply.text


def test_periods_list_every_day_and_say_deviations_honestly() -> None:
    [weekend] = chat(WEDNESDAY_MORNING, ("ask_opening_hours", "har ni öppet i helgen?"))
    assert "Lördag 5 december: stängt" in weekend.text
    assert "Söndag 6 december: stängt" in weekend.text
    [easter] = chat(WEDNESDAY_MORNING, ("ask_opening_hours", "hur har ni öppet i påsk?"))
    assert "skärtorsdagen" in easter.text and "kan förekomma" in easter.text
    assert "annandag påsk" in easter.text
    [christmas] = chat(WEDNESDAY_MORNING, ("ask_opening_hours", "öppet i mellandagarna?"))
    for day in ("27 december", "28 december", "29 december", "30 december"):
        assert day in christmas.text


def test_until_when_uses_the_day_talked_about() -> None:
    replies = chat(
        WEDNESDAY_MORNING,
        ("ask_opening_hours", "har ni öppet på torsdag?"),
        ("ask_opening_hours", "till när?"),
    )
    assert "till kl. 18.00" in replies[1].text


def test_hid_pronouns_refer_to_hid_not_to_the_centre() -> None:
    replies = chat(
        WEDNESDAY_MORNING,
        ("hid_what", "vad är HiD?"),
        ("ask_address", "var ligger det?"),
        ("ask_opening_hours", "när öppnar det?"),
        ("ask_address", "var ligger ni?"),
    )
    assert "Oceanhamnen" in replies[1].text and "Stortorget" not in replies[1].text
    assert "2023" in replies[2].text and "08.00" not in replies[2].text
    assert "Stortorget 17" in replies[3].text


@pytest.mark.parametrize(
    ("intent", "text", "needles"),
    [
        ("ask_phone", "vad är ert telefonnummer och var ligger ni?", ["042-10 50 00", "Stortorget 17"]),
        ("ask_opening_hours", "Har ni öppet på lördag och vad är adressen?", ["stängt", "Stortorget 17"]),
        ("ask_address", "Var finns ni? Och vad har ni för telefonnummer?", ["Stortorget 17", "042-10 50 00"]),
    ],
)
def test_two_questions_in_one_message_get_two_answers(intent, text, needles) -> None:
    [reply] = chat(WEDNESDAY_MORNING, (intent, text))
    positions = [reply.text.find(n) for n in needles]
    assert all(p >= 0 for p in positions), reply.text
    assert positions == sorted(positions)  # in the order asked


def test_yes_no_ok_never_fall_back_and_never_repeat() -> None:
    replies = chat(
        WEDNESDAY_MORNING,
        ("ask_phone", "vad är ert nummer?"),
        ("affirm", "okej"),
        ("affirm", "ok"),
        ("deny", "nej"),
        ("thank", "tack"),
    )
    texts = [r.text for r in replies]
    assert all("förstod jag inte" not in t for t in texts)
    assert all(a != b for a, b in pairwise(texts))
    assert texts[3].startswith("Okej")  # "nej" to "Undrar du något mer?"


def test_thumbs_up_is_an_acknowledgement() -> None:
    from kontaktcenter.gestures import gesture_intent

    [reply] = chat(WEDNESDAY_MORNING, (gesture_intent("👍") or "nlu_fallback", "👍"))
    assert "förstod jag inte" not in reply.text and "gick inte att läsa" not in reply.text


def test_a_smiley_alone_is_not_an_answer_to_guess() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("nlu_fallback", "🙂🙂"))
    assert "gick inte att läsa" in reply.text


def test_second_miss_offers_a_person_while_staffed_and_yes_hands_over() -> None:
    replies = chat(
        WEDNESDAY_MORNING,
        ("nlu_fallback", "qwerty asdf"),
        ("nlu_fallback", "zxcv bnm"),
        ("affirm", "ja"),
    )
    assert replies[0].text.count("förstod jag inte") == 1
    assert replies[1].context.offer == OFFER_HUMAN
    assert replies[1].messages[-1].buttons
    assert replies[2].next_action == "action_request_human"
    assert replies[2].context.offer is None


def test_second_miss_offers_a_message_when_closed_and_no_declines() -> None:
    replies = chat(
        SATURDAY_NIGHT,
        ("nlu_fallback", "qwerty asdf"),
        ("nlu_fallback", "zxcv bnm"),
        ("deny", "nej tack"),
        ("ask_phone", "vad är numret?"),
    )
    assert replies[1].context.offer == OFFER_MESSAGE
    assert replies[2].next_action is None and "förstod" not in replies[2].text
    assert "042-10 50 00" in replies[3].text


def test_out_of_scope_never_invents_and_says_if_open_now() -> None:
    [open_] = chat(WEDNESDAY_MORNING, ("out_of_scope", "hur söker jag bygglov?"))
    assert "042-10 50 00" in open_.text and "Just nu har vi öppet" in open_.text
    [closed] = chat(SATURDAY_NIGHT, ("out_of_scope", "när töms soporna?"))
    assert "Just nu har vi stängt" in closed.text and "måndag 7 december kl. 08.00" in closed.text
    assert closed.context.offer == OFFER_MESSAGE


def test_frustration_is_acknowledged_and_a_person_offered() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("nlu_fallback", "du fattar ingenting, helt värdelöst"))
    assert reply.text.startswith("Förlåt") and reply.context.offer == OFFER_HUMAN


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("kan andra läsa det jag skriver?", "begära att få läsa"),
        ("raderas chatten?", "31 dagar"),
        ("kan ni hemlighålla det?", "inte lova"),
    ],
)
def test_privacy_questions_get_specific_true_answers(text, needle) -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("ask_privacy", text))
    assert needle in reply.text and "allmän handling" in reply.text


def test_phone_in_the_evening_says_until_when() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("ask_phone", "Kan jag ringa er på kvällen?"))
    assert "torsdagar, till kl. 18.00" in reply.text


def test_chat_on_weekends_bot_always_people_weekdays() -> None:
    [reply] = chat(SATURDAY_NIGHT, ("ask_chat", "Är chatten öppen på helgen?"))
    assert "dygnet runt" in reply.text and "Lördag och söndag stängt" in reply.text


def test_why_helsingborg_gets_2020_and_h22() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("hid_purpose", "Varför just Helsingborg?"))
    assert "2020" in reply.text and "H22" in reply.text


def test_personal_data_gets_a_reminder_and_the_answer() -> None:
    [reply] = chat(
        WEDNESDAY_MORNING,
        ("ask_opening_hours", "mitt personnummer är 19121212-1212, när har ni öppet?"),
    )
    assert "08.00–17.00" in reply.text and "allmän handling" in reply.messages[-1].text


def test_long_message_answers_the_question_at_the_end() -> None:
    story = (
        "Hej! Jag flyttade till Helsingborg i somras och har inte riktigt koll på allt än. "
        "Min granne sa att man kan få hjälp av kommunen med det mesta om man bara hör av sig. "
        "Jag jobbar dagtid och har svårt att ringa. Vad har ni för adress så jag kan komma förbi?"
    )
    for intent in ("greet", "out_of_scope", "nlu_fallback"):
        [reply] = chat(WEDNESDAY_MORNING, (intent, story))
        assert "Stortorget 17" in reply.text, intent


def test_today_early_says_when_we_open() -> None:
    [reply] = chat(at("2026-11-30T04:24"), ("ask_opening_hours", "När har ni öppet idag?"))
    assert reply.text == (
        "Idag har vi öppet 08.00–17.00. Just nu har vi stängt. Vi öppnar idag kl. 08.00."
    )


def test_impossible_date_gets_a_question_back() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("ask_opening_hours", "har ni öppet 31 februari?"))
    assert "31 februari" in reply.text and "?" in reply.text


def test_context_is_remembered_in_the_reply_context() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("ask_opening_hours", "öppet på fredag kl 16?"))
    assert reply.context.topic == "hours"
    assert reply.context.day is not None and reply.context.day.isoformat() == "2026-12-04"
    assert reply.context.last_reply == reply.text
    assert Context().offer is None


def test_several_days_in_one_message_each_get_their_hours() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("ask_opening_hours", "öppet måndag? och torsdag?"))
    assert "Måndag 7 december har vi öppet 08.00–17.00" in reply.text
    assert "Imorgon har vi öppet 08.00–18.00" in reply.text  # Thursday


def test_a_clause_referring_back_inherits_the_topic() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("hid_what", "vad är hid och när blir det klart?"))
    assert "Oceanhamnen" in reply.text and "2023" in reply.text


@pytest.mark.parametrize(
    ("intent", "text", "needle", "verdict_"),
    [
        ("ask_address", "tänkte komma in till er", "Stortorget 17", None),
        ("ask_address", "kan jag besöka er på lördag kl 10", "lördag 5 december kl. 10.00", "closed"),
        ("leave_message", "kan jag komma dit på fredag", "Fredag 4 december", "open"),
    ],
)
def test_visits_are_answered_with_address_or_hours(intent, text, needle, verdict_) -> None:
    [reply] = chat(WEDNESDAY_MORNING, (intent, text))
    assert needle in reply.text, reply.text
    if verdict_:
        assert verdict(reply.text) == verdict_


def test_a_question_misread_as_leave_message_is_answered_not_sent_to_the_form() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("leave_message", "kan jag ringa kl 17.30 idag"))
    assert reply.next_action is None and verdict(reply.text) == "closed"
    [wish] = chat(WEDNESDAY_MORNING, ("leave_message", "kan ni ringa upp mig imorgon?"))
    assert wish.next_action == "leave_message_form"
    [person] = chat(WEDNESDAY_MORNING, ("request_human", "jag vill prata med en människa"))
    assert person.next_action == "action_request_human"


@pytest.mark.parametrize(
    "text", ["VARFÖR SVARAR INGEN PÅ MINA MEJL", "har försökt få svar i en vecka nu"]
)
def test_upset_residents_are_met_with_empathy(text) -> None:
    [reply] = chat(SATURDAY_NIGHT, ("nlu_fallback", text))
    assert reply.text.startswith("Förlåt") and reply.context.offer == OFFER_MESSAGE


def test_acknowledgement_first_is_not_a_misunderstanding() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("nlu_fallback", "okej då kommer jag tidigare"))
    assert "förstod" not in reply.text


def test_unsure_hours_intent_without_any_keyword_is_out_of_scope() -> None:
    from kontaktcenter.dialogue import respond
    from tests.unit.dialogue_helpers import deps, turn

    asked = turn("hamtas soporna pa helgdagar ocksa", "ask_deviating_hours", WEDNESDAY_MORNING)
    reply = respond(replace(asked, confidence=0.58), Context(), deps())
    assert "inte svara på" in reply.text and "042-10 50 00" in reply.text


def test_hid_follow_up_in_a_misunderstood_message_uses_the_context() -> None:
    replies = chat(
        WEDNESDAY_MORNING, ("hid_what", "vad är hid?"), ("nlu_fallback", "när skulle det vara igång")
    )
    assert "2023" in replies[1].text


@pytest.mark.parametrize(
    ("text", "needle"),
    [("måste jag säga vem jag är", "behöver inte"), ("kan grannen begära ut det då?", "begära")],
)
def test_more_public_record_questions(text, needle) -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("ask_privacy", text))
    assert needle in reply.text


def test_late_opening_question_names_the_latest_day() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("ask_opening_hours", "har ni öppet sent nån dag?"))
    assert "torsdagar, till kl. 18.00" in reply.text


def test_phone_now_answers_with_the_number_and_status() -> None:
    [reply] = chat(SATURDAY_NIGHT, ("ask_open_now", "går det att ringa er nu direkt"))
    assert reply.text.startswith("Just nu har vi stängt") and "042-10 50 00" in reply.text


def test_keyboard_mashing_is_not_understood_whatever_nlu_guessed() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("affirm", "ghjkl"))
    assert "förstod jag inte" in reply.text and "042-10 50 00" in reply.text


def test_anger_wins_over_a_guessed_message_wish() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("leave_message", "VARFÖR SVARAR INGEN PÅ MINA MEJL"))
    assert reply.text.startswith("Förlåt") and reply.next_action is None


def test_two_hid_questions_each_get_their_fact() -> None:
    [reply] = chat(
        WEDNESDAY_MORNING,
        ("hid_h22", "när var h22 och när blev helsingborg utsedd till innovativ stad"),
    )
    assert "2022" in reply.text and "2020" in reply.text


def test_long_story_asking_if_open_now_gets_the_status() -> None:
    story = (
        "hejsan. jag försökte ringa förut men kom inte fram, det tutade bara upptaget. "
        "sen blev jag tvungen att hämta på förskolan. nu har jag lite tid över. är ni öppna nu?"
    )
    [reply] = chat(THURSDAY_1730, ("ask_open_now", story))
    assert reply.text.startswith("Ja, vi har öppet nu")


def test_a_time_misread_as_a_contact_question_is_answered_for_that_moment() -> None:
    replies = chat(WEDNESDAY_MORNING, ("ask_opening_hours", "har ni öppet på fredag?"),
                   ("ask_contact", "och om jag kommer kvart över fem istället?"))
    assert verdict(replies[1].text) == "closed" and "17.15" in replies[1].text


def test_a_long_unclear_message_with_a_day_and_time_gets_that_moment() -> None:
    text = "hej! om jag kommer imorgon klockan fem på eftermiddagen, är ni kvar då?"
    [reply] = chat(WEDNESDAY_MORNING, ("nlu_fallback", text))
    assert verdict(reply.text) == "open"  # Thursday 17.00: open until 18.00


def test_a_question_is_not_small_talk_whatever_nlu_said() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("goodbye", "måste jag säga vem jag är"))
    assert "behöver inte" in reply.text


def test_where_exactly_after_hid() -> None:
    replies = chat(WEDNESDAY_MORNING, ("hid_what", "vad är hid?"),
                   ("ask_opening_hours", "och var exakt?"))
    assert "Oceanhamnen" in replies[1].text


def test_the_same_reply_is_never_sent_twice_in_a_row() -> None:
    replies = chat(SATURDAY_NIGHT, ("ask_opening_hours", "har ni öppet idag?"),
                   ("ask_opening_hours", "lördag?"))
    assert replies[1].text != replies[0].text and "stängt" in replies[1].text
    privacy = chat(WEDNESDAY_MORNING, ("ask_privacy", "måste jag säga vem jag är"),
                   ("ask_privacy", "okej då skriver jag inga namn"))
    assert privacy[1].text != privacy[0].text and "förstod" not in privacy[1].text


def test_late_opening_question_answers_the_latest_day_not_now() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("ask_open_now", "har ni öppet sent nån dag?"))
    assert "torsdagar, till kl. 18.00" in reply.text


def test_a_person_is_offered_only_when_someone_can_take_the_chat() -> None:
    from dataclasses import replace as with_

    from kontaktcenter.dialogue import respond
    from tests.unit.dialogue_helpers import deps, turn

    nobody = with_(deps(), agent_available=lambda: False)
    first = respond(turn("qwerty asdf", "nlu_fallback", WEDNESDAY_MORNING), Context(), nobody)
    second = respond(turn("zxcv bnm", "nlu_fallback", WEDNESDAY_MORNING), first.context, nobody)
    assert second.context.offer == OFFER_MESSAGE  # open, but nobody available
    somebody = with_(deps(), agent_available=lambda: True)
    first = respond(turn("qwerty asdf", "nlu_fallback", WEDNESDAY_MORNING), Context(), somebody)
    second = respond(turn("zxcv bnm", "nlu_fallback", WEDNESDAY_MORNING), first.context, somebody)
    assert second.context.offer == OFFER_HUMAN


def test_a_pronoun_in_the_second_question_refers_to_the_first() -> None:
    [reply] = chat(WEDNESDAY_MORNING, ("hid_what", "vad är HiD? och när öppnar det?"))
    assert "Oceanhamnen" in reply.text and "2023" in reply.text and "08.00" not in reply.text
    [ours] = chat(WEDNESDAY_MORNING, ("hid_what", "vad är HiD? och när öppnar ni?"))
    assert "Oceanhamnen" in ours.text and "08.00" in ours.text  # "ni" is the centre


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("ask_deviating_hours", "töms återvinningsstationen på röda dagar?"),
        ("ask_opening_hours", "hur lång tid tar ett bygglov i december"),
        ("nlu_fallback", "var får man parkera gratis i stan"),
        ("nlu_fallback", "vet ni när sopbilen kommer till oss?"),
        ("ask_opening_hours", "när öppnar simhallen i Olympia på lördag"),  # a compound word
    ],
)
def test_another_municipal_matter_is_referred_not_answered_with_our_hours(intent, text) -> None:
    [reply] = chat(WEDNESDAY_MORNING, (intent, text))
    assert "inte gissa" in reply.text and "042-10 50 00" in reply.text
    assert "Just nu har vi öppet" in reply.text  # when the phone answers, said honestly
    assert "De närmaste" not in reply.text and "08.00–18.00" not in reply.text


def test_our_hours_are_still_answered_when_a_municipal_matter_is_named_too() -> None:
    [reply] = chat(WEDNESDAY_MORNING,
                   ("ask_opening_hours", "har ni öppet imorgon? jag vill fråga om förskola"))
    assert "Imorgon har vi öppet 08.00–18.00" in reply.text


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("bot_challenge", "du begriper ju absolut noll"),
        ("leave_message", "nu blir jag tokig, ingen som förstår vad jag menar"),
        ("nlu_fallback", "jag ger upp snart"),
    ],
)
def test_frustration_is_acknowledged_first(intent, text) -> None:
    [reply] = chat(WEDNESDAY_MORNING, (intent, text))
    assert reply.text.startswith("Förlåt, jag förstår att det är frustrerande")


@pytest.mark.parametrize(
    ("intent", "text", "needle"),
    [
        ("frustrated", "jag har väntat länge och ingen svarar, vad har ni för telefonnummer?",
         "042-10 50 00"),
        ("frustrated", "har försökt flera gånger nu, stänger ni tidigt på julafton?",
         "24 december"),
    ],
)
def test_an_upset_resident_who_asks_something_gets_the_answer_after_an_apology(
    intent, text, needle
) -> None:
    """A long complaint with a question at the end: the apology, then the answer, not
    only an offer of a person."""
    [reply] = chat(WEDNESDAY_MORNING, (intent, text))
    assert reply.text.startswith("Förlåt att det har varit krångligt"), reply.text
    assert needle in reply.text, reply.text
