"""``feeds state``: the durable database (back it up, check it) and what may be deleted."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import State, cli


@cli.group("state")
def state_group() -> None:
    """The state directory: the durable database and the caches.

    \b
    <state_dir>/feeds.sqlite   subscribers, send ledger, signing key and the record
                               of what was published: back it up, never delete it
    <state_dir>/cache/         parse cache, slugs, web copies of photos: delete it
                               at any time; the next run makes it again, same output
    <state_dir>/locks/         one lock per job, released when its holder ends
    """


@state_group.command("backup")
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def backup_command(state: State, target: Path) -> None:
    """Copy the durable database to TARGET, consistently, even while a digest is sending.

    Uses SQLite's online backup API: the copy is a complete database as of one
    moment. Restore by putting the copy in place of feeds.sqlite while no feeds
    command runs.

    \b
    Example:
        feeds state backup /srv/backups/feeds-$(date +%F).sqlite
    """
    from ..database import backup, database_path

    source = database_path(state.config)
    size = backup(source, target)
    click.echo(f"{source} → {target} ({size:,} bytes)")


@state_group.command("check")
@click.pass_obj
def check_command(state: State) -> None:
    """Run SQLite's full integrity check on the durable database; exit 1 on a fault.

    \b
    Example:
        feeds state check
    """
    from ..database import database_path, integrity

    path = database_path(state.config)
    faults = integrity(path)
    for fault in faults:
        click.echo(f"error: {path}: {fault}", err=True)
    if faults:
        sys.exit(1)
    click.echo(f"{path}: ok")
