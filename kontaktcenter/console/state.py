"""What the console's handlers share: settings, services, templates, the Rasa client."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import jinja2
from aiohttp import web

from kontaktcenter.calendar import CalendarService, build_calendar_service
from kontaktcenter.handover import HandoverService, HandoverSettings
from kontaktcenter.rasa_client import RasaClient, RasaUnavailable
from kontaktcenter.records import Register, get_register
from kontaktcenter.settings import Settings
from kontaktcenter.staff import StaffDirectory
from kontaktcenter.staff.throttle import LoginThrottle
from kontaktcenter.web.https import served_over_https

TEMPLATES = Path(__file__).resolve().parent / "templates"


def secure_cookies(settings: Settings, env: dict[str, str] | None = None) -> bool:
    """Secure cookies when served over HTTPS (the same rule as HSTS)."""
    return served_over_https(settings, env)


class LiveAudit:
    """Audits the handling agent's unmasked live view: once per view that shows more.

    The transcript is polled every second; logging every poll would drown the audit
    log, so a view is logged when it shows unmasked messages not shown (logged) before.
    """

    def __init__(self) -> None:
        self._shown: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def seen(self, register: Register, number: str, user: str, role: str, count: int) -> bool:
        with self._lock:
            if self._shown.get((user, number), 0) >= count:
                return False
            self._shown[(user, number)] = count
        register.audit_live_view(number, user, role, count)
        return True


@dataclass
class ConsoleState:
    settings: Settings
    staff: StaffDirectory
    handover: HandoverService
    handover_settings: HandoverSettings
    register: Register
    calendar: CalendarService
    secure: bool
    templates: jinja2.Environment
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    live_audit: LiveAudit = field(default_factory=LiveAudit)
    _rasa: RasaClient | None = field(default=None, repr=False)

    @classmethod
    def create(cls, settings: Settings) -> ConsoleState:
        url = settings.database_url
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        return cls(
            settings=settings,
            staff=StaffDirectory(
                url, idle_timeout=timedelta(minutes=settings.console_idle_minutes)
            ),
            handover=HandoverService(url),
            handover_settings=HandoverSettings.from_env(),
            register=get_register(url),
            calendar=build_calendar_service(url, config_dir=settings.config_dir),
            secure=secure_cookies(settings),
            templates=env,
        )

    @property
    def rasa(self) -> RasaClient:
        """Created on first use so that the console starts even before Rasa does."""
        if self._rasa is None:
            if not self.settings.rasa_token:
                raise RasaUnavailable(
                    "Konsolen saknar KC_RASA_TOKEN och kan inte nå chattbotten."
                )
            self._rasa = RasaClient(self.settings.rasa_url, self.settings.rasa_token)
        return self._rasa

    async def close(self) -> None:
        if self._rasa is not None:
            await self._rasa.close()


STATE_KEY = web.AppKey("kontaktcenter.console", ConsoleState)


def state(request: web.Request) -> ConsoleState:
    return request.app[STATE_KEY]
