"""Rasa's Redis lock store, without blocking the event loop and without 60 s of silence.

endpoints.production.yml::

    lock_store:
      type: rasa_addons.lock_store.AsyncRedisLockStore
      url: ${KC_REDIS_HOST}
      port: ${KC_REDIS_PORT}
      db: ${KC_REDIS_DB}
      key_prefix: kontaktcenter

Why not Rasa's ``RedisLockStore`` (measured with py-spy on a busy cluster server,
docs/performance.md):

* It talks to Redis with the synchronous client, seven round trips per message, inside
  the event loop: 8 % of a busy Rasa server's loop was spent waiting on Redis, with
  every other resident's message stalled meanwhile. Here: redis.asyncio, and one Lua
  script per step, so a message normally costs two round trips (take a ticket, give
  it back) that do not stall the loop.
* Its ticket update is read-modify-write from the client, so two servers taking a
  ticket for one conversation at once could both be served. Here each step is a script,
  atomic in Redis, and expiry is judged on Redis's clock, not each server's.
* A ticket lived 60 s (``TICKET_LOCK_LIFETIME``) whatever happened, so after a server
  died its conversations stayed locked for a minute and the resident's message sent
  again was answered only then. Here a ticket lives ``KC_LOCK_LIFETIME_SECONDS``
  (default 15 s) and its holder renews it every third of that while it works, so a
  long turn keeps its lock and a dead server's lock is free within 15 s.
* A waiting message polled every second; here it polls after 20 ms, doubling to 250 ms.

The lock is the same kind: per conversation, first come first served (tickets).
All Rasa servers of one installation must use this store (its keys differ from Rasa's).
The scripts read Redis's clock before writing, which needs Redis 5 or newer (Debian 12
has 7).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis import asyncio as aioredis

from kontaktcenter.settings import env_number

logger = logging.getLogger(__name__)

LIFETIME_ENV = "KC_LOCK_LIFETIME_SECONDS"
DEFAULT_LIFETIME_S = 15.0
FIRST_POLL_S = 0.02
MAX_POLL_S = 0.25
KEY_SUFFIX = ":kc-tickets"

# Shared by the scripts: now (ms, Redis's clock), and pruning of expired tickets.
_NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000) "
# KEYS[1] lock hash ('next' counter, 't<n>' = expiry ms); ARGV[1] lifetime ms.
# Returns {ticket, 1 if served now else 0}.
_TAKE = _NOW + """
local ticket = redis.call('HINCRBY', KEYS[1], 'next', 1)
redis.call('HSET', KEYS[1], 't' .. ticket, now + tonumber(ARGV[1]))
redis.call('PEXPIRE', KEYS[1], 3 * tonumber(ARGV[1]))
local fields = redis.call('HGETALL', KEYS[1])
local lowest = ticket
for i = 1, #fields, 2 do
  local f = fields[i]
  if string.sub(f, 1, 1) == 't' then
    if tonumber(fields[i + 1]) < now then
      redis.call('HDEL', KEYS[1], f)
    else
      local n = tonumber(string.sub(f, 2))
      if n < lowest then lowest = n end
    end
  end
end
if lowest == ticket then return {ticket, 1} end
return {ticket, 0}
"""
# KEYS[1]; ARGV[1] ticket, ARGV[2] lifetime ms. Renews the ticket and says whether it is
# served: 1 served, 0 waiting, -1 gone (it expired: the lock is lost).
_POLL = _NOW + """
local mine = 't' .. ARGV[1]
if redis.call('HEXISTS', KEYS[1], mine) == 0 then return -1 end
redis.call('HSET', KEYS[1], mine, now + tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], 3 * tonumber(ARGV[2]))
local fields = redis.call('HGETALL', KEYS[1])
local ticket = tonumber(ARGV[1])
for i = 1, #fields, 2 do
  local f = fields[i]
  if string.sub(f, 1, 1) == 't' then
    if tonumber(fields[i + 1]) < now then
      redis.call('HDEL', KEYS[1], f)
    elseif tonumber(string.sub(f, 2)) < ticket then
      return 0
    end
  end
