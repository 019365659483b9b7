"""The register's health as operators and monitoring read it (JSON and Prometheus text).

Plain Python over :class:`kontaktcenter.records.recorder.RecorderStatus`; the Rasa
glue (``rasa_addons.health_channel``) serves it at ``/webhooks/health/``.
"""

from __future__ import annotations

from kontaktcenter.records.recorder import RecorderStatus

_METRICS = (
    # name, status field, type, help
    ("kc_register_durable", "durable", "gauge", "1 while every accepted event is on disk"),
    ("kc_register_worker_alive", "alive", "gauge", "1 while the register worker runs"),
    ("kc_register_spool_pending", "spool_pending", "gauge", "events waiting in the spool"),
    ("kc_register_in_memory", "in_memory", "gauge", "events only in memory (spool failed)"),
    ("kc_register_spooled_total", "spooled_total", "counter", "events written to the spool"),
    ("kc_register_spool_failures_total", "spool_failures_total", "counter",
     "failed spool writes"),
    ("kc_register_lost_total", "lost_total", "counter", "events dropped (memory limit)"),
    ("kc_register_reconciled_total", "reconciled_total", "counter",
     "events written by start-up reconciliation"),
)


def health(status: RecorderStatus) -> tuple[int, dict[str, object]]:
    """HTTP status (200 or 503) and the body: ok only when nothing can be lost."""
    ok = status.durable and status.alive
    body: dict[str, object] = {"status": "ok" if ok else "fel", "register": status.as_dict()}
    if not status.durable:
        body["meddelande"] = (
            "Registret kan inte spara händelser varaktigt (spoolen går inte att skriva). "
            "Nya meddelanden avvisas tills felet är åtgärdat."
        )
    elif not status.alive:
        body["meddelande"] = "Registrets skrivtråd har stannat; starta om Rasa-servern."
    return (200 if ok else 503), body


def prometheus_text(status: RecorderStatus) -> str:
    """The status in Prometheus' text exposition format."""
    values = status.as_dict()
    lines: list[str] = []
    for name, key, kind, text in _METRICS:
        lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}", f"{name} {int(values[key])}"]
    return "\n".join(lines) + "\n"
