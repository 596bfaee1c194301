"""What the digest tests share: a small site, a real SMTP server, and a fixed instant.

Pages are written for these tests: two sections with news and one without, one
entry whose text carries HTML and a script, and an older page outside the
look-back window. The SMTP server is aiosmtpd on a loopback port; a script of
replies per recipient (``{"b@example.com": ["450 busy", "250 OK"]}``) makes it
refuse, defer or drop the connection the way real servers do.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from conftest import page

from feeds.config import Config, parse_config
from feeds.content.loader import load
from feeds.database import connect, database_path
from feeds.digest.send import DigestRun, RunReport
from feeds.mail.delivery import Pace
from feeds.subscribers import add
from feeds.tokens import Tokens

NOW = dt.datetime(2024, 3, 2, 22, 30, tzinfo=dt.UTC)
SECRET = "test-secret"

# feeds.toml of the sites the command-line tests write; [delivery] is added per test.
SITE_TOML = """\
[site]
title = "城区新闻"
base_url = "https://news.example.cn/"
state_dir = "state"

[[sections]]
name = "教育"
slug = "education"

[[sections]]
name = "经济"
slug = "economy"

[digest]
look_back_days = 3
"""

SECTIONS = [
    {"name": "教育", "slug": "education"},
    {"name": "经济", "slug": "economy"},
    {"name": "文化", "slug": "culture"},
]

PAGES = {
    "2024-03-01-a.txt": """\
        第01版：教育

        ## 城区中学开展科技节活动

        本报讯 3月1日，城区中学举办科技节，学生展示了机器人作品。

        ## 小学生走进博物馆 <script>alert(1)</script>

        本报讯 2月29日，城区小学组织学生参观博物馆，"感受<b>历史</b>"。
        """,
    "2024-03-02-b.txt": """\
        第02版：经济

        ## 开发区新增企业三十家

        本报讯 3月2日，开发区新登记企业三十家。
        """,
    # More than look_back_days before the newest issue: never mailed.
    "2024-01-05-old.txt": """\
        第03版：文化

        ## 旧闻：图书馆延长开放时间

        本报讯 1月5日，区图书馆延长开放时间。
        """,
}


def make_site(root: Path, pages: dict[str, str] | None = None, **data: object) -> Config:
    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    for name, text in (PAGES if pages is None else pages).items():
        (content / name).write_text(page(text), encoding="utf-8")
    site = {"title": "城区新闻", "base_url": "https://news.example.cn/",
            "state_dir": "state", **data.pop("site", {})}  # type: ignore[dict-item]
    digest = {"look_back_days": 3, "from_address": "digest@news.example.cn",
              **data.pop("digest", {})}  # type: ignore[dict-item]
    return parse_config({"site": site, "sections": data.pop("sections", SECTIONS),
                         "digest": digest, **data}, root=root)


def subscribe(config: Config, *people: tuple[str, tuple[str, ...] | None]) -> None:
    with closing(connect(database_path(config))) as db:
        for address, sections in people:
            add(db, address, NOW, sections=sections)


def digest_run(config: Config, db: sqlite3.Connection,
               now: dt.datetime = NOW) -> DigestRun:
    return DigestRun(config, load(config), db, Tokens(SECRET), now)


def count(sink: Sink, address: str) -> int:
    return sum(1 for rcpt, _ in sink.received if rcpt == address)


def run_digest(config: Config, transport: object, now: dt.datetime = NOW) -> RunReport:
    with closing(connect(database_path(config))) as db:
        return digest_run(config, db, now).run(transport)  # type: ignore[arg-type]


def no_wait() -> tuple[Pace, list[float]]:
    """A Pace that records the waits it is asked for instead of waiting."""
    waits: list[float] = []
    return Pace(sleep=waits.append, monotonic=lambda: 0.0, random=lambda: 0.5), waits


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Sink:
    """An aiosmtpd handler that keeps what it accepts and follows a script of replies."""

    script: dict[str, list[str]] = field(default_factory=dict)  # rcpt → replies, in turn
    # rcpt → what happens at the end of DATA, in turn: a reply ("451 busy"), "late S"
    # (take the message, answer after S seconds) or "drop" (take it, hang up unanswered)
    data_script: dict[str, list[str]] = field(default_factory=dict)
    envelopes: list[str] = field(default_factory=list)  # MAIL FROM of each message taken
    received: list[tuple[str, bytes]] = field(default_factory=list)  # (rcpt, message)
    peers: set[tuple[str, int]] = field(default_factory=set)  # client ends of connections
    port: int = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        replies = self.script.get(address)
        reply = replies.pop(0) if replies else "250 OK"
        if reply == "drop":
            server.transport.close()  # hang up mid-transaction
            return "421 closing"
        if reply.startswith("sleep"):
            await asyncio.sleep(float(reply.split()[1]))
            return "451 too late"
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server, session, envelope):
        self.peers.add(session.peer)
        replies = [r for rcpt in envelope.rcpt_tos for r in self.data_script.get(rcpt, [])[:1]]
        for rcpt in envelope.rcpt_tos:
            if self.data_script.get(rcpt):
                self.data_script[rcpt].pop(0)
        reply = replies[0] if replies else "250 Message accepted"
        if reply[0] in "45":
            return reply
        for rcpt in envelope.rcpt_tos:
            self.received.append((rcpt, envelope.original_content))
            self.envelopes.append(envelope.mail_from)
        if reply == "drop":
            server.transport.close()
            return "250 never heard"
        if reply.startswith("late"):
            await asyncio.sleep(float(reply.split()[1]))
            return "250 Message accepted, too late"
        return reply

    def messages(self) -> list[EmailMessage]:
        return [parse(raw) for _, raw in self.received]

    def by_recipient(self) -> dict[str, list[EmailMessage]]:
        out: dict[str, list[EmailMessage]] = {}
        for rcpt, raw in self.received:
            out.setdefault(rcpt, []).append(parse(raw))
        return out


@contextmanager
def smtp_sink(sink: Sink | None = None, **options: object) -> Iterator[Sink]:
    sink = sink or Sink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port, **options)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def smtp_settings(port: int, **more: object) -> dict[str, object]:
    return {"method": "smtp", "smtp": {"host": "127.0.0.1", "port": port, "security": "none",
                                       "timeout": 5, **more}}


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def maildir_messages(folder: Path) -> list[EmailMessage]:
    return [parse(p.read_bytes()) for sub in ("new", "cur") for p in sorted((folder / sub).iterdir())]
