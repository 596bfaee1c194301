"""Crontab lines and systemd units for the configured jobs, ready to paste.

Both call this installation's interpreter with absolute paths, so they work
from cron's bare environment: ``<python> -m feeds --config <feeds.toml> run JOB``.
"""

from __future__ import annotations

import datetime as dt
import shlex
from pathlib import Path

from .plan import Plan


def command(python: str, config_path: Path, *args: str) -> str:
    return shlex.join([python, "-m", "feeds", "--config", str(config_path), *args])


def crontab(plan: Plan, zone_name: str, python: str, config_path: Path,
            system_zone: str | None) -> str:
    """Lines for ``crontab -e``. CRON_TZ (cronie and others) is set when the site's zone is
    not the system's; where cron ignores it, set the system zone instead."""
    lines = ["# feeds: jobs from feeds.toml [schedule]; quiet on success, so cron mails only"
             " problems"]
    if zone_name != system_zone:
        lines.append(f"CRON_TZ={zone_name}")
    lines += [f"{job.cron.text} {command(python, config_path, 'run', job.name)}"
              for job in plan.jobs]
    return "\n".join(lines) + "\n"


def systemd(plan: Plan, zone_name: str, python: str, config_path: Path,
            workdir: Path) -> dict[str, str]:
    """File name -> contents: a oneshot service and a timer per job, and the service that
    keeps ``feeds serve`` running. ``Persistent=true`` runs a timer that was due while
    the machine was off as soon as it is back."""
    units: dict[str, str] = {}
    for job in plan.jobs:
        units[f"feeds-{job.name}.service"] = (
            "[Unit]\n"
            f"Description=feeds: {job.name}\n"
            "After=network-online.target\n"
            "Wants=network-online.target\n\n"
            "[Service]\n"
            "Type=oneshot\n"
            f"WorkingDirectory={workdir}\n"
            f"ExecStart={command(python, config_path, 'run', job.name)}\n"
            "# exit code 75: another run held the lock; not a failure\n"
            "SuccessExitStatus=75\n")
        calendars = "".join(f"OnCalendar={line}\n" for line in job.cron.on_calendar(zone_name))
        units[f"feeds-{job.name}.timer"] = (
            "[Unit]\n"
            f"Description=feeds: {job.name} on schedule ({job.cron.text})\n\n"
            "[Timer]\n"
            f"{calendars}"
            "Persistent=true\n\n"
            "[Install]\n"
            "WantedBy=timers.target\n")
    units["feeds-serve.service"] = serve_unit(python, config_path, workdir)
    return units


def serve_unit(python: str, config_path: Path, workdir: Path) -> str:
    """``feeds serve`` as a long-running service, restarted if it stops: sign-up and
    unsubscribe links must answer whenever a reader clicks them. It listens where
    [web] host and port say; nginx forwards to it."""
    return ("[Unit]\n"
            "Description=feeds: the site's web server (sign-up, confirm, unsubscribe)\n"
            "After=network.target\n\n"
            "[Service]\n"
            "Type=exec\n"
            f"WorkingDirectory={workdir}\n"
            f"ExecStart={command(python, config_path, 'serve')}\n"
            "Restart=on-failure\n"
            "RestartSec=5\n\n"
            "[Install]\n"
            "WantedBy=multi-user.target\n")


def system_zone_name() -> str | None:
    """The machine's own zone name, from /etc/timezone or the /etc/localtime link."""
    try:
        return Path("/etc/timezone").read_text().strip() or None
    except OSError:
        pass
    try:
        target = Path("/etc/localtime").resolve()
    except OSError:
        return None
    parts = target.parts
    return "/".join(parts[parts.index("zoneinfo") + 1:]) if "zoneinfo" in parts else None


def describe(times: list[dt.datetime]) -> str:
    return ", ".join(t.strftime("%a %Y-%m-%d %H:%M %z") for t in times)
