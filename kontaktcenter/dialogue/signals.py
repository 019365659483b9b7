"""Plain-text signals in a resident's message that NLU's single intent cannot carry.

Keyword topics per clause (two questions in one message), references to what was
said before ("det", "samma tid", "dagen innan"), and the question inside a long
story. Deliberately simple, explicit word lists: each is covered by a test, and a
miss shows up in tests/dialogues rather than hiding in a model.
"""

from __future__ import annotations

import re

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def fold(text: str) -> str:
    """Lower case without å/ä/ö, single spaces: the form every pattern here is written in."""
    return " ".join(text.lower().translate(_FOLD).split())


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")")


# Answer keys found by keywords. Order matters only for ties inside one clause.
TOPIC_PATTERNS: dict[str, re.Pattern[str]] = {
    "ask_case_number": _words(r"arendenummer", r"diarienummer"),
    "ask_privacy": _words(
        r"allman handling", r"allmanna handling", r"personuppgift", r"gdpr", r"sekretess",
        r"raderas", r"radera", r"sparas", r"hemlighall", r"lasa det jag", r"laser det jag",
        r"anonym", r"vem jag ar", r"uppge (?:mitt )?namn", r"maste jag (?:saga|uppge|beratta)",
        r"begara ut", r"begar ut", r"lamnas ut", r"lamna ut", r"ta del av",
    ),
    "ask_social_media": _words(r"facebook", r"instagram", r"linkedin", r"sociala medier"),
    "hid": _words(
        r"hid\b", r"innovation", r"innovativ", r"oceanhamnen", r"h22", r"city expo"
    ),
    "ask_phone": _words(
        r"telefon", r"telefonnummer", r"numret", r"nummer till", r"ert nummer", r"ringa",
        r"ring er", r"ringer", r"ring\b", r"nr\b", r"vilket nummer", r"nummret",
    ),
    "ask_address": _words(
        r"adress", r"vart? ligger ni", r"vart? finns ni", r"var holler ni till", r"ligger ni",
        r"hitta till er", r"hitta er", r"vagbeskrivning", r"vart? ar ni", r"besoksadress",
        r"vart? e ni", r"vilken gata",
    ),
    "visit": _words(
        r"komma (?:in|forbi|dit|over|till er|till kontaktcent)", r"titta in", r"svanga forbi",
        r"besoka", r"kika in", r"droppa in",
    ),
    "ask_chat": _words(r"chatt", r"chatta", r"skriva har", r"skriva till er", r"skriver har"),
    "ask_opening_hours": _words(
        r"oppet", r"oppettid", r"oppna", r"oppnar", r"stanger", r"stangt", r"stanga",
        r"tider\b", r"svarar ni", r"har ni stangt", r"ar ni kvar", r"finns ni kvar",
    ),
}

HID_DETAIL: list[tuple[str, re.Pattern[str]]] = [
    ("hid_h22", _words(r"h22", r"city expo", r"expo")),
    ("hid_coordinator", _words(r"verksamhetsledare", r"samordn", r"chef", r"leda")),
    ("hid_who_behind", _words(r"vem ", r"vilka ", r"bakom", r"driver", r"ansvarar")),
    ("hid_innovative_city", _words(r"innovativ\w* stad", r"utsedd", r"mest innovativ", r"2020")),
    ("hid_when", _words(r"nar\b", r"vilket ar", r"start", r"etabler", r"klar", r"igang",
                        r"oppna", r"fardig")),
    ("hid_purpose", _words(r"varfor", r"syfte", r"mal\b", r"malet", r"till vad")),
    ("hid_where", _words(
        r"var ligger", r"var finns", r"var ar", r"vart", r"plats", r"ligger", r"var\b", r"adress"
    )),
]

# "det", "dit", "distriktet": a reference to the thing talked about before.
_ANAPHORA = _words(r"det\b", r"den\b", r"dit\b", r"dar\b", r"distriktet", r"omradet")
_ABOUT_US = _words(r"ni\b", r"er\b", r"era\b", r"ert\b", r"kontaktcent", r"kommunen")

