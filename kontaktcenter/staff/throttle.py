"""Login throttling by network address, so guessing is slow and nobody can lock others out.

An account lock after 5 failures let anyone lock any colleague out with 5 tries. Now:

* an address with ``ADDRESS_FAILURES`` failed logins within ``WINDOW`` is refused for the
  rest of the window, whatever account it tries (guessing many accounts is slow);
* an (address, username) pair with ``PAIR_FAILURES`` failures is refused for that
  username only (guessing one password is slow);
* the account itself is locked only after ``accounts.MAX_FAILURES`` failures from any
  number of addresses (NIST SP 800-63B: at most 100), so a colleague's own address
  keeps working while a stranger is throttled.

The refusal never says whether the account exists. Memory only (one web process);
addresses are the direct peer, or X-Forwarded-For when the peer is one of
KC_TRUSTED_PROXIES (kontaktcenter.client_address).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import datetime, timedelta

from kontaktcenter import clock

ADDRESS_FAILURES = 20
PAIR_FAILURES = 5
WINDOW = timedelta(minutes=15)
TRACKED_KEYS = 50_000

THROTTLED = (
    "För många misslyckade inloggningar från din anslutning. Vänta en kvart och försök igen."
)


class LoginThrottle:
    """Counts failed logins per address and per (address, username) in a sliding window."""

    def __init__(self, now: Callable[[], datetime] = clock.now_utc) -> None:
        self._now = now
        self._failures: OrderedDict[tuple[str, str], deque[datetime]] = OrderedDict()

    def _recent(self, key: tuple[str, str]) -> int:
        times = self._failures.get(key)
        if not times:
            return 0
        cutoff = self._now() - WINDOW
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return len(times)

    def allowed(self, address: str, username: str) -> bool:
        """False while this address (or this address for this username) must wait."""
        name = username.strip().lower()
        return (
            self._recent((address, "")) < ADDRESS_FAILURES
            and self._recent((address, name)) < PAIR_FAILURES
        )

    def failed(self, address: str, username: str) -> None:
        now = self._now()
        for key in ((address, ""), (address, username.strip().lower())):
            times = self._failures.pop(key, None) or deque()
            times.append(now)
            self._failures[key] = times
        while len(self._failures) > TRACKED_KEYS:
            self._failures.popitem(last=False)

    def succeeded(self, address: str, username: str) -> None:
        """A right password clears the pair (not the address: others may share it)."""
        self._failures.pop((address, username.strip().lower()), None)
