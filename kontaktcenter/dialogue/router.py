"""Choose and word the bot's reply to one turn, using what was said before.

NLU gives one intent per message; residents write follow-ups without keywords, two
questions in one line and long stories. The router combines the intent with the date
entities, a few explicit word signals and the conversation's context, so the reply
answers what the resident meant. Plain Python: tested without Rasa at a fixed clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from kontaktcenter import answers
from kontaktcenter.calendar import OpeningCalendar, format_open_now
from kontaktcenter.dialogue import hours_replies, signals, texts
from kontaktcenter.dialogue.dated import ClauseDates
from kontaktcenter.dialogue.model import (
    OFFER_HUMAN,
    OFFER_MESSAGE,
    TOPIC_CONTACT,
    TOPIC_HID,
    TOPIC_HOURS,
    Context,
    Message,
    Reply,
    Turn,
)
from kontaktcenter.facts import ContactFacts
from kontaktcenter.input_check import InputProblem, input_problem

HOURS_INTENTS = frozenset({"ask_opening_hours", "ask_open_now", "ask_deviating_hours", "followup"})
HID_INTENTS = frozenset(
    {
        "hid_what",
        "hid_where",
        "hid_when",
        "hid_purpose",
        "hid_coordinator",
        "hid_who_behind",
        "hid_innovative_city",
        "hid_h22",
    }
)
CONTACT_INTENTS = frozenset(
    {
        "ask_address",
        "ask_phone",
        "ask_chat",
        "ask_contact",
        "ask_privacy",
        "ask_social_media",
    }
)
# Intents whose reading gives way to a clear date follow-up ("och på fredag då?").
_YIELDS_TO_DATES = (
    frozenset(
        {
            "goodbye",
            "greet",
            "thank",
            "affirm",
            "deny",
            "ack",
            "nlu_fallback",
            "followup",
            "bot_challenge",
            "other_language",
            "ask_capabilities",
            "out_of_scope",
            "frustrated",
        }
    )
    | HOURS_INTENTS
)
_SHORT = 9  # words: a follow-up is short; a long message with a date is a new question
ACTION_REQUEST_HUMAN = "action_request_human"
ACTION_LEAVE_MESSAGE = "leave_message_form"


@dataclass(frozen=True)
class Deps:
    """What the router reads besides the turn: all plain values or pure functions."""

    calendar: OpeningCalendar
    facts: ContactFacts
    knowledge: dict[str, str]
    has_personal_data: Callable[[str], bool]
    retention_days: int | None = None
    chat_channel: str = hours_replies.CHAT
    # Whether a kommunvägledare can take a chat right now (presence, kontaktcenter.desk);
    # a person is offered only then, else a message. None: the calendar alone decides.
    agent_available: Callable[[], bool] | None = None


def respond(turn: Turn, ctx: Context, deps: Deps) -> Reply:
    """The reply to ``turn`` given ``ctx``; never raises for odd text or odd context."""
    text = turn.text if isinstance(turn.text, str) else ""
    reply = _offer_answer(turn, ctx, deps) or _answer(turn, ctx, deps, text)
    if text and deps.has_personal_data(text):
        reply = Reply(
            [*reply.messages, Message(texts.personal_data_reminder(deps.facts))],
            reply.context,
            reply.next_action,
        )
    if reply.messages and reply.text == ctx.last_reply:
        reply = _not_twice(reply, text, ctx)
    return Reply(reply.messages, reply.context.but(last_reply=reply.text), reply.next_action)


def _not_twice(reply: Reply, text: str, ctx: Context) -> Reply:
    """Never the same reply twice in a row: "okej …" after it is an acknowledgement, a
    repeated question gets the answer again, marked as such."""
    if signals.starts_with_ack(text):
        return Reply([Message(_variant(texts.ACK, ctx))], reply.context, reply.next_action)
    first, *rest = reply.messages
    again = Message(f"Som jag skrev nyss: {first.text}", first.buttons, first.languages)
    return Reply([again, *rest], reply.context, reply.next_action)


# -- offers: "ja"/"nej" after the bot offered a person or a message -------------------------


def _offer_answer(turn: Turn, ctx: Context, deps: Deps) -> Reply | None:
    if ctx.offer is None or turn.intent not in ("affirm", "ack", "deny"):
        return None
    cleared = ctx.but(offer=None, misses=0)
    if turn.intent == "deny":
        variants = texts.HUMAN_DECLINED if ctx.offer == OFFER_HUMAN else texts.MESSAGE_DECLINED
        return Reply([Message(_variant(variants, ctx))], cleared)
    target = ACTION_REQUEST_HUMAN if ctx.offer == OFFER_HUMAN else ACTION_LEAVE_MESSAGE
    return Reply([], cleared, next_action=target)


def _offer(deps: Deps, turn: Turn) -> tuple[Message, str]:
    """Offer a person when someone can take the chat now, else a message left for later."""
    staffed = deps.calendar.is_open(turn.now, deps.chat_channel)
    if staffed and deps.agent_available is not None:
        try:
            staffed = deps.agent_available()
        except Exception:  # presence unknown: a message can always be left
            staffed = False
    if staffed:
        return Message(texts.offer_human(deps.facts), texts.YES_NO), OFFER_HUMAN
    return Message(texts.offer_message(deps.facts), texts.YES_NO), OFFER_MESSAGE


# -- what to answer ----------------------------------------------------------------------


@dataclass(frozen=True)
class Ask:
    """One thing to answer; ``clause`` is set when the message asked several things."""

    key: str
    clause: str | None = None


def _answer(turn: Turn, ctx: Context, deps: Deps, text: str) -> Reply:
    focus = signals.question_focus(text)
    if turn.date_error and _about_dates(turn, focus):
        return Reply([Message(turn.date_error)], ctx.but(offer=None, misses=0))
    asks = _plan(turn, ctx, focus)
    if not asks:
        return _fallback(turn, ctx, deps, text)
    if asks[0].key in ("request_human", "leave_message"):
        target = ACTION_REQUEST_HUMAN if asks[0].key == "request_human" else ACTION_LEAVE_MESSAGE
        return Reply([], ctx.but(offer=None, misses=0), next_action=target)
    messages: list[Message] = []
    new_ctx = ctx.but(offer=None, misses=0)
    if turn.intent == "greet" and asks[0].key != "greet":
        messages.append(Message(texts.GREET_PREFIX))
    for ask in asks:
        asked = _clause_turn(turn, ask.clause) if ask.clause else turn
        produced, new_ctx = _produce(ask.key, asked, new_ctx, deps, ask.clause or focus)
        messages.extend(m for m in produced if m not in messages)
    return Reply(messages, new_ctx)


def _clause_turn(turn: Turn, clause: str) -> Turn:
    """One clause of a message that asked several things, with that clause's dates.

    The dates were parsed once, by the NLU extractor (``turn.clause_dates``); a clause
    that names no date of its own has none.
    """
    dates = turn.clause_dates.get(clause, ClauseDates())
    return replace(
        turn, text=clause, date=dates.date, time=dates.time, period=dates.period,
        date_error=None, clause_dates={},
    )


def _about_dates(turn: Turn, focus: str) -> bool:
    return turn.intent in _YIELDS_TO_DATES or signals.has(
        signals.TOPIC_PATTERNS["ask_opening_hours"], focus
    )


def _has_dates(turn: Turn, focus: str) -> bool:
    return bool(
        turn.date or turn.time or turn.period
        or signals.has(signals.DAY_BEFORE, focus) or signals.has(signals.DAY_AFTER, focus)
        or signals.has(signals.SAME_TIME, focus) or signals.has(signals.UNTIL_WHEN, focus)
    )


_UNSURE = 0.7  # below this, an info intent needs a keyword or a date to be believed
# NLU had no real reading: a date and a time in the message are the best clue there is.
_UNSURE_INTENTS = frozenset({"nlu_fallback", "greet", "affirm", "ack", "thank"})
# Small talk that a keyword question overrides ("måste jag säga vem jag är" is not goodbye).
_SMALL_TALK = frozenset({"goodbye", "thank", "affirm", "deny", "ack", "bot_challenge"})
_FALLBACKISH = frozenset({"nlu_fallback", "out_of_scope", "followup", "affirm", "deny", "greet"})


def _plan(turn: Turn, ctx: Context, focus: str) -> list[Ask]:
    """What to answer, in the order the resident asked; [] means not understood."""
    intent = turn.intent or "nlu_fallback"
    folded = signals.fold(focus)
    sequence = [
        (clause, _refine(key, clause, ctx, folded))
        for clause, key in signals.topic_sequence(focus)
    ]
    sequence = [(clause, key) for clause, key in sequence if key != "ask_case_number"]
    keys = list(dict.fromkeys(key for _, key in sequence))
    dated = _has_dates(turn, focus)

    upset = signals.has(signals.FRUSTRATION, focus) or signals.is_shouting(focus)
    if intent == "frustrated" or (upset and intent not in HID_INTENTS | CONTACT_INTENTS):
        # "ingen svarar … när stänger ni på julafton?": sorry, then the answer.
        hours_keys = ("ask_opening_hours", "ask_open_now")
        asks = [a for a in _several(intent, sequence) if not (dated and a.key in hours_keys)]
        if dated:  # the day asked about, from the whole message
            asks.append(Ask("hours"))
        return [Ask("sorry"), *asks] if asks else [Ask("frustrated")]
    if signals.is_gibberish(focus):
        return []
    if signals.has(signals.OTHER_MUNICIPAL_MATTER, focus) and not (
        keys and signals.has(signals.ABOUT_THE_CENTRE, focus)
    ):
        # "hämtas soporna på helgdagar?", "vet ni när sopbilen kommer?": the phone, not
        # our hours; "har ni öppet imorgon? det gäller förskola" still gets our hours.
        return [Ask("out_of_scope")]
    if intent == "request_human" and (signals.has(signals.WANTS_PERSON, focus) or not keys):
        return [Ask("request_human")]
    if intent == "leave_message" and (
        signals.has(signals.WANTS_MESSAGE, focus) or not (keys or dated)
    ):
        return [Ask("leave_message")]
    if len(sequence) >= 2 and (len(keys) >= 2 or _several_days(sequence)):
        return _several(intent, sequence)
    if signals.has(signals.WHY_HELSINGBORG, focus):
        return [Ask("hid_innovative_city")]
    if ctx.topic == TOPIC_HID and signals.refers_back(focus):
        if intent in HOURS_INTENTS:
            return [Ask("hid_when")]
        if intent == "ask_address":
            return [Ask("hid_where")]
        detail = signals.hid_detail(folded)
        if intent in _FALLBACKISH and detail != "hid_what":
            return [Ask(detail)]
    unkeyed_contact = intent in CONTACT_INTENTS and not keys  # "…kvart över fem istället?"
    if dated and (intent in _YIELDS_TO_DATES | {"leave_message", "request_human"}
                  or unkeyed_contact):
        others = [k for k in keys if k not in ("ask_opening_hours", "visit")]
        question = (signals.clauses(focus) or [focus])[-1]
        if not others and (
            signals.word_count(question) <= _SHORT
            or intent in HOURS_INTENTS | _UNSURE_INTENTS
            or keys
            or unkeyed_contact
        ):
            return [Ask("hours")]
    if ctx.topic == TOPIC_HID and intent in HOURS_INTENTS and not keys and not dated:
        detail = signals.hid_detail(folded)  # "och var exakt?" after a HiD answer
        if detail != "hid_what":
            return [Ask(detail)]
    if intent == "followup":
        if ctx.topic == TOPIC_HOURS or "ask_opening_hours" in keys:
            return [Ask("hours")]
        return [Ask(keys[0])] if keys else [Ask("which_day")]
    asks_something = "?" in focus or signals.starts_with_question(focus)
    if keys and (intent in ("greet", "nlu_fallback", "leave_message", "request_human")
                 or (focus != turn.text and intent in _YIELDS_TO_DATES)
                 or (asks_something and intent in _SMALL_TALK)):
        return [Ask(_twin(intent, key)) for key in keys]
    if intent == "nlu_fallback":
        return [Ask("ack")] if signals.starts_with_ack(focus) else []
    if intent in HOURS_INTENTS and "ask_phone" in keys:
        return [Ask("ask_phone")]  # "går det att ringa er nu?"
    if intent in ("ask_address", "ask_opening_hours", "ask_open_now") and keys == ["visit"]:
        return [Ask("visit")]
    if (
        intent in HOURS_INTENTS | CONTACT_INTENTS
        and turn.confidence < _UNSURE
        and not keys
        and not dated
    ):
        return [Ask("out_of_scope")]
    return [Ask(intent)]


def _several_days(sequence: list[tuple[str, str]]) -> bool:
    """"öppet måndag? och torsdag?": the same topic asked for more than one clause."""
    return sum(1 for _, key in sequence if key == "ask_opening_hours") >= 2


def _refine(key: str, clause: str, ctx: Context, whole: str) -> str:
    if key == "hid":
        detail = signals.hid_detail(clause)
        return detail
    if key in ("ask_address", "ask_opening_hours") and ctx.topic == TOPIC_HID and (
        signals.refers_back(clause)
    ):
        return "hid_where" if key == "ask_address" else "hid_when"
    return key


_TWINS = {"ask_open_now": "ask_opening_hours", "ask_deviating_hours": "ask_opening_hours"}


def _twin(intent: str, key: str) -> str:
    """NLU's more specific intent replaces its keyword twin ("öppna nu?" is open-now)."""
    return intent if _TWINS.get(intent) == key else key


