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
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from itsdangerous import (
    BadSignature,
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
    def __init__(self, secret: str, clock: Callable[[], float] = time.time) -> None:
        """``clock``: seconds since the epoch, that confirm tokens are dated with."""
        self.secret = secret

        class ClockedSigner(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock())

        # Made once: a digest makes two tokens for every message.
        self._plain = {purpose: URLSafeSerializer(secret, salt=f"feeds.{purpose}")
                       for purpose in ("unsubscribe", "preferences")}
        self._dated = URLSafeTimedSerializer(secret, salt="feeds.confirm", signer=ClockedSigner)

    def make(self, purpose: Purpose, subscriber_id: int, email: str) -> str:
        serializer = self._dated if purpose == "confirm" else self._plain[purpose]
        return str(serializer.dumps([subscriber_id, address_hash(email)]))

    def read(self, purpose: Purpose, token: str) -> Holder:
        """The holder of a valid token; TokenInvalid for anything forged, altered or
        made for another purpose, TokenExpired for an old confirm token."""
        try:
            payload = (self._dated.loads(token.strip(), max_age=CONFIRM_MAX_AGE)
                       if purpose == "confirm" else self._plain[purpose].loads(token.strip()))
        except SignatureExpired:
            raise TokenExpired(f"this {purpose} link has expired; ask for a new one") from None
        except BadSignature:
            raise TokenInvalid(f"not a valid {purpose} token (altered, or made with "
                               f"another secret key)") from None
        match payload:
            case [int() as subscriber_id, str() as digest]:
                return Holder(subscriber_id, digest)
        raise TokenInvalid(f"not a valid {purpose} token")

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


def secret_key(db: sqlite3.Connection, environ: Mapping[str, str] = os.environ) -> str:
    """FEEDS_SECRET_KEY, else the key kept in the state database, made on first use."""
    from .database import signing_key

    return environ.get(SECRET_ENV, "").strip() or signing_key(db)
