"""Compare NLU pipeline variants on the same stratified cross-validation folds.

Why: the pipeline in config.yml must be chosen by evidence (issue 2). Every variant in
docs/pipelines/*.yml is trained on the train part of each fold and scored on the held-out
part (intent accuracy and macro-F1 with ``nlu_fallback`` counted as wrong, top-1 accuracy
ignoring the fallback, training time). Each variant's final model, trained on all of
data/nlu, is also scored on the separate test set tests/nlu (reported only, never tuned on).

Run from the repository root (CPU is shared, so be nice)::

    RASA_TELEMETRY_ENABLED=false nice -n 10 .venv/bin/python scripts/compare_pipelines.py

Writes docs/pipeline-comparison.md (tables; the conclusion section between the
``conclusion`` markers is kept) and the raw results/pipeline-comparison.json.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
VARIANTS_DIR = ROOT / "docs" / "pipelines"
DOC_PATH = ROOT / "docs" / "pipeline-comparison.md"
JSON_PATH = ROOT / "results" / "pipeline-comparison.json"
TRAIN_DATA = ROOT / "data" / "nlu"
TEST_DATA = ROOT / "tests" / "nlu"

SEED = 42
FALLBACK_INTENT = "nlu_fallback"
SWEEP_THRESHOLDS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.7)
CONCLUSION_START = "<!-- conclusion:start -->"
CONCLUSION_END = "<!-- conclusion:end -->"

Ranking = list[tuple[str, float]]


@dataclass
class Prediction:
    """One parsed sentence: what was expected, what the pipeline answered, and why."""

    text: str
    intent: str
    predicted: str
    ranking: Ranking = field(default_factory=list)  # real intents only, best first
    guarded: bool = False  # InputGuard forced the fallback (empty, emoji, too long)


# --------------------------------------------------------------------------- folds


def make_folds(
    labels: Sequence[str], n_splits: int, seed: int = SEED
) -> list[tuple[list[int], list[int]]]:
    """Stratified (by intent) train/test index lists; a fixed seed makes them repeatable."""
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    placeholder = [[0]] * len(labels)
    return [
        (sorted(int(i) for i in train), sorted(int(i) for i in test))
        for train, test in splitter.split(placeholder, list(labels))
    ]


# ------------------------------------------------------------------------- metrics


def top_intent(prediction: Prediction) -> str | None:
    """Best real intent, ignoring the fallback decision."""
    return prediction.ranking[0][0] if prediction.ranking else None


def decide(
    prediction: Prediction, threshold: float, ambiguity_threshold: float
) -> str:
    """Re-run the FallbackClassifier rule with another threshold on the stored ranking."""
    if prediction.guarded or not prediction.ranking:
        return FALLBACK_INTENT
    best_name, best = prediction.ranking[0]
    if best < threshold:
        return FALLBACK_INTENT
    if len(prediction.ranking) > 1 and best - prediction.ranking[1][1] < ambiguity_threshold:
        return FALLBACK_INTENT
    return best_name


def score(predictions: Sequence[Prediction]) -> dict[str, float]:
    """Accuracy and macro-F1 (fallback = wrong answer), top-1, fallback and error rates.

    Macro-F1 averages over the intents present in ``predictions``; ``nlu_fallback`` is
    not a class of its own, it only costs recall of the intent that was meant.
    """
    if not predictions:
        raise ValueError("no predictions to score")
    y_true = [p.intent for p in predictions]
    y_pred = [p.predicted for p in predictions]
    labels = sorted(set(y_true))
    n = len(predictions)
    fallbacks = sum(p == FALLBACK_INTENT for p in y_pred)
    wrong = sum(t != p and p != FALLBACK_INTENT for t, p in zip(y_true, y_pred, strict=True))
    return {
        "n": n,
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "top1": sum(top_intent(p) == p.intent for p in predictions) / n,
        "fallback_rate": fallbacks / n,
        "wrong_intent_rate": wrong / n,
    }


def confusions(
    predictions: Sequence[Prediction], top: int = 10
) -> tuple[list[tuple[str, str, int]], list[tuple[str, int]]]:
    """The most frequent (meant, answered) wrong pairs, and fallbacks per meant intent.

    Why: the data is fixed where cross-validation confuses intents, so the report
    names the pairs instead of only a score.
    """
    pairs = Counter(
        (p.intent, p.predicted) for p in predictions
        if p.predicted not in (p.intent, FALLBACK_INTENT)
    )
    fallbacks = Counter(p.intent for p in predictions if p.predicted == FALLBACK_INTENT)
    return ([(meant, answered, n) for (meant, answered), n in pairs.most_common(top)],
            fallbacks.most_common(top))


def sweep(
    predictions: Sequence[Prediction],
    ambiguity_threshold: float,
    thresholds: Sequence[float] = SWEEP_THRESHOLDS,
) -> dict[str, dict[str, float]]:
    """Scores for other fallback thresholds, computed from the stored intent rankings."""
    out = {}
    for threshold in thresholds:
        rescored = [
            Prediction(p.text, p.intent, decide(p, threshold, ambiguity_threshold),
                       p.ranking, p.guarded)
            for p in predictions
        ]
        out[f"{threshold:.2f}"] = score(rescored)
    return out


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    values = list(values)
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


# ------------------------------------------------------------------ config helpers


def load_variant(path: Path, epochs_override: int | None) -> dict[str, Any]:
    """Read a variant config, optionally forcing every ``epochs`` (smoke tests only)."""
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    if epochs_override is not None:
        for component in config.get("pipeline", []):
            if "epochs" in component:
                component["epochs"] = epochs_override
    return config


def fallback_settings(config: dict[str, Any]) -> tuple[float, float]:
    """Threshold and ambiguity threshold of the variant's FallbackClassifier."""
    for component in config.get("pipeline", []):
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3)), float(
                component.get("ambiguity_threshold", 0.1)
            )
    return 0.0, 0.0


