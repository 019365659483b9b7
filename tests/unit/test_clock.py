"""The product clock: KC_NOW starts it at a Stockholm moment and time runs on from there."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from freezegun import freeze_time

from kontaktcenter import clock
from kontaktcenter.clock import STOCKHOLM

ROOT = Path(__file__).resolve().parents[2]


def test_naive_kc_now_is_stockholm_wall_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KC_NOW", "2026-12-24T10:00")
    with freeze_time("2026-11-30 03:00:00"):  # any real time: the setting wins
        current = clock.now()
        assert current.tzinfo is STOCKHOLM
        assert current.replace(tzinfo=None) == datetime(2026, 12, 24, 10, 0)
        assert clock.now_utc() == datetime(2026, 12, 24, 9, 0, tzinfo=timezone.utc)
        assert clock.today() == date(2026, 12, 24)
        assert clock.timestamp() == clock.now_utc().timestamp()


def test_summer_time_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KC_NOW", "2027-06-25T10:00")  # midsommarafton, UTC+2
    assert clock.now_utc().replace(microsecond=0, second=0) == datetime(
        2027, 6, 25, 8, 0, tzinfo=timezone.utc
    )


def test_kc_now_with_an_offset_is_taken_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KC_NOW", "2026-12-31T23:30:00+00:00")
    with freeze_time("2026-06-01 12:00:00"):
        assert clock.now_utc() == datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)
        # Already 1 January in Stockholm.
        assert clock.today() == date(2027, 1, 1)


def test_time_runs_forward_from_kc_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KC_NOW", "2026-12-24T10:00")
    with freeze_time("2026-11-30 03:00:00") as frozen:
        first = clock.now()
        frozen.tick(timedelta(hours=1, minutes=5))
        assert clock.now() - first == timedelta(hours=1, minutes=5)
        assert clock.now().hour == 11


@pytest.mark.parametrize("value", ["inte en tid", "2026-13-01T10:00", "24/12 10:00"])
def test_a_bad_value_gives_a_clear_swedish_error(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("KC_NOW", value)
    with pytest.raises(ValueError, match="KC_NOW") as caught:
        clock.now()
    assert "är ingen tidpunkt" in str(caught.value)
    assert "2026-12-24T10:00" in str(caught.value)  # says how to write it


def test_an_empty_value_means_the_real_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KC_NOW", "  ")  # `KC_NOW= make run` switches the override off
    with freeze_time("2027-01-03 01:00:00"):
        assert clock.now() == datetime(2027, 1, 3, 2, 0, tzinfo=STOCKHOLM)


def test_unset_uses_the_real_clock_and_freezegun() -> None:
    with freeze_time("2027-01-03 01:00:00"):  # 02:00 in Stockholm
        assert clock.now() == datetime(2027, 1, 3, 2, 0, tzinfo=STOCKHOLM)
        assert clock.offset_seconds() == 0.0
    real = datetime.now(timezone.utc)
    assert abs(clock.now_utc() - real) < timedelta(minutes=1)


def test_one_warning_per_process(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("KC_NOW", "2026-12-24T10:00")
    with caplog.at_level(logging.WARNING, logger="kontaktcenter.clock"):
        for _ in range(3):
            clock.now()
            clock.today()
            clock.timestamp()
    warnings = [r for r in caplog.records if r.name == "kontaktcenter.clock"]
    assert len(warnings) == 1
    assert "KC_NOW" in warnings[0].getMessage() and "omställd" in warnings[0].getMessage()


def test_no_warning_without_kc_now(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="kontaktcenter.clock"):
        clock.now()
    assert not [r for r in caplog.records if r.name == "kontaktcenter.clock"]


def test_rasa_stamps_convert_to_product_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KC_NOW", "2026-12-24T10:00")
    with freeze_time("2026-11-30 03:00:00"):
        real = clock.rasa_timestamp()
        assert real == datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc).timestamp()
        assert clock.from_rasa_timestamp(real) == clock.now_utc()


def test_another_process_honours_kc_now_and_refuses_a_bad_one() -> None:
    env = {**os.environ, "KC_NOW": "2026-12-26T09:15", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "kontaktcenter.clock"], env=env, cwd=ROOT,
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("2026-12-26T09:15")
    assert done.stderr.count("Klockan är omställd") == 1

    env["KC_NOW"] = "annandag jul"
    done = subprocess.run(
        [sys.executable, "-m", "kontaktcenter.clock"], env=env, cwd=ROOT,
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 2
    assert "KC_NOW='annandag jul' är ingen tidpunkt" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_anchor_makes_processes_started_apart_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KC_NOW", "2026-12-03T10:00")
    anchor = datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)
    monkeypatch.setenv("KC_NOW_ANCHOR", str(anchor.timestamp()))
    # This "process" reads the clock for the first time 90 s after the anchor.
    with freeze_time(anchor + timedelta(seconds=90)):
        assert clock.now() == datetime(2026, 12, 3, 10, 1, 30, tzinfo=STOCKHOLM)


def test_a_bad_anchor_is_refused_in_swedish(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KC_NOW", "2026-12-03T10:00")
    monkeypatch.setenv("KC_NOW_ANCHOR", "igår")
    with pytest.raises(ValueError, match="KC_NOW_ANCHOR='igår' är inget tal"):
        clock.now()


def test_one_warning_when_threads_read_the_clock_at_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import threading

    monkeypatch.setenv("KC_NOW", "2026-12-24T10:00")
    barrier = threading.Barrier(8)

    def read() -> None:
        barrier.wait()
        clock.now()

    with caplog.at_level(logging.WARNING, logger="kontaktcenter.clock"):
        threads = [threading.Thread(target=read) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len([r for r in caplog.records if r.name == "kontaktcenter.clock"]) == 1
