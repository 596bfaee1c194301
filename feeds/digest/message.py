"""The digest as an email: headers for one reader, the MIME message, and DKIM.

Headers (RFC 5322, 2369, 2919, 8058):

    From: 城区新闻 <digest@news.example.cn>       display name RFC 2047-encoded
    Date, Message-ID                              Message-ID fixed per (edition, reader)
    List-Id: 城区新闻 <digest.news.example.cn>
    List-Unsubscribe: <https://…/unsubscribe?token=…>, <mailto:…?subject=unsubscribe%20…>
    List-Unsubscribe-Post: List-Unsubscribe=One-Click

The body is multipart/alternative with the plain text first: clients show the
last part they can, so the HTML wins where it is understood.

Why the message is written here rather than by ``EmailMessage.as_bytes()``:
the email package's generator costs about 6 ms for a 70 KB digest (it splits
and re-joins every body line in Python, and parses each header into a tree),
three times the whole budget of a message at 500 a second. The shape of a
digest is fixed (two base64 parts), so writing it is a few lines; the hard
part, RFC 2047 encoding and folding of headers, is still done by the email
package's own header classes under ``email.policy.SMTP``, once per distinct
value. tests/test_digest_message.py reads the result back with the email
package and compares it with what ``EmailMessage`` makes of the same letter.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import quote

from ..config import Config
from ..errors import FeedsError

# Headers DKIM signs: the RFC 6376 list plus List-Unsubscribe-Post, which RFC 8058
# requires to be covered so that one-click unsubscribe cannot be forged onto a message.
DKIM_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"reply-to",
                b"mime-version", b"content-type", b"list-id", b"list-unsubscribe",
                b"list-unsubscribe-post")


class _OneURLPerLine(UnstructuredHeader):
    """List-Unsubscribe folded between its URLs and nowhere else.

    The email package turns a word longer than a line (our https URL with its token
    is) into RFC 2047 encoded-words, which no mail client reads as a URL: Gmail
    then offers no unsubscribe button. Each URL stays whole on its own line, far
    below the 998-octet limit of RFC 5322.
    """

    def fold(self, *, policy: policy.Policy) -> str:  # type: ignore[override]
        return _one_url_per_line(self.name, str(self), policy.linesep)


def _one_url_per_line(name: str, value: str, linesep: str = "\r\n") -> str:
    urls = re.split(r",\s*(?=<)", value)
    return f"{name}: " + f",{linesep} ".join(urls) + linesep


_HEADERS = HeaderRegistry()
_HEADERS.map_to_type("list-unsubscribe", _OneURLPerLine)
SMTP = policy.SMTP.clone(header_factory=_HEADERS)
SMTPUTF8 = SMTP.clone(utf8=True)


@dataclass(frozen=True)
class Sender:
    """Who the digest is from, resolved from [digest] with the site's defaults."""

    name: str
    address: str
    reply_to: str | None
    unsubscribe_address: str
    list_id: str  # the dotted id, without angle brackets
    list_name: str

    @classmethod
    def from_config(cls, config: Config) -> Sender:
        digest, site = config.digest, config.site
        address = digest.from_address or f"digest@{site.domain}"
        return cls(
            name=digest.from_name if digest.from_name is not None else site.title,
            address=address,
            reply_to=digest.reply_to,
            unsubscribe_address=digest.unsubscribe_address or address,
            list_id=digest.list_id or f"digest.{site.domain}",
            list_name=site.title,
        )

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    @property
    def formatted(self) -> str:
        """'Name <address>' as JSON APIs take it, the name RFC 2047-encoded if need be."""
        return formataddr((self.name, self.address))

    @cached_property
    def header(self) -> str:
        """'Name <address>' unencoded, for the From header (encoded when written)."""
        return str(Address(display_name=self.name, addr_spec=self.address))


