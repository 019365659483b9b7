"""Held-out check of suggested phrasings against a trained Rasa model (Rasa glue).

``check`` runs the current model's NLU on each suggestion: would it be understood
today? ``check_after_retraining`` answers the issue's question, whether they would be
understood after retraining, honestly: two-fold, so no example is judged by a model
that saw it. It trains NLU-only models in a temporary directory (minutes on two
cores) and never touches the project's data or models.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kontaktcenter.insights.suggestions import Suggestion, SuggestionSet, to_yaml


@dataclass(frozen=True)
class CheckResult:
    suggestion: Suggestion
    predicted: str | None
    confidence: float

    def understood(self, threshold: float) -> bool:
        return self.predicted == self.suggestion.intent and self.confidence >= threshold


def check(model: Path, suggestions: list[Suggestion]) -> list[CheckResult]:
    """The model's intent and confidence for each suggestion (NLU only, no tracker)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse_all() -> list[CheckResult]:
        results = []
        for item in suggestions:
            parsed = await agent.parse_message(item.text)
            intent = parsed.get("intent") or {}
            results.append(CheckResult(item, intent.get("name"),
                                       float(intent.get("confidence") or 0.0)))
        return results

    return asyncio.run(parse_all())


def check_after_retraining(project: Path, suggestions: SuggestionSet,
                           generated: str) -> list[CheckResult]:
    """Two folds: train on the data plus one half, check the other half; and back."""
    items = suggestions.suggestions
    folds = [items[0::2], items[1::2]]
    results: list[CheckResult] = []
    with tempfile.TemporaryDirectory(prefix="kc-nlu-check-") as tmp:
        for index, held_out in enumerate(folds):
            if not held_out:
                continue
            extra = SuggestionSet(suggestions=folds[1 - index])
            work = Path(tmp) / f"fold{index}"
            model = _train(project, work, to_yaml(extra, generated))
            results.extend(check(model, held_out))
    return results


def _train(project: Path, work: Path, extra_yaml: str) -> Path:
    data = work / "data"
    shutil.copytree(project / "data" / "nlu", data / "nlu")
    (data / "nlu" / "zz_suggestions.yml").write_text(extra_yaml, encoding="utf-8")
    out = work / "models"
    command = [
        sys.executable, "-m", "rasa", "train", "nlu", "--quiet",
        "--config", str(project / "config.yml"), "--domain", str(project / "domain.yml"),
        "--nlu", str(data / "nlu"), "--out", str(out), "--fixed-model-name", "check",
    ]
    subprocess.run(command, check=True, cwd=project)  # noqa: S603 (our own interpreter)
    return out / "check.tar.gz"
