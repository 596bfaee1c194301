"""Telling a WebSub hub which feeds changed (https://www.w3.org/TR/websub/).

Publishing is not specified by WebSub itself; hubs (Superfeedr, Google's
pubsubhubbub, websub.rocks) take the PubSubHubbub 0.4 form: a POST of
``hub.mode=publish`` and ``hub.url=<feed>``, answered 2xx. One request per
feed, retried with backoff on network errors and 5xx. A hub that is down or
slow is reported; it never fails the build, since the feeds are published
and readers that poll still get them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .version import installed_version

if TYPE_CHECKING:
    import httpx

RETRIES = 3
TIMEOUT = 10.0  # seconds per request


@dataclass(frozen=True)
class PingFailure:
    feed_url: str
    reason: str
    unreachable: bool = False  # no answer at all, as opposed to a refusal


def publish(hub: str, feed_urls: Sequence[str], *, client: httpx.Client | None = None,
            retries: int = RETRIES, timeout: float = TIMEOUT,
            pause: Callable[[float], None] = time.sleep) -> list[PingFailure]:
    """Ping the hub for each feed URL; the feeds the hub did not take, with why."""
    import httpx  # here, not at the top: a fifth of a second, and most sites have no hub

    own = client is None
    client = client or httpx.Client(timeout=timeout,
                                    headers={"User-Agent": f"feeds/{installed_version()}"})
    failures: list[PingFailure] = []
    try:
        for i, url in enumerate(feed_urls):
            failure = _ping(client, hub, url, retries, pause)
            if failure is None:
                continue
            failures.append(failure)
            if failure.unreachable:  # the others would wait through the same retries
                failures += [PingFailure(u, failure.reason, True) for u in feed_urls[i + 1:]]
                break
    finally:
        if own:
            client.close()
    return failures


def _ping(client: httpx.Client, hub: str, url: str, retries: int,
          pause: Callable[[float], None]) -> PingFailure | None:
    import httpx

    reason, unreachable = "", False
    for attempt in range(retries + 1):
        if attempt:
            pause(0.5 * 2 ** (attempt - 1))
        try:
            response = client.post(hub, data={"hub.mode": "publish", "hub.url": url})
        except httpx.HTTPError as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            unreachable = isinstance(exc, httpx.TransportError)
            continue
        if response.is_success:
            return None
        reason, unreachable = f"hub answered {response.status_code}", False
        if response.status_code < 500:
            break  # the hub refuses this request; asking again will not help
    return PingFailure(url, reason, unreachable)
