"""Commands for running jobs on a schedule: ``feeds run JOB`` and ``feeds schedule …``."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path

import click

from ..schedule import JOBS
from . import State, cli


@cli.command("run")
@click.argument("job", type=click.Choice(JOBS))
@click.pass_obj
def run_command(state: State, job: str) -> None:
    """Run one job now and exit: for cron, systemd timers and scripts.

    Quiet on success: only warnings and errors are printed (to stderr), so cron
    mails only problems. With [deploy] after_build = true, a successful build is
    deployed (`feeds deploy`) before the job ends. Exit codes: 0 success (also
    when there is nothing new), 1 failure, 2 usage or configuration error, 75
    another run of the job holds its lock (try again later).

    \b
    Example:
        feeds run build
        feeds --config /srv/news/feeds.toml run digest
    """
    from ..schedule.jobs import run

    sys.exit(run(job, state.config))


@cli.group("schedule")
def schedule_group() -> None:
    """Run the jobs on their schedule ([schedule] in feeds.toml), or print units for cron
    and systemd that do.

    \b
    Example:
        feeds schedule next
        feeds schedule crontab | crontab -
        feeds schedule run
    """


@schedule_group.command("run")
@click.option("-v", "--verbose", is_flag=True, help="Log the scheduler's own decisions too.")
@click.pass_obj
def schedule_run(state: State, verbose: bool) -> None:
    """Run the scheduler in the foreground until SIGTERM or SIGINT (same as scheduler.py).

    Each job runs on its cron in site.timezone, as `feeds run JOB` in a child process
    under the job's lock. A run missed while the scheduler was down starts once at
    start-up if it was due within schedule.misfire_grace_seconds. Logs each run and its
    outcome to stderr.

    \b
    Example:
        feeds schedule run --verbose
    """
    from ..schedule.daemon import ChildRunner, serve
    from ..schedule.plan import plan

    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.INFO if verbose else logging.WARNING)
    config = state.config
    serve(config, plan(config), ChildRunner(state.config_file))


@schedule_group.command("next")
@click.option("--count", default=3, show_default=True, type=click.IntRange(1, 100),
              help="How many run times per job.")
@click.pass_obj
def schedule_next(state: State, count: int) -> None:
    """List each job's next run times, in site.timezone.

    \b
    Example:
        feeds schedule next --count 5
    """
    from ..schedule.plan import plan, upcoming
    from ..schedule.units import describe

    config = state.config
    zone = config.site.zone
    now = dt.datetime.now(zone)
    for job in plan(config).jobs:
        click.echo(f"{job.name} ({job.cron.text}): {describe(upcoming(job, zone, now, count))}")


@schedule_group.command("crontab")
@click.pass_obj
def schedule_crontab(state: State) -> None:
    """Print crontab lines for the configured jobs (absolute paths to this Python and config).

    The lines carry --config with the absolute path of the feeds.toml in use, so they work
    from cron's working directory; without a feeds.toml found or given, this refuses.

    \b
    Example:
        feeds schedule crontab | crontab -
    """
    from ..schedule.plan import plan
    from ..schedule.units import crontab, system_zone_name

    config = state.config
    click.echo(crontab(plan(config), config.site.timezone, sys.executable, state.config_file,
                       system_zone_name()), nl=False)


@schedule_group.command("systemd")
@click.option("--write", "folder", type=click.Path(path_type=Path, file_okay=False),
              help="Write the unit files into FOLDER (e.g. /etc/systemd/system) instead of "
                   "printing them.")
@click.pass_obj
def schedule_systemd(state: State, folder: Path | None) -> None:
    """Print a systemd service and timer (Persistent=true) per job, and feeds-serve.service,
    which keeps `feeds serve` running.

    \b
    Example:
        feeds schedule systemd --write /etc/systemd/system
        systemctl daemon-reload && systemctl enable --now feeds-build.timer feeds-digest.timer
        systemctl enable --now feeds-serve.service
    """
    from ..atomic import write_if_changed
    from ..schedule.plan import plan
    from ..schedule.units import systemd

    config = state.config
    units = systemd(plan(config), config.site.timezone, sys.executable, state.config_file,
                    Path(config.root))
    for name, text in units.items():
        if folder is not None:
            write_if_changed(folder / name, text.encode())
            click.echo(f"wrote {folder / name}", err=True)
        else:
            click.echo(f"# {name}\n{text}")
