"""Two per-message costs inside Rasa 3.6 that need not be paid again for every message.

Profiling a message end to end (bench/profile_message.py, docs/performance.md) showed:

* ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which checks
  the *schema* against the JSON-Schema meta-schema before it checks the action server's
  answer: about a third of the Rasa server's time per message went there. Here the
  validator is built once, and an answer whose shape (:func:`answer_shape`) was seen
  valid before is not validated again; any other answer is, with the same error.
* Rasa opens a new HTTP client session (and TCP connection) for every call to the
  action server. :class:`PooledEndpointConfig` keeps one session per event loop and
  reuses its connections (used by ``rasa_addons.processor`` for the action endpoint).
* ``Event.resolve_by_type`` walks every subclass of ``Event`` for each stored event it
  deserialises (each message reads the conversation back). Found classes are cached by
  type name; unknown names still go the original way (default or ``ValueError``).

:func:`install` is idempotent and is called when the records event broker is created.
"""

from __future__ import annotations

import asyncio
import functools
from types import TracebackType
from typing import Any

import aiohttp
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from rasa_addons import state_history, tf_predict

_installed = False
# Idle connections are dropped before the action server's Sanic does (KEEP_ALIVE_TIMEOUT
# 5 s), so a request never goes out on a connection the server is just closing.
KEEPALIVE_S = 2.0


@functools.lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, as jsonschema.validate did for every message
    return cls(schema)


MAX_VALID_SHAPES = 4096
_valid_shapes: set[Any] = set()


def answer_shape(value: Any) -> Any:
    """What decides whether an answer passes Rasa's schema: key names, JSON types, and the
    ``event`` names (the schema's only ``const``; it has no enum, pattern, length or range).

    Texts, slot values and timestamps differ from answer to answer; the shape repeats."""
    if isinstance(value, dict):
        return ("o", tuple(sorted(
            (key, ("event", item) if key == "event" and isinstance(item, str)
             else answer_shape(item))
            for key, item in value.items())))
    if isinstance(value, list):
        return ("a", tuple(answer_shape(item) for item in value))
    return type(value).__name__


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check of the action server's answer, with a validator built only once, and
    run only for a shape of answer not seen valid before (it cost ~7 % of a busy Rasa
    server's event loop, mostly ``oneOf`` over every event type, docs/performance.md)."""
    from jsonschema.exceptions import best_match

    shape = answer_shape(result)
    if shape in _valid_shapes:
        return True
    error = best_match(_action_response_validator().iter_errors(result))
    if error is not None:  # the same error and message as Rasa's own check
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    if len(_valid_shapes) < MAX_VALID_SHAPES:
        _valid_shapes.add(shape)
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


class _Borrowed:
    """``async with`` around a shared session that leaves it open afterwards."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        return None


class PooledEndpointConfig(EndpointConfig):
    """An endpoint whose requests share one client session (keep-alive connections).

    Rasa's ``EndpointConfig.request`` does ``async with self.session()``; here that
    borrows the session of the running event loop instead of opening and closing one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}

    @classmethod
    def wrap(cls, endpoint: EndpointConfig | None) -> EndpointConfig | None:
        """The same endpoint, pooled (None stays None)."""
        if endpoint is None or isinstance(endpoint, PooledEndpointConfig):
            return endpoint
        return cls(endpoint.url, endpoint.params, endpoint.headers, endpoint.basic_auth,
                   endpoint.token, endpoint.token_name, endpoint.cafile,
                   type=endpoint.type, **endpoint.kwargs)

    def session(self) -> Any:  # Rasa only uses it with ``async with``
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is None or session.closed:
            auth = (aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                    if self.basic_auth else None)
            session = aiohttp.ClientSession(
                headers=self.headers, auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S))
            self._sessions = {lo: s for lo, s in self._sessions.items() if not lo.is_closed()}
            self._sessions[loop] = session
        return _Borrowed(session)

    async def close(self) -> None:
        """Close the session of the running loop (shutdown)."""
        session = self._sessions.pop(asyncio.get_running_loop(), None)
        if session is not None:
            await session.close()


def install() -> None:
    """Put the shortcuts into Rasa (idempotent): these two, and those of
    :mod:`rasa_addons.state_history` and :mod:`rasa_addons.tf_predict`."""
    global _installed
    if _installed:
        return
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign,assignment]
    state_history.install()
    tf_predict.install()
    _installed = True
