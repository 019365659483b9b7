"""The period a statistic covers: whole Stockholm days, chosen by name or by dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kontaktcenter import clock
from kontaktcenter.records.text import day_start, parse_day

MAX_DAYS = 366

# Names offered on the page and in the CLI; "egen" means from/to dates.
PRESETS = {
    "idag": "Idag",
    "7dagar": "Senaste 7 dagarna",
    "manad": "Denna månad",
    "forra-manaden": "Förra månaden",
    "egen": "Egen period",
}


@dataclass(frozen=True)
class Period:
    """``first`` to ``last`` inclusive, in Stockholm local days."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError("Från-datumet ligger efter till-datumet.")
        if (self.last - self.first).days + 1 > MAX_DAYS:
            raise ValueError(f"Välj en period på högst {MAX_DAYS} dagar.")

    @property
    def start(self) -> datetime:
        """First instant, aware UTC."""
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        """First instant after the period, aware UTC (exclusive bound)."""
        return day_start(self.last + timedelta(days=1))

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


def preset(name: str, today: date | None = None) -> Period:
    """A named period relative to today (the product clock)."""
    day = today or clock.today()
    if name == "idag":
        return Period(day, day)
    if name == "7dagar":
        return Period(day - timedelta(days=6), day)
    if name == "manad":
        return Period(day.replace(day=1), day)
    if name == "forra-manaden":
        last = day.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last)
    raise ValueError(f"Okänd period {name[:30]!r}. Välj en av: {', '.join(PRESETS)}.")


def from_form(
    name: str | None, first: str | None, last: str | None, today: date | None = None
) -> Period:
    """The page's or CLI's choice: a preset, or ``egen`` with both dates."""
    chosen = (name or "").strip() or ("egen" if (first or last) else "7dagar")
    if chosen != "egen":
        return preset(chosen, today)
    if not first or not last:
        raise ValueError("Ange både från- och till-datum för en egen period.")
    return Period(parse_day(first, "från-datum"), parse_day(last, "till-datum"))
