"""One reader's email: who it is from, its headers, and the MIME message the email package makes.

Headers (RFC 5322, 2369, 2919, 8058):

    From: 城区新闻 <digest@news.example.cn>       display name RFC 2047-encoded
    Date, Message-ID                              Message-ID chosen by the caller
    List-Id: 城区新闻 <digest.news.example.cn>
    List-Unsubscribe: <https://…/unsubscribe?token=…>, <mailto:…?subject=unsubscribe%20…>
    List-Unsubscribe-Post: List-Unsubscribe=One-Click

The body is multipart/alternative with the plain text first: clients show the
last part they can, so the HTML wins where it is understood. Both parts are
base64, so the message is 7-bit clean and passes any relay; a non-ASCII address
needs SMTPUTF8, and then the headers are raw UTF-8.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address, BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime, formataddr
from functools import cached_property, lru_cache
from typing import Protocol
from urllib.parse import quote

from ..config import Config


class _OneURLPerLine(UnstructuredHeader, BaseHeader):
    """List-Unsubscribe folded between its URLs and nowhere else.

    The email package turns a word longer than a line (our https URL with its token
    is) into RFC 2047 encoded-words, which no mail client reads as a URL: Gmail
    then offers no unsubscribe button. Each URL stays whole on its own line, far
    below the 998-octet limit of RFC 5322.
    """

    def fold(self, *, policy: Policy) -> str:
        urls = re.split(r",\s*(?=<)", str(self))
        return f"{self.name}: " + f",{policy.linesep} ".join(urls) + policy.linesep


class _FoldedOnce(BaseHeader):
    """A header folded once for each policy it is written with, however many
    messages carry it (see _Headers)."""

    def fold(self, *, policy: Policy) -> str:
        folds: dict[Policy, str] = self.__dict__.setdefault("folds", {})
        if policy not in folds:
            folds[policy] = super().fold(policy=policy)
        return folds[policy]


class _Headers(HeaderRegistry):
    """The email package's header registry, making each distinct header once.

    The stock registry builds a new class (``type()``) and parses the value for
    every header it is asked for, about 30 a message with the MIME headers the
    content manager sets, and folds each one again when the message is written:
    together 1.5 ms of a digest's 2.7 ms. Most values (From, Subject, Date,
    Content-Type …) are the same for thousands of readers. Header objects are
    immutable strings, so one made for a value serves every message with it.
    """

    def __init__(self) -> None:
        super().__init__(base_class=_FoldedOnce)
        self.map_to_type("list-unsubscribe", _OneURLPerLine)

    @lru_cache(maxsize=64)  # noqa: B019  (one registry, alive as long as the module)
    def __getitem__(self, name: str) -> type[BaseHeader]:
        return super().__getitem__(name)

    @lru_cache(maxsize=4096)  # noqa: B019
    def __call__(self, name: str, value: str) -> BaseHeader:
        return super().__call__(name, value)


BOUNDARY = "=_feeds_alternative"
SMTP = policy.SMTP.clone(header_factory=_Headers())
SMTPUTF8 = SMTP.clone(utf8=True)


@dataclass(frozen=True)
class Sender:
    """Who the mail is from, resolved from [digest] with the site's defaults."""

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
        return cls(name=digest.from_name if digest.from_name is not None else site.title,
                   address=address, reply_to=digest.reply_to,
                   unsubscribe_address=digest.unsubscribe_address or address,
                   list_id=digest.list_id or f"digest.{site.domain}", list_name=site.title)

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

    @property
    def utf8(self) -> bool:
        """Whether the message needs SMTPUTF8: a non-ASCII address."""
        return not (self.to.isascii() and self.sender.address.isascii())

    def list_headers(self) -> list[tuple[str, str]]:
        reply_to = [("Reply-To", self.sender.reply_to)] if self.sender.reply_to else []
        return [("List-Id", f"{self.sender.list_name} <{self.sender.list_id}>"),
                ("List-Unsubscribe", f"<{self.unsubscribe_url}>, <{self.unsubscribe_mailto}>"),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"), *reply_to]


def unsubscribe_mailto(address: str, token: str) -> str:
    return f"mailto:{address}?subject={quote('unsubscribe ' + token)}"


def build(letter: Letter) -> EmailMessage:
    """The message: headers, then multipart/alternative (text, then HTML), base64."""
    chosen = SMTPUTF8 if letter.utf8 else SMTP
    message = EmailMessage(policy=chosen)
    every = [("From", letter.sender.header), ("To", letter.to), ("Subject", letter.subject),
             ("Date", format_datetime(letter.date)), ("Message-ID", letter.message_id),
             *letter.list_headers()]
    for name, value in every:
        if "\r" in value or "\n" in value:
            raise ValueError(f"{name} header value contains a line break: {value!r}")
        message[name] = value
    message.set_content(letter.text, cte="base64")
    message.add_alternative(letter.html, subtype="html", cte="base64")
    # One boundary for every message, so the bytes are reproducible and the
    # Content-Type header is made once for all of them (_Headers): one per message
    # cost 0.4 ms. "=_" cannot occur in base64 text, so it never collides with a line.
    message.set_boundary(BOUNDARY)
    return message


def to_bytes(letter: Letter, signer: Signer | None = None) -> bytes:
    """The message as sent, CRLF line ends, DKIM-signed when a signer is given."""
    raw = build(letter).as_bytes()
    return signer.sign(raw) if signer else raw


class Signer(Protocol):
    """What signs a message (feeds.mail.dkim.DkimSigner): returns it with its signature."""

    def sign(self, raw: bytes) -> bytes: ...
