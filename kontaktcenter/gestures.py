"""Gesture emoji that are answers, not noise: 👍 means yes, 🙏 thanks, 👎 no.

Why: residents often reply to a yes/no question with a thumbs-up alone. Such a message
has no words, so the input check would send it to the fallback ("I did not understand")
although its meaning is plain. A message made only of gestures with one shared meaning
gets that intent instead; anything else is left to the classifier and the input check.
"""

from __future__ import annotations

from kontaktcenter.input_check import clean_text

AFFIRM = "affirm"
DENY = "deny"
THANK = "thank"

GESTURE_INTENTS: dict[str, str] = {
    "👍": AFFIRM,  # thumbs up
    "👌": AFFIRM,  # OK hand
    "✅": AFFIRM,  # check mark button
    "✔": AFFIRM,  # heavy check mark
    "🆗": AFFIRM,  # OK button
    "👎": DENY,  # thumbs down
    "❌": DENY,  # cross mark
    "🙅": DENY,  # person gesturing no
    "🙏": THANK,  # folded hands
}

# Skin tones, variation selectors and the zero-width joiner change how a gesture looks,
# not what it means.
_MODIFIERS = frozenset(
    [chr(cp) for cp in range(0x1F3FB, 0x1F400)] + ["\ufe0e", "\ufe0f", "\u200d", "♀", "♂"]
)


def gesture_intent(text: str | None) -> str | None:
    """The intent of a message made only of gesture emoji (``"👍👍"`` -> affirm).

    None when the text has words, other symbols, or gestures that disagree (👍👎).
    """
    meanings = set()
    for ch in clean_text(text or ""):
        if ch.isspace() or ch in _MODIFIERS:
            continue
        meaning = GESTURE_INTENTS.get(ch)
        if meaning is None:
            return None
        meanings.add(meaning)
    return meanings.pop() if len(meanings) == 1 else None
