"""`kontaktcenter nlu suggestions --check`: the trained model judges accepted phrasings."""

from __future__ import annotations

from pathlib import Path

import pytest

from kontaktcenter.cli import main
from kontaktcenter.db.migrate import upgrade
from tests.unit.test_insights_missed import _accepted

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "kontaktcenter.tar.gz"


def test_check_reports_which_suggestions_the_model_understands(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert MODEL.exists(), "Träna modellen först (make run eller make test)."
    url = f"sqlite:///{tmp_path / 'kc.db'}"
    upgrade(url)
    _accepted(url, [
        ("vilka tider har ni öppet på vardagarna", "ask_opening_hours"),  # plain paraphrase
        ("blörk fnorp", "ask_phone"),  # staff's choice, but nothing the model can learn from
        ("ring 070-123 45 67 och säg öppettiderna", "ask_opening_hours"),  # personal: left out
    ])
    out = tmp_path / "förslag.yml"
    code = main(["nlu", "--url", url, "suggestions", "--out", str(out), "--check",
                 "--model", str(MODEL)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "Skrev 2 förslag" in printed
    assert "[förstås] ask_opening_hours: 'vilka tider har ni öppet på vardagarna'" in printed
    assert "[förstås inte] ask_phone: 'blörk fnorp' -> " in printed  # whatever it is, not that
    assert "1 av 2 förstås" in printed
    assert "070" not in printed and "070" not in out.read_text(encoding="utf-8")
