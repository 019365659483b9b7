"""rasa_addons.socketio_channel: awaited enter_room, server-issued ids, origins, speakers.

A fake AsyncServer records what the channel does; its ``enter_room`` is a coroutine
function (as in python-socketio >= 5.10), so a room is only joined if it is awaited.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
import socketio
import yaml
from rasa.core.channels.channel import UserMessage

from kontaktcenter import input_check
from kontaktcenter.conversation_token import ConversationTokens
from kontaktcenter.delivery import DELIVERY_KEY
from kontaktcenter.flood import FloodGuard, FloodLimits
from rasa_addons import socketio_channel as channel
from rasa_addons.socketio_channel import WEB_CHAT_KEY, SocketIOInput, SocketIOOutput

ROOT = Path(__file__).resolve().parents[2]


class FakeServer:
    """Just enough of socketio.AsyncServer, recording rooms, sessions and emits."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.handlers: dict[str, Any] = {}
        self.rooms: dict[str, set[str]] = {}
        self.sessions: dict[str, dict] = {}
        self.emitted: list[tuple[str, Any, str | None]] = []

    def on(self, event: str, namespace: str | None = None):  # type: ignore[no-untyped-def]
        def register(func):  # type: ignore[no-untyped-def]
            self.handlers[event] = func
            return func
        return register

    def attach(self, app: Any, path: str) -> None:  # pragma: no cover - not served here
        pass

    async def enter_room(self, sid: str, room: str, namespace: str | None = None) -> None:
        self.rooms.setdefault(sid, set()).add(room)

    async def leave_room(self, sid: str, room: str, namespace: str | None = None) -> None:
        self.rooms.get(sid, set()).discard(room)

    async def get_session(self, sid: str, namespace: str | None = None) -> dict:
        return dict(self.sessions.get(sid, {}))

    async def save_session(self, sid: str, session: dict, namespace: str | None = None) -> None:
        self.sessions[sid] = dict(session)

    async def emit(self, event: str, data: Any = None, room: str | None = None,
                   **kwargs: Any) -> None:
        self.emitted.append((event, data, room))


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    made: dict[str, Any] = {}

    def factory(**kwargs: Any) -> FakeServer:
        made["server"] = FakeServer(**kwargs)
        return made["server"]

    monkeypatch.setattr(channel, "AsyncServer", factory)
    return made


TOKENS = ConversationTokens("test-secret")


def issued_id(token: Any) -> str:
    """The conversation a confirmed token names (and proof that it is genuine)."""
    conversation = TOKENS.conversation(token)
    assert conversation is not None, token
    return conversation


def build(fake: dict[str, Any], persistence: bool = True, origins: list[str] | None = None,
          flood: FloodGuard | None = None) -> tuple[FakeServer, list[UserMessage]]:
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)

    input_channel = SocketIOInput(session_persistence=persistence,
                                  cors_allowed_origins=origins or ["http://localhost:8080"],
                                  tokens=TOKENS, flood=flood or FloodGuard())
    input_channel.blueprint(on_new_message)
    return fake["server"], received


def bot_texts(server: FakeServer, sid: str) -> list[str]:
    return [data["text"] for event, data, room in server.emitted
            if event == "bot_uttered" and room == sid]


def test_session_request_awaits_enter_room_with_a_fresh_signed_token(
    fake: dict[str, Any],
) -> None:
    server, _ = build(fake)
    asyncio.run(server.handlers["session_request"]("sid1", {"session_id": None}))
    event, token, room = server.emitted[-1]
    assert event == "session_confirm" and room == "sid1"
    assert server.rooms["sid1"] == {issued_id(token)}


def test_a_stored_token_is_kept_across_reconnects(fake: dict[str, Any]) -> None:
    server, received = build(fake)
    known = uuid.uuid4().hex
    token = TOKENS.issue(known)
    asyncio.run(server.handlers["session_request"]("sid2", {"session_id": token}))
    assert server.emitted[-1] == ("session_confirm", token, "sid2")
    assert server.rooms["sid2"] == {known}
    asyncio.run(server.handlers["user_uttered"]("sid2", {"message": "Hej", "session_id": token}))
    assert [(m.text, m.sender_id, m.input_channel) for m in received] == [("Hej", known, "socketio")]


def test_a_bare_conversation_id_is_no_longer_ownership(fake: dict[str, Any]) -> None:
    """Joining with a victim's id (seen in a log, by staff) gives a new conversation."""
    server, received = build(fake)
    victim = uuid.uuid4().hex
    asyncio.run(server.handlers["session_request"]("attacker", {"session_id": victim}))
    mine = issued_id(server.emitted[-1][1])
    assert mine != victim and server.rooms["attacker"] == {mine}
    asyncio.run(server.handlers["user_uttered"]("attacker", {"message": "Hej"}))
    assert [m.sender_id for m in received] == [mine]


