"""What parsing one content file gives: its entries and a report for `feeds check`."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Entry
from .issuedate import IssueDate


@dataclass(frozen=True, slots=True)
class Problem:
    line: int | None
    message: str
    severity: str = "warning"  # "error": the file was skipped; "note": for `feeds check`


@dataclass(frozen=True)
class FileReport:
    path: str
    entries: int
    issue_date: IssueDate | None
    problems: tuple[Problem, ...] = ()
    encoding: str = "utf-8"

    @property
    def skipped(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


@dataclass(frozen=True)
class FileResult:
    entries: tuple[Entry, ...]
    report: FileReport
