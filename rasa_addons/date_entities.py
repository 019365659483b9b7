"""Rasa NLU component: Swedish dates and times as ``date``/``time``/``date_error`` entities.

The parsing itself lives in ``kontaktcenter.dates`` (plain Python); this module only
turns a DateParse into Rasa entities. Pipeline entry (config.yml):
``- name: rasa_addons.date_entities.SwedishDateExtractor``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from kontaktcenter import clock
from kontaktcenter.dates import STOCKHOLM, DateErrorKind, DateParse, parse_date_expression
from kontaktcenter.dates.periods import parse_period
from kontaktcenter.dialogue.dated import clause_dates

logger = logging.getLogger(__name__)

DATE_ENTITY = "date"
TIME_ENTITY = "time"
DATE_ERROR_ENTITY = "date_error"
PERIOD_ENTITY = "period"  # "2026-12-05/2026-12-06" for "i helgen", "i påsk", …


def now_in_stockholm() -> datetime:
    """The reference time for relative dates: the product clock (KC_NOW aware)."""
    return clock.now(STOCKHOLM)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class SwedishDateExtractor(GraphComponent, EntityExtractorMixin):
    """Finds "på fredag", "julafton", "24/12", "kl 17" and the like in Swedish messages.

    Config ``reference_time`` (ISO 8601, e.g. "2026-11-27T10:00:00+01:00") fixes "now"
    for reproducible tests and e2e runs; by default the real Stockholm clock is used.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Default config: the real clock."""
        return {"reference_time": None}

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **config}
        self._fixed_now = self._read_reference_time(self._config.get("reference_time"))

    @staticmethod
    def _read_reference_time(raw: Any) -> datetime | None:
        if raw in (None, ""):
            return None
        moment = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
        return moment if moment.tzinfo else moment.replace(tzinfo=STOCKHOLM)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SwedishDateExtractor:
        """Creates the component (nothing to train or load)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds date, time and date_error entities, keeping those of other extractors."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            now = self._fixed_now or now_in_stockholm()
            entities = self.entities_for(parse_date_expression(text, now))
            period = parse_period(text, now.date())
            if period is not None:
                entity = _entity(PERIOD_ENTITY, period.iso, 0, len(text))
                entity["additional_info"] = {"name": period.name}
                entities.append(entity)
            entities.extend(self.clause_entities(text, now))
            found = self.add_extractor_name(entities)
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages

    @staticmethod
    def clause_entities(text: str, now: datetime) -> list[dict[str, Any]]:
        """Each clause's own dates, marked ``additional_info.clause`` (several questions).

        "Har ni öppet på lördag och på söndag?" asks about two days: the router answers
        each clause for its own day, read from these entities instead of parsing again.
        """
        entities: list[dict[str, Any]] = []
        for clause, dates in clause_dates(text, now).items():
            start = max(text.lower().find(clause), 0)
            span = (start, start + len(clause))
            own: list[dict[str, Any]] = []
            if dates.date is not None:
                own.append(_entity(DATE_ENTITY, dates.date.isoformat(), *span))
            if dates.time is not None:
                own.append(_entity(TIME_ENTITY, dates.time.strftime("%H:%M"), *span))
            if dates.period is not None:
                own.append(_entity(PERIOD_ENTITY, dates.period.iso, *span))
                own[-1]["additional_info"] = {"name": dates.period.name}
            for entity in own:
                entity.setdefault("additional_info", {})["clause"] = clause
            entities.extend(own)
        return entities

    @staticmethod
    def entities_for(parsed: DateParse) -> list[dict[str, Any]]:
        """Rasa entity dicts for one DateParse (without the extractor name)."""
        entities: list[dict[str, Any]] = []
        if parsed.date is not None and parsed.span is not None:
            entities.append(
                _entity(DATE_ENTITY, parsed.iso_date, parsed.span.start, parsed.span.end)
            )
        if parsed.time is not None and parsed.time_span is not None:
            entities.append(
                _entity(TIME_ENTITY, parsed.iso_time, parsed.time_span.start, parsed.time_span.end)
            )
        if parsed.error is not None:
            time_error = parsed.error is DateErrorKind.NO_SUCH_TIME
            where = parsed.time_span if time_error else parsed.span
            if where is not None:
                error = _entity(DATE_ERROR_ENTITY, parsed.error.value, where.start, where.end)
                error["additional_info"] = {"message": parsed.message}
                entities.append(error)
        return entities


def _entity(kind: str, value: str | None, start: int, end: int) -> dict[str, Any]:
    return {
        ENTITY_ATTRIBUTE_TYPE: kind,
        ENTITY_ATTRIBUTE_VALUE: value,
        ENTITY_ATTRIBUTE_START: start,
        ENTITY_ATTRIBUTE_END: end,
    }
