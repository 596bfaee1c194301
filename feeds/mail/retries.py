"""Copies waiting for another try in this run, ordered by when each may go.

A temporary refusal (4xx, a link that dropped before the message was complete)
puts one reader's copy here with its backoff; the run goes on with everyone
else and comes back to it when it is due. Only when nothing else is left to send
does the run wait, and then only until the earliest copy is due, so one reader's
backoff never holds up the others.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from .delivery import Outgoing


@dataclass
class RetryQueue:
    monotonic: Callable[[], float]
    sleep: Callable[[float], None]
    _heap: list[tuple[float, int, Outgoing]] = field(default_factory=list)
    _order: itertools.count[int] = field(default_factory=itertools.count)

    def __len__(self) -> int:
        return len(self._heap)

    def put(self, item: Outgoing, delay: float) -> None:
        heapq.heappush(self._heap, (self.monotonic() + delay, next(self._order), item))

    def due(self) -> list[Outgoing]:
        """Every copy whose time has come, earliest first (none waits for another)."""
        now = self.monotonic()
        ready = []
        while self._heap and self._heap[0][0] <= now:
            ready.append(heapq.heappop(self._heap)[2])
        return ready

    def wait(self) -> list[Outgoing]:
        """Sleep until the earliest copy is due; then every copy due by then."""
        if not self._heap:
            return []
        delay = self._heap[0][0] - self.monotonic()
        if delay > 0:
            self.sleep(delay)
        ready = self.due()
        return ready or [heapq.heappop(self._heap)[2]]  # a clock that did not move

    def drain(self) -> list[Outgoing]:
        """Every copy still waiting (the run stopped): they go back to the ledger."""
        items = [entry[2] for entry in self._heap]
        self._heap.clear()
        return items
