"""Swedish date words, text folding and typo tolerance for the date parser.

Residents type without å/ä/ö ("oppet pa julafton"), in capitals, and with small typos
("fredga"). Matching therefore runs on a *folded* copy of the text (lower case,
å/ä→a, ö→o, é→e) whose characters map back to the original, so that reported spans
always point at what the resident actually wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from dateutil.parser import parserinfo

MONTH_NAMES = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
WEEKDAY_NAMES = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")

_FOLD_TABLE = str.maketrans(
    {"å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u", "æ": "a", "ø": "o"}
)


def fold(word: str) -> str:
    """Lower case without Swedish diacritics: the form every vocabulary entry is stored in."""
    return word.lower().translate(_FOLD_TABLE)


class SwedishParserInfo(parserinfo):
    """dateutil vocabulary for Swedish dates (day first, Swedish month and weekday names).

    Usable directly with ``dateutil.parser.parse(text, parserinfo=SwedishParserInfo())``;
    the date parser uses its ``month()`` and ``weekday()`` look-ups on folded words.
    """

    # dateutil's stubs declare these as instance attributes holding pairs; parserinfo
    # reads them once per class and accepts any number of names per entry.
    JUMP: ClassVar[list[str]] = [  # type: ignore[misc]
        " ",
        ".",
        ",",
        ";",
        "-",
        "/",
        "'",
        "den",
        "kl",
        "klockan",
        "på",
        "pa",
        "e",
        ":e",
    ]
    WEEKDAYS: ClassVar[list[tuple[str, ...]]] = [  # type: ignore[misc, assignment]
        ("mån", "måndag", "man", "mandag", "måndan", "mandan"),
        ("tis", "tisdag", "tisdan"),
        ("ons", "onsdag", "onsdan"),
        ("tors", "torsdag", "torsdan", "tor"),
        ("fre", "fredag", "fredan"),
        ("lör", "lördag", "lor", "lordag", "lördan", "lordan"),
        ("sön", "söndag", "son", "sondag", "söndan", "sondan"),
    ]
    MONTHS: ClassVar[list[tuple[str, ...]]] = [  # type: ignore[misc, assignment]
        ("jan", "januari"),
        ("feb", "februari", "febr"),
        ("mar", "mars"),
        ("apr", "april"),
        ("maj",),
        ("jun", "juni"),
        ("jul", "juli"),
        ("aug", "augusti"),
        ("sep", "sept", "september"),
        ("okt", "oktober"),
        ("nov", "november"),
        ("dec", "december"),
    ]
    HMS: ClassVar[list[tuple[str, ...]]] = [  # type: ignore[misc, assignment]
        ("t", "tim", "timme", "timmar"),
        ("m", "min", "minut", "minuter"),
        ("s", "sek"),
    ]
    AMPM: ClassVar[list[tuple[str, ...]]] = [  # type: ignore[misc, assignment]
        ("fm", "förmiddag"), ("em", "eftermiddag")
    ]
    PERTAIN: ClassVar[list[str]] = ["i"]  # type: ignore[misc]

    def __init__(self, dayfirst: bool = True, yearfirst: bool = False) -> None:
        super().__init__(dayfirst=dayfirst, yearfirst=yearfirst)


SWEDISH_INFO = SwedishParserInfo()

# Regex alternations over folded words, longest first so "september" beats "sep".
MONTH_PATTERN = "|".join(
    sorted({fold(n) for names in SwedishParserInfo.MONTHS for n in names}, key=len, reverse=True)
)
# Weekday names that are also ordinary words ("man", "son", "tor") are left out here;
# "mån."/"sön." with a full stop are accepted through WEEKDAY_ABBREVIATION_PATTERN.
_AMBIGUOUS_WEEKDAY_WORDS = {"man", "son", "tor", "mån", "sön"}
WEEKDAY_PATTERN = "|".join(
    sorted(
        {
            fold(n)
            for names in SwedishParserInfo.WEEKDAYS
            for n in names
            if n not in _AMBIGUOUS_WEEKDAY_WORDS
        },
        key=len,
        reverse=True,
    )
)
WEEKDAY_ABBREVIATION_PATTERN = r"(?:man|son)\."


def month_number(word: str) -> int | None:
    """1–12 for a (folded) Swedish month name or abbreviation."""
    return SWEDISH_INFO.month(word.rstrip("."))


def weekday_number(word: str) -> int | None:
    """0 (Monday) – 6 (Sunday) for a folded weekday name, also its colloquial forms."""
    word = word.rstrip(".")
    for suffix in ("en", "s"):  # "fredagen", "fredags"
        if word.endswith("ag" + suffix):
            word = word[: -len(suffix)]
    return SWEDISH_INFO.weekday(word)


_UNITS = (
    "",
    "forsta",
    "andra",
    "tredje",
    "fjarde",
    "femte",
    "sjatte",
    "sjunde",
    "attonde",
    "nionde",
)
_TEENS = (
    "tionde",
    "elfte",
    "tolfte",
    "trettonde",
    "fjortonde",
    "femtonde",
    "sextonde",
    "sjuttonde",
    "artonde",
    "nittonde",
)

ORDINAL_WORDS: dict[str, int] = {}
for _n, _w in enumerate(_UNITS[1:], start=1):
    ORDINAL_WORDS[_w] = _n
for _n, _w in enumerate(_TEENS, start=10):
    ORDINAL_WORDS[_w] = _n
ORDINAL_WORDS["tjugonde"] = 20
ORDINAL_WORDS["trettionde"] = 30
for _tens_word, _tens in (("tjugo", 20), ("tjugu", 20), ("trettio", 30)):
    for _n, _w in enumerate(_UNITS[1:], start=1):
        if _tens + _n <= 31:
            ORDINAL_WORDS[_tens_word + _w] = _tens + _n
ORDINAL_PATTERN = (
    r"(?:(?:tjugo|tjugu|trettio)[\s-]?(?:"
    + "|".join(_UNITS[1:])
    + r")|"
    + "|".join(
        sorted(
            (w for w in ORDINAL_WORDS if not w.startswith(("tjug", "trettio"))),
            key=len,
            reverse=True,
        )
    )
    + r"|tjugonde|trettionde)"
)


def ordinal_number(words: str) -> int | None:
    """1–31 for a folded ordinal such as "tjugofjarde" or "tjugo fjarde"."""
    return ORDINAL_WORDS.get(re.sub(r"[\s-]", "", words))


# Hour words for spoken times ("halv fem", "kvart över nio", "klockan tolv").
HOUR_WORDS = {
    "ett": 1,
    "en": 1,
    "tva": 2,
    "tre": 3,
    "fyra": 4,
    "fem": 5,
    "sex": 6,
    "sju": 7,
    "atta": 8,
    "nio": 9,
    "tio": 10,
    "elva": 11,
    "tolv": 12,
}
HOUR_WORD_PATTERN = "|".join(sorted((w for w in HOUR_WORDS if w != "en"), key=len, reverse=True))

# Small counts for "om två veckor", "för tre dagar sedan".
COUNT_WORDS = {**HOUR_WORDS, "fjorton": 14}
COUNT_PATTERN = r"\d{1,3}|" + "|".join(sorted(COUNT_WORDS, key=len, reverse=True))


def count_number(word: str) -> int:
    """The value of a digit string or a count word from COUNT_PATTERN."""
    return int(word) if word.isdigit() else COUNT_WORDS[word]


_SV_MONTHS_DISPLAY = MONTH_NAMES
_SV_WEEKDAYS_DISPLAY = WEEKDAY_NAMES


def swedish_date_text(day: date, with_year: bool = True) -> str:
    """A date as residents read it: "torsdag 24 december 2026"."""
    text = f"{_SV_WEEKDAYS_DISPLAY[day.weekday()]} {day.day} {_SV_MONTHS_DISPLAY[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text


# --- Typo tolerance -----------------------------------------------------------------

# Long words worth correcting; short ones ("maj", "jul") would match ordinary words.
_TYPO_TARGETS = (
    "mandag",
    "tisdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lordag",
    "sondag",
    "januari",
    "februari",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
    "julafton",
    "juldagen",
    "nyarsafton",
    "nyarsdagen",
    "midsommarafton",
    "midsommardagen",
    "paskafton",
    "paskdagen",
    "langfredagen",
    "skartorsdagen",
    "trettondagen",
    "trettondagsafton",
    "valborgsmassoafton",
    "nationaldagen",
    "himmelsfard",
    "overmorgon",
    "imorgon",
    "annandag",
    "klockan",
)
# Real words one edit away from a target, and inflections the patterns handle themselves.
_NOT_TYPOS = frozenset(
    {
        "mandat",
        "mandats",
        "klockar",
        "klockor",
        "klockas",
        "januaris",
        "imorse",
        "oktobers",
        "novembers",
        "decembers",
        "septembers",
        "augustis",
        "februaris",
        "torsdagar",
        "fredagar",
        "lordagar",
        "sondagar",
        "mandagar",
        "tisdagar",
        "onsdagar",
        "julaftons",
        "nyarsaftons",
        "tisdagen",
        "onsdagen",
        "torsdagen",
        "fredagen",
        "lordagen",
        "sondagen",
        "mandagen",
        "tisdags",
        "onsdags",
        "torsdags",
        "fredags",
        "lordags",
        "sondags",
        "mandags",
        "juldag",
        "nyarsdag",
        "paskdag",
        "langfredag",
        "skartorsdag",
        "trettondag",
        "nationaldag",
        "annandagen",
        "annandags",
    }
)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _build_typo_index() -> dict[str, str]:
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for target in _TYPO_TARGETS:
        for variant in _deletes(target) | {target}:
            if variant in index and index[variant] != target:
                ambiguous.add(variant)
            index[variant] = target
    for variant in ambiguous:
        del index[variant]
    return index


_TYPO_INDEX = _build_typo_index()
_TARGET_SET = frozenset(_TYPO_TARGETS)
_TYPO_CANDIDATE = re.compile(r"(?<![\w])[a-z]{6,20}(?![\w])")


def correct_typo(word: str) -> str | None:
    """The vocabulary word ``word`` is one edit away from, or None.

    One insertion, deletion, substitution or adjacent swap (a symmetric-delete look-up),
    never on the first letter, and only for words of six letters or more.
    """
    if word in _TARGET_SET or word in _NOT_TYPOS:
        return None
    candidates = {_TYPO_INDEX.get(word)} | {_TYPO_INDEX.get(v) for v in _deletes(word)}
    candidates.discard(None)
    candidates = {c for c in candidates if c is not None and c[0] == word[0]}
    return candidates.pop() if len(candidates) == 1 else None


@dataclass(frozen=True)
class FoldedText:
    """Folded, typo-corrected text plus the map back to offsets in the original."""

    text: str
    _origin: tuple[int, ...] | None
    _original_length: int

    def original_offset(self, index: int) -> int:
        """Offset in the original text of folded index ``index`` (may equal the length)."""
        if self._origin is None:
            return index
        return self._origin[index]


def fold_text(text: str) -> FoldedText:
    """Fold ``text`` for matching and correct long typo'd words, keeping an offset map."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters grow when lower-cased ("İ")
        lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    folded = lowered.translate(_FOLD_TABLE)
    replacements = []
    for match in _TYPO_CANDIDATE.finditer(folded):
        corrected = correct_typo(match.group())
        if corrected is not None:
            replacements.append((match.start(), match.end(), corrected))
    if not replacements:
        return FoldedText(folded, None, len(text))
    pieces: list[str] = []
    origin: list[int] = []
    position = 0
    for start, end, word in replacements:
        pieces.append(folded[position:start])
        origin.extend(range(position, start))
        pieces.append(word)
        origin.extend([start] * len(word))
        position = end
    pieces.append(folded[position:])
    origin.extend(range(position, len(folded) + 1))
    return FoldedText("".join(pieces), tuple(origin), len(text))
