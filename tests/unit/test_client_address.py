"""kontaktcenter.client_address: X-Forwarded-For counts only when a trusted proxy sent it.

Used by the REST and socket.io channels (flood limits) and the console (login
throttling); each is tested here through its own adapter.
"""

from __future__ import annotations

import asyncio
import ipaddress
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sanic.compat import Header

from kontaktcenter.client_address import (
    MAX_HOPS,
    client_address,
    parse_address,
    parse_trusted_proxies,
    trusted_proxies_from_env,
)
from kontaktcenter.flood import FloodGuard, FloodLimits
from kontaktcenter.settings import Settings
from kontaktcenter.staff import StaffDirectory
from kontaktcenter.staff.throttle import PAIR_FAILURES, THROTTLED
from rasa_addons.rest_channel import request_address
from rasa_addons.socketio_channel import SocketIOInput, connect_address
from tests.unit.test_console import PASSWORD, ROOT, run, token_in
from tests.unit.test_socketio_channel import TOKENS, FakeServer

PROXY = parse_trusted_proxies("10.0.0.1")
PROXIES = parse_trusted_proxies("10.0.0.0/24, 2001:db8::/64")

# ------------------------------------------------------------------ configuration


def test_nothing_is_trusted_by_default() -> None:
    assert parse_trusted_proxies(None) == parse_trusted_proxies("") == ()
    assert parse_trusted_proxies(" , ,") == ()
    assert trusted_proxies_from_env({}) == ()
    assert Settings.from_env({}).trusted_proxies == ()


def test_addresses_and_networks_of_both_families() -> None:
    trusted = parse_trusted_proxies(" 10.0.0.5 ,10.1.0.0/16,2001:db8::/64, ::1")
    assert [str(n) for n in trusted] == ["10.0.0.5/32", "10.1.0.0/16", "2001:db8::/64",
                                          "::1/128"]
    # An IPv4-mapped entry matches the IPv4 peers it means.
    assert [str(n) for n in parse_trusted_proxies("::ffff:10.2.0.0/112")] == ["10.2.0.0/16"]
    assert Settings.from_env({"KC_TRUSTED_PROXIES": "10.0.0.5"}).trusted_proxies == (
        ipaddress.ip_network("10.0.0.5"),
    )


@pytest.mark.parametrize("bad", ["proxy.example.se", "10.0.0.300", "10.0.0.0/33", "*",
                                 "10.0.0.1;10.0.0.2", "0.0.0.0/0", "::/0"])
def test_garbage_in_the_setting_stops_the_start_naming_it(bad: str) -> None:
    with pytest.raises(ValueError, match="KC_TRUSTED_PROXIES"):
        parse_trusted_proxies(f"10.0.0.1,{bad}")
    with pytest.raises(ValueError, match="KC_TRUSTED_PROXIES"):
        Settings.from_env({"KC_TRUSTED_PROXIES": bad})


# ------------------------------------------------------------------ the rule


@pytest.mark.parametrize("header", ["203.0.113.9", "203.0.113.9, 10.0.0.1",
                                    ["1.1.1.1", "2.2.2.2"], "unknown"])
def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(header: Any) -> None:
    assert client_address("198.51.100.7", header, ()) == "198.51.100.7"
    assert client_address("198.51.100.7", header, PROXIES) == "198.51.100.7"


def test_a_trusted_proxy_names_the_client() -> None:
    assert client_address("10.0.0.1", "203.0.113.9", PROXY) == "203.0.113.9"
    assert client_address("10.0.0.1", [], PROXY) == "10.0.0.1"  # no header: the proxy itself
    assert client_address("10.0.0.1", None, PROXY) == "10.0.0.1"


def test_the_right_most_untrusted_address_of_a_chain_wins() -> None:
    # The client forged the left part; HAProxy appended the real peer.
    assert client_address("10.0.0.1", "6.6.6.6, 203.0.113.9", PROXY) == "203.0.113.9"
    # Two proxies in a row (both trusted): the walk passes over them.
    assert client_address("10.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2", PROXIES) == "203.0.113.9"
    # HAProxy adds its own header line rather than appending: lines read as one list.
    assert client_address("10.0.0.1", ["6.6.6.6", "203.0.113.9"], PROXY) == "203.0.113.9"
    # Only trusted hops (a client inside the proxies' network): the left-most one.
    assert client_address("10.0.0.1", "10.0.0.7, 10.0.0.2", PROXIES) == "10.0.0.7"


