"""The environment template is complete and the start-up check names every problem."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from kontaktcenter.envcheck import ROOT, TEMPLATE, check, endpoint_references, read_template

PRODUCTION = "endpoints.production.yml"
SECRETS = {"KC_RASA_TOKEN": "t" * 32, "KC_CONSOLE_SECRET": "s" * 32,
           "KC_CONVERSATION_SECRET": "c" * 32, "KC_ACTION_TOKEN": "a" * 32}
PRODUCTION_ENV = {
    **SECRETS,
    "KC_ENDPOINTS": PRODUCTION,
    "KC_ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook",
    "KC_DATABASE_URL": "postgresql://kc:pw@127.0.0.1:5432/kontaktcenter",
    "KC_SPOOL_DIR": "var/spool",
    "KC_TRACKER_DB_HOST": "127.0.0.1",
    "KC_TRACKER_DB_PORT": "5432",
    "KC_TRACKER_DB_NAME": "kc_tracker",
    "KC_TRACKER_DB_USER": "kc",
    "KC_TRACKER_DB_PASSWORD": "hemligt",
    "KC_REDIS_HOST": "localhost",
    "KC_REDIS_PORT": "6379",
    "KC_REDIS_DB": "1",
}


def test_the_template_documents_every_variable_the_code_and_endpoints_use() -> None:
    documented = read_template()
    used: set[str] = set()
    sources = [*ROOT.glob("kontaktcenter/**/*.py"), *ROOT.glob("rasa_addons/*.py"),
               *ROOT.glob("actions/*.py"), *ROOT.glob("scripts/*"), ROOT / "Makefile"]
    for path in sources:
        used |= set(re.findall(r"\bKC_[A-Z0-9]+(?:_[A-Z0-9]+)*\b", path.read_text("utf-8")))
    for endpoints in ROOT.glob("endpoints*.yml"):
        used |= set(endpoint_references(endpoints))
    used = {name for name in used if not name.endswith("_")}  # prefixes in docstrings
    assert sorted(used - set(documented)) == []
    for variable in documented.values():
        assert variable.meaning, f"{variable.name} has no explanation"
        assert variable.required in ("alltid", "produktion", "nej"), variable


def test_production_endpoints_need_ten_variables_and_each_is_named() -> None:
    assert len(endpoint_references(ROOT / PRODUCTION)) >= 10  # ten today; more may come
    problems, _ = check({**SECRETS, "KC_ENDPOINTS": PRODUCTION})
    text = "\n".join(problems)
    for name in set(endpoint_references(ROOT / PRODUCTION)) - set(SECRETS):
        assert re.search(rf"^{name} saknas \(används i {PRODUCTION}\)", text, re.M), name
    assert "KC_DATABASE_URL saknas" in text


def test_a_complete_production_environment_passes() -> None:
    assert check(PRODUCTION_ENV) == ([], [])


def test_wrong_values_are_named_with_what_is_expected() -> None:
    env = {**PRODUCTION_ENV, "KC_REDIS_PORT": "sex", "KC_ACTION_ENDPOINT_URL": "localhost:5055",
           "KC_TRACKER_DB_HOST": "db host", "KC_RASA_TOKEN": "kort", "KC_TIMEZONE": "Mars/Olympus",
           "KC_DATABASE_URL": "mysql://x"}
    problems, _ = check(env)
    text = "\n".join(problems)
    assert "KC_REDIS_PORT har fel värde 'sex': ett portnummer 1–65535 väntas." in text
    assert "KC_ACTION_ENDPOINT_URL har fel värde 'localhost:5055'" in text
    assert "KC_TRACKER_DB_HOST har fel värde" in text
    assert "KC_RASA_TOKEN har fel värde …: minst 16 tecken väntas." in text  # never echoed
    assert "KC_TIMEZONE har fel värde" in text and "KC_DATABASE_URL har fel värde" in text
    assert len(problems) == 6


def test_the_embedded_default_needs_only_the_secrets() -> None:
    assert check(SECRETS) == ([], [])
    problems, _ = check({})
    assert sorted(p.split()[0] for p in problems) == sorted(SECRETS)


def test_a_missing_endpoints_file_and_unknown_variables_are_reported(tmp_path: Path) -> None:
    problems, warnings = check({**SECRETS, "KC_ENDPOINTS": "finns-inte.yml", "KC_RASA_PROT": "1"})
    assert problems[0] == "KC_ENDPOINTS: filen finns-inte.yml finns inte."
    assert [p for p in problems if p.startswith("KC_ENDPOINTS")] == problems[:1]
    assert warnings == ["KC_RASA_PROT är satt men okänd (stavfel?); den används inte."]
    undocumented = tmp_path / "endpoints.custom.yml"
    undocumented.write_text("action_endpoint:\n  url: ${KC_NYTT}  # ${KC_KOMMENTAR}\n")
    problems, _ = check({**SECRETS}, root=tmp_path, endpoints=undocumented.name,
                        template=TEMPLATE)
    assert problems[0].startswith("KC_NYTT: används i endpoints.custom.yml men saknas i")
    assert not any("KC_KOMMENTAR" in p for p in problems)


def test_the_command_exits_2_and_lists_the_problems() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kontaktcenter.envcheck", "--endpoints", PRODUCTION],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin", **SECRETS, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert "Miljön är inte komplett (11 fel)" in done.stderr
    assert "KC_REDIS_HOST saknas (används i endpoints.production.yml)" in done.stderr
