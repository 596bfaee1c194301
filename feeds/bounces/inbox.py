"""One pass over the bounce mailboxes: every unread message read, applied, marked read.

``feeds bounces`` prints the result; the decisions (which mailboxes, what each
report did, what could not be read) are made here, where a test can call them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import ExitStack, closing
from dataclasses import dataclass, field

from ..config import Config
from ..database import connect, database_path
from ..errors import ConfigError
from ..mail.delivery import secret
from ..tokens import Tokens, secret_key
from . import mailboxes
from .record import Outcome, record
from .reports import Report, read_message
from .verp import bounce_address


@dataclass(frozen=True)
class Applied:
    """What one report did (an outcome of :func:`feeds.bounces.record.record`)."""

    where: str  # the message: a Maildir file, or an IMAP UID
    report: Report
    outcome: Outcome


@dataclass
class InboxRun:
    messages: int = 0
    applied: list[Applied] = field(default_factory=list)
    not_bounces: int = 0  # messages with no report in them (replies, spam)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (where, why)

    @property
    def outcomes(self) -> Counter[str]:
        """How many reports had each outcome, and how many messages were no bounce."""
        counts: Counter[str] = Counter(a.outcome for a in self.applied)
        if self.not_bounces:
            counts["not a bounce"] = self.not_bounces
        return counts


def read_inbox(config: Config, now: dt.datetime, environ: Mapping[str, str] = os.environ,
               on_applied: Callable[[Applied], None] | None = None) -> InboxRun:
    """Read and apply every unread message of ``[bounces] maildir`` and ``imap_host``.

    ``on_applied`` hears each report as it is applied, so a long first run shows
    progress. A message that cannot be parsed is left unread and listed, not fatal:
    one odd message must not stop the rest."""
    settings = config.bounces
    if not settings.maildir and not settings.imap_host:
        raise ConfigError(None, [("bounces.maildir", "set [bounces] maildir or imap_host "
                                                     "to the mailbox bounces arrive in")])
    base = bounce_address(config)
    run = InboxRun()
    with ExitStack() as stack:
        sources = []
        if settings.maildir:
            sources.append(("maildir", stack.enter_context(
                mailboxes.maildir(config.path(settings.maildir)))))
        if settings.imap_host:
            password = secret(environ, "bounces.imap_password_env",
                              settings.imap_password_env, "the IMAP password")
            sources.append(("imap", stack.enter_context(mailboxes.imap(settings, password))))
        db = stack.enter_context(closing(connect(database_path(config))))
        tokens = Tokens(secret_key(db))
        for source, unread in sources:
            for where, raw, mark_read in unread:
                run.messages += 1
                try:
                    reports = read_message(raw, base)
                except Exception as exc:  # any parser failure: that message, not the run
                    run.unreadable.append((where, str(exc)))
                    continue
                if not reports:
                    run.not_bounces += 1
                for report in reports:
                    applied = Applied(where, report,
                                      record(db, tokens, settings, report, source, now))
                    run.applied.append(applied)
                    if on_applied:
                        on_applied(applied)
                mark_read()
    return run
