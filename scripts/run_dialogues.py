"""Run the dialogue set (tests/dialogues/*.yml) against any running instance.

Why: the same yardstick as the test suite, but for a deployed bot at the real clock
(or at ``KC_NOW`` when the instance was started with it: set the same value here).
Every dialogue runs once with a fresh sender over the REST channel; expectations are
computed at the clock of each turn. Prints the score, the score by kind and every miss;
exits 1 below ``--min-score``.

    .venv/bin/python scripts/run_dialogues.py --url http://127.0.0.1:5005 --token "$KC_RASA_TOKEN"
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kontaktcenter import clock  # noqa: E402
from tests.dialogues.expectations import Truth  # noqa: E402
from tests.dialogues.harness import (  # noqa: E402
    DIALOGUE_DIR,
    KINDS,
    PASS_RATE,
    Report,
    RestChannel,
    load_dialogues,
    run_set,
)


def http_url(value: str) -> str:
    """Only http(s) URLs: urllib would also open file: and custom schemes."""
    if urllib.parse.urlsplit(value).scheme not in ("http", "https"):
        raise argparse.ArgumentTypeError(f"{value!r} är ingen http(s)-adress")
    return value.rstrip("/")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, type=http_url,
                        help="the Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("--token", default="", help="Rasa HTTP API token: checks /status first")
    parser.add_argument("--dir", type=Path, default=DIALOGUE_DIR,
                        help="folder of dialogue *.yml, or one file")
    parser.add_argument("--config-dir", type=Path, default=ROOT / "config",
                        help="contact.yml and opening_hours.yml of the instance")
    parser.add_argument("--database-url", default=None,
                        help="the instance's database, to include staff hour exceptions")
    parser.add_argument("--kind", action="append", choices=KINDS, help="only these kinds")
    parser.add_argument("--min-score", type=float, default=PASS_RATE)
    parser.add_argument("--report", type=Path, default=None, help="also write the report here")
    return parser.parse_args(argv)


def check_status(url: str, token: str) -> str:
    """The model file the instance serves; raises SystemExit with a clear message."""
    status_url = f"{http_url(url)}/status?" + urllib.parse.urlencode({"token": token})
    try:
        with urllib.request.urlopen(status_url, timeout=30) as response:  # noqa: S310 (http_url)
            return str(json.loads(response.read()).get("model_file", ""))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        message = f"{url}/status svarade inte ({exc}); kontrollera --url och --token"
        raise SystemExit(message) from exc


def truth_for(args: argparse.Namespace) -> Truth:
    truth = Truth.from_config(args.config_dir)
    if args.database_url is None:
        return truth
    from kontaktcenter.calendar import build_calendar_service, load_hours_config

    hours = load_hours_config(args.config_dir / "opening_hours.yml")
    service = build_calendar_service(args.database_url, config=hours)
    return Truth(truth.facts, service.calendar)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.token:
        print(f"model: {check_status(args.url, args.token)}")
    dialogues = load_dialogues(args.dir)
    if args.kind:
        dialogues = [d for d in dialogues if d.kind in args.kind]
    report = Report()
    label = "KC_NOW" if os.environ.get(clock.ENV_VAR) else "real"
    report.extend(run_set(dialogues, RestChannel(args.url), clock.now, truth_for(args), label,
                          respect_pins=False))
    text = report.format()
    print(text)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
    return 0 if report.score >= args.min_score else 1


if __name__ == "__main__":
    sys.exit(main())
