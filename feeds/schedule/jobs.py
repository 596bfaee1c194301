"""What each job does, run once: the body of ``feeds run JOB`` and of every scheduled run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import closing

import click

from ..config import Config
from . import runs
from .locks import job_lock
from .plan import plan


def _build(config: Config) -> int:
    from ..build import build
    from ..report import build_warnings

    for line in build_warnings(build(config)):
        click.echo(f"warning: {line}", err=True)
    if config.deploy.after_build:  # under the build lock already, as `feeds deploy` runs
        from ..bucket import connect
        from ..deploy import deploy

        deploy(config, connect(config.deploy))
    return 0


def _digest(config: Config) -> int:
    from ..database import connect, database_path
    from ..digest.send import send_digest
    from ..published import load_as_published
    from ..report import digest_warnings

    with closing(connect(database_path(config))) as db:
        catalog = load_as_published(config, db)
    with catalog:
        report = send_digest(config, catalog)
    for line in digest_warnings(report):
        click.echo(f"warning: {line}", err=True)
    if report.stopped:
        click.echo(f"error: delivery stopped: {report.stopped}", err=True)
    for edition in report.editions:
        if not edition.ok:
            click.echo(f"error: {edition.line()}", err=True)
    return 0 if report.ok else 1


RUNNERS: dict[str, Callable[[Config], int]] = {"build": _build, "digest": _digest}


def run(job: str, config: Config,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> int:
    """Run one job under its lock and record the run; the exit code (0 or 1) is returned.

    Raises JobBusy (exit 75) when another run holds the lock."""
    where = plan(config)
    with job_lock(where.lock_dir, job):
        started = clock()
        status = 1
        try:
            status = RUNNERS[job](config)
        finally:
            runs.record(where.runs_dir, runs.Run(job, started, clock(), status))
    return status