def _several(intent: str, sequence: list[tuple[str, str]]) -> list[Ask]:
    """Several questions: in the resident's order; NLU's intent replaces its keyword twin."""
    asks: list[Ask] = []
    seen: set[str] = set()
    for clause, key in sequence:
        chosen = _twin(intent, key)
        if chosen in ("ask_opening_hours", "ask_open_now", "ask_phone", "visit"):
            asks.append(Ask(chosen, clause))  # each clause with its own day
        elif chosen not in seen:
            asks.append(Ask(chosen))
        seen.add(chosen)
    return asks


# -- producing the messages -----------------------------------------------------------------

_Produced = tuple[list[Message], Context]


def _produce(key: str, turn: Turn, ctx: Context, deps: Deps, focus: str) -> _Produced:
    f = deps.facts
    if key in ("hours", *HOURS_INTENTS):
        return _hours(key, turn, ctx, deps, focus)
    if key == "visit":
        if turn.date or turn.time or turn.period:
            return _hours("hours", turn, ctx, deps, focus)
        today = _day_with_now(deps.calendar, turn.now.date(), turn.now)
        body = f"{answers.address(f)} {today}"
        return [Message(body)], ctx.but(topic=TOPIC_HOURS, day=turn.now.date())
    if key in HID_INTENTS:
        return [Message(deps.knowledge[key])], ctx.but(topic=TOPIC_HID)
    if key == "ask_phone":
        return [Message(_phone(turn, deps, focus))], ctx.but(topic=TOPIC_CONTACT)
    if key == "ask_chat":
        timed = (
            turn.date
            or turn.period
            or signals.has(signals.WEEKEND, focus)
            or signals.has(signals.EVENING, focus)
        )
        body = hours_replies.chat(deps.calendar, f, turn.now) if timed else answers.chat(f)
        return [Message(body)], ctx.but(topic=TOPIC_CONTACT)
    if key == "ask_privacy":
        return [Message(_privacy(focus, deps))], ctx
    if key == "other_language":
        parts = tuple((p["text"], p["lang"]) for p in answers.language_parts(key, f))
        return [Message(answers.other_language(f), languages=parts)], ctx
    if key in ("ask_address", "ask_contact", "ask_social_media", "bot_challenge"):
        topic = TOPIC_CONTACT if key in ("ask_address", "ask_contact") else ctx.topic
        return [Message(answers.answer_for_intent(key, f))], ctx.but(topic=topic)
    if key == "sorry":
        return [Message(texts.SORRY_FOR_TROUBLE)], ctx
    if key in ("out_of_scope", "frustrated"):
        lead = texts.out_of_scope(f) if key == "out_of_scope" else texts.frustrated(f)
        status = hours_replies.status_sentence(deps.calendar, turn.now, "phone")
        offer, kind = _offer(deps, turn)
        return [Message(f"{lead} {status}"), offer], ctx.but(offer=kind)
    if key == "ask_capabilities":
        return [Message(texts.capabilities(f), texts.START_BUTTONS)], ctx
    if key == "which_day":
        return [
            Message(
                'Vilken dag eller tid tänker du på? Skriv till exempel "på fredag" '
                'eller "imorgon kl. 16".'
            )
        ], ctx.but(topic=TOPIC_HOURS)
    return [Message(_conversational(key, turn, ctx))], ctx