# ----------------------------------------------------------------- rasa (lazy import)


def prepare_environment() -> None:
    """Quiet, cache-free Rasa: the training cache would share work between variants and
    make their training times incomparable."""
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["RASA_MAX_CACHE_SIZE"] = "0"
    os.chdir(ROOT)  # the spaCy model path in the configs is relative to the repo root
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # custom components: rasa_addons.*
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # otherwise every parse is logged at debug level
    for name in ("rasa", "tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.WARNING)


def load_examples(folder: Path) -> list[Any]:
    """Intent examples (rasa Messages) from every NLU file in ``folder``, in file order."""
    from rasa.shared.nlu.training_data.loading import load_data

    return list(load_data(str(folder)).intent_examples)


def write_training_yaml(examples: Sequence[Any], path: Path) -> None:
    from rasa.shared.nlu.training_data.training_data import TrainingData

    path.write_text(TrainingData(training_examples=list(examples)).nlu_as_yaml(),
                    encoding="utf-8")


def train(config: dict[str, Any], examples: Sequence[Any], workdir: Path) -> tuple[str, float]:
    """Train an NLU model; returns its path and the wall-clock training seconds."""
    from rasa.model_training import train_nlu

    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "config.yml"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    data_path = workdir / "nlu.yml"
    write_training_yaml(examples, data_path)
    started = time.perf_counter()
    model = train_nlu(config=str(config_path), nlu_data=str(data_path),
                      output=str(workdir), fixed_model_name="model")
    seconds = time.perf_counter() - started
    if not model:
        raise RuntimeError(f"training failed in {workdir}")
    return model, seconds


def evaluate(model_path: str, examples: Sequence[Any]) -> tuple[list[Prediction], float]:
    """Parse every example with the trained model; returns predictions and ms/message."""
    from rasa.core.agent import Agent

    from kontaktcenter.input_check import input_problem

    agent = Agent.load(model_path)

    async def parse_all() -> list[Prediction]:
        out = []
        for message in examples:
            text = message.get("text")
            parsed = await agent.parse_message(text)
            ranking = [
                (r["name"], float(r["confidence"]))
                for r in parsed.get("intent_ranking", [])
                if r["name"] != FALLBACK_INTENT
            ]
            out.append(Prediction(text=text, intent=message.get("intent"),
                                  predicted=parsed["intent"]["name"], ranking=ranking,
                                  guarded=input_problem(text) is not None))
        return out

    started = time.perf_counter()
    predictions = asyncio.run(parse_all())
    ms_per_message = 1000 * (time.perf_counter() - started) / max(len(examples), 1)
    return predictions, ms_per_message


# ------------------------------------------------------------------------- running


def data_fingerprint(examples: Sequence[Any]) -> str:
    joined = "\n".join(f"{m.get('intent')}\t{m.get('text')}" for m in examples)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def run_variant(
    path: Path,
    train_examples: Sequence[Any],
    test_examples: Sequence[Any],
    folds: Sequence[tuple[list[int], list[int]]],
    epochs_override: int | None,
    workroot: Path,
) -> dict[str, Any]:
    """Cross-validate one variant, then train it on everything and score tests/nlu."""
    config = load_variant(path, epochs_override)
    threshold, ambiguity = fallback_settings(config)
    fold_results, cv_predictions = [], []
    for index, (train_idx, test_idx) in enumerate(folds):
        model, seconds = train(config, [train_examples[i] for i in train_idx],
                               workroot / path.stem / f"fold{index}")
        predictions, ms = evaluate(model, [train_examples[i] for i in test_idx])
        shutil.rmtree(workroot / path.stem / f"fold{index}", ignore_errors=True)
        fold_results.append({"fold": index, "train_seconds": seconds,
                             "ms_per_message": ms, **score(predictions)})
        cv_predictions.extend(predictions)
        print(f"[{path.stem}] fold {index + 1}/{len(folds)}: "
              f"acc {fold_results[-1]['accuracy']:.3f} "
              f"F1 {fold_results[-1]['macro_f1']:.3f} train {seconds:.0f}s", flush=True)
    model, seconds = train(config, train_examples, workroot / path.stem / "final")
    test_predictions, ms = evaluate(model, test_examples)
    heldout = {"train_seconds": seconds, "ms_per_message": ms, **score(test_predictions)}
    print(f"[{path.stem}] held-out tests/nlu: acc {heldout['accuracy']:.3f}", flush=True)
    return {
        "variant": path.stem,
        "config": str(path.relative_to(ROOT)),
        "fallback_threshold": threshold,
        "ambiguity_threshold": ambiguity,
        "folds": fold_results,
        "cv_sweep": sweep(cv_predictions, ambiguity),
        "heldout": heldout,
        "heldout_sweep": sweep(test_predictions, ambiguity),
        "heldout_errors": [
            {"text": p.text, "intent": p.intent, "predicted": p.predicted,
             "top": p.ranking[:2]}
            for p in test_predictions if p.predicted != p.intent
        ],
        "cv_predictions": [asdict(p) for p in cv_predictions],
    }


def summarise(variant: dict[str, Any]) -> dict[str, Any]:
    """Fold means ± sample std for the table."""
    folds = variant["folds"]
    row = {"variant": variant["variant"]}
    for key in ("macro_f1", "accuracy", "top1", "fallback_rate", "wrong_intent_rate",
                "train_seconds", "ms_per_message"):
        row[key] = mean_std([f[key] for f in folds])
    row["heldout_accuracy"] = variant["heldout"]["accuracy"]
    row["heldout_macro_f1"] = variant["heldout"]["macro_f1"]
    return row


# -------------------------------------------------------------------------- report


def _pm(value: tuple[float, float], digits: int = 3) -> str:
    return f"{value[0]:.{digits}f} ± {value[1]:.{digits}f}"


def render_markdown(results: dict[str, Any], conclusion: str) -> str:
    """The comparison document; ``conclusion`` is the hand-written verdict kept across runs."""
    meta = results["meta"]
    rows = [summarise(v) for v in results["variants"]]
    lines = [
        "# NLU pipeline comparison",
        "",
        "Generated by `scripts/compare_pipelines.py` (issues 2 and 10). Each variant in",
        "[`docs/pipelines/`](pipelines/) is trained on the train part of every fold and",
        "scored on the held-out part. `nlu_fallback` counts as a wrong answer in accuracy",
        "and macro-F1; *top-1* is the best real intent, ignoring the fallback decision.",
        "The last column is each variant's final model (trained on all of `data/nlu`)",
        "scored on the separate test set `tests/nlu` (report only, never tuned on).",
        "",
        f"- Data: {meta['n_train']} training examples, {meta['n_intents']} intents"
        f" (fingerprint `{meta['data_fingerprint']}`); test set {meta['n_test']} sentences.",
        f"- Folds: {meta['folds']}-fold `StratifiedKFold(shuffle=True,"
        f" random_state={meta['seed']})` by intent, the same folds for every variant.",
        f"- Fallback: every variant uses the FallbackClassifier of its config"
        f" ({meta['fallback_settings']}).",
        f"- Machine: {meta['machine']}; run {meta['started']}, {meta['wall_minutes']:.0f} min"
        " in total.",
    ]
    if meta.get("epochs_override") is not None:
        lines.append(f"- **Smoke run:** epochs forced to {meta['epochs_override']};"
                     " numbers are not meaningful.")
    lines += [
        "",
        "Reproduce:",
        "",
        "```sh",
        meta["command"],
        "```",
        "",
        "## Cross-validation (mean ± std over folds) and held-out test",
        "",
        "| Variant | Intent macro-F1 | Accuracy | Top-1 (no fallback) | Fallback rate"
        " | Training s/fold | ms/message | Held-out accuracy |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| `{r['variant']}` | {_pm(r['macro_f1'])} | {_pm(r['accuracy'])}"
            f" | {_pm(r['top1'])} | {_pm(r['fallback_rate'])}"
            f" | {_pm(r['train_seconds'], 0)} | {r['ms_per_message'][0]:.1f}"
            f" | {r['heldout_accuracy']:.3f} |"
        )
    lines += [
        "",
        "## Fallback threshold sweep",
        "",
        "Recomputed from the stored intent rankings (same rule as the FallbackClassifier,",
        "ambiguity threshold unchanged). *acc* = accuracy, *fb* = share answered with",
        "`nlu_fallback`, *wrong* = share confidently answered with a wrong intent (the",
        "costly error: the resident gets a wrong answer instead of a question back).",
        "",
    ]
    thresholds = list(results["variants"][0]["cv_sweep"]) if results["variants"] else []
    header = "| Variant | Data | " + " | ".join(f"t={t}" for t in thresholds) + " |"
    lines += [header, "|---|---|" + "---|" * len(thresholds)]
    for v in results["variants"]:
        for label, key in (("CV", "cv_sweep"), ("held-out", "heldout_sweep")):
            cells = [
                f"acc {s['accuracy']:.3f} / fb {s['fallback_rate']:.3f}"
                f" / wrong {s['wrong_intent_rate']:.3f}"
                for s in v[key].values()
            ]
            lines.append(f"| `{v['variant']}` | {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Where cross-validation confuses intents",
        "",
        "The most frequent wrong answers over all folds (meant → answered, count), and",
        "the intents most often sent to the fallback.",
        "",
        "| Variant | Confusions | Fallbacks |",
        "|---|---|---|",
    ]
    for v in results["variants"]:
        pairs, fallbacks = confusions([Prediction(**p) for p in v.get("cv_predictions", [])])
        lines.append(
            f"| `{v['variant']}` | "
            + ", ".join(f"{a} → {b} {n}" for a, b, n in pairs)
            + " | " + ", ".join(f"{a} {n}" for a, n in fallbacks) + " |"
        )
    lines += ["", "## Conclusion", "", CONCLUSION_START, conclusion.strip(), CONCLUSION_END, ""]
    return "\n".join(lines)


def existing_conclusion(path: Path) -> str:
    """The hand-written conclusion of an earlier run, so regenerating keeps it."""
    if not path.exists():
        return "_To be written after the full run._"
    text = path.read_text(encoding="utf-8")
    if CONCLUSION_START in text and CONCLUSION_END in text:
        return text.split(CONCLUSION_START, 1)[1].split(CONCLUSION_END, 1)[0]
    return "_To be written after the full run._"


# ---------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--variants", nargs="*", type=Path,
                        help="variant configs (default: docs/pipelines/*.yml)")
    parser.add_argument("--epochs-override", type=int, default=None,
                        help="force DIET epochs (smoke tests only)")
    parser.add_argument("--doc", type=Path, default=DOC_PATH)
    parser.add_argument("--json", type=Path, default=JSON_PATH)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    variants = [p.resolve() for p in (args.variants or sorted(VARIANTS_DIR.glob("*.yml")))]
    missing = [str(p) for p in variants if not p.exists()]
    if missing or not variants:
        print(f"Variant configs not found: {missing or VARIANTS_DIR}", file=sys.stderr)
        return 2
    prepare_environment()
    started = time.monotonic()
    train_examples = load_examples(TRAIN_DATA)
    test_examples = load_examples(TEST_DATA)
    labels = [m.get("intent") for m in train_examples]
    folds = make_folds(labels, args.folds)
    command = "RASA_TELEMETRY_ENABLED=false nice -n 10 .venv/bin/python " \
              "scripts/compare_pipelines.py" + (f" --folds {args.folds}" if args.folds != 5
                                                else "")
    if args.variants:
        command += " --variants " + " ".join(str(p.relative_to(ROOT)) for p in variants)
    if args.epochs_override is not None:
        command += f" --epochs-override {args.epochs_override}"
    results: dict[str, Any] = {"meta": {
        "folds": args.folds, "seed": SEED, "epochs_override": args.epochs_override,
        "n_train": len(train_examples), "n_test": len(test_examples),
        "n_intents": len(set(labels)), "data_fingerprint": data_fingerprint(train_examples),
        "machine": f"{os.cpu_count()} CPU cores, {platform.system()} {platform.machine()},"
                   f" Python {platform.python_version()}",
        "started": time.strftime("%Y-%m-%d %H:%M", time.localtime()),  # wall clock, not monotonic
        "command": command, "fallback_settings": "", "wall_minutes": 0.0,
        "fold_sizes": [len(test) for _, test in folds],
    }, "variants": []}
    settings = set()
    with tempfile.TemporaryDirectory(prefix="compare-pipelines-") as tmp:
        for path in variants:
            variant = run_variant(path, train_examples, test_examples, folds,
                                  args.epochs_override, Path(tmp))
            settings.add((variant["fallback_threshold"], variant["ambiguity_threshold"]))
            results["variants"].append(variant)
            results["meta"]["wall_minutes"] = (time.monotonic() - started) / 60
            results["meta"]["fallback_settings"] = "; ".join(
                f"threshold {t}, ambiguity_threshold {a}" for t, a in sorted(settings))
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1),
                                 encoding="utf-8")
            args.doc.write_text(render_markdown(results, existing_conclusion(args.doc)),
                                encoding="utf-8")
    print(f"Wrote {args.doc} and {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
