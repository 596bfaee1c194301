"""Which issue a page belongs to, from the surest evidence available.

In order: front matter ``date``; a YYYY-MM-DD in the file's path or a
YYYY/MM/DD folder path; a full date in the page header; and last, inferred
from the text: the latest dated event on the page, in the year the page
mentions most. Pages as users have them often carry none of the first three,
so the inference is expected and reported as a note, not a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from . import dates

_ISO_IN_PATH = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# 2024/01/02/a01.txt, and 2024/01/02.txt too
_FOLDERS_IN_PATH = re.compile(r"(?:^|/)(\d{4})/(\d{1,2})/(\d{1,2})(?=[/._-]|$)")


@dataclass(frozen=True, slots=True)
class IssueDate:
    date: dt.date
    source: str  # "front matter", "path", "page header", "inferred"
    note: str = ""


def from_path(path: str) -> dt.date | None:
    """2024-01-02 anywhere in the relative path, or folders 2024/01/02."""
    for pattern in (_ISO_IN_PATH, _FOLDERS_IN_PATH):
        for match in pattern.finditer(path):
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                continue
    return None


def infer(lines: list[tuple[int, str]]) -> IssueDate | None:
    """The latest month-day on the page, in the year it mentions most (ties: the later)."""
    years: Counter[int] = Counter()
    year_line: dict[int, int] = {}
    found: list[tuple[dates.Mention, int]] = []
    for number, text in lines:
        for year, _ in dates.year_mentions(text):
            years[year] += 1
            year_line.setdefault(year, number)
        found.extend((m, number) for m in dates.mentions(text) if m.kind in ("full", "month_day"))
    if not years:
        return None
    year = max(years, key=lambda y: (years[y], y))
    best: tuple[dt.date, dates.Mention, int] | None = None
    for mention, number in found:
        if mention.year not in (None, year):
            continue
        assert mention.month is not None and mention.day is not None
        try:
            day = dt.date(year, mention.month, mention.day)
        except ValueError:
            continue
        if best is None or day > best[0]:
            best = (day, mention, number)
    if best is None:
        return None
    day, mention, number = best
    note = (f"issue date {day} inferred from the latest dated event ({mention.text}, line "
            f"{number}) and the year {year} (line {year_line[year]}); add `date:` front "
            "matter or a date in the file name to state it")
    return IssueDate(day, "inferred", note)