def _conversational(key: str, turn: Turn, ctx: Context) -> str:
    asked_more = bool(ctx.last_reply and ctx.last_reply.rstrip().endswith(texts.ANYTHING_ELSE))
    if key == "greet":
        return _variant(texts.GREET, ctx)
    if key == "goodbye":
        return _variant(texts.GOODBYE, ctx)
    if key == "thank":
        return _variant(texts.THANKS, ctx)
    if key == "deny":
        return _variant(texts.NO_MORE if asked_more else texts.DENY, ctx)
    if key in ("affirm", "ack"):
        return _variant(texts.YES_WHAT if asked_more else texts.ACK, ctx)
    return _variant(texts.ACK, ctx)


def _variant(options: Sequence[str], ctx: Context) -> str:
    """The first wording that differs from the bot's previous reply."""
    for option in options:
        if option != ctx.last_reply:
            return option
    return options[0]


def _fallback(turn: Turn, ctx: Context, deps: Deps, text: str) -> Reply:
    f = deps.facts
    problem = input_problem(text)
    if problem is InputProblem.TOO_LONG:
        return Reply([Message(answers.too_long(f))], ctx.but(misses=0, offer=None))
    misses = ctx.misses + 1
    if misses >= 2:
        offer, kind = _offer(deps, turn)
        lead = texts.fallback_again(f)
        return Reply([Message(lead), offer], ctx.but(misses=0, offer=kind))
    body = answers.unusable_input(f) if problem is not None else texts.fallback(f)
    return Reply([Message(body)], ctx.but(misses=misses, offer=None))


