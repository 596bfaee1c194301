"""A per-client limit on sign-ups, so the form cannot be used to mail-bomb an address."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable


class RateLimit:
    """At most ``limit`` events per client in any ``window`` seconds (a sliding window).

    Clients are kept in least-recently-seen order and the oldest are forgotten past
    ``max_clients``, so memory stays bounded whoever calls."""

    def __init__(self, limit: int, window: float = 3600.0, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self.clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, client: str) -> float | None:
        """None when the event may go ahead (and counts it); else seconds to wait."""
        now = self.clock()
        times = self._seen.pop(client, None) or deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        self._seen[client] = times
        if len(self._seen) > self.max_clients:
            self._seen.popitem(last=False)
        if len(times) >= self.limit:
            return times[0] + self.window - now
        times.append(now)
        return None
