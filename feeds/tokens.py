"""Signed per-subscriber tokens for the links in emails: unsubscribe, preferences, confirm.

A token names a subscriber (their id and a short hash of their address, so a
changed address voids old links and the URL does not show the address) and is
signed with HMAC (itsdangerous) for one purpose: an unsubscribe token cannot be
replayed as a confirm token. Unsubscribe and preferences tokens do not expire:
RFC 8058 asks that a List-Unsubscribe link keep working, and a reader may
unsubscribe from a year-old email. Confirm tokens (double opt-in) do.

The secret comes from ``FEEDS_SECRET_KEY``. Without it, a random key is made
once and kept in the durable state database, beside the subscribers whose links
it signs (so it is backed up with them, and never lands in a repository).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from itsdangerous import (
    BadSignature,
    Serializer,
    SignatureExpired,
    TimestampSigner,
    URLSafeSerializer,
    URLSafeTimedSerializer,
)

from .errors import FeedsError

Purpose = Literal["unsubscribe", "preferences", "confirm"]
SECRET_ENV = "FEEDS_SECRET_KEY"
CONFIRM_MAX_AGE = 7 * 24 * 3600  # seconds a double opt-in link stays valid


class InvalidToken(FeedsError):
    """A link the reader cannot use; the subclass says why, for the web's answer."""

    exit_code = 2


class TokenExpired(InvalidToken):
    """Genuine but too old (confirm links): the reader may ask for a new one."""


class TokenInvalid(InvalidToken):
    """Forged, altered, made for another purpose, or for an address no longer subscribed."""


@dataclass(frozen=True)
class Holder:
    """Who a token was made for."""

    subscriber_id: int
    address_hash: str

    def matches(self, email: str) -> bool:
        return secrets.compare_digest(self.address_hash, address_hash(email))


def address_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]


class Tokens:
    def __init__(self, secret: str, clock: Callable[[], float] | None = None) -> None:
        self.secret = secret
        self.clock = clock  # seconds since the epoch, for confirm tokens; default time.time

    def make(self, purpose: Purpose, subscriber_id: int, email: str) -> str:
        payload = [subscriber_id, address_hash(email)]
        return str(self._serializer(purpose).dumps(payload))

    def read(self, purpose: Purpose, token: str) -> Holder:
        """The holder of a valid token; TokenInvalid for anything forged, altered or
        made for another purpose, TokenExpired for an old confirm token."""
        serializer = self._serializer(purpose)
        try:
            if isinstance(serializer, URLSafeTimedSerializer):
                payload = serializer.loads(token.strip(), max_age=CONFIRM_MAX_AGE)
            else:
                payload = serializer.loads(token.strip())
        except SignatureExpired:
            raise TokenExpired(f"this {purpose} link has expired; ask for a new one") from None
        except BadSignature:
            raise TokenInvalid(f"not a valid {purpose} token (altered, or made with "
                               f"another secret key)") from None
        if (not isinstance(payload, list) or len(payload) != 2
                or not isinstance(payload[0], int) or not isinstance(payload[1], str)):
            raise TokenInvalid(f"not a valid {purpose} token")
        return Holder(payload[0], payload[1])

    def bounce_tag(self, subscriber_id: int, email: str) -> str:
        """``<id>-<12 hex digits>``: names a reader in a VERP address (feeds.bounces.verp).

        Short and lowercase, unlike the link tokens: a local part holds 64 characters
        at most, and some servers lower its case. The HMAC part means a forged bounce
        cannot suppress a reader it does not know the tag of."""
        mac = hmac.new(self.secret.encode(), f"feeds.bounce:{subscriber_id}:"
                       f"{address_hash(email)}".encode(), hashlib.sha256)
        return f"{subscriber_id}-{mac.hexdigest()[:12]}"

    def bounce_tag_matches(self, tag: str, subscriber_id: int, email: str) -> bool:
        return hmac.compare_digest(tag.lower(), self.bounce_tag(subscriber_id, email))

    def _serializer(self, purpose: Purpose) -> Serializer[str]:
        salt = f"feeds.{purpose}"
        if purpose == "confirm":
            clock = self.clock
            kwargs: dict[str, Any] = {"signer": _clocked(clock)} if clock else {}
            return URLSafeTimedSerializer(self.secret, salt=salt, **kwargs)
        return URLSafeSerializer(self.secret, salt=salt)


def _clocked(clock: Callable[[], float]) -> type[TimestampSigner]:
    class ClockedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock())

    return ClockedSigner


def secret_key(db: sqlite3.Connection, environ: Mapping[str, str] = os.environ) -> str:
    """FEEDS_SECRET_KEY, else the key kept in the state database, made on first use."""
    from_env = environ.get(SECRET_ENV, "").strip()
    if from_env:
        return from_env
    from .database import signing_key

    return signing_key(db)
