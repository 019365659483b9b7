"""Fold and metric code of scripts/compare_pipelines.py on tiny synthetic data (no training)."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "compare_pipelines", ROOT / "scripts" / "compare_pipelines.py"
)
cp = importlib.util.module_from_spec(_spec)
sys.modules["compare_pipelines"] = cp
_spec.loader.exec_module(cp)

Prediction = cp.Prediction
FB = cp.FALLBACK_INTENT


def test_script_does_not_import_rasa_at_module_level() -> None:
    # Keeps this test fast and the fold/metric code usable without TensorFlow.
    source = (ROOT / "scripts" / "compare_pipelines.py").read_text(encoding="utf-8")
    top_level = [line for line in source.splitlines() if line.startswith(("import", "from"))]
    assert not [line for line in top_level if "rasa" in line]


def test_folds_are_stratified_disjoint_complete_and_repeatable() -> None:
    labels = ["greet"] * 10 + ["thank"] * 15 + ["ask_phone"] * 5
    folds = cp.make_folds(labels, n_splits=5)
    assert len(folds) == 5
    seen = []
    for train, test in folds:
        assert not set(train) & set(test)
        assert sorted(train + test) == list(range(len(labels)))
        counts = Counter(labels[i] for i in test)
        assert counts == {"greet": 2, "thank": 3, "ask_phone": 1}
        seen.extend(test)
    assert sorted(seen) == list(range(len(labels)))  # every example held out exactly once
    assert cp.make_folds(labels, n_splits=5) == folds  # fixed seed
    assert cp.make_folds(labels, n_splits=5, seed=7) != folds


def test_fallback_counts_as_wrong_but_not_in_top1() -> None:
    predictions = [
        Prediction("hej", "greet", "greet", [("greet", 0.9), ("thank", 0.1)]),
        Prediction("tack", "thank", FB, [("thank", 0.4), ("greet", 0.3)]),
        Prediction("tackar", "thank", "greet", [("greet", 0.8), ("thank", 0.2)]),
        Prediction("tack så mycket", "thank", "thank", [("thank", 0.95)]),
    ]
    result = cp.score(predictions)
    assert result["n"] == 4
    assert result["accuracy"] == pytest.approx(0.5)
    assert result["top1"] == pytest.approx(0.75)  # the fallback sentence ranked thank first
    assert result["fallback_rate"] == pytest.approx(0.25)
    assert result["wrong_intent_rate"] == pytest.approx(0.25)
    # greet: P=1/2, R=1 -> F1=2/3; thank: P=1, R=1/3 -> F1=1/2; nlu_fallback is no class.
    assert result["macro_f1"] == pytest.approx((2 / 3 + 1 / 2) / 2)


def test_score_refuses_empty_input() -> None:
    with pytest.raises(ValueError):
        cp.score([])


@pytest.mark.parametrize(
    ("ranking", "guarded", "threshold", "expected"),
    [
        ([("greet", 0.6), ("thank", 0.3)], False, 0.55, "greet"),
        ([("greet", 0.5), ("thank", 0.3)], False, 0.55, FB),  # below threshold
        ([("greet", 0.5), ("thank", 0.3)], False, 0.40, "greet"),
        ([("greet", 0.60), ("thank", 0.55)], False, 0.30, FB),  # ambiguous (gap < 0.08)
        ([("greet", 0.99)], True, 0.30, FB),  # InputGuard wins
        ([], False, 0.30, FB),
    ],
)
def test_decide_reproduces_the_fallback_rule(ranking, guarded, threshold, expected) -> None:
    prediction = Prediction("x", "greet", "?", ranking, guarded)
    assert cp.decide(prediction, threshold, ambiguity_threshold=0.08) == expected


def test_sweep_lowers_fallbacks_as_the_threshold_drops() -> None:
    predictions = [
        Prediction("a", "greet", FB, [("greet", 0.35), ("thank", 0.1)]),
        Prediction("b", "thank", FB, [("thank", 0.45), ("greet", 0.2)]),
        Prediction("c", "thank", "thank", [("thank", 0.9), ("greet", 0.05)]),
    ]
    result = cp.sweep(predictions, ambiguity_threshold=0.08, thresholds=(0.3, 0.4, 0.5))
    assert [round(r["accuracy"], 3) for r in result.values()] == [1.0, 0.667, 0.333]
    assert list(result) == ["0.30", "0.40", "0.50"]


def test_mean_std() -> None:
    assert cp.mean_std([0.8, 1.0]) == pytest.approx((0.9, 0.141421356))
    assert cp.mean_std([0.7]) == (0.7, 0.0)


def test_epochs_override_touches_only_components_with_epochs(tmp_path: Path) -> None:
    path = tmp_path / "variant.yml"
    path.write_text(yaml.safe_dump({"language": "sv", "pipeline": [
        {"name": "WhitespaceTokenizer"}, {"name": "DIETClassifier", "epochs": 60},
        {"name": "FallbackClassifier", "threshold": 0.55, "ambiguity_threshold": 0.08},
    ]}), encoding="utf-8")
    config = cp.load_variant(path, epochs_override=3)
    assert [c.get("epochs") for c in config["pipeline"]] == [None, 3, None]
    assert cp.load_variant(path, None)["pipeline"][1]["epochs"] == 60
    assert cp.fallback_settings(config) == (0.55, 0.08)


def test_variant_configs_share_language_and_fallback() -> None:
    paths = sorted((ROOT / "docs" / "pipelines").glob("*.yml"))
    assert len(paths) >= 4
    settings = set()
    for path in paths:
        config = cp.load_variant(path, None)
        assert config["language"] == "sv"
        assert config["recipe"] == "default.v1"
        assert "policies" not in config
        settings.add(cp.fallback_settings(config))
    assert len(settings) == 1, f"variants differ in fallback settings: {settings}"


def test_markdown_keeps_the_hand_written_conclusion(tmp_path: Path) -> None:
    fold = {"macro_f1": 0.9, "accuracy": 0.88, "top1": 0.95, "fallback_rate": 0.05,
            "wrong_intent_rate": 0.07, "train_seconds": 30.0, "ms_per_message": 9.0}
    sweep = {"0.30": {"accuracy": 0.9, "fallback_rate": 0.02, "wrong_intent_rate": 0.08}}
    results = {
        "meta": {"n_train": 10, "n_intents": 2, "data_fingerprint": "abc", "n_test": 4,
                 "folds": 2, "seed": 42, "fallback_settings": "threshold 0.55",
                 "machine": "2 CPU cores", "started": "2026-11-27 12:00",
                 "wall_minutes": 1.0, "command": "python scripts/compare_pipelines.py",
                 "epochs_override": None},
        "variants": [{"variant": "v1", "folds": [fold, fold], "heldout": {
            "accuracy": 0.96, "macro_f1": 0.95}, "cv_sweep": sweep, "heldout_sweep": sweep}],
    }
    doc = tmp_path / "cmp.md"
    assert "To be written" in cp.existing_conclusion(doc)
    doc.write_text(cp.render_markdown(results, "Choose v1."), encoding="utf-8")
    text = doc.read_text(encoding="utf-8")
    assert "| `v1` | 0.900 ± 0.000 | 0.880 ± 0.000 |" in text
    assert "0.960 |" in text
    assert cp.existing_conclusion(doc).strip() == "Choose v1."


def test_confusions_name_the_pairs_and_the_fallbacks() -> None:
    predictions = [
        Prediction("hej då", "goodbye", "goodbye"),
        Prediction("och på fredag då?", "ask_opening_hours", "goodbye"),
        Prediction("men på lördag då", "ask_opening_hours", "goodbye"),
        Prediction("vad är hid", "hid_what", "hid_purpose"),
        Prediction("👀", "affirm", FB),
        Prediction("okej", "affirm", FB),
    ]
    pairs, fallbacks = cp.confusions(predictions)
    assert pairs == [("ask_opening_hours", "goodbye", 2), ("hid_what", "hid_purpose", 1)]
    assert fallbacks == [("affirm", 2)]
    assert cp.confusions(predictions, top=1)[0] == [("ask_opening_hours", "goodbye", 2)]


def test_markdown_lists_confusions_per_variant() -> None:
    fold = {"macro_f1": 0.9, "accuracy": 0.88, "top1": 0.95, "fallback_rate": 0.05,
            "wrong_intent_rate": 0.07, "train_seconds": 30.0, "ms_per_message": 9.0}
    sweep = {"0.30": {"accuracy": 0.9, "fallback_rate": 0.02, "wrong_intent_rate": 0.08}}
    wrong = {"text": "vad är hid", "intent": "hid_what", "predicted": "hid_purpose",
             "ranking": [["hid_purpose", 0.7]], "guarded": False}
    results = {
        "meta": {"n_train": 10, "n_intents": 2, "data_fingerprint": "abc", "n_test": 4,
                 "folds": 2, "seed": 42, "fallback_settings": "threshold 0.55",
                 "machine": "2 CPU cores", "started": "2026-11-27 12:00",
                 "wall_minutes": 1.0, "command": "python scripts/compare_pipelines.py",
                 "epochs_override": None},
        "variants": [{"variant": "v1", "folds": [fold, fold], "heldout": {
            "accuracy": 0.96, "macro_f1": 0.95}, "cv_sweep": sweep, "heldout_sweep": sweep,
            "cv_predictions": [wrong, wrong]}],
    }
    assert "| `v1` | hid_what → hid_purpose 2 |  |" in cp.render_markdown(results, "x")
