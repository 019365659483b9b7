"""The statistics, missed questions and metrics on PostgreSQL: the same known set."""

from __future__ import annotations

import pytest

from kontaktcenter.db.migrate import upgrade
from kontaktcenter.insights.config import InsightsConfig
from kontaktcenter.insights.metrics import RegisterCollector
from kontaktcenter.insights.missed import IGNORE, MissedQuestions
from kontaktcenter.insights.stats import compute
from tests.insights_data import EXPECTED, PERIOD, build

pytestmark = pytest.mark.postgres
CONFIG = InsightsConfig(missed_confidence_threshold=0.7)


def test_known_set_on_postgres(pg_schema: tuple[str, str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    url, _schema = pg_schema
    upgrade(url)
    build(url)
    stats = compute(PERIOD, url, CONFIG)
    assert {d.isoformat(): n for d, n in stats.per_day} == EXPECTED["per_day"]
    cells = {(w, h): n for w, row in enumerate(stats.per_weekday_hour)
             for h, n in enumerate(row) if n}
    assert cells == EXPECTED["per_weekday_hour"]
    for name, expected in EXPECTED.items():
        if name in ("per_day", "per_weekday_hour"):
            continue
        if isinstance(expected, float):
            assert getattr(stats, name) == pytest.approx(expected), name
        else:
            assert getattr(stats, name) == expected, name

    missed = MissedQuestions(url, CONFIG)
    listed = missed.messages(PERIOD)
    assert [m.predicted_intent for m in listed] == ["ask_phone", "hid_where", "ask_opening_hours"]
    missed.review([listed[0].id], IGNORE, by="anna")
    assert len(missed.messages(PERIOD)) == 2

    collector = RegisterCollector(url, tmp_path / "spool", CONFIG)
    families = {f.name: f for f in collector.collect()}
    assert families["kc_fallbacks"].samples[0].value == 3
    assert families["kc_low_confidence"].samples[0].value == 1
    assert families["kc_handovers"].samples[0].value == 4
    assert families["kc_queue_length"].samples[0].value == 1
    messages = {tuple(s.labels.values()): s.value for s in families["kc_messages"].samples}
    assert messages == {("in", "resident"): 8, ("out", "bot"): 7}
