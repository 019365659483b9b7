"""Opening hours of Helsingborg kontaktcenter: regular week, red days, exceptions.

Plain Python (no Rasa). The actions call :func:`get_calendar` and the ``format_*``
functions; staff maintain date exceptions with ``kontaktcenter hours``.
"""

from kontaktcenter.calendar.clock import STOCKHOLM, to_local
from kontaktcenter.calendar.config import (
    ChannelHours,
    HoursConfig,
    TimeRange,
    get_hours_config,
    load_hours_config,
    parse_hours_config,
)
from kontaktcenter.calendar.exceptions import (
    CachedExceptions,
    ExceptionSource,
    OpeningException,
    StaticExceptions,
    validate_exception,
)
from kontaktcenter.calendar.factory import (
    CalendarService,
    build_calendar_service,
    get_calendar,
    get_calendar_service,
)
from kontaktcenter.calendar.format import (
    day_phrase,
    format_date,
    format_day,
    format_deviation,
    format_open_now,
    format_range,
    format_regular_week,
    format_time,
    format_week,
)
from kontaktcenter.calendar.holidays_se import named_days, red_days
from kontaktcenter.calendar.hours import OpeningCalendar
from kontaktcenter.calendar.repository import ExceptionRepository
from kontaktcenter.calendar.results import DEVIATION_CAVEAT, DayHours, DayKind, Status

__all__ = [
    "DEVIATION_CAVEAT",
    "STOCKHOLM",
    "CachedExceptions",
    "CalendarService",
    "ChannelHours",
    "DayHours",
    "DayKind",
    "ExceptionRepository",
    "ExceptionSource",
    "HoursConfig",
    "OpeningCalendar",
    "OpeningException",
    "StaticExceptions",
    "Status",
    "TimeRange",
    "build_calendar_service",
    "day_phrase",
    "format_date",
    "format_day",
    "format_deviation",
    "format_open_now",
    "format_range",
    "format_regular_week",
    "format_time",
    "format_week",
    "get_calendar",
    "get_calendar_service",
    "get_hours_config",
    "load_hours_config",
    "named_days",
    "parse_hours_config",
    "red_days",
    "to_local",
    "validate_exception",
]
