"""Accepted missed questions as a Rasa NLU YAML file for a developer to review.

Never touches the training data itself. Defence in depth on personal data: the texts
are already the register's masked copies, they are masked once more here, and any
example that held an identifier (or a mask) is left out rather than half-kept: a
training example with "[telefonnummer borttaget]" teaches the model nothing good.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kontaktcenter.insights.missed import MissedMessage
from kontaktcenter.records.masking import EMAIL_MASK, PHONE_MASK, PNR_MASK, Masker

MASKS = (PNR_MASK, PHONE_MASK, EMAIL_MASK)
# Rasa reads [text](entity) and {"entity": …} inside examples; residents' brackets go.
_MARKUP = re.compile(r"[\[\]{}()]")


@dataclass(frozen=True)
class Suggestion:
    intent: str
    text: str
    diarienummer: str


@dataclass
class SuggestionSet:
    suggestions: list[Suggestion] = field(default_factory=list)
    skipped_personal: int = 0
    skipped_known: int = 0

    def by_intent(self) -> dict[str, list[Suggestion]]:
        result: dict[str, list[Suggestion]] = {}
        for item in self.suggestions:
            result.setdefault(item.intent, []).append(item)
        return dict(sorted(result.items()))


def domain_intents(domain_path: Path) -> set[str]:
    """Intent names in domain.yml (for the console's choice and validation)."""
    data = yaml.safe_load(Path(domain_path).read_text(encoding="utf-8")) or {}
    names = set()
    for entry in data.get("intents") or []:
        if isinstance(entry, str):
            names.add(entry)
        elif isinstance(entry, dict):
            names.update(str(k) for k in entry)
    return names


def training_examples(nlu_dir: Path) -> set[str]:
    """Case-folded examples already in the training data (so they are not suggested)."""
    known: set[str] = set()
    for path in sorted(Path(nlu_dir).rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            examples = block.get("examples") if isinstance(block, dict) else None
            for line in str(examples or "").splitlines():
                text = line.strip()
                if text.startswith("- "):
                    known.add(_normalise(text[2:]))
    return known


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def build(accepted: Iterable[MissedMessage], masker: Masker,
          known: set[str] | None = None) -> SuggestionSet:
    """Clean, masked, de-duplicated suggestions from the accepted messages."""
    result = SuggestionSet()
    seen = set(known or ())
    for message in accepted:
        if not message.decided_intent:
            continue
        masked = masker.mask(message.text)
        if masked.changed or any(mask in masked.text for mask in MASKS):
            result.skipped_personal += 1
            continue
        text = " ".join(_MARKUP.sub(" ", masked.text).split())
        if not text:
            continue
        key = _normalise(text)
        if key in seen:
            result.skipped_known += 1
            continue
        seen.add(key)
        result.suggestions.append(Suggestion(message.decided_intent, text, message.diarienummer))
    return result


def to_yaml(suggestions: SuggestionSet, generated: str) -> str:
    """Rasa 3 NLU YAML; examples quoted safely, one per line."""
    lines = [
        "# Förslag på nya formuleringar från \"Obesvarade frågor\" i personalkonsolen.",
        f"# Skapad {generated} av 'kontaktcenter nlu suggestions'. Granska varje rad och",
        "# flytta de bra till data/nlu/<ämne>.yml; filen ändrar ingen träningsdata själv.",
        'version: "3.1"',
        "nlu:",
    ]
    for intent, items in suggestions.by_intent().items():
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {item.text}" for item in items)
    if not suggestions.suggestions:
        lines[-1] = "nlu: []"
    text = "\n".join(lines) + "\n"
    yaml.safe_load(text)  # never hand over a file Rasa cannot read
    return text