def test_a_token_signed_with_another_secret_is_refused(fake: dict[str, Any]) -> None:
    server, _ = build(fake)
    victim = uuid.uuid4().hex
    forged = ConversationTokens("another-secret").issue(victim)
    asyncio.run(server.handlers["session_request"]("sid", {"session_id": forged}))
    assert issued_id(server.emitted[-1][1]) != victim


@pytest.mark.parametrize(
    "claimed",
    ["test", "1", "../x", "A" * 32, "sid-of-someone-else", 42, {"x": 1}, "0" * 33,
     "0" * 32 + ".", "0" * 32 + ".x" * 100],
)
def test_ids_the_server_never_issued_are_replaced(fake: dict[str, Any], claimed: Any) -> None:
    server, _ = build(fake)
    asyncio.run(server.handlers["session_request"]("sid3", {"session_id": claimed}))
    issued = server.emitted[-1][1]
    assert issued != claimed
    assert server.rooms["sid3"] == {issued_id(issued)}


def test_messages_go_only_to_the_confirmed_conversation(fake: dict[str, Any]) -> None:
    server, received = build(fake)
    victim = TOKENS.issue(uuid.uuid4().hex)
    handle = server.handlers["user_uttered"]
    # Before session_request: refused out loud, never delivered.
    asyncio.run(handle("sid4", {"message": "Hej", "session_id": victim}))
    assert received == []
    assert bot_texts(server, "sid4") == [channel.NO_SESSION_REFUSED]
    asyncio.run(server.handlers["session_request"]("sid4", None))
    mine = issued_id(server.emitted[-1][1])
    # A claimed session_id in the message does not redirect it.
    asyncio.run(handle("sid4", {"message": "Hej", "session_id": victim}))
    assert [m.sender_id for m in received] == [mine]


def test_a_new_session_request_leaves_the_old_room(fake: dict[str, Any]) -> None:
    server, _ = build(fake)
    asyncio.run(server.handlers["session_request"]("sid5", None))
    first = issued_id(server.emitted[-1][1])
    asyncio.run(server.handlers["session_request"]("sid5", None))
    second = issued_id(server.emitted[-1][1])
    assert first != second and server.rooms["sid5"] == {second}


def test_bad_payloads_are_refused_out_loud_and_metadata_cleaned(fake: dict[str, Any]) -> None:
    server, received = build(fake)
    asyncio.run(server.handlers["session_request"]("sid6", {}))
    handle = server.handlers["user_uttered"]
    asyncio.run(handle("sid6", "not a dict"))
    asyncio.run(handle("sid6", {"message": 123, "metadata": "{not json"}))
    asyncio.run(handle("sid6", {"message": "x" * 100_000}))
    asyncio.run(handle("sid6", {"message": "  \x00 "}))
    asyncio.run(handle("sid6", {"message": "Hej \ud800", "metadata": '{"a": 1}'}))
    asyncio.run(handle("sid6", {"message": "Hej", "metadata": {
        "kc_resident_name": "Kommunvägledare Anna", "KC_agent": "Anna", "page": "/"}}))
    # Residents' kc_* keys are dropped; the channel's own web-chat marker is added after.
    assert [(m.text, m.metadata) for m in received] == [
        ("Hej \ufffd", {"a": 1, WEB_CHAT_KEY: True}), ("Hej", {"page": "/", WEB_CHAT_KEY: True})
    ]
    said = bot_texts(server, "sid6")
    assert said == [input_check.NOT_TEXT_REFUSED, input_check.NOT_TEXT_REFUSED,
                    input_check.TOO_LONG_REFUSED, input_check.EMPTY_REFUSED]


def test_the_delivery_id_travels_and_the_acknowledgement_comes_after_the_turn(
    fake: dict[str, Any]
) -> None:
    server, received = build(fake)
    asyncio.run(server.handlers["session_request"]("sid10", {}))
    handle = server.handlers["user_uttered"]
    delivery = "0123456789abcdef01234567"
    ack = asyncio.run(handle("sid10", {"message": "Hej", "kc_delivery": delivery}))
    assert ack == channel.ACK_OK and received[-1].metadata[DELIVERY_KEY] == delivery
    # A malformed id is dropped (the message is still handled), and a resident cannot set
    # one through the metadata, which is theirs to fill.
    assert asyncio.run(handle("sid10", {"message": "Hej", "kc_delivery": "<b>"})) == "ok"
    assert DELIVERY_KEY not in received[-1].metadata
    asyncio.run(handle("sid10", {"message": "Hej", "metadata": {DELIVERY_KEY: delivery}}))
    assert DELIVERY_KEY not in received[-1].metadata
    # Refused messages are acknowledged as refused: sending them again would not help.
    assert asyncio.run(handle("sid10", {"message": " "})) == channel.ACK_REFUSED
    assert asyncio.run(handle("sid10", "not a dict")) == channel.ACK_REFUSED