DAY_BEFORE = _words(r"dagen innan", r"dagen fore", r"dagen forut", r"kvallen innan")
DAY_AFTER = _words(r"dagen efter", r"dagen darpa", r"dan efter")
SAME_TIME = _words(r"samma tid")
NOW = _words(r"nu\b", r"just nu", r"direkt", r"i detta nu", r"nu pa en gang")
UNTIL_WHEN = _words(r"till nar", r"hur lange", r"till vilken tid", r"nar stanger")
EVENING = _words(
    r"kvall", r"ikvall", r"sent\b", r"senare", r"efter jobbet", r"efter fem", r"efter 17",
    r"natt", r"natten", r"dygnet runt",
)
WEEKEND = _words(r"helg", r"lordag", r"sondag")
MORNING = _words(r"morgon", r"bitti", r"tidigt")
FRUSTRATION = _words(
    r"vardelos", r"fattar ingenting", r"forstar ingenting", r"forstar du inte", r"dalig",
    r"irriterad", r"arg\b", r"trott pa", r"skit", r"hopplos", r"fungerar inte", r"funkar inte",
    r"ingen hjalp", r"korkad", r"dum\b", r"forsokt fa svar", r"svarar ingen", r"ingen svarar",
    r"ingen har svarat", r"har vantat", r"vantat lange", r"i en vecka", r"flera ganger",
    r"ingen bryr sig", r"less\b", r"bedrovlig", r"usel", r"oanvandbar", r"begriper ingenting",
    # "du fattar ju ingenting", "förstår du absolut noll", "ingen förstår mig"
    r"(?:fattar|forstar|begriper) (?:du |ni )?(?:(?:ju|inte|absolut|verkligen|alls) )*"
    r"(?:ingenting|noll|nada)",
    r"ingen (?:som )?forstar", r"blir (?:galen|tokig|vansinnig|forbannad)", r"galen pa",
    r"forbannad", r"vansinnig", r"trottnat", r"ger upp", r"pa riktigt nu",
)
# Municipal matters that the kontaktcenter answers on the phone, not in this chat: the bot
# must not answer them with the centre's own hours or address ("hämtas soporna på
# helgdagar?" is about the bins, not about when the centre is open).
OTHER_MUNICIPAL_MATTER = re.compile(
    r"(?<!\w)(?:sop|p-tillstand|p-bot|valsedel)"
    # Stems also found inside Swedish compounds ("stadsbiblioteket", "bilparkering").
    r"|avfall|atervinning|bygglov|forskol|skolplac|parker|fardtjanst|hemtjanst"
    r"|aldreboende|bistand|socialtjanst|snorojning|gatubelysning|bostadsanpass"
    r"|vattenlasning|avlopp|simhall|bibliotek|detaljplan|hyresratt|fortidsrost"
)
# The resident addresses the centre itself ("har ni öppet…", "kontaktcenter"): then the
# centre's own facts are wanted even when a municipal matter is named too.
ABOUT_THE_CENTRE = _words(
    r"ni\b", r"er\b", r"era\b", r"ert\b", r"kontaktcent", r"kommunvagledare", r"chatten",
    r"hid\b", r"innovation",
)
WHY_HELSINGBORG = _words(r"varfor (?:just |har i |i |ligger det i )?helsingborg")
WANTS_MESSAGE = _words(
    r"meddelande", r"ring(?:a)? (?:upp )?mig", r"kontakta mig", r"hor av (?:er|dig)",
    r"aterkoppl", r"mejla mig", r"maila mig", r"na mig", r"ringer upp", r"ringa upp",
    r"lamna (?:ett|en)",
)
WANTS_PERSON = _words(
    r"manniska", r"person", r"kommunvagledare", r"handlaggare", r"personal", r"prata med",
    r"riktig", r"levande", r"koppla", r"agent",
)
_ACK_LEAD = re.compile(
    r"^(?:okej|ok|oki|okey|okay|tack|tackar|bra|toppen|perfekt|jaha|aha|ah|ja|jo|japp|fint"
    r"|super|kanon|utmarkt|jag forstar|da sa)\b"
)


_VOWELS = set("aeiouyåäöéü")


def is_gibberish(text: str) -> bool:
    """"ghjkl", "xcvb qwrt": keyboard mashing, every word without a vowel."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    return bool(words) and all(len(w) >= 3 and not (set(w) & _VOWELS) for w in words)


def is_shouting(text: str) -> bool:
    """MOSTLY CAPITALS over a dozen letters: an upset resident."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 12 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


def starts_with_question(text: str) -> bool:
    """"måste jag …", "kan ni …", "vad …": the message opens as a question."""
    return bool(_QUESTION_START.match(fold(text)))