_PRIVACY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("deleted", ("radera", "tas bort", "ta bort", "glom", "hur lange sparas", "gallra")),
    ("anonymous", ("vem jag ar", "anonym", "namn", "identifiera")),
    ("secret", ("hemlig", "sekretess", "konfidentiell", "tyst")),
    ("who_reads", ("lasa", "laser", "se det", "ser det", "andra", "vem kan", "vilka kan",
                   "begara ut", "begar ut", "lamnas ut", "ta del", "grannen", "journalist")),
)


def _privacy(focus: str, deps: Deps) -> str:
    """Which public-record question: deleted? anonymous? secret? who can read it?"""
    folded = signals.fold(focus)
    f = deps.facts
    kind = next((k for k, words in _PRIVACY_WORDS if any(w in folded for w in words)), None)
    if kind == "deleted":
        return texts.privacy_deleted(f, deps.retention_days)
    if kind == "anonymous":
        return texts.privacy_anonymous(f)
    if kind == "secret":
        return texts.privacy_secret(f)
    if kind == "who_reads":
        return texts.privacy_who_reads(f)
    return answers.privacy(f)


def _phone(turn: Turn, deps: Deps, focus: str) -> str:
    evening = signals.has(signals.EVENING, focus)
    timed = turn.date or turn.time or evening or signals.has(signals.WEEKEND, focus)
    if not timed:
        status = hours_replies.status_sentence(deps.calendar, turn.now, "phone")
        number = f"Du kan prata med en {deps.facts.staff_title} på telefon {deps.facts.phone}."
        if signals.has(signals.NOW, focus):
            return f"{status} {number}"  # "kan jag ringa nu?": the verdict first
        return f"{number} {status}"
    day = turn.date
    if day is None and signals.has(signals.WEEKEND, focus):
        day = turn.period.start if turn.period else None
    return hours_replies.phone(deps.calendar, deps.facts, turn.now, day, turn.time, evening)


