"""Run a Python module (a server) with a pyinstrument profiler switched by signals.

    python bench/profiled.py OUT_PREFIX MODULE [ARGS...]

SIGUSR1 starts sampling the main thread (Rasa's or Sanic's event loop), SIGUSR2 stops
it and writes ``OUT_PREFIX.txt`` (text tree) and ``OUT_PREFIX.html``. Start-up and model
loading are left out that way; only the messages sent in between are profiled.
Used by bench/profile_message.py.
"""

from __future__ import annotations

import runpy
import signal
import sys
from pathlib import Path
from types import FrameType

from pyinstrument import Profiler

INTERVAL_S = 0.0005


def main() -> None:
    out = Path(sys.argv[1])
    module = sys.argv[2]
    sys.argv = [module, *sys.argv[3:]]
    sys.path.insert(0, str(Path.cwd()))
    profiler = Profiler(interval=INTERVAL_S, async_mode="disabled")

    def start(signum: int, frame: FrameType | None) -> None:
        if not profiler.is_running:
            profiler.start()

    def stop(signum: int, frame: FrameType | None) -> None:
        if profiler.is_running:
            session = profiler.stop()
            session.save(str(out.with_suffix(".pyisession")))
            out.with_suffix(".txt").write_text(
                profiler.output_text(unicode=True, show_all=False, timeline=False))
            out.with_suffix(".all.txt").write_text(
                profiler.output_text(unicode=True, show_all=True, timeline=False))
            out.with_suffix(".html").write_text(profiler.output_html())
            out.with_suffix(".done").write_text("ok\n")

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