def test_a_turn_that_failed_is_acknowledged_as_failed(fake: dict[str, Any]) -> None:
    async def failing(message: UserMessage) -> None:
        raise RuntimeError("database locked")

    input_channel = SocketIOInput(session_persistence=True,
                                  cors_allowed_origins=["http://localhost:8080"],
                                  tokens=TOKENS, flood=FloodGuard())
    input_channel.blueprint(failing)
    server = fake["server"]
    asyncio.run(server.handlers["session_request"]("sid11", {}))
    ack = asyncio.run(server.handlers["user_uttered"]("sid11", {"message": "Hej"}))
    assert ack == channel.ACK_FAILED
    assert bot_texts(server, "sid11") == [channel.FAILED_REPLY]


def test_a_repeated_answer_carries_its_delivery_id_to_the_widget() -> None:
    assert channel.widget_fields({"kc_replay": "0123456789abcdef"}) == {
        "kc_replay": "0123456789abcdef"}
    assert channel.widget_fields({"kc_replay": "<script>"}) == {}


def test_a_flood_is_refused_with_a_swedish_answer(fake: dict[str, Any]) -> None:
    server, received = build(fake, flood=FloodGuard(FloodLimits(sender_burst=3),
                                                    clock=lambda: 100.0))
    asyncio.run(server.handlers["session_request"]("sid8", {}))
    for n in range(10):
        asyncio.run(server.handlers["user_uttered"]("sid8", {"message": f"hej {n}"}))
    assert [m.text for m in received] == ["hej 0", "hej 1", "hej 2"]
    assert bot_texts(server, "sid8") == [input_check.FLOOD_REFUSED] * 7


def test_a_typed_intent_is_plain_text(fake: dict[str, Any]) -> None:
    server, received = build(fake)
    asyncio.run(server.handlers["session_request"]("sid9", {}))
    for text in ("/session_start", "/request_human", '/ask_opening_hours{"date":[1]}'):
        asyncio.run(server.handlers["user_uttered"]("sid9", {"message": text}))
    assert [(m.text, m.parse_data["intent"]["name"], m.parse_data["entities"])
            for m in received] == [
        ("/session_start", "nlu_fallback", []),
        ("/request_human", "nlu_fallback", []),
        ('/ask_opening_hours{"date":[1]}', "nlu_fallback", []),
    ]


def test_without_persistence_the_socket_id_is_the_conversation(fake: dict[str, Any]) -> None:
    server, received = build(fake, persistence=False)
    asyncio.run(server.handlers["session_request"]("sid7", None))
    assert "sid7" not in server.rooms
    asyncio.run(server.handlers["user_uttered"]("sid7", {"message": "Hej"}))
    assert received[0].sender_id == "sid7"


