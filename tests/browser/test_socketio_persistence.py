"""The fixed socket.io channel on the running stack, with python-socketio's own client
(polling only: its websocket transport does not work with this aiohttp, NOTES.md)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import socketio

from tests.browser.conftest import WebServer, user_texts


class Resident:
    """A socket.io client that records confirmations and bot messages."""

    def __init__(self, url: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.confirmed: list[str] = []
        self.replies: list[dict] = []
        self.got_confirm, self.got_reply = threading.Event(), threading.Event()
        self.client.on("session_confirm", self._confirm)
        self.client.on("bot_uttered", self._reply)
        self.client.connect(url, transports=["polling"], wait_timeout=20)

    def _confirm(self, data: str) -> None:
        self.confirmed.append(data)
        self.got_confirm.set()

    def _reply(self, data: dict) -> None:
        self.replies.append(data)
        if data.get("text"):  # not the diarienummer push (custom kc_case, no text)
            self.got_reply.set()

    def start(self, session_id: str | None) -> str:
        self.client.emit("session_request", {"session_id": session_id})
        assert self.got_confirm.wait(20), "ingen session_confirm"
        return self.confirmed[-1]

    def say(self, text: str) -> list[dict]:
        self.got_reply.clear()
        self.replies.clear()
        self.client.emit("user_uttered", {"message": text})
        assert self.got_reply.wait(30), "inget svar från boten"
        return self.replies

    def close(self) -> None:
        self.client.disconnect()


def test_reconnect_with_stored_id_continues_the_same_conversation(web_server: WebServer) -> None:
    first = Resident(web_server.stack.url)
    try:
        conversation = first.start(None)
        assert first.say("Hej")
    finally:
        first.close()

    again = Resident(web_server.stack.url)
    try:
        assert again.start(conversation) == conversation
        replies = again.say("Vad har ni för telefonnummer?")
        assert any("042" in r.get("text", "") for r in replies), replies
    finally:
        again.close()
    conversation_id = conversation.split(".")[0]  # the token is "<id>.<signature>"
    assert user_texts(web_server.stack, conversation_id)[-2:] == ["Hej", "Vad har ni för telefonnummer?"]


def test_other_origins_may_not_connect(web_server: WebServer) -> None:
    def handshake(origin: str) -> int:
        req = urllib.request.Request(
            f"{web_server.stack.url}/socket.io/?EIO=4&transport=polling",
            headers={"Origin": origin},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status
        except urllib.error.HTTPError as err:
            return err.code

    assert handshake(web_server.url) == 200
    assert handshake("http://angripare.example") == 400
