"""What every transport shares: the message going out, what became of it, and
the clock and sleep it waits with (see the package's docstring)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from ...errors import FeedsError
from ..message import Letter

Status = Literal["sent", "failed", "deferred", "uncertain"]


@dataclass(frozen=True)
class Outgoing:
    key: int  # the subscriber id, handed back in the Outcome
    letter: Letter
    raw: bytes = b""  # the MIME message, for transports that send MIME


@dataclass(frozen=True)
class Outcome:
    key: int
    status: Status
    detail: str = ""


class TransportUnavailable(FeedsError):
    """Nothing can be delivered now; the run stops and unsent copies wait for the next."""


class Transport(Protocol):
    name: str
    batch_size: int
    needs_mime: bool  # whether Outgoing.raw must be filled
    retries: int  # tries again, within one run, of a copy deferred by this transport
    pace: Pace  # the clock and the sleep the run's retry queue uses

    def send(self, batch: Sequence[Outgoing]) -> Iterator[Outcome]: ...

    def close(self) -> None: ...


@dataclass
class Pace:
    """Side effects a transport waits with, passed in so tests need not wait."""

    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    random: Callable[[], float] = field(default_factory=lambda: random.Random().random)

    def backoff(self, attempt: int, base: float = 1.0, cap: float = 60.0) -> float:
        """Exponential backoff with jitter (half to one and a half times the step), so
        that many senders throttled at once do not come back at once."""
        return min(cap, base * 2 ** (attempt - 1)) * (0.5 + self.random())
