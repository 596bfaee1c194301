"""What every request and answer of `feeds serve` goes through, against abuse.

- The client's address is the socket's. X-Forwarded-For is believed only from
  a proxy listed in ``[web] trusted_proxies``, and then read from the right,
  past every trusted proxy: the leftmost entries are whatever the client wrote.
- A form POST must come from one of our own pages: its Origin (or, when a
  browser sends none, its Referer) must be the site's (``site.base_url``) or
  the server's own. Browsers set Origin themselves; another site cannot.
- Forms carry a CSRF token: signed, dated, bound to the form and to the client
  address, so that a token fetched by someone else is no use in a victim's browser.
- A body is read no further than its limit (a form's, a webhook's), so a huge or
  endless one costs nothing.
- Every answer forbids framing (X-Frame-Options and CSP frame-ancestors), so no
  page of ours can be overlaid on another site to trick a click.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_MAX_AGE = 24 * 3600  # seconds a form stays good to submit
FRAME_HEADERS = ((b"x-frame-options", b"DENY"),
                 (b"content-security-policy", b"frame-ancestors 'none'"))


class FrameGuard:
    """ASGI middleware: the anti-framing headers on every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    header for header in FRAME_HEADERS if header[0] not in names]
            await send(message)

        await self.app(scope, receive, guarded)


class ClientAddress:
    def __init__(self, trusted: Sequence[str]) -> None:
        self.trusted = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def __call__(self, request: Request) -> str:
        peer = request.client.host if request.client else ""
        if not self._trusted(peer):
            return peer or "?"
        forwarded = [a.strip() for h in request.headers.getlist("x-forwarded-for")
                     for a in h.split(",") if a.strip()]
        for address in reversed(forwarded):
            if not self._trusted(address):
                return address
        return forwarded[0] if forwarded else peer

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)


def same_origin(request: Request, base_url: str) -> bool | None:
    """True when Origin (else Referer) is ours, False when it is another's, None
    when the request carries neither."""
    claimed = request.headers.get("origin")
    if claimed is None or claimed == "null":
        referer = request.headers.get("referer")
        if not referer:
            return None if claimed is None else False
        claimed = referer
    return _origin(claimed) in {_origin(base_url), _origin(str(request.base_url))}


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, f"{(parts.hostname or '').lower()}:{port}"


class Csrf:
    def __init__(self, secret: str) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="feeds.csrf")

    def make(self, form: str, client: str) -> str:
        return str(self.serializer.dumps([form, client]))

    def valid(self, token: str, form: str, client: str) -> bool:
        try:
            return bool(self.serializer.loads(token, max_age=CSRF_MAX_AGE) == [form, client])
        except BadSignature:  # SignatureExpired is one
            return False


async def read_body(request: Request, limit: int) -> bytes | None:
    """The body, read no further than ``limit`` bytes; None when it is longer."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return body
