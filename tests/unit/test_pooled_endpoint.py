"""Calls to the action server reuse one connection and behave as Rasa's own calls."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from rasa_addons.speedups import PooledEndpointConfig


async def serve(handler) -> tuple[web.AppRunner, str, list]:  # type: ignore[no-untyped-def]
    peers: list = []

    async def endpoint(request: web.Request) -> web.Response:
        assert request.transport is not None
        peers.append(request.transport.get_extra_info("peername"))
        return await handler(request)

    app = web.Application()
    app.router.add_post("/webhook", endpoint)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/webhook", peers


def test_requests_share_one_connection_and_keep_headers_and_token() -> None:
    async def handler(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"echo": body, "secret": request.headers.get("X-KC-Action-Token"),
                                  "token": request.query.get("token")})

    async def go() -> None:
        runner, url, peers = await serve(handler)
        try:
            plain = EndpointConfig(url, headers={"X-KC-Action-Token": "hemligt"}, token="t0k")
            pooled = PooledEndpointConfig.wrap(plain)
            assert isinstance(pooled, PooledEndpointConfig)
            assert PooledEndpointConfig.wrap(pooled) is pooled
            assert PooledEndpointConfig.wrap(None) is None
            answers = [await pooled.request(json={"n": n}) for n in range(3)]
            assert answers == [{"echo": {"n": n}, "secret": "hemligt", "token": "t0k"}
                               for n in range(3)]
            assert len(set(peers)) == 1  # one TCP connection for all three
            await plain.request(json={"n": 9})
            assert len(set(peers)) == 2  # Rasa's own config opens a new one
            await pooled.close()
        finally:
            await runner.cleanup()

    asyncio.run(go())


def test_errors_come_back_as_in_rasa_and_a_restarted_server_is_found_again() -> None:
    status = {"code": 400}

    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"ok": status["code"]}, status=status["code"])

    async def go() -> None:
        runner, url, _ = await serve(handler)
        port = int(url.split(":")[2].split("/")[0])
        pooled = PooledEndpointConfig.wrap(EndpointConfig(url))
        assert pooled is not None
        try:
            with pytest.raises(ClientResponseError) as failure:
                await pooled.request(json={})
            assert failure.value.status == 400
            status["code"] = 200
            assert await pooled.request(json={}) == {"ok": 200}
        finally:
            await runner.cleanup()
        # The action server is down: the same error class Rasa's RemoteAction turns
        # into "action server unavailable".
        with pytest.raises(aiohttp.ClientConnectionError):
            await pooled.request(json={})
        # ... and back on the same port: the pooled endpoint connects again.
        app = web.Application()
        app.router.add_post("/webhook", handler)
        again = web.AppRunner(app)
        await again.setup()
        await web.TCPSite(again, "127.0.0.1", port).start()
        try:
            assert await pooled.request(json={}) == {"ok": 200}
        finally:
            await pooled.close()
            await again.cleanup()

    asyncio.run(go())
