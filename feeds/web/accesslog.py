"""An access log in common log format, the one nginx and Apache write by default, so
log analysers (GoAccess, AWStats) and fail2ban read it as they are.

    127.0.0.1 - - [02/Dec/2026:10:15:32 +0800] "POST /subscribe HTTP/1.1" 200 1432

The client is the address the sign-up limits see too (feeds.web.guard: X-Forwarded-For
only from ``[web] trusted_proxies``). Signed tokens in query strings open a reader's
subscription, so their values are written as ``[redacted]``: a log is read by more
people than a database. The file is reopened when logrotate moves it
(WatchedFileHandler).
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import time
from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_TOKEN = re.compile(r"(?<=token=)[^&]*")


class AccessLog:
    """ASGI middleware writing one line per HTTP request to a file."""

    def __init__(self, app: ASGIApp, path: Path,
                 client: Callable[[Request], str] | None = None) -> None:
        self.app = app
        self.client = client
        path.parent.mkdir(parents=True, exist_ok=True)
        self.log = logging.Logger("feeds.access")  # its own, never the root's handlers
        handler = logging.handlers.WatchedFileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(message)s"))
        self.log.addHandler(handler)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status, size = 500, 0  # what the client sees if the app fails before answering

        async def counting(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            who = self.client(Request(scope)) if self.client else None
            self.log.info(line(scope, status, size, time.time(), who))


def line(scope: Scope, status: int, size: int, when: float, who: str | None = None) -> str:
    peer = scope.get("client")
    who = who or (peer[0] if peer else "-")
    target = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")  # ASGI: bytes
    query = scope.get("query_string", b"").decode("latin-1")
    if query:
        target += "?" + _TOKEN.sub("[redacted]", query)
    request = f'{scope["method"]} {target} HTTP/{scope.get("http_version", "1.1")}'
    return (f"{who} - - [{clf_time(when)}] "
            f'"{_quoted(request)}" {status} {size or "-"}')


def clf_time(when: float) -> str:
    """10/Oct/2000:13:55:36 -0700, in the server's local time. The month is English:
    Python leaves LC_TIME as "C" unless a program sets a locale, and feeds sets none."""
    return time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime(when))


def _quoted(text: str) -> str:
    """The request line as nginx escapes it: quotes, backslashes, control bytes."""
    return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else f"\\x{ord(c):02X}"
                   for c in text)