end
return 1
"""
# KEYS[1]; ARGV[1] ticket. The key goes when no ticket is left.
_GIVE_BACK = """
redis.call('HDEL', KEYS[1], 't' .. ARGV[1])
if redis.call('HLEN', KEYS[1]) <= 1 then redis.call('DEL', KEYS[1]) end
return 1
"""


def lifetime_from_env(env: dict[str, str] | None = None) -> float:
    """KC_LOCK_LIFETIME_SECONDS (default 15); at least 3 s, so renewals keep up."""
    return env_number(os.environ if env is None else env, LIFETIME_ENV, DEFAULT_LIFETIME_S,
                      unit="ett antal sekunder", minimum=3, inclusive=True)


class AsyncRedisLockStore(RedisLockStore):
    """Ticket locks in Redis, taken and given back with atomic scripts, off the loop."""

    def __init__(self, endpoint_config: EndpointConfig | None = None,
                 lifetime_s: float | None = None, **kwargs: Any) -> None:
        settings = dict(endpoint_config.kwargs) if endpoint_config is not None else {}
        settings.update(kwargs)
        host = (endpoint_config.url if endpoint_config is not None else None) or \
            settings.pop("host", None) or "localhost"
        settings.pop("type", None)
        self.connection = {
            "host": host,
            "port": int(settings.get("port") or 6379),
            "db": int(settings.get("db") or 1),
            "username": settings.get("username"),
            "password": settings.get("password"),
            "ssl": bool(settings.get("use_ssl", False)),
            "socket_timeout": float(settings.get("socket_timeout") or 10),
        }
        super().__init__(host=host, port=self.connection["port"], db=self.connection["db"],
                         username=self.connection["username"],
                         password=self.connection["password"],
                         use_ssl=self.connection["ssl"],
                         key_prefix=settings.get("key_prefix"))
        self.lifetime_s = lifetime_s if lifetime_s is not None else lifetime_from_env()
        self._clients: dict[asyncio.AbstractEventLoop, Any] = {}

    def _scripts(self) -> Any:
        """The client and scripts of the running loop (redis.asyncio binds to one loop)."""
        loop = asyncio.get_running_loop()
        found = self._clients.get(loop)
        if found is None:
            client = aioredis.Redis(**self.connection)
            found = (client, client.register_script(_TAKE), client.register_script(_POLL),
                     client.register_script(_GIVE_BACK))
            self._clients = {lo: c for lo, c in self._clients.items() if not lo.is_closed()}
            self._clients[loop] = found
        return found

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id + KEY_SUFFIX

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        """Wait for the conversation's turn, hold it while working, give it back.

        Rasa's ``lock_lifetime`` (60 s) and ``wait_time_in_seconds`` (1 s) are replaced
        by the renewed lifetime and the short polls described above."""
        _, take, poll, give_back = self._scripts()
        key = self._key(conversation_id)
        lifetime_ms = int(self.lifetime_s * 1000)
        try:
            ticket, served = await take(keys=[key], args=[lifetime_ms])
        except Exception as exc:
            raise LockError(f"Could not take a lock ticket: {type(exc).__name__}") from exc
        renewing: asyncio.Task[None] | None = None
        try:
            delay = FIRST_POLL_S
            while not served:
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_POLL_S)
                state = await poll(keys=[key], args=[ticket, lifetime_ms])
                if state == -1:
                    raise LockError(f"Lock ticket for '{conversation_id}' expired while waiting.")
                served = state == 1
            renewing = asyncio.create_task(self._renew(key, int(ticket), lifetime_ms))
            yield TicketLock(conversation_id)
        finally:
            if renewing is not None:
                renewing.cancel()
            try:
                await give_back(keys=[key], args=[ticket])
            except Exception as exc:  # the ticket expires by itself
                logger.warning("Lock ticket not given back (%s); it expires.",
                               type(exc).__name__)

    async def _renew(self, key: str, ticket: int, lifetime_ms: int) -> None:
        _, _, poll, _ = self._scripts()
        while True:
            await asyncio.sleep(lifetime_ms / 3000)
            try:
                if await poll(keys=[key], args=[ticket, lifetime_ms]) == -1:
                    logger.warning("A conversation's lock expired while its turn ran.")
                    return
            except Exception as exc:  # Redis away for a moment: try again next time
                logger.warning("Lock ticket not renewed (%s).", type(exc).__name__)
