"""Progress bars on a terminal for long runs (a build, a digest's delivery); nothing when
output goes to a file or cron, whose mail should stay short.

Code that does the work reports ``(done, total)`` through a plain function and knows
nothing of terminals; the command decides whether a person is watching.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

LABELS = {"load": "reading pages", "write": "writing site", "send": "sending"}
REFRESH = 0.1  # seconds between redraws: a digest reports every message it sends


class ProgressBars:
    """One bar per stage, on standard error, gone when the run ends.

        with ProgressBars(enabled=sys.stderr.isatty()) as bars:
            send(progress=bars.stage("send"))
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._drawn = 0.0

    def __enter__(self) -> ProgressBars:
        if self.enabled:
            # imported here: cron and scripts never show progress, and rich takes 0.1 s
            from rich import progress as bars
            from rich.console import Console

            # Redrawn from update() only: no background thread, so the loader can fork
            # worker processes safely.
            self._progress = bars.Progress(
                bars.TextColumn("{task.description}"), bars.BarColumn(),
                bars.MofNCompleteColumn(), bars.TimeElapsedColumn(), bars.TimeRemainingColumn(),
                console=Console(stderr=True), auto_refresh=False, transient=True)
            self._progress.start()
        return self

    def update(self, stage: str, done: int, total: int) -> None:
        """``done`` of ``total`` for a stage; a total of 0 is not known yet."""
        if self._progress is None:
            return
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(LABELS.get(stage, stage),
                                                         total=total or None)
        self._progress.update(self._tasks[stage], completed=done, total=total or None)
        now = time.monotonic()
        if now - self._drawn >= REFRESH or done == total:
            self._progress.refresh()
            self._drawn = now

    def stage(self, name: str) -> Callable[[int, int], None]:
        """The ``(done, total)`` reporter of one stage, for code that does one thing."""
        return partial(self.update, name)

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
