"""The long-lived scheduler: APScheduler 3's BlockingScheduler running each job on its cron.

Jobs live in memory and are rebuilt from ``feeds.toml`` at every start, so the
configuration is the only truth. Each run is the one-shot command in a child
process (``feeds run JOB``): the same code, lock and exit codes as cron, and
the memory a build used goes back to the system when it ends. ``coalesce`` and
``max_instances=1`` keep a slow run from stacking up; a run missed while the
machine was down starts once at start-up if it falls within the grace time.
SIGTERM and SIGINT stop the scheduler after the run in progress finishes.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.blocking import BlockingScheduler

from ..config import Config
from . import runs
from .plan import Plan

log = logging.getLogger("feeds.scheduler")

Runner = Callable[[str], int]  # job name -> exit code


@dataclass(frozen=True)
class ChildRunner:
    """Runs ``feeds run JOB`` in a child process with this interpreter and config."""

    config_path: Path
    python: str = sys.executable

    def __call__(self, job: str) -> int:
        command = [self.python, "-m", "feeds", "--config", str(self.config_path), "run", job]
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.monotonic() - started
        for line in (done.stderr or "").splitlines():
            log.warning("%s: %s", job, line)
        if done.returncode == 0:
            log.info("%s: finished in %.1f s", job, seconds)
        else:
            log.error("%s: failed with exit code %d after %.1f s", job, done.returncode, seconds)
        return done.returncode


def build_scheduler(config: Config, plan: Plan, runner: Runner,
                    now: dt.datetime | None = None) -> BlockingScheduler:
    """A scheduler with every planned job; owed runs are due at ``now``."""
    zone = config.site.zone
    now = now or dt.datetime.now(zone)
    scheduler = BlockingScheduler(
        timezone=zone,
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=len(plan.jobs) or 1)},
    )
    for job in plan.jobs:
        trigger = job.cron.trigger(zone)
        owed = runs.missed(trigger, runs.last(plan.runs_dir, job.name), now, plan.grace)
        if owed:
            log.info("%s: the run due at %s was missed; running it now", job.name,
                     owed.isoformat(timespec="minutes"))
        scheduler.add_job(_signals_to_main_thread, trigger, args=[runner, job.name],
                          id=job.name, name=job.name,
                          coalesce=True, max_instances=1,
                          misfire_grace_time=int(plan.grace.total_seconds()),
                          next_run_time=now if owed else trigger.get_next_fire_time(None, now))
    return scheduler


def _signals_to_main_thread(runner: Runner, job: str) -> int:
    """Run a job in a pool thread that does not take SIGTERM or SIGINT.

    The kernel hands a process-directed signal to any thread not blocking it. If a
    pool thread took it, the main thread would sleep on until its next wake-up,
    which can be hours away, before Python ran the handler; blocked here, the
    signal goes to the main thread and stops the scheduler at once."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    return runner(job)


def serve(config: Config, plan: Plan, runner: Runner) -> None:
    """Run until SIGTERM or SIGINT; a run in progress is allowed to finish."""
    scheduler = build_scheduler(config, plan, runner)
    stopper: list[threading.Thread] = []

    def stop(signum: int, frame: object) -> None:
        # The handler interrupts the main thread anywhere, even inside a logging call
        # that holds a lock the finishing job needs: stopping (which waits for the job)
        # happens in its own thread, never in the handler.
        if not stopper:
            name = signal.Signals(signum).name
            stopper.append(threading.Thread(target=_stop, args=(scheduler, name)))
            stopper[0].start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for job in scheduler.get_jobs():
        log.info("%s: next run %s", job.id, job.next_run_time.isoformat(timespec="minutes"))
    scheduler.start()
    for thread in stopper:
        thread.join()
    log.info("stopped")


def _stop(scheduler: BlockingScheduler, signal_name: str) -> None:
    log.info("received %s; stopping after runs in progress", signal_name)
    scheduler.shutdown(wait=True)
