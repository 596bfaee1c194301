"""``feeds bounces``: read the bounce mailbox and apply what it reports."""

from __future__ import annotations

import datetime as dt

import click

from . import State, cli


@cli.command("bounces")
@click.pass_obj
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
    from ..bounces.inbox import Applied, read_inbox

    def show(applied: Applied) -> None:
        report = applied.report
        click.echo(f"{report.address or report.tag}: {report.kind} → {applied.outcome}"
                   f" ({applied.where})")

    run = read_inbox(state.config, dt.datetime.now(dt.UTC), on_applied=show)
    for where, why in run.unreadable:
        click.echo(f"warning: {where}: cannot read: {why}", err=True)
    summary = ", ".join(f"{n} {what}" for what, n in sorted(run.outcomes.items())) or "nothing"
    click.echo(f"{run.messages} messages read: {summary}", err=True)
