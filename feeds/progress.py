"""Progress on a terminal for long runs; silent when output goes to a file or cron."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress

_LABELS = {"load": "reading pages", "write": "writing site"}


class BuildProgress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Progress | None = None
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> BuildProgress:
        if self.enabled:
            # imported here: cron and scripts never show progress, and rich takes 0.1 s
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            # Refreshed from update() only: no background thread, so the loader can
            # fork worker processes safely.
            self._progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                      MofNCompleteColumn(), TimeElapsedColumn(),
                                      auto_refresh=False, transient=True)
            self._progress.start()
        return self

    def update(self, stage: str, done: int, total: int) -> None:
        if self._progress is None:
            return
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(_LABELS.get(stage, stage),
                                                         total=total or None)
        self._progress.update(self._tasks[stage], completed=done, total=total or None)
        self._progress.refresh()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
