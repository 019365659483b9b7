"""rasa_addons.tf_predict: DIET's traced graph called directly gives Rasa's own answers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from tests.quality.test_nlu_heldout import ROOT, load_examples

MODEL = ROOT / "models" / "kontaktcenter.tar.gz"


def parse_all(agent, texts: list[str]) -> list[dict]:  # type: ignore[no-untyped-def]
    from rasa.core.channels import UserMessage

    async def run() -> list[dict]:
        return [await agent.processor.parse_message(UserMessage(t)) for t in texts]

    return asyncio.run(run())


def test_the_direct_call_gives_rasas_intents_and_confidences(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from rasa.core.agent import Agent
    from rasa.utils.tensorflow.models import RasaModel

    from rasa_addons import tf_predict

    assert MODEL.exists(), "modellen saknas: kör make models/kontaktcenter.tar.gz"
    texts = [t for _, t in load_examples(ROOT / "tests" / "nlu")][:120]
    texts += ["", "a" * 3000, "<b>hej</b>", "vad är HiD? och var ligger ni?"]
    agent = Agent.load(str(MODEL))
    theirs = parse_all(agent, texts)  # Rasa's path (tf.function dispatch)
    direct = {"calls": 0}
    real = tf_predict._matches

    def counting(specs, batch_in):  # type: ignore[no-untyped-def]
        matched = real(specs, batch_in)
        direct["calls"] += matched
        return matched

    monkeypatch.setattr(tf_predict, "_matches", counting)
    monkeypatch.setattr(RasaModel, "_rasa_predict", tf_predict._rasa_predict)
    ours = parse_all(agent, texts)
    assert direct["calls"] >= len(texts) - 1  # all but the call that finds the graph
    for a, b in zip(theirs, ours, strict=True):
        assert a["intent"]["name"] == b["intent"]["name"], a["text"]
        ranking_a = [(r["name"], r["confidence"]) for r in a["intent_ranking"]]
        ranking_b = [(r["name"], r["confidence"]) for r in b["intent_ranking"]]
        assert [n for n, _ in ranking_a] == [n for n, _ in ranking_b]
        assert np.allclose([c for _, c in ranking_a], [c for _, c in ranking_b], atol=1e-6)


def test_inputs_that_do_not_fit_the_signature_go_rasas_way() -> None:
    import tensorflow as tf

    from rasa_addons.tf_predict import _matches

    specs = [tf.TensorSpec([None, None, 5], tf.float32), tf.TensorSpec([None], tf.int64)]
    fits = [np.zeros((1, 3, 5), np.float32), np.zeros((2,), np.int64)]
    assert _matches(specs, fits)
    assert not _matches(specs, fits[:1])  # too few
    assert not _matches(specs, [np.zeros((1, 3, 6), np.float32), fits[1]])  # last dim
    assert not _matches(specs, [np.zeros((1, 3, 5), np.float64), fits[1]])  # dtype
    assert not _matches(specs, [np.zeros((3, 5), np.float32), fits[1]])  # rank
    assert not _matches(specs, [fits[0].tolist(), fits[1]])  # not an array
