"""One lock per job, shared by the daemon, cron, systemd and people at a terminal.

filelock takes an flock(2) on Linux: the kernel drops it when its process
dies, so a run that was killed never blocks the next one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ..config import Config
from ..errors import FeedsError
from . import EX_TEMPFAIL


def lock_folder(config: Config) -> Path:
    """Where the job locks live: shared by scheduled runs and commands run by hand."""
    if config.schedule.lock_dir:
        return config.path(config.schedule.lock_dir)
    return config.state_path / "locks"


class JobBusy(FeedsError):
    """Another run of the same job holds its lock."""

    exit_code = EX_TEMPFAIL


class LockUnavailable(FeedsError):
    """The lock directory cannot be created or written."""


@contextmanager
def job_lock(folder: Path, job: str) -> Iterator[None]:
    """Hold ``<folder>/<job>.lock`` for the duration, or raise JobBusy at once."""
    path = folder / f"{job}.lock"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(path, timeout=0)
        lock.acquire()
    except Timeout:
        raise JobBusy(f"{job}: another run is in progress (it holds {path})") from None
    except OSError as exc:
        raise LockUnavailable(f"{path}: cannot take the {job} lock: "
                              f"{exc.strerror or exc}") from None
    try:
        yield
    finally:
        lock.release()
