"""Which issue a page belongs to, from the surest evidence available.

In order: front matter ``date``; a YYYY-MM-DD in the file's path or a
YYYY/MM/DD folder path; a full date in the page header; and last, inferred
from the text: the latest dated event on the page, in the year the page names
as its own. Inference is conservative: a year counts only in a full date or
naming what happens now (2024年春季植树动员会), never one mentioned in passing
(建成于2000年以前), and two years named equally often give no date at all. A
page dated wrongly is published under the wrong day and never mailed, so an
inferred date is a warning with its evidence, for an editor to confirm.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from ..lazyre import lazy_compile
from . import dates

_ISO_IN_PATH = lazy_compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# 2024/01/02/a01.txt, and 2024/01/02.txt too
_FOLDERS_IN_PATH = lazy_compile(r"(?:^|/)(\d{4})/(\d{1,2})/(\d{1,2})(?=[/._-]|$)")


@dataclass(frozen=True, slots=True)
class IssueDate:
    date: dt.date
    source: str  # "front matter", "path", "page header", "inferred"
    note: str = ""
    line: int | None = None  # of the evidence, for an inferred date


def from_path(path: str) -> dt.date | None:
    """2024-01-02 anywhere in the relative path, or folders 2024/01/02."""
    for pattern in (_ISO_IN_PATH, _FOLDERS_IN_PATH):
        for match in pattern.finditer(path):
            try:
                found = dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                continue
            if found.year in dates.PLAUSIBLE_YEARS:
                return found
    return None


def infer(lines: list[tuple[int, str]]) -> IssueDate | None:
    """The latest month-day on the page, in the year the page names as its own; None
    when the page names no such year, or two years as often (it cannot be told)."""
    weight: Counter[int] = Counter()
    evidence: dict[int, tuple[int, str]] = {}  # year → (line, words around it)
    found: list[tuple[dates.Mention, int]] = []
    for number, text in lines:
        for year, start in dates.year_mentions(text):
            strength = _strength(text, start)
            if strength:
                weight[year] += strength
                evidence.setdefault(year, (number, _around(text, start)))
        found.extend((m, number) for m in dates.mentions(text) if m.kind in ("full", "month_day"))
    if not weight:
        return None
    ranked = weight.most_common(2)
    if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
        return None
    year = ranked[0][0]
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
    line, words = evidence[year]
    note = (f"issue date {day} inferred from the latest dated event ({mention.text}, line "
            f"{number}) and the year {year} (line {line}: …{words}…); add `date:` front "
            "matter or a date in the file name to state it")
    return IssueDate(day, "inferred", note, number)


def _strength(text: str, start: int) -> int:
    """How surely a year mentioned at ``start`` is the page's own: 2 in a full date, 1
    naming what happens now (2024年春季植树动员会), 0 in passing (建成于2000年以前, 2000年，…)."""
    end = text.index("年", start) + 1
    if _MONTH_AFTER.match(text, end):
        return 2 if not _HISTORY_BEFORE.search(text, 0, start) else 0
    if _PASSING_BEFORE.search(text, 0, start) or not _NAMING_AFTER.match(text, end):
        return 0
    return 1


def _around(text: str, start: int) -> str:
    return text[max(0, start - 8):start + 14].strip()


# What follows a year in a full date.
_MONTH_AFTER = lazy_compile(r"\s?[0-9０-９一二三四五六七八九十]{1,2}月")
# A year naming an event, plan or period of now is followed by a noun (2024年春季…,
# 2024年度…); one followed by a span or time word (以前, 以来, 底, 至, 的, a comma) is a
# point in history or in a plan, and says nothing about the issue.
_NAMING_AFTER = lazy_compile(r"(?!以前|之前|以来|以后|之后|以内|前|后|底|初|末|年代|间|至|到"
                           r"|起|中|上半|下半|的|时|就|已|曾|便|才|里|内|开始|建成|成立)"
                           r"[\u4e00-\u9fff]")
# A date after these words is history (早在2008年5月1日, 自2015年1月1日起); a year alone
# after them or after 于, 到, 至 too (建成于2000年).
_HISTORY_BEFORE = lazy_compile(r"(?:早在|自|从|截至|截止|始于|直到)\s?$")
_PASSING_BEFORE = lazy_compile(r"(?:于|早在|自|从|截至|截止|始于|直到|到|至)\s?$")
