"""Commands about the email digest: ``feeds digest``, ``feeds subscribers …``,
``feeds unsubscribe``."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

from ..config import Config
from ..content.catalog import Catalog
from ..errors import ContentError, FeedsError
from ..model import Section
from . import State, cli, content_option

if TYPE_CHECKING:
    from ..digest.look import Plan
    from ..digest.send import DigestRun
    from ..subscribers import Status


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _catalog(config: Config, content_dir: Path | None) -> Catalog:
    from ..published import load_as_published

    with _database(config) as db:
        return load_as_published(config, db,
                                 content=content_dir.resolve() if content_dir else None)


def _known_sections(config: Config, content_dir: Path | None) -> tuple[Section, ...]:
    """The sections a subscriber may choose: the content's, or the configured ones when
    there is no content yet."""
    try:
        with _catalog(config, content_dir) as catalog:
            return catalog.sections
    except ContentError:
        from ..content.sections import catalogue

        return catalogue(config, [config.site.default_section])


def _database(config: Config) -> closing[sqlite3.Connection]:
    from ..database import connect, database_path

    return closing(connect(database_path(config)))


def _warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


# --------------------------------------------------------------------------- feeds digest


@cli.command()
@content_option
@click.option("--dry-run", is_flag=True,
              help="Show who would get which sections; send nothing, change nothing.")
@click.option("--to", "test_to", metavar="ADDR",
              help="Send one test copy of the edition (every section) to ADDR through the "
                   "configured delivery; records nothing, so the real run still sends.")
@click.option("--preview", type=click.Path(path_type=Path, dir_okay=False),
              metavar="FILE.html", help="Write the rendered email (every section) to FILE.html.")
@click.pass_obj
def digest(state: State, content_dir: Path | None, dry_run: bool, test_to: str | None,
           preview: Path | None) -> None:
    """Email the new entries to every subscriber, each getting only their sections.

    An edition holds the entries no earlier edition carried, issued within
    digest.look_back_days of the newest issue. Each subscriber's copy is recorded
    in a send ledger, so running again, or again after a crash, never sends a copy
    twice: unfinished editions are finished first. With nothing new, nothing is
    sent and the command says so. Delivery is set in [delivery] of feeds.toml
    (default: a Maildir folder `outbox/` that any mail client opens).

    Exits 0 when every copy went (or there was nothing to send), 1 when any
    delivery failed or was deferred, 2 on configuration mistakes.

    \b
    Example:
        feeds subscribers add reader@example.com --section education
        feeds digest --dry-run
        feeds digest --preview digest.html --to me@example.com
        feeds digest
    """
    from ..digest.send import DigestRun, send_digest
    from ..progress import ProgressBars
    from ..report import digest_warnings
    from ..schedule.locks import job_lock, lock_folder
    from ..subscribers import normalise_address
    from ..tokens import Tokens, secret_key

    config = state.config
    if test_to:
        test_to = normalise_address(test_to)
    with _catalog(config, content_dir) as catalog, job_lock(lock_folder(config), "digest"):
        if dry_run or test_to or preview:
            with _database(config) as db:
                run = DigestRun(config, catalog, db, Tokens(secret_key(db)),
                                _now())
                _look(run, dry_run, test_to, preview)
            return
        with ProgressBars(enabled=sys.stderr.isatty()) as bars:
            report = send_digest(config, catalog, now=_now(), progress=bars.stage("send"))
    for line in digest_warnings(report):
        _warn(line)
    if report.stopped:
        click.echo(f"error: delivery stopped: {report.stopped}; copies not sent yet will be "
                   f"sent by the next run", err=True)
    for edition in report.editions:
        click.echo(edition.line())
    if report.note:
        click.echo(report.note)
    if report.editions and config.delivery.method == "outbox" and sys.stderr.isatty():
        click.echo(f"outbox: {config.path(config.delivery.outbox)} (a Maildir folder; open "
                   f"it with any mail client)")
    sys.exit(0 if report.ok else 1)


def _look(run: DigestRun, dry_run: bool, test_to: str | None, preview: Path | None) -> None:
    """--dry-run, --to and --preview: show the edition a run would send, change nothing."""
    from ..digest import look

    planned = look.plan(run) if dry_run else None
    if planned is not None:
        _print_plan(planned)
    if not (test_to or preview):
        return
    edition = look.shown(run, planned)
    if preview:
        letter = look.preview(run, edition, preview, test_to)
        click.echo(f"wrote {preview}: edition {edition.id}, {letter.subject}, "
                   f"{len(letter.html.encode()) // 1024} KB of HTML")
    if test_to:
        transport = look.send_test_copy(run, edition, test_to)
        click.echo(f"sent a test copy of edition {edition.id} to {test_to} ({transport}); "
                   "nothing recorded")


def _print_plan(plan: Plan) -> None:
    for planned in plan.editions:
        edition = planned.edition
        if planned.unfinished:
            click.echo(f"edition {edition.id} (unfinished: {planned.still_to_send} copies "
                       "still to send)")
        else:
            sizes = ", ".join(f"{g.section.name} {len(g.entries)}" for g in edition.groups)
            click.echo(f"edition {edition.id} (new: {sizes})")
        for email, subject in planned.recipients:
            click.echo(f"  {email}\t{subject}")
        if not planned.unfinished:
            click.echo(f"  {len(planned.recipients)} would get it; nothing was sent or "
                       "recorded")
    if all(p.unfinished for p in plan.editions):
        click.echo(plan.why)


# --------------------------------------------------------------------------- subscribers


@cli.group()
def subscribers() -> None:
    """Add, remove, list and import the people who get the digest.

    Subscribers live in the state database (digest.database, default
    .feeds/feeds.sqlite). Addresses are checked for syntax (no DNS lookups).
    Sections are given by slug or name; none, or `all`, means every section,
    including sections added later.

    \b
    Example:
        feeds subscribers add reader@example.com --name 王芳 --section education --section economy
        feeds subscribers import readers.csv
        feeds subscribers list
        feeds subscribers unsubscribe reader@example.com
        feeds subscribers remove reader@example.com
    """


@subscribers.command("add")
@click.argument("email")
@click.option("--name", help="The reader's name (kept when not given again).")
@click.option("--section", "sections", multiple=True, metavar="SLUG",
              help="A section to receive, by slug or name; repeat for more. Default: all. "
                   "For an existing subscriber, replaces their sections.")
@content_option
@click.pass_obj
def subscribers_add(state: State, email: str, name: str | None, sections: tuple[str, ...],
                    content_dir: Path | None) -> None:
    """Add a subscriber, or update the one with this address (exit 0 either way).

    Adding an address that had unsubscribed subscribes it again, and takes it off the
    suppression list if it bounced: use this only when the reader asked for it.

    \b
    Example:
        feeds subscribers add reader@example.com
        feeds subscribers add reader@example.com --section education --section 经济
        feeds subscribers add reader@example.com --section all
    """
    from ..subscribers import add, section_slugs

    config = state.config
    chosen: tuple[str, ...] | Literal["keep"] | None = "keep"
    if sections:
        chosen = section_slugs(sections, _known_sections(config, content_dir))
    with _database(config) as db:
        subscriber, outcome = add(db, email, _now(), name=name, sections=chosen)
    what = "all sections" if subscriber.sections is None else ", ".join(subscriber.sections)
    click.echo(f"{outcome}: {subscriber.email} ({what})")


@subscribers.command("remove")
@click.argument("email")
@click.pass_obj
def subscribers_remove(state: State, email: str) -> None:
    """Delete a subscriber and their send history.

    To stop mail but remember the address (so an import cannot add it back), use
    `feeds subscribers unsubscribe EMAIL`. Bounces stay on the suppression list.

    \b
    Example:
        feeds subscribers remove reader@example.com
    """
    from ..subscribers import remove

    with _database(state.config) as db:
        if not remove(db, email):
            raise FeedsError(f"no subscriber {email.strip()!r}")
    click.echo(f"removed: {email.strip()}")


@subscribers.command("unsubscribe")
@click.argument("email")
@click.option("--reason", default="by command", show_default=True,
              help="Why, shown by `feeds subscribers list`.")
@click.pass_obj
def subscribers_unsubscribe(state: State, email: str, reason: str) -> None:
    """Stop mailing a subscriber, keeping their row and send history.

    Unlike `remove`, the address stays known as unsubscribed, so an import cannot
    add it back; `feeds subscribers add EMAIL` subscribes it again.

    \b
    Example:
        feeds subscribers unsubscribe reader@example.com --reason "asked by phone"
    """
    from ..subscribers import unsubscribe_by_command

    with _database(state.config) as db:
        subscriber = unsubscribe_by_command(db, email, _now(), reason)
    click.echo(f"unsubscribed: {subscriber.email} ({reason})")


@subscribers.command("list")
@click.option("--status", type=click.Choice(["active", "pending", "unsubscribed"]),
              help="Only subscribers with this status.")
@click.option("--json", "as_json", is_flag=True,
              help="A JSON array of {email, name, sections, status, reason, suppressed, "
                   "created_at}; sections is null for all, suppressed null unless bounced.")
@click.pass_obj
def subscribers_list(state: State, status: Status | None, as_json: bool) -> None:
    """List subscribers: address, name, sections, status with its reason, and when
    they joined. A suppressed address (bounces) shows as `suppressed (why)`: it gets
    no mail whatever its status. --json is the export: every field, status kept.

    \b
    Example:
        feeds subscribers list
        feeds subscribers list --status active --json > subscribers.json
    """
    from ..subscribers import all_subscribers

    with _database(state.config) as db:
        people = all_subscribers(db, status)
    if as_json:
        json.dump([p.to_json() for p in people], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    for p in people:
        sections = "all" if p.sections is None else ",".join(p.sections)
        click.echo(f"{p.email}\t{p.name or '-'}\t{sections}\t{p.why}\t{p.created_at}")
    if sys.stderr.isatty():
        click.echo(f"{len(people)} subscribers", err=True)


@subscribers.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@content_option
@click.pass_obj
def subscribers_import(state: State, file: Path, content_dir: Path | None) -> None:
    """Import subscribers from a CSV file with columns email,name,sections.

    A header row is optional, as the first row. sections holds slugs or names separated
    by spaces, `;` or `、`; empty means all. UTF-8 (with or without BOM) and GB18030, as
    Excel saves it, are both read. Rows with a bad address or an unknown section, and a
    header row repeated further down, are reported by line and skipped; the valid rows
    are imported. The same address
    twice is one subscriber with the sections of both rows. Existing subscribers
    get the file's name and sections; unsubscribed ones stay unsubscribed.
    Exits 1 when any row was skipped.

    \b
    Example:
        feeds subscribers import readers.csv

    \b
    readers.csv:
        email,name,sections
        wang@example.com,王芳,education economy
        li@example.com,李雷,
    """
    from ..subscribers import import_csv

    config = state.config
    known = _known_sections(config, content_dir)
    with _database(config) as db:
        report = import_csv(db, file, known, _now())
    for problem in report.problems:
        _warn(str(problem))
    kept = f", {report.kept_unsubscribed} unsubscribed kept as they were" \
        if report.kept_unsubscribed else ""
    if report.kept_suppressed:
        kept += f", {report.kept_suppressed} suppressed (bounced) left out"
    click.echo(f"imported {report.imported} from {file} ({report.encoding}): "
               f"{report.added} added, {report.updated} updated, {report.unchanged} "
               f"unchanged{kept}; {len(report.skipped)} rows skipped")
    sys.exit(1 if report.skipped else 0)


# --------------------------------------------------------------------------- unsubscribe


@cli.command()
@click.argument("token")
@click.pass_obj
def unsubscribe(state: State, token: str) -> None:
    """Apply an unsubscribe token from a digest's link or mailto: subject.

    The token is signed with FEEDS_SECRET_KEY (or the key in the state directory);
    a forged or altered token is refused (exit 2). Unsubscribing twice is fine.

    \b
    Example:
        feeds unsubscribe 'WzMsIjNkMTI1NjQ0ZmQ1YiJd.xYksFZf22YW9WsJSV8ZPBlT033I'
    """
    from ..subscribers import unsubscribe as apply
    from ..tokens import Tokens, secret_key

    with _database(state.config) as db:
        subscriber = apply(db, Tokens(secret_key(db)), token, _now())
    click.echo(f"unsubscribed: {subscriber.email}")
