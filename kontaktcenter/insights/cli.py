"""``kontaktcenter stats`` and ``kontaktcenter nlu suggestions``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kontaktcenter import clock
from kontaktcenter.insights import report
from kontaktcenter.insights.config import default_config
from kontaktcenter.insights.missed import MissedQuestions
from kontaktcenter.insights.period import PRESETS, from_form
from kontaktcenter.insights.stats import compute
from kontaktcenter.insights.suggestions import build, to_yaml, training_examples
from kontaktcenter.records.cli import _guard as database_guard
from kontaktcenter.records.masking import masker_from_facts
from kontaktcenter.settings import get_settings


@database_guard
def _stats(args: argparse.Namespace) -> int:
    period = from_form(args.period, args.date_from, args.date_to)
    stats = compute(period, args.url)
    if args.json:
        sys.stdout.write(report.to_json(stats))
    elif args.csv:
        sys.stdout.write(report.to_csv(stats))
    else:
        sys.stdout.write(report.to_text(stats))
    return 0


@database_guard
def _suggestions(args: argparse.Namespace) -> int:
    settings = get_settings()
    root = settings.root
    accepted = MissedQuestions(args.url).accepted()
    result = build(accepted, masker_from_facts(), training_examples(root / "data" / "nlu"))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_yaml(result, clock.now().strftime("%Y-%m-%d %H.%M")), encoding="utf-8")
    print(f"Skrev {len(result.suggestions)} förslag till {out}.")
    if result.skipped_personal:
        print(f"{result.skipped_personal} utelämnade: innehöll personuppgifter (maskerade).")
    if result.skipped_known:
        print(f"{result.skipped_known} utelämnade: finns redan i träningsdata eller dubbletter.")
    if not (args.check or args.retrain) or not result.suggestions:
        return 0
    from rasa_addons import nlu_check

    threshold = default_config().missed_confidence_threshold
    if args.retrain:
        print("Tränar om NLU två gånger i en tillfällig katalog (tar några minuter)…")
        results = nlu_check.check_after_retraining(root, result, clock.now().isoformat())
        heading = "Efter omträning (tvåfaldig korsvalidering, varje förslag hålls utanför):"
    else:
        model = Path(args.model)
        if not model.exists():
            raise ValueError(f"Modellen {model} finns inte. Träna först eller ange --model.")
        results = nlu_check.check(model, result.suggestions)
        heading = f"Med nuvarande modell ({model.name}):"
    print(heading)
    understood = 0
    for item in results:
        ok = item.understood(threshold)
        understood += ok
        mark = "förstås" if ok else "förstås inte"
        print(f"  [{mark}] {item.suggestion.intent}: {item.suggestion.text!r} "
              f"-> {item.predicted} ({item.confidence:.2f})")
    print(f"{understood} av {len(results)} förstås (gräns {threshold:.2f}).")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``stats`` and ``nlu`` to the top-level parser."""
    p = sub.add_parser("stats", help="statistik över chatten för en period")
    p.add_argument("--url", help="SQLAlchemy-URL (standard: KC_DATABASE_URL)")
    p.add_argument("--from", dest="date_from", metavar="DATUM", help="från ÅÅÅÅ-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATUM", help="till ÅÅÅÅ-MM-DD")
    p.add_argument("--period", choices=sorted(PRESETS), help="namngiven period i stället för datum")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="JSON för skript")
    form.add_argument("--csv", action="store_true", help="CSV för kalkylblad")
    p.set_defaults(func=_stats)

    nlu = sub.add_parser("nlu", help="förbättra botten utifrån obesvarade frågor")
    nlu.add_argument("--url", help="SQLAlchemy-URL (standard: KC_DATABASE_URL)")
    cmd = nlu.add_subparsers(dest="nlu_command", required=True)
    s = cmd.add_parser("suggestions", help="skriv godkända formuleringar som Rasa NLU-YAML")
    s.add_argument("--out", default="var/nlu_suggestions.yml", help="fil att skriva")
    s.add_argument("--check", action="store_true",
                   help="kontrollera förslagen mot nuvarande modell")
    s.add_argument("--model", default="models/kontaktcenter.tar.gz", help="modell för --check")
    s.add_argument("--retrain", action="store_true",
                   help="träna om i en tillfällig katalog och kontrollera utanförhållna förslag")
    s.set_defaults(func=_suggestions)