def _hours(key: str, turn: Turn, ctx: Context, deps: Deps, focus: str) -> _Produced:
    cal, now = deps.calendar, turn.now
    today = now.date()
    day, at = turn.date, turn.time
    followup = key in ("hours", "followup")
    if turn.period is not None and (day is None or turn.period.start <= day <= turn.period.end):
        text = hours_replies.period(cal, turn.period, now)
        return [Message(text)], ctx.but(topic=TOPIC_HOURS, day=turn.period.start, time=None)
    base = day or (ctx.day if followup and ctx.topic == TOPIC_HOURS else None) or today
    if signals.has(signals.DAY_BEFORE, focus):
        day = base - timedelta(days=1)
    elif signals.has(signals.DAY_AFTER, focus):
        day = base + timedelta(days=1)
    if at is None and signals.has(signals.SAME_TIME, focus) and ctx.time is not None:
        at = ctx.time
    if at is not None and day is None:
        day = ctx.day if (ctx.topic == TOPIC_HOURS and ctx.day and ctx.day >= today) else today
    new_ctx = ctx.but(topic=TOPIC_HOURS, day=day or ctx.day, time=at or ctx.time)
    if day is not None and at is not None:
        return [Message(hours_replies.moment(cal, day, at, now))], new_ctx
    if signals.has(signals.UNTIL_WHEN, focus):
        which = day or (ctx.day if ctx.topic == TOPIC_HOURS and ctx.day else today)
        return [Message(hours_replies.until_when(cal, which, now))], new_ctx.but(day=which)
    if day is None and signals.has(signals.EVENING, focus):
        week = hours_replies.week(cal, now)
        late = hours_replies.latest_opening_sentence(cal)
        return [Message(f"{late} Våra öppettider: {week}")], new_ctx.but(day=None)
    if day is not None:
        if day == today and key == "ask_open_now":
            return [Message(format_open_now(cal.status(now)))], new_ctx
        return [Message(_day_with_now(cal, day, now))], new_ctx
    if key == "ask_open_now":
        return [Message(format_open_now(cal.status(now)))], new_ctx.but(day=today)
    if key == "ask_deviating_hours":
        return [Message(hours_replies.deviating(cal, now))], new_ctx
    week = hours_replies.week(cal, now)
    status = format_open_now(cal.status(now))
    late = ""
    if signals.has(signals.EVENING, focus):
        late = f" {hours_replies.latest_opening_sentence(cal)}"
    return [Message(f"Våra öppettider: {week}{late}\n{status}")], new_ctx.but(day=None)


def _day_with_now(cal: OpeningCalendar, day: date, now: datetime) -> str:
    """A day's hours; for today, also when we are closed right now (early or late)."""
    text = hours_replies.day(cal, day, now)
    if day == now.date():
        hours = cal.hours_on(day)
        if not hours.is_closed and not hours.is_open_at(now.time()):
            text += f" Just nu har vi stängt. {hours_replies.next_opening_phrase(cal, now)}"
    return text
