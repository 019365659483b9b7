"""The trained model understands held-out Swedish sentences it never saw in training."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "kontaktcenter.tar.gz"
RESULTS = ROOT / "results"
MIN_ACCURACY = 0.95
MIN_PER_INTENT = 8


def load_examples(folder: Path) -> list[tuple[str, str]]:
    pairs = []
    for path in sorted(folder.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    pairs.append((block["intent"], line[2:].strip()))
    return pairs


def test_test_set_is_held_out_and_covers_every_intent() -> None:
    train = load_examples(ROOT / "data" / "nlu")
    test = load_examples(ROOT / "tests" / "nlu")
    train_texts = {t.lower() for _, t in train}
    leaked = [t for _, t in test if t.lower() in train_texts]
    assert not leaked, f"meningar i testmängden finns i träningsdata: {leaked}"
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    counts = Counter(intent for intent, _ in test)
    too_few = {i: counts[i] for i in domain["intents"] if counts[i] < MIN_PER_INTENT}
    assert not too_few, f"för få testmeningar per avsikt: {too_few}"


@pytest.fixture(scope="module")
def predictions() -> list[tuple[str, str, str]]:
    if not MODEL.exists():
        pytest.fail(f"Ingen tränad modell i {MODEL}: kör 'make test'.")
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    test = load_examples(ROOT / "tests" / "nlu")

    async def parse_all() -> list[tuple[str, str, str]]:
        out = []
        for intent, text in test:
            parsed = await agent.parse_message(text)
            out.append((intent, parsed["intent"]["name"], text))
        return out

    return asyncio.run(parse_all())


def test_heldout_intent_accuracy(predictions: list[tuple[str, str, str]]) -> None:
    errors = [(t, want, got) for want, got, t in predictions if want != got]
    accuracy = 1 - len(errors) / len(predictions)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "nlu_heldout.json").write_text(
        json.dumps({"accuracy": accuracy, "n": len(predictions), "errors": errors},
                   ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    print(f"\nNLU held-out accuracy {accuracy:.3f} on {len(predictions)} sentences")
    assert accuracy >= MIN_ACCURACY, (
        f"träffsäkerhet {accuracy:.3f} < {MIN_ACCURACY}; fel: {errors}"
    )