def test_ipv6_and_mapped_addresses() -> None:
    assert client_address("2001:db8::1", "2001:db8:1::5", PROXIES) == "2001:db8:1::5"
    assert client_address("2001:db8::1", "[2001:db8:1::5]:4711", PROXIES) == "2001:db8:1::5"
    assert client_address("2001:db8::1", "2001:DB8:0001:0::5", PROXIES) == "2001:db8:1::5"
    # A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d.
    assert client_address("::ffff:10.0.0.1", "203.0.113.9", PROXY) == "203.0.113.9"
    assert client_address("10.0.0.1", "::ffff:203.0.113.9", PROXY) == "203.0.113.9"
    assert client_address("2001:db9::1", "203.0.113.9", PROXIES) == "2001:db9::1"  # outside /64
    assert client_address("fe80::1%eth0", "203.0.113.9", parse_trusted_proxies("fe80::/10")) == (
        "203.0.113.9"
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("unknown", "10.0.0.1"),  # no address: the trusted proxy itself
        ("203.0.113.9, _hidden", "10.0.0.1"),  # garbage where the proxy wrote: stop there
        ("_hidden, 203.0.113.9", "203.0.113.9"),  # garbage the client wrote: never reached
        ("", "10.0.0.1"),
        (" , ,", "10.0.0.1"),
        ("203.0.113.9:5555", "203.0.113.9"),
        ('"203.0.113.9"', "203.0.113.9"),
        ("203.0.113.9:port", "10.0.0.1"),
        ("[2001:db8:1::5", "10.0.0.1"),
        ("[2001:db8:1::5]x", "10.0.0.1"),
        ("203.0.113.9\x00", "10.0.0.1"),
        ("1" * 5000, "10.0.0.1"),
        ("for=203.0.113.9", "10.0.0.1"),  # RFC 7239 syntax belongs to another header
    ],
)
def test_garbage_never_becomes_the_address(header: str, expected: str) -> None:
    assert client_address("10.0.0.1", header, PROXY) == expected


def test_a_long_chain_is_read_only_from_the_right() -> None:
    chain = ", ".join(["203.0.113.1"] + ["10.0.0.9"] * (MAX_HOPS + 50))
    assert client_address("10.0.0.1", chain, PROXIES) == "10.0.0.9"


def test_without_a_peer_address_nothing_is_trusted() -> None:
    assert client_address(None, "203.0.113.9", PROXY) is None
    assert client_address("", "203.0.113.9", PROXY) is None
    assert client_address("unix:/run/kc.sock", "203.0.113.9", PROXY) == "unix:/run/kc.sock"


@given(st.text(max_size=200), st.lists(st.text(max_size=60), max_size=4))
def test_an_untrusted_peer_is_always_its_own_address(peer_tail: str, header: list[str]) -> None:
    peer = f"198.51.100.{len(peer_tail) % 250 + 1}"
    assert client_address(peer, header, PROXIES) == peer


@given(st.lists(st.one_of(st.text(max_size=40), st.ip_addresses().map(str)), max_size=6))
def test_a_trusted_peer_yields_only_real_addresses(hops: list[str]) -> None:
    result = client_address("10.0.0.1", [", ".join(hops)], PROXY)
    assert result is not None and parse_address(result) is not None
    assert result == "10.0.0.1" or any(parse_address(h) == parse_address(result)
                                       for h in ", ".join(hops).split(","))


# ------------------------------------------------------------------ REST and socket.io


def sanic_request(ip: str, *forwarded: str) -> Any:
    headers = Header()
    for value in forwarded:
        headers.add("X-Forwarded-For", value)
    return SimpleNamespace(ip=ip, headers=headers)


def test_the_rest_channel_reads_the_header_only_from_a_trusted_peer() -> None:
    forged = sanic_request("127.0.0.2", "203.0.113.9")
    assert request_address(forged, ()) == "127.0.0.2"
    assert request_address(forged, parse_trusted_proxies("127.0.0.1")) == "127.0.0.2"
    proxied = sanic_request("127.0.0.1", "6.6.6.6", "203.0.113.9")
    assert request_address(proxied, parse_trusted_proxies("127.0.0.1")) == "203.0.113.9"


