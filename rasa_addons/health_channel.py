"""Health and metrics of the Rasa server's register, for operators and monitoring.

credentials.yml::

    rasa_addons.health_channel.HealthInput:

``GET /webhooks/health/`` answers 200 ``{"status": "ok", ...}`` while every accepted
event is on disk, else 503 with the reason; ``GET /webhooks/health/metrics`` gives the
same figures in Prometheus text format. No personal data: counts and states only.
A channel only because channels are how Rasa lets an add-on serve HTTP routes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from kontaktcenter.records.health import health, prometheus_text


def _records_broker(request: Request) -> Any | None:
    agent = getattr(request.app.ctx, "agent", None)
    store = getattr(agent, "tracker_store", None)
    store = getattr(store, "_tracker_store", store)
    broker = getattr(store, "event_broker", None)
    return broker if hasattr(broker, "status") else None


class HealthInput(InputChannel):
    """Serves the register's health; takes no messages."""

    @classmethod
    def name(cls) -> str:
        return "health"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        bp = Blueprint("kc_health", __name__)

        @bp.route("/", methods=["GET"])
        async def status(request: Request) -> HTTPResponse:
            broker = _records_broker(request)
            if broker is None:
                return response.json(
                    {"status": "fel", "meddelande": "Ingen registerkoppling (event_broker)."},
                    status=503,
                )
            code, body = health(broker.status())
            return response.json(body, status=code)

        @bp.route("/metrics", methods=["GET"])
        async def metrics(request: Request) -> HTTPResponse:
            broker = _records_broker(request)
            if broker is None:
                return response.text("", status=503)
            return response.text(
                prometheus_text(broker.status()), content_type="text/plain; version=0.0.4"
            )

        return bp
