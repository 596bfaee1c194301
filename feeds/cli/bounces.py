"""``feeds bounces``: read the bounce mailbox and apply what it reports."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from contextlib import ExitStack, closing

import click

from ..errors import ConfigError
from . import State, cli, reports_errors


@cli.command("bounces")
@click.pass_obj
@reports_errors
def bounces_command(state: State) -> None:
    """Read new bounces and complaints from the bounce mailbox, and apply them.

    A hard bounce suppresses the address (no more mail of any kind); soft bounces
    suppress it after [bounces] soft_limit within soft_window_days; a complaint
    (an ARF report from a mailbox provider) unsubscribes the reader. Reads the
    Maildir folder [bounces] maildir and/or the IMAP mailbox [bounces] imap_host
    (password from imap_password_env); each message read is flagged Seen, so
    running it again reads only new ones. Run it before `feeds digest`.

    \b
    Example:
        feeds bounces && feeds digest
    """
    from ..bounces import mailboxes
    from ..bounces.record import record
    from ..bounces.reports import read_message
    from ..bounces.verp import bounce_address
    from ..database import connect, database_path
    from ..tokens import Tokens, secret_key

    config = state.config
    settings = config.bounces
    if not settings.maildir and not settings.imap_host:
        raise ConfigError(None, [("bounces.maildir", "set [bounces] maildir or imap_host "
                                                     "to the mailbox bounces arrive in")])
    base = bounce_address(config)
    now = dt.datetime.now(dt.UTC)
    outcomes: Counter[str] = Counter()
    messages = 0
    with ExitStack() as stack:
        sources = []
        if settings.maildir:
            sources.append(("maildir", stack.enter_context(
                mailboxes.maildir(config.path(settings.maildir)))))
        if settings.imap_host:
            password = os.environ.get(settings.imap_password_env)
            if not password:
                raise ConfigError(None, [("bounces.imap_password_env",
                                          f"set the environment variable "
                                          f"{settings.imap_password_env} to the IMAP password")])
            sources.append(("imap", stack.enter_context(mailboxes.imap(settings, password))))
        db = stack.enter_context(closing(connect(database_path(config))))
        tokens = Tokens(secret_key(db))
        for source, unread in sources:
            for where, raw, mark_read in unread:
                messages += 1
                try:
                    reports = read_message(raw, base)
                except Exception as exc:
                    click.echo(f"warning: {where}: cannot read: {exc}", err=True)
                    continue
                if not reports:
                    outcomes["not a bounce"] += 1
                for report in reports:
                    outcome = record(db, tokens, settings, report, source, now)
                    outcomes[outcome] += 1
                    click.echo(f"{report.address or report.tag}: {report.kind} → {outcome}"
                               f" ({where})")
                mark_read()
    summary = ", ".join(f"{n} {what}" for what, n in sorted(outcomes.items())) or "nothing"
    click.echo(f"{messages} messages read: {summary}", err=True)
