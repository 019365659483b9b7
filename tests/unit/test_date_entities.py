"""The Rasa NLU component SwedishDateExtractor, run on real Rasa Message objects."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.date_entities import SwedishDateExtractor

FRIDAY = "2026-11-27T10:00:00+01:00"


def make_extractor(tmp_path: Path, config: dict | None = None) -> SwedishDateExtractor:
    return SwedishDateExtractor.create(
        {**SwedishDateExtractor.get_default_config(), **(config or {})},
        LocalModelStorage(tmp_path),
        Resource("swedish_date_extractor"),
        ExecutionContext(GraphSchema({}), "test-model"),
    )


def entities_of(message: Message, kind: str) -> list[dict]:
    return [e for e in message.get(ENTITIES, []) if e["entity"] == kind]


def test_registered_as_entity_extractor() -> None:
    registered = DefaultV1Recipe._from_registry("SwedishDateExtractor")
    assert registered.clazz is SwedishDateExtractor
    assert DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR in registered.types
    assert registered.is_trainable is False


def test_julafton_becomes_an_iso_date_entity(tmp_path: Path) -> None:
    extractor = make_extractor(tmp_path, {"reference_time": FRIDAY})
    text = "har ni öppet på julafton?"
    [message] = extractor.process([Message(data={TEXT: text})])
    [entity] = message.get(ENTITIES)
    assert entity == {
        "entity": "date",
        "value": "2026-12-24",
        "start": 16,
        "end": 24,
        "extractor": "SwedishDateExtractor",
    }
    assert text[entity["start"] : entity["end"]] == "julafton"
    assert message.as_dict_nlu()[ENTITIES] == [entity]  # add_to_output: kept in the parse


def test_time_is_a_second_entity(tmp_path: Path) -> None:
    extractor = make_extractor(tmp_path, {"reference_time": FRIDAY})
    text = "Kan jag komma på fredag klockan 17:30?"
    [message] = extractor.process([Message(data={TEXT: text})])
    [date_entity] = entities_of(message, "date")
    [time_entity] = entities_of(message, "time")
    assert date_entity["value"] == "2026-11-27"
    assert text[date_entity["start"] : date_entity["end"]] == "på fredag"
    assert time_entity["value"] == "17:30"
    assert text[time_entity["start"] : time_entity["end"]] == "klockan 17:30"
    assert time_entity["extractor"] == "SwedishDateExtractor"


def test_impossible_date_gives_date_error_entity(tmp_path: Path) -> None:
    extractor = make_extractor(tmp_path, {"reference_time": FRIDAY})
    text = "Har ni öppet 31 februari?"
    [message] = extractor.process([Message(data={TEXT: text})])
    assert entities_of(message, "date") == []
    [error] = entities_of(message, "date_error")
    assert error["value"] == "no_such_day"
    assert text[error["start"] : error["end"]] == "31 februari"
    assert error["additional_info"]["message"] == (
        "Jag hittar inget datum som heter 31 februari. Vilket datum menar du?"
    )


def test_impossible_time_keeps_date_and_flags_the_time(tmp_path: Path) -> None:
    extractor = make_extractor(tmp_path, {"reference_time": FRIDAY})
    text = "imorgon kl 25"
    [message] = extractor.process([Message(data={TEXT: text})])
    assert [e["value"] for e in entities_of(message, "date")] == ["2026-11-28"]
    [error] = entities_of(message, "date_error")
    assert error["value"] == "no_such_time"
    assert text[error["start"] : error["end"]] == "kl 25"


def test_keeps_entities_from_other_extractors(tmp_path: Path) -> None:
    extractor = make_extractor(tmp_path, {"reference_time": FRIDAY})
    other = {"entity": "topic", "value": "bygglov", "start": 0, "end": 7, "extractor": "X"}
    message = Message(data={TEXT: "bygglov imorgon", ENTITIES: [other]})
    extractor.process([message])
    assert message.get(ENTITIES)[0] == other
    assert [e["value"] for e in entities_of(message, "date")] == ["2026-11-28"]


def test_message_without_date_is_left_alone(tmp_path: Path) -> None:
    extractor = make_extractor(tmp_path, {"reference_time": FRIDAY})
    messages = [
        Message(data={TEXT: "ring 042-10 50 00"}),
        Message(data={TEXT: ""}),
        Message(data={}),
        Message(data={TEXT: "<b>\x00</b>" * 2000}),
    ]
    for message in extractor.process(messages):
        assert entities_of(message, "date") == []


def test_uses_the_product_clock_by_default(tmp_path: Path, frozen_at) -> None:
    frozen_at("2026-12-27T09:00")
    extractor = make_extractor(tmp_path)
    [message] = extractor.process([Message(data={TEXT: "öppet på julafton?"})])
    assert [e["value"] for e in entities_of(message, "date")] == ["2027-12-24"]


def test_kc_now_sets_the_extractors_today(tmp_path: Path, kc_now) -> None:
    kc_now("2026-12-31T23:00")  # time runs on, but not past midnight during this test
    extractor = make_extractor(tmp_path)
    today, tomorrow = extractor.process(
        [Message(data={TEXT: "öppet idag?"}), Message(data={TEXT: "och imorgon?"})]
    )
    assert [e["value"] for e in entities_of(today, "date")] == ["2026-12-31"]
    assert [e["value"] for e in entities_of(tomorrow, "date")] == ["2027-01-01"]


def test_bad_reference_time_fails_at_startup(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        make_extractor(tmp_path, {"reference_time": "inte ett datum"})


def test_each_clause_of_two_questions_gets_its_own_dates(tmp_path: Path) -> None:
    extractor = make_extractor(tmp_path, {"reference_time": FRIDAY})
    text = "Har ni öppet på lördag? Och på måndag kl 9?"
    [message] = extractor.process([Message(data={TEXT: text})])
    by_clause = {
        (e["entity"], e["additional_info"]["clause"]): e["value"]
        for e in message.get(ENTITIES) if "clause" in e.get("additional_info", {})
    }
    assert by_clause == {
        ("date", "har ni oppet pa lordag"): "2026-11-28",
        ("date", "och pa mandag kl 9"): "2026-11-30",
        ("time", "och pa mandag kl 9"): "09:00",
    }
    whole = [e for e in entities_of(message, "date") if "clause" not in e.get("additional_info", {})]
    assert len(whole) == 1  # the whole message's reading is still there for one-question use


def test_a_single_question_has_no_clause_entities(tmp_path: Path) -> None:
    extractor = make_extractor(tmp_path, {"reference_time": FRIDAY})
    [message] = extractor.process([Message(data={TEXT: "har ni öppet på lördag?"})])
    assert all("clause" not in e.get("additional_info", {}) for e in message.get(ENTITIES))