@dataclass(frozen=True)
class Letter:
    """One reader's email, in the parts every transport understands."""

    sender: Sender
    to: str
    subject: str
    text: str
    html: str
    message_id: str  # with angle brackets
    date: dt.datetime
    unsubscribe_url: str
    unsubscribe_mailto: str
    # The envelope sender (SMTP MAIL FROM) bounces go to: a VERP address naming the
    # reader (feeds.bounces.verp); None: the From address.
    return_path: str | None = None

    @property
    def envelope_from(self) -> str:
        return self.return_path or self.sender.address

    def list_headers(self) -> list[tuple[str, str]]:
        headers = [
            ("List-Id", f"{self.sender.list_name} <{self.sender.list_id}>"),
            ("List-Unsubscribe", f"<{self.unsubscribe_url}>, <{self.unsubscribe_mailto}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ]
        if self.sender.reply_to:
            headers.append(("Reply-To", self.sender.reply_to))
        return headers


def message_id(edition: str, subscriber_id: int, email: str, domain: str) -> str:
    """The same for every attempt at one reader's copy of one edition, and for no other
    copy: a database rebuilt from scratch reuses subscriber ids, so the address and
    the edition are in the hash too."""
    digest = hashlib.sha256(f"{edition}\0{subscriber_id}\0{email.lower()}".encode())
    return f"<digest.{edition}.{digest.hexdigest()[:20]}@{domain}>"


def unsubscribe_mailto(address: str, token: str) -> str:
    return f"mailto:{address}?subject={quote('unsubscribe ' + token)}"


def headers(letter: Letter) -> list[tuple[str, str]]:
    """Every header of the message, in order, as (name, unencoded value)."""
    sender = letter.sender
    return [
        ("From", sender.header),
        ("To", letter.to),
        ("Subject", letter.subject),
        ("Date", format_datetime(letter.date)),
        ("Message-ID", letter.message_id),
        *letter.list_headers(),
        ("MIME-Version", "1.0"),
    ]


def to_bytes(letter: Letter, signer: DkimSigner | None = None) -> bytes:
    """The message as sent: headers, then multipart/alternative (text, then HTML).

    Non-ASCII addresses need SMTPUTF8 (and raw UTF-8 headers); everything else is
    7-bit clean (RFC 2047 headers, base64 bodies) and passes any relay.
    """
    utf8 = not (letter.to.isascii() and letter.sender.address.isascii())
    # "=_" cannot occur in base64 text, so this boundary never collides with a body line.
    boundary = "=_feeds_" + hashlib.sha1(letter.message_id.encode()).hexdigest()[:24]
    head = [_folded(name, value, utf8) for name, value in headers(letter)]
    head.append(f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n')
    out = "".join(head).encode() + b"\r\n"
    for subtype, body in (("plain", letter.text), ("html", letter.html)):
        out += (f"--{boundary}\r\nContent-Type: text/{subtype}; charset=\"utf-8\"\r\n"
                f"Content-Transfer-Encoding: base64\r\n\r\n").encode()
        out += _base64(body)
    out += f"--{boundary}--\r\n".encode()
    return signer.sign(out) if signer else out


def build(letter: Letter) -> EmailMessage:
    """The message as an :class:`EmailMessage`, for callers that want the object."""
    utf8 = not (letter.to.isascii() and letter.sender.address.isascii())
    parsed = email.message_from_bytes(to_bytes(letter), policy=SMTPUTF8 if utf8 else SMTP)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _base64(text: str) -> bytes:
    """Text in canonical form (CRLF line ends, RFC 2049) as base64 lines of 76 (RFC 2045).
    (base64.encodebytes loops in Python over 57-byte pieces: 0.8 ms for 70 KB.)"""
    if "\r" in text:
        canonical = "\r\n".join(text.splitlines()) + "\r\n"
    else:  # what templates make: \n only; one C-level pass instead of split and join
        canonical = text.replace("\n", "\r\n") + ("" if text.endswith("\n") else "\r\n")
    encoded = base64.b64encode(canonical.encode())
    lines = [encoded[i:i + 76] for i in range(0, len(encoded), 76)]
    return b"\r\n".join(lines) + b"\r\n"


def _folded(name: str, value: str, utf8: bool) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"{name} header value contains a line break: {value!r}")
    if name == "List-Unsubscribe" and value.isascii():
        return _one_url_per_line(name, value)
    if value.isascii() and len(name) + len(value) + 2 <= 78:
        return f"{name}: {value}\r\n"  # what the email package writes for such a value
    return _fold(name, value, utf8)


@lru_cache(maxsize=4096)
def _fold(name: str, value: str, utf8: bool) -> str:
    """RFC 2047-encoded and folded by the email package (SMTP or SMTPUTF8 policy)."""
    chosen = SMTPUTF8 if utf8 else SMTP
    folded: str = chosen.header_factory(name, value).fold(policy=chosen)
    return folded


class DkimSigner:
    """DKIM-Signature with dkimpy, from the key named by digest.dkim_key."""

    def __init__(self, key: bytes, selector: str, domain: str) -> None:
        self.key, self.selector, self.domain = key, selector.encode(), domain.encode()

    @classmethod
    def from_config(cls, config: Config, sender: Sender) -> DkimSigner | None:
        if not config.digest.dkim_key:
            return None
        path = config.path(config.digest.dkim_key)
        try:
            key = Path(path).read_bytes()
        except OSError as exc:
            raise FeedsError(f"digest.dkim_key: cannot read {path}: {exc.strerror}") from None
        return cls(key, config.digest.dkim_selector, config.digest.dkim_domain or sender.domain)

    def sign(self, raw: bytes) -> bytes:
        import dkim

        try:
            signature = dkim.sign(raw, self.selector, self.domain, self.key,
                                  canonicalize=(b"relaxed", b"relaxed"),
                                  include_headers=list(DKIM_HEADERS))
        except dkim.DKIMException as exc:
            raise FeedsError(f"digest.dkim_key: cannot sign with this key: {exc}") from None
        return signature + raw
