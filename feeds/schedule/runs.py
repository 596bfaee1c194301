"""When each job last ran, and whether a scheduled run was missed.

Each run writes ``<state>/runs/<job>.json`` (under the job's lock, atomically),
whichever route started it. The daemon keeps its jobs in memory and rebuilds
them from the configuration at every start, so this record is how it knows,
after a reboot, that the 07:00 digest never went out.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from apscheduler.triggers.base import BaseTrigger

from ..atomic import write_if_changed


@dataclass(frozen=True)
class Run:
    job: str
    started: dt.datetime
    finished: dt.datetime
    status: int  # the exit code: 0 success, 1 failure


def record(folder: Path, run: Run) -> None:
    data = {"job": run.job, "started": run.started.isoformat(),
            "finished": run.finished.isoformat(), "status": run.status}
    write_if_changed(folder / f"{run.job}.json", json.dumps(data).encode())


def last(folder: Path, job: str) -> Run | None:
    try:
        data = json.loads((folder / f"{job}.json").read_bytes())
        return Run(job, dt.datetime.fromisoformat(data["started"]),
                   dt.datetime.fromisoformat(data["finished"]), int(data["status"]))
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def missed(trigger: BaseTrigger, previous: Run | None, now: dt.datetime,
           grace: dt.timedelta) -> dt.datetime | None:
    """The latest fire time within the grace period before now that no run has covered
    since, if any: such a run is owed and should start now. Older ones are let go."""
    owed = None
    fire = trigger.get_next_fire_time(None, now - grace)
    while fire is not None and fire <= now:
        owed = fire
        fire = trigger.get_next_fire_time(fire, fire + dt.timedelta(microseconds=1))
    if owed is None or (previous is not None and previous.started >= owed):
        return None
    return owed
