"""The jobs the configuration schedules: name, cron, and where their locks and records go."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from . import JOBS
from .cron import Cron, parse
from .locks import lock_folder


@dataclass(frozen=True)
class PlannedJob:
    name: str
    cron: Cron


@dataclass(frozen=True)
class Plan:
    jobs: tuple[PlannedJob, ...]
    grace: dt.timedelta
    lock_dir: Path
    runs_dir: Path


def plan(config: Config) -> Plan:
    schedule = config.schedule
    jobs = tuple(PlannedJob(name, parse(expression)) for name in JOBS
                 if (expression := getattr(schedule, name)))
    return Plan(jobs, dt.timedelta(seconds=schedule.misfire_grace_seconds),
                lock_folder(config), config.state_path / "runs")


def upcoming(job: PlannedJob, zone: dt.tzinfo, after: dt.datetime,
             count: int) -> list[dt.datetime]:
    """The next ``count`` fire times of a job after an instant."""
    trigger = job.cron.trigger(zone)
    times: list[dt.datetime] = []
    fire = trigger.get_next_fire_time(None, after)
    while fire is not None and len(times) < count:
        times.append(fire)
        fire = trigger.get_next_fire_time(fire, fire + dt.timedelta(seconds=1))
    return times