_QUESTION_START = re.compile(
    r"^(?:vad|var|vart|nar|hur|vem|vilk\w*|varfor|kan|far|maste|behover|ar|har|finns|ska|"
    r"gar|blir)\b"
)


def starts_with_ack(text: str) -> bool:
    """"okej då kommer jag tidigare", "tack, då vet jag": an acknowledgement first."""
    return bool(_ACK_LEAD.match(fold(text)))


_CLAUSE_SPLIT = re.compile(r"[?!.;]+\s*|,\s+(?=(?:och|men|samt)\s)|\s+(?:och|samt|plus)\s+(?=\w)")
_QUESTION_CUE = _words(
    r"vad",
    r"var\b",
    r"vart",
    r"nar",
    r"hur",
    r"vilk",
    r"kan",
    r"har ni",
    r"ar ni",
    r"finns",
    r"oppet",
    r"adress",
    r"telefon",
    r"nummer",
)


def clauses(text: str) -> list[str]:
    """The message cut into clauses at sentence ends and at "och"/"samt" between questions."""
    parts = [p.strip() for p in _CLAUSE_SPLIT.split(fold(text))]
    return [p for p in parts if p]


def topics_in(clause: str) -> list[str]:
    """Answer keys named by keywords in one folded clause, in the order of TOPIC_PATTERNS."""
    found = [key for key, pattern in TOPIC_PATTERNS.items() if pattern.search(clause)]
    if "ask_privacy" in found and "ask_chat" in found:
        found.remove("ask_chat")  # "sparas chatten?" is about privacy, not the chat
    if "hid" in found:
        found = [k for k in found if k not in ("ask_address", "ask_opening_hours", "visit")]
    if "ask_phone" in found and "ask_opening_hours" in found:
        found.remove("ask_opening_hours")  # "har ni öppet så jag kan ringa?": the phone's hours
    if "visit" in found and ("ask_opening_hours" in found or "ask_address" in found):
        found.remove("visit")  # "har ni öppet om jag vill komma förbi?" asks for the hours
    return found


def hid_detail(clause: str) -> str:
    """Which HiD answer a clause asks for ("var ligger HiD?" -> hid_where)."""
    for key, pattern in HID_DETAIL:
        if pattern.search(clause):
            return key
    return "hid_what"


def topic_sequence(text: str) -> list[tuple[str, str]]:
    """(clause, topic) for every topic named, in message order.

    A clause without a keyword inherits the previous clause's topic when it only changes
    the day ("öppet måndag? och torsdag?") or refers back to it ("vad är hid och när blir
    det klart?").
    """
    sequence: list[tuple[str, str]] = []
    for clause in clauses(text):
        found = topics_in(clause)
        if sequence and sequence[-1][1] == "hid" and set(found) <= {
            "ask_opening_hours", "ask_address", "visit"
        } and found and _ANAPHORA.search(clause) and not _ABOUT_US.search(clause):
            found = ["hid"]  # "vad är hid? och när öppnar det?": "det" is HiD
        if not found and sequence:
            previous = sequence[-1][1]
            if previous in ("hid", "ask_opening_hours") and (
                _ANAPHORA.search(clause) or _QUESTION_CUE.match(clause) or _DAYISH.search(clause)
            ):
                found = [previous]
        sequence.extend((clause, topic) for topic in found)
    return sequence


_DAYISH = _words(
    r"mandag", r"tisdag", r"onsdag", r"torsdag", r"fredag", r"lordag", r"sondag", r"idag",
    r"imorgon", r"i morgon", r"overmorgon", r"helg", r"afton", r"dagen", r"kl\b", r"klockan",
    r"\d",
)


def refers_back(text: str) -> bool:
    """ "var ligger det?", "när öppnar det?": refers to something named earlier, not to us."""
    folded = fold(text)
    return bool(_ANAPHORA.search(folded)) and not _ABOUT_US.search(folded)


def has(pattern: re.Pattern[str], text: str) -> bool:
    return bool(pattern.search(fold(text)))


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def question_focus(text: str, max_words: int = 25) -> str:
    """The question inside a long message: the last sentences that ask something.

    A resident who writes a greeting and a story before the question is asking the last
    question; the story's words only blur the classification.
    """
    if word_count(text) <= max_words:
        return text
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]
    questions = [s for s in sentences if s.endswith("?") or _QUESTION_CUE.match(fold(s))]
    chosen = questions[-2:] if questions else sentences[-1:]
    focus = " ".join(chosen)
    return focus if focus else text
