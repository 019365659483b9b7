"""Regular opening hours from ``config/opening_hours.yml`` (never from code).

Staff and operators edit the YAML; this module turns it into frozen values and rejects
mistakes with Swedish messages that name the file and the key, so a typo cannot
silently become a wrong answer to a resident.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from kontaktcenter.calendar.holidays_se import validate_rule_names

WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CHANNELS = ("phone", "visit", "chat")
DEFAULT_CLOSED_EVES = ("julafton", "nyårsafton", "midsommarafton")
DEFAULT_DAY_BEFORE_RED_DAY = (
    "trettondagsafton",
    "skärtorsdagen",
    "valborgsmässoafton",
    "dagen före kristi himmelsfärdsdag",
    "dagen före nationaldagen",
    "allhelgonaafton",
)
CLOSED_WORDS = frozenset({"closed", "stängt"})

_TIME_RE = re.compile(r"^\s*(\d{1,2})[.:](\d{2})\s*$")


@dataclass(frozen=True)
class TimeRange:
    """One opening period within a day: open from ``opens`` up to, not including, ``closes``."""

    opens: time
    closes: time

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError("Öppningstiden måste vara före stängningstiden.")


@dataclass(frozen=True)
class ChannelHours:
    """Hours of one contact channel: the regular week and the day-before-red-day hours."""

    regular: tuple[TimeRange | None, ...]  # index 0 = Monday, None = closed
    day_before_red_day_hours: TimeRange | None
    day_before_red_day_closed: bool = False

    @property
    def day_before_red_day_configured(self) -> bool:
        """Whether staff gave real hours (or closed) for the day before a red day."""
        return self.day_before_red_day_closed or self.day_before_red_day_hours is not None


@dataclass(frozen=True)
class HoursConfig:
    """The whole hours configuration; ``channel(None)`` gives the default hours."""

    default: ChannelHours
    channels: Mapping[str, ChannelHours] = field(default_factory=dict)
    closed_eves: tuple[str, ...] = DEFAULT_CLOSED_EVES
    day_before_red_day: tuple[str, ...] = DEFAULT_DAY_BEFORE_RED_DAY
    timezone: str = "Europe/Stockholm"

    def channel(self, name: str | None) -> ChannelHours:
        """Hours for ``name`` (phone, visit, chat); ``None`` means the shared default."""
        if name is None:
            return self.default
        try:
            return self.channels[name]
        except KeyError:
            known = ", ".join(sorted(self.channels)) or "inga"
            raise ValueError(f"Okänd kanal '{name}'. Kända kanaler: {known}.") from None


def parse_time(text: object, where: str = "tiden") -> time:
    """``"08.00"`` or ``"08:00"`` as a time; anything else raises a Swedish ValueError."""
    if isinstance(text, time):
        return text
    if isinstance(text, int) and not isinstance(text, bool) and 0 <= text < 24 * 60:
        # YAML 1.1 reads an unquoted 08:00 as a sexagesimal integer (480).
        return time(text // 60, text % 60)
    match = _TIME_RE.match(str(text)) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"Ogiltig tid för {where}: '{text}'. Skriv tiden som TT.MM, t.ex. 08.00.")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"Ogiltig tid för {where}: '{text}'. Timmar 00–23 och minuter 00–59.")
    return time(hour, minute)


def _parse_range(value: Any, where: str) -> TimeRange | None:
    """A mapping ``{opens, closes}`` or the word ``closed``; ``None`` for closed."""
    if isinstance(value, str) and value.strip().lower() in CLOSED_WORDS:
        return None
    if value is False:  # YAML 1.1 reads an unquoted "no"/"off" as False: closed
        return None
    if not isinstance(value, Mapping) or set(value) - {"opens", "closes"}:
        raise ValueError(
            f"{where}: ange {{opens: \"08.00\", closes: \"17.00\"}} eller closed."
        )
    if "opens" not in value or "closes" not in value:
        raise ValueError(f"{where}: både opens och closes behövs.")
    opens = parse_time(value["opens"], f"{where}.opens")
    closes = parse_time(value["closes"], f"{where}.closes")
    if not opens < closes:
        raise ValueError(f"{where}: öppningstiden måste vara före stängningstiden.")
    return TimeRange(opens, closes)


def _parse_week(data: Any, where: str, base: tuple[TimeRange | None, ...] | None) -> tuple[
    TimeRange | None, ...
]:
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: ange veckodagarna monday … sunday.")
    unknown = set(data) - set(WEEKDAY_KEYS)
    if unknown:
        raise ValueError(
            f"{where}: okänd veckodag {', '.join(sorted(map(str, unknown)))}. "
            f"Använd {', '.join(WEEKDAY_KEYS)}."
        )
    if base is None:
        missing = [key for key in WEEKDAY_KEYS if key not in data]
        if missing:
            raise ValueError(f"{where}: saknar {', '.join(missing)}.")
    week: list[TimeRange | None] = list(base) if base is not None else [None] * 7
    for index, key in enumerate(WEEKDAY_KEYS):
        if key in data:
            week[index] = _parse_range(data[key], f"{where}.{key}")
    return tuple(week)


def _parse_day_before_hours(value: Any, where: str) -> tuple[TimeRange | None, bool]:
    """``null`` = not configured (caveat), ``closed`` = closed, a range = those hours."""
    if value is None:
        return None, False
    parsed = _parse_range(value, where)
    return parsed, parsed is None


def _name_list(value: Any, where: str, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{where}: ange en lista med namn på dagar.")
    return tuple(" ".join(v.lower().split()) for v in value)


def parse_hours_config(data: Any, source: str = "opening_hours.yml") -> HoursConfig:
    """Build a :class:`HoursConfig` from already-loaded YAML data."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{source}: filen är tom eller inte en YAML-mappning.")
    timezone = str(data.get("timezone", "Europe/Stockholm"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{source}: okänd tidszon '{timezone}'.") from None
    regular = _parse_week(data.get("regular"), f"{source}: regular", None)
    before = data.get("day_before_red_day") or {}
    if not isinstance(before, Mapping):
        raise ValueError(f"{source}: day_before_red_day ska vara en mappning med days och hours.")
    rules = _name_list(before.get("days"), f"{source}: day_before_red_day.days",
                       DEFAULT_DAY_BEFORE_RED_DAY)
    validate_rule_names(rules, f"{source}: day_before_red_day.days")
    before_hours, before_closed = _parse_day_before_hours(
        before.get("hours"), f"{source}: day_before_red_day.hours"
    )
    default = ChannelHours(regular, before_hours, before_closed)

    channels: dict[str, ChannelHours] = {}
    raw_channels = data.get("channels") or {}
    if not isinstance(raw_channels, Mapping):
        raise ValueError(f"{source}: channels ska vara en mappning (phone, visit, chat).")
    for name in CHANNELS:
        raw = raw_channels.get(name) or {}
        channels[name] = _parse_channel(raw, f"{source}: channels.{name}", default)
    unknown = set(raw_channels) - set(CHANNELS)
    if unknown:
        raise ValueError(
            f"{source}: okänd kanal {', '.join(sorted(map(str, unknown)))}. "
            f"Använd {', '.join(CHANNELS)}."
        )

    eves = _name_list(data.get("closed_eves"), f"{source}: closed_eves", DEFAULT_CLOSED_EVES)
    validate_rule_names(eves, f"{source}: closed_eves")
    return HoursConfig(
        default=default,
        channels=channels,
        closed_eves=eves,
        day_before_red_day=rules,
        timezone=timezone,
    )


def _parse_channel(raw: Any, where: str, default: ChannelHours) -> ChannelHours:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: ska vara en mappning (regular, day_before_red_day_hours).")
    unknown = set(raw) - {"regular", "day_before_red_day_hours"}
    if unknown:
        raise ValueError(f"{where}: okänd nyckel {', '.join(sorted(map(str, unknown)))}.")
    regular = default.regular
    if "regular" in raw:
        regular = _parse_week(raw["regular"], f"{where}.regular", default.regular)
    hours, closed = default.day_before_red_day_hours, default.day_before_red_day_closed
    if "day_before_red_day_hours" in raw:
        hours, closed = _parse_day_before_hours(
            raw["day_before_red_day_hours"], f"{where}.day_before_red_day_hours"
        )
    return ChannelHours(regular, hours, closed)


def load_hours_config(path: Path) -> HoursConfig:
    """Read and validate one YAML file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"Kunde inte läsa öppettiderna i {path}: {exc.strerror}.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{Path(path).name}: ogiltig YAML ({exc}).") from None
    return parse_hours_config(data, Path(path).name)


@lru_cache(maxsize=4)
def get_hours_config(config_dir: Path | None = None) -> HoursConfig:
    """The deployment's hours (``KC_CONFIG_DIR``/opening_hours.yml), read once per process."""
    if config_dir is None:
        from kontaktcenter.settings import get_settings

        config_dir = get_settings().config_dir
    return load_hours_config(Path(config_dir) / "opening_hours.yml")
