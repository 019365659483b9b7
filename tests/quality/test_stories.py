"""End-to-end test stories: the user's words through NLU and the dialogue policies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.stack import OPEN_THURSDAY

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "kontaktcenter.tar.gz"


def test_every_test_story_passes(tmp_path: Path) -> None:
    if not MODEL.exists():
        pytest.fail(f"Ingen tränad modell i {MODEL}: kör 'make test'.")
    out = ROOT / "results" / "stories"
    # The date extractor runs inside: an explicit clock keeps every run alike.
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2",
               KC_NOW=OPEN_THURSDAY)
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "rasa"), "test", "core", "--stories", "tests/stories",
         "--e2e", "--model", str(MODEL), "--out", str(out), "--no-plot"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    report = json.loads((out / "story_report.json").read_text(encoding="utf-8"))
    failed = (out / "failed_test_stories.yml").read_text(encoding="utf-8")
    accuracy = report["conversation_accuracy"]["accuracy"]
    print(f"\nconversation accuracy {accuracy} ({report['conversation_accuracy']})")
    assert accuracy == 1.0, f"misslyckade teststories:\n{failed}"
