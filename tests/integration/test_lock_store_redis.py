"""The Redis lock store (rasa_addons/lock_store.py) against the machine's Redis.

Fails, never skips, when Redis cannot be reached (KC_TEST_REDIS, default 127.0.0.1:6379).
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from rasa_addons.lock_store import AsyncRedisLockStore, lifetime_from_env
from tests.integration.test_production_stack import require_redis

pytestmark = pytest.mark.postgres  # the services tier (PostgreSQL and Redis)
DB = 12


def store(lifetime_s: float = 15.0) -> AsyncRedisLockStore:
    host, port = require_redis()
    config = EndpointConfig(url=host, type="rasa_addons.lock_store.AsyncRedisLockStore",
                            port=port, db=DB, key_prefix="kctest")
    made = LockStore.create(config)  # the way Rasa builds it from endpoints.yml
    assert isinstance(made, AsyncRedisLockStore) and isinstance(made, RedisLockStore)
    made.lifetime_s = lifetime_s
    return made


async def until(condition, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    """Wait for a condition (polled), never for a fixed time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "not within the time"
        await asyncio.sleep(0.005)


def issued(conversation: str) -> int:
    """How many tickets the conversation's lock has handed out."""
    host, port = require_redis()
    found = redis.Redis(host=host, port=port, db=DB).hget(f"kctest:lock:{conversation}:kc-tickets", "next")
    return int(found or 0)


def keys(conversation: str) -> list[bytes]:
    host, port = require_redis()
    return redis.Redis(host=host, port=port, db=DB).keys(f"*{conversation}*")


def test_one_conversation_is_served_in_order_one_at_a_time() -> None:
    locks = [store(), store()]  # two Rasa servers
    conversation = f"c-{uuid.uuid4().hex}"
    inside: list[int] = []
    order: list[int] = []

    async def turn(n: int) -> None:
        async with locks[n % 2].lock(conversation):
            inside.append(n)
            assert len(inside) == 1, inside  # never two turns of one conversation at once
            order.append(n)
            if n == 0:  # hold the lock until every ticket is out (the key stays)
                await until(lambda: issued(conversation) == 8)
            await asyncio.sleep(0.05)  # some work
            inside.remove(n)

    async def main() -> None:
        tasks = []
        for n in range(8):
            tasks.append(asyncio.create_task(turn(n)))
            await until(lambda n=n: issued(conversation) > n)  # ticket n taken
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert order == list(range(8))
    assert keys(conversation) == []  # the last one out removes the key


def test_other_conversations_do_not_wait() -> None:
    lock = store()
    started: list[str] = []

    async def main() -> None:
        async def hold() -> None:
            async with lock.lock("busy-" + uuid.uuid4().hex):
                await asyncio.sleep(1.0)

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0.05)
        async with lock.lock("free-" + uuid.uuid4().hex):
            started.append("free")
            assert not holder.done()  # served while the other conversation still works
        await holder

    asyncio.run(main())
    assert started == ["free"]


def test_a_long_turn_keeps_its_lock_and_a_dead_holder_frees_it() -> None:
    lock = store(lifetime_s=3.0)
    conversation = f"c-{uuid.uuid4().hex}"
    events: list[str] = []

    async def long_turn() -> None:
        async with lock.lock(conversation):
            events.append("long start")
            await asyncio.sleep(4.5)  # longer than the lifetime: renewed meanwhile
            events.append("long end")

    async def next_turn() -> None:
        await until(lambda: events)
        async with lock.lock(conversation):
            events.append("next")

    async def main() -> None:
        await asyncio.gather(long_turn(), next_turn())

    asyncio.run(main())
    assert events == ["long start", "long end", "next"]

    # A server killed while holding the lock: its ticket is never given back nor
    # renewed. The next message is served once the ticket expires (3 s here), not 60 s.
    dead = store(lifetime_s=3.0)

    async def killed() -> float:
        _, take, _, _ = dead._scripts()
        await take(keys=[dead._key(conversation)], args=[3000])
        loop = asyncio.get_running_loop()
        start = loop.time()
        async with lock.lock(conversation):
            return loop.time() - start

    waited = asyncio.run(killed())
    assert 2.0 < waited < 30, waited  # it waited for the expiry, well short of Rasa's 60 s


def test_redis_away_is_a_lock_error_not_a_hang() -> None:
    lock = AsyncRedisLockStore(EndpointConfig(url="127.0.0.1", port=1, db=DB,
                                              socket_timeout=2))

    async def main() -> None:
        async with lock.lock("c-" + uuid.uuid4().hex):
            raise AssertionError("served without Redis")

    with pytest.raises(LockError):
        asyncio.run(main())


@pytest.mark.parametrize(("raw", "expected"), [("", 15.0), ("30", 30.0), ("3", 3.0)])
def test_lifetime_setting(raw: str, expected: float) -> None:
    assert lifetime_from_env({"KC_LOCK_LIFETIME_SECONDS": raw}) == expected


@pytest.mark.parametrize("raw", ["soon", "2", "-5"])
def test_a_bad_lifetime_is_refused_in_swedish(raw: str) -> None:
    with pytest.raises(ValueError, match="KC_LOCK_LIFETIME_SECONDS ska vara"):
        lifetime_from_env({"KC_LOCK_LIFETIME_SECONDS": raw})