def test_origins_come_from_credentials_and_kc_web_url(
    fake: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KC_WEB_URL", "https://www.helsingborg.se/kontakt/")
    made = SocketIOInput.from_credentials(
        {"session_persistence": True, "cors_allowed_origins": ["http://localhost:8080", "ftp://x"]}
    )
    assert made.name() == "socketio"
    assert made.session_persistence is True
    assert made.cors_allowed_origins == ["http://localhost:8080", "https://www.helsingborg.se"]
    made.blueprint(lambda message: asyncio.sleep(0))
    assert fake["server"].kwargs["cors_allowed_origins"] == made.cors_allowed_origins


def test_credentials_file_selects_this_channel_with_persistence() -> None:
    from rasa.core.run import _create_single_channel

    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    name = "rasa_addons.socketio_channel.SocketIOInput"
    assert "socketio" not in credentials
    made = _create_single_channel(name, credentials[name])
    assert isinstance(made, SocketIOInput) and made.name() == "socketio"
    assert made.session_persistence is True
    assert "http://localhost:8080" in made.cors_allowed_origins


def test_with_a_real_async_server_enter_room_really_joins() -> None:
    """The real python-socketio server: the room exists only because it was awaited."""
    input_channel = SocketIOInput(session_persistence=True, tokens=TOKENS)
    input_channel.blueprint(lambda message: asyncio.sleep(0))
    sio = input_channel.sio
    assert isinstance(sio, socketio.AsyncServer)
    assert asyncio.iscoroutinefunction(sio.enter_room)  # the reason for the fix


# ------------------------------------------------------------------ output


def output() -> tuple[SocketIOOutput, FakeServer]:
    server = FakeServer()
    return SocketIOOutput(server, "bot_uttered"), server  # type: ignore[arg-type]


def sent(server: FakeServer) -> list[Any]:
    return [data for event, data, room in server.emitted if event == "bot_uttered" and room == "c1"]


def test_staff_name_from_event_metadata_travels_with_each_text_part() -> None:
    out, server = output()
    asyncio.run(out.send_response("c1", {"text": "Hej!\n\nJag heter Anna.", "kc_agent": " Anna ",
                                         "timestamp": 1.0, "utter_action": None}))
    assert sent(server) == [{"text": "Hej!", "kc_agent": "Anna"},
                            {"text": "Jag heter Anna.", "kc_agent": "Anna"}]


def test_staff_name_and_closing_from_custom_data() -> None:
    out, server = output()
    asyncio.run(out.send_response("c1", {"text": "Tack!", "custom": {"kc_agent": "Anna",
                                                                     "kc_closed": True}}))
    assert sent(server) == [{"text": "Tack!", "kc_agent": "Anna", "kc_closed": True}]


def test_custom_json_is_one_payload_instead_of_a_crash() -> None:
    out, server = output()
    asyncio.run(out.send_response("c1", {"custom": {"kc_closed": True, "other": [1]}}))
    assert sent(server) == [{"custom": {"kc_closed": True, "other": [1]}}]


def test_buttons_become_quick_replies_on_the_last_part() -> None:
    out, server = output()
    buttons = [{"title": "Ja, tack", "payload": "/affirm"}, {"title": "Nej", "payload": "/deny"}]
    asyncio.run(out.send_response("c1", {"text": "A\n\nB?", "buttons": buttons}))
    replies = [{"content_type": "text", **b} for b in buttons]
    assert sent(server) == [{"text": "A", "quick_replies": []},
                            {"text": "B?", "quick_replies": replies}]


@pytest.mark.parametrize("agent", [None, "", "   ", 5, ["Anna"]])
def test_no_usable_name_means_the_chattbot_speaks(agent: Any) -> None:
    out, server = output()
    asyncio.run(out.send_response("c1", {"text": "Hej", "kc_agent": agent}))
    assert sent(server) == [{"text": "Hej"}]


def test_long_names_are_cut() -> None:
    assert channel.widget_fields({"kc_agent": "A" * 100})["kc_agent"] == "A" * channel.MAX_AGENT_NAME


def test_parts_in_another_language_reach_the_widget_cleaned() -> None:
    parts = [{"text": "Sorry, I only understand Swedish.", "lang": "en"}]
    out, server = output()
    asyncio.run(out.send_response("c1", {"text": "Bara svenska. (Sorry, I only understand Swedish.)",
                                         "kc_lang": parts}))
    assert sent(server) == [{"text": "Bara svenska. (Sorry, I only understand Swedish.)",
                             "kc_lang": parts}]


@pytest.mark.parametrize(
    "parts",
    ["en", [{"text": "x", "lang": "EN<script>"}], [{"text": "", "lang": "en"}],
     [{"text": "x" * 501, "lang": "en"}], [{"lang": "en"}], [["x", "en"]]],
    ids=["string", "bad-tag", "empty", "long", "no-text", "list"],
)
def test_unusable_language_parts_are_dropped(parts: Any) -> None:
    assert "kc_lang" not in channel.widget_fields({"kc_lang": parts})


class RecordingTyping:
    """A ResidentSignals that remembers what it would have written."""

    def __init__(self) -> None:
        self.recorded: list[str] = []
        self.gone: list[str] = []
        self.allow = True

    def due(self, conversation_id: str) -> bool:
        return self.allow

    def record(self, conversation_id: str) -> bool:
        self.recorded.append(conversation_id)
        return True

    def left(self, conversation_id: str) -> bool:
        self.gone.append(conversation_id)
        return True


def build_with_typing(fake: dict[str, Any], secret: str = "api-token") -> tuple[
        FakeServer, SocketIOInput, RecordingTyping]:
    typing = RecordingTyping()
    input_channel = SocketIOInput(session_persistence=True, tokens=TOKENS, flood=FloodGuard(),
                                  cors_allowed_origins=["http://localhost:8080"],
                                  residents=typing, console_secret=secret)  # type: ignore[arg-type]

    async def on_new_message(message: UserMessage) -> None:
        pass

    input_channel.blueprint(on_new_message)
    return fake["server"], input_channel, typing


def test_resident_typing_is_recorded_for_the_confirmed_conversation_only(
    fake: dict[str, Any],
) -> None:
    server, _, typing = build_with_typing(fake)
    asyncio.run(server.handlers["kc_typing"]("early", {}))  # no conversation yet: nothing
    assert typing.recorded == []
    asyncio.run(server.handlers["session_request"]("sid", {"session_id": None}))
    conversation = issued_id(server.emitted[-1][1])
    asyncio.run(server.handlers["kc_typing"]("sid", {"session_id": "someone-else"}))
    assert typing.recorded == [conversation]  # whatever the payload claims
    typing.allow = False  # throttled
    asyncio.run(server.handlers["kc_typing"]("sid", {}))
    assert typing.recorded == [conversation]


def test_console_signals_need_the_api_token_and_reach_one_room_without_text(
    fake: dict[str, Any],
) -> None:
    import jwt

    server, input_channel, _ = build_with_typing(fake)
    admin = "Bearer " + jwt.encode({"user": {"username": "k", "role": "admin"}}, "api-token",
                                   algorithm="HS256")
    resident = "Bearer " + jwt.encode({"user": {"username": "c1", "role": "user"}},
                                      "api-token", algorithm="HS256")
    forged = "Bearer " + jwt.encode({"user": {"role": "admin"}}, "guess", algorithm="HS256")
    assert channel.console_authorised(admin, "api-token")
    for header in (resident, forged, None, "api-token", "Bearer x"):
        assert not channel.console_authorised(header, "api-token")
    assert not channel.console_authorised(admin, None)  # no token configured: nobody

    asyncio.run(input_channel.emit_signal(
        {"conversation_id": "c1", "typing": {"agent": "  Anna \n Andersson "}}))
    asyncio.run(input_channel.emit_signal({"conversation_id": "c1", "queue": {"place": 2}}))
    assert server.emitted[-2:] == [("kc_typing", {"agent": "Anna Andersson"}, "c1"),
                                   ("kc_queue", {"place": 2}, "c1")]
    for bad in ({"typing": {}}, {"conversation_id": "c1", "queue": {"place": -1}},
                {"conversation_id": "c1", "queue": {"place": True}},
                {"conversation_id": "c1", "text": "hej"}, "c1", None):
        refused = asyncio.run(input_channel.emit_signal(bad))
        assert refused.status == 400
    assert len(server.emitted) == 2


def test_asking_for_a_fresh_conversation_marks_the_old_one_as_left(fake: dict[str, Any]) -> None:
    """"Avsluta och rensa samtalet": the widget asks the same socket for a new one."""
    server, _, signals = build_with_typing(fake)
    asyncio.run(server.handlers["session_request"]("sid", {"session_id": None}))
    token = server.emitted[-1][1]
    asyncio.run(server.handlers["session_request"]("sid", {"session_id": token}))
    asyncio.run(server.handlers["session_request"]("other", {"session_id": None}))
    assert signals.gone == []  # a reconnect, or another socket's first conversation
    asyncio.run(server.handlers["session_request"]("sid", {"session_id": None}))
    assert signals.gone == [issued_id(token)]
    assert issued_id(server.emitted[-1][1]) != issued_id(token)


# ------------------------------------------------------------------ several servers


def test_without_a_redis_url_the_server_is_one_process_as_before(
    fake: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(channel.REDIS_URL_ENV, raising=False)
    build(fake)
    assert "client_manager" not in fake["server"].kwargs
    assert channel.client_manager({}) is None


def test_a_redis_url_makes_emits_go_through_redis_on_its_own_channel(
    fake: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(channel.REDIS_URL_ENV, "redis://127.0.0.1:6379/3")
    monkeypatch.setenv(channel.CHANNEL_ENV, "kc-test")
    build(fake)
    manager = fake["server"].kwargs["client_manager"]
    assert isinstance(manager, socketio.AsyncRedisManager)
    assert manager.channel == "kc-test"
    default = channel.client_manager({channel.REDIS_URL_ENV: "redis://localhost:6379/0"})
    assert default is not None and default.channel == channel.DEFAULT_CHANNEL


def test_a_redis_url_that_is_not_redis_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="KC_SOCKETIO_REDIS_URL"):
        channel.client_manager({channel.REDIS_URL_ENV: "http://127.0.0.1:6379"})
