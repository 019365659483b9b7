"""Flood limits per sender and per network address, applied before a message reaches Rasa.

A burst of 1000 messages from one sender made Rasa's conversation lock give up: REST
answered ``[]`` and socket.io dropped messages silently, so accepted messages were lost.
Here each sender and each address has a token bucket (a burst, then a steady rate) and a
cap on messages in flight; what exceeds it is refused with a clear Swedish
"försök igen om en stund" and never reaches Rasa, so nothing accepted is lost.

Elapsed time is measured with a monotonic clock (a rate, not product time).
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True)
class FloodLimits:
    """Burst size, refill rate and in-flight cap; override with KC_FLOOD_* variables."""

    # A resident who answers as fast as the bot replies (or a test harness) stays well
    # inside these; a burst of hundreds in a second from one sender does not.
    sender_burst: int = 30
    sender_per_second: float = 2.0
    sender_in_flight: int = 3
    # Generous: a city office or a mobile operator puts many residents behind one address.
    address_burst: int = 600
    address_per_second: float = 50.0
    tracked_keys: int = 100_000

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> FloodLimits:
        env = dict(os.environ if env is None else env)
        default = cls()
        return cls(
            sender_burst=int(env.get("KC_FLOOD_SENDER_BURST", default.sender_burst)),
            sender_per_second=float(
                env.get("KC_FLOOD_SENDER_PER_SECOND", default.sender_per_second)
            ),
            sender_in_flight=int(env.get("KC_FLOOD_SENDER_IN_FLIGHT", default.sender_in_flight)),
            address_burst=int(env.get("KC_FLOOD_ADDRESS_BURST", default.address_burst)),
            address_per_second=float(
                env.get("KC_FLOOD_ADDRESS_PER_SECOND", default.address_per_second)
            ),
        )


class _Buckets:
    """Token buckets by key, the least recently used forgotten beyond ``capacity`` keys."""

    def __init__(self, burst: int, per_second: float, capacity: int, clock: Clock) -> None:
        self.burst, self.per_second, self.capacity, self.clock = burst, per_second, capacity, clock
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> bool:
        now = self.clock()
        tokens, last = self._state.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_second)
        allowed = tokens >= 1.0
        self._state[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._state) > self.capacity:
            self._state.popitem(last=False)
        return allowed


class FloodGuard:
    """Admit or refuse one message; call :meth:`done` when an admitted one is answered.

    One instance per channel and process (the event loop is single-threaded, so no lock).
    """

    def __init__(self, limits: FloodLimits | None = None, clock: Clock = time.monotonic) -> None:
        self.limits = limits or FloodLimits()
        lim = self.limits
        self._senders = _Buckets(lim.sender_burst, lim.sender_per_second, lim.tracked_keys, clock)
        self._addresses = _Buckets(
            lim.address_burst, lim.address_per_second, lim.tracked_keys, clock
        )
        self._in_flight: dict[str, int] = {}

    def admit(self, sender: str, address: str | None) -> bool:
        """True when the message may go on to Rasa (then :meth:`done` must follow)."""
        if self._in_flight.get(sender, 0) >= self.limits.sender_in_flight:
            return False
        if address and not self._addresses.take(address):
            return False
        if not self._senders.take(sender):
            return False
        self._in_flight[sender] = self._in_flight.get(sender, 0) + 1
        return True

    def done(self, sender: str) -> None:
        left = self._in_flight.get(sender, 0) - 1
        if left > 0:
            self._in_flight[sender] = left
        else:
            self._in_flight.pop(sender, None)
