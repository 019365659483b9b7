"""Two per-message costs inside Rasa 3.6 that need not be paid again for every message.

Profiling a message end to end (bench/profile_message.py, docs/performance.md) showed:

* ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which checks
  the *schema* against the JSON-Schema meta-schema before it checks the action server's
  answer: about a third of the Rasa server's time per message went there. Here the
  validator is built once; the answer is still validated, with the same error.
* ``Event.resolve_by_type`` walks every subclass of ``Event`` for each stored event it
  deserialises (each message reads the conversation back). Found classes are cached by
  type name; unknown names still go the original way (default or ``ValueError``).

:func:`install` is idempotent and is called when the records event broker is created.
"""

from __future__ import annotations

import functools
from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_installed = False


@functools.lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, as jsonschema.validate did for every message
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check of the action server's answer, with a validator built only once."""
    from jsonschema.exceptions import best_match

    error = best_match(_action_response_validator().iter_errors(result))
    if error is not None:  # the same error and message as Rasa's own check
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


_resolve_uncached = Event.resolve_by_type
_event_classes: dict[str, type[Event]] = {}


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """``Event.resolve_by_type`` with found classes remembered (the hierarchy is fixed)."""
    found = _event_classes.get(type_name)
    if found is not None:
        return found
    for cls in all_subclasses(Event):
        if cls.type_name == type_name:  # the first match, as in Rasa
            _event_classes[type_name] = cls
            return cls
    return _resolve_uncached(type_name, default)  # "topic", default or ValueError


def install() -> None:
    """Put both shortcuts into Rasa (idempotent)."""
    global _installed
    if _installed:
        return
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign,assignment]
    _installed = True