def test_the_socketio_channel_counts_floods_per_real_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rasa_addons import socketio_channel

    made: dict[str, FakeServer] = {}

    def factory(**kwargs: Any) -> FakeServer:
        made["server"] = FakeServer(**kwargs)
        return made["server"]

    monkeypatch.setattr(socketio_channel, "AsyncServer", factory)
    received: list[Any] = []

    async def on_new_message(message: Any) -> None:
        received.append(message)

    flood = FloodGuard(FloodLimits(address_burst=3, address_per_second=0.0), clock=lambda: 1.0)
    channel = SocketIOInput(session_persistence=True, cors_allowed_origins=["http://x"],
                            tokens=TOKENS, flood=flood,
                            trusted_proxies=parse_trusted_proxies("127.0.0.1"))
    channel.blueprint(on_new_message)
    server = made["server"]

    def connect(sid: str, request: Any) -> None:
        assert asyncio.run(server.handlers["connect"](sid, {"sanic.request": request}, None))
        asyncio.run(server.handlers["session_request"](sid, {}))

    # An untrusted peer forging a new header on every socket: one address all the same.
    for n in range(5):
        connect(f"forger{n}", sanic_request("127.0.0.2", f"203.0.113.{n}"))
        asyncio.run(server.handlers["user_uttered"](f"forger{n}", {"message": "hej"}))
    assert server.sessions["forger4"]["address"] == "127.0.0.2"
    assert len(received) == 3
    # Residents behind the trusted proxy are counted one by one.
    connect("resident", sanic_request("127.0.0.1", "6.6.6.6, 198.51.100.7"))
    assert server.sessions["resident"]["address"] == "198.51.100.7"
    asyncio.run(server.handlers["user_uttered"]("resident", {"message": "hej"}))
    assert len(received) == 4
    # Without a sanic request (another server), the WSGI-style environ is read.
    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.8"}
    assert connect_address(environ, parse_trusted_proxies("127.0.0.1")) == "198.51.100.8"
    assert connect_address(environ, ()) == "127.0.0.1"


# ------------------------------------------------------------------ console login


async def login(client: TestClient, username: str, password: str, forwarded: str | None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    page = await client.get("/console/login")
    form = {"csrf_token": token_in(await page.text()), "username": username,
            "password": password}
    response = await client.post("/console/login", data=form, headers=headers,
                                 allow_redirects=False)
    body = await response.text()
    assert response.status != 429 or THROTTLED in body
    return response.status


def test_login_throttling_ignores_a_forged_header(tmp_path: Any) -> None:
    async def scenario(client: TestClient, _r: Any, _h: Any, _s: StaffDirectory) -> None:
        for n in range(PAIR_FAILURES):
            assert await login(client, "anna", "fel-lösenord-123", f"203.0.113.{n}") == 401
        # A fresh forged address does not buy new guesses.
        assert await login(client, "anna", PASSWORD, "203.0.113.200") == 429

    run(tmp_path, scenario)


def test_login_throttling_behind_a_trusted_proxy_is_per_client(tmp_path: Any) -> None:
    async def scenario(client: TestClient, _r: Any, _h: Any, _s: StaffDirectory) -> None:
        for _ in range(PAIR_FAILURES):
            assert await login(client, "anna", "fel-lösenord-123", "198.51.100.7") == 401
        assert await login(client, "anna", PASSWORD, "198.51.100.7") == 429
        # The guesser cannot escape by forging a left part; HAProxy appended the truth.
        assert await login(client, "anna", PASSWORD, "198.51.100.8, 198.51.100.7") == 429
        # Anna, behind the same proxy, is not locked out by the stranger.
        assert await login(client, "anna", PASSWORD, "198.51.100.8") == 302

    run(tmp_path, scenario, trusted_proxies=parse_trusted_proxies("127.0.0.1, ::1"))


def test_console_settings_carry_the_trusted_proxies() -> None:
    settings = Settings.from_env({"KC_HOME": str(ROOT), "KC_TRUSTED_PROXIES": "10.0.0.1"})
    assert settings.trusted_proxies == PROXY
