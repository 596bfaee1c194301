"""Dates as Chinese news text writes them, resolved against the issue date.

Reporters write 9月20日 and 近日, rarely the year: the year comes from the
issue, and a month-day that would fall after the issue belongs to the year
before (12月29日 in the 2024-01-02 issue is 2023-12-29). python-dateutil
reads none of these forms, so this module recognises them with one regular
expression and converts Chinese numerals with cn2an.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..lazyre import lazy_compile

# \d matches full-width digits too (９月２０日), and int() reads them.
_CN_ZERO_TO_NINE = "〇○零一二三四五六七八九"

_YEAR = rf"(?:\d{{4}}|[{_CN_ZERO_TO_NINE}]{{4}})"
_MONTH = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_DAY_ALONE = r"(?:\d{1,2}|[一二三]十[一二三四五六七八九]?|十[一二三四五六七八九])"
_NOT_AFTER_NUMBER = rf"(?<![\d{_CN_ZERO_TO_NINE}十两])"

_PATTERN = lazy_compile(
    rf"(?P<full>(?P<y>{_YEAR})年\s?(?P<m>{_MONTH})月\s?(?P<d>{_DAY})[日号])"
    rf"|(?P<md>{_NOT_AFTER_NUMBER}(?P<m2>{_MONTH})月\s?(?P<d2>{_DAY})[日号])"
    # A day alone (20日, 二十日) must not be a count (第20日, 3日内, 一日三餐, 20日元) or
    # follow a month or year; a lone Chinese digit (一日) is almost never a date.
    rf"|(?P<month_rel>(?P<mr>上个?月|本月|这个月)\s?(?P<d4>{_DAY})[日号])"
    # ...nor the day of a named day (3·15, 6.18), which is not an event date either.
    rf"|(?P<day>(?<![\d{_CN_ZERO_TO_NINE}十两第月年·・.．])(?P<d3>{_DAY_ALONE})[日号](?![元圆币内后]))"
    r"|(?P<rel>大前天|大前日|今日|今天|昨日|昨天|前日|前天)"
    r"|(?P<approx>近日|日前|近期|近来)"
)
# Every form above ends in one of these characters. Finding them is a fast scan,
# so the full pattern only runs in a short window before each: leads with no
# date (most of them) cost a scan, not a regex attempt at every character.
_ANCHOR = lazy_compile(r"[日号天期来]")
# ...and has one of these right before that character, except 日前, which starts
# with it. Prose is full of 日, 天 and 来 in other words (生日, 明天, 未来): looking at
# the character before skips the window search for them, which took two thirds of
# the time spent finding a lead's date (bench/README.md).
_BEFORE_ANCHOR = frozenset("一二三四五六七八九十今昨前近")
_LONGEST = 16  # characters a date can span before its anchor (二〇二一年 十二月 二十九日)
_YEAR_PATTERN = lazy_compile(rf"(?<![\d{_CN_ZERO_TO_NINE}])({_YEAR})年")
_RELATIVE_DAYS = {"今日": 0, "今天": 0, "昨日": 1, "昨天": 1, "前日": 2, "前天": 2,
                  "大前天": 3, "大前日": 3}
# A weekday of this week or the last, counted from Monday: 上周五, 本周三, 上星期日.
_WEEKDAY = lazy_compile(r"(?P<which>上个?|本|这个?)(?:周|星期|礼拜)(?P<day>[一二三四五六日天])")
_WEEKDAYS = "一二三四五六"
# Years a news page can be dated in; a date outside them is a typing slip (0001-01-01),
# and one would overflow the time zones and feeds built from it.
PLAUSIBLE_YEARS = range(1900, 2200)


@dataclass(frozen=True, slots=True)
class Mention:
    """A date as written; ``year``/``month`` are None where the text leaves them out."""

    kind: str  # "full", "month_day", "day", "month_relative", "weekday", "relative",
    #            "approximate"
    start: int
    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    days_before: int = 0  # for relative mentions: 昨日 → 1; 上月 → 1 month; 上周 → 1 week

    def resolve(self, issue: dt.date) -> tuple[dt.date, bool] | None:
        """The calendar date this mention means in the given issue, and whether it is
        approximate; None when it names no real day (2月30日)."""
        if self.kind == "approximate":
            return issue, True
        if self.kind == "relative":
            return issue - dt.timedelta(days=self.days_before), False
        assert self.day is not None
        if self.kind == "weekday":  # day: 0 for Monday
            monday = issue - dt.timedelta(days=issue.weekday() + 7 * self.days_before)
            return monday + dt.timedelta(days=self.day), False
        if self.kind == "month_relative":
            month = issue.replace(day=1)
            if self.days_before:
                month = (month - dt.timedelta(days=1)).replace(day=1)
            return _make(month.year, month.month, self.day)
        if self.kind == "full":
            assert self.year is not None and self.month is not None
            return _make(self.year, self.month, self.day)
        if self.kind == "month_day":
            assert self.month is not None
            found = _make(issue.year, self.month, self.day)
            if found and found[0] > issue:
                found = _make(issue.year - 1, self.month, self.day)
            return found
        # a day alone: this month, or the month before when the day is still to come
        found = _make(issue.year, issue.month, self.day)
        if found is None or found[0] > issue:
            last_month = issue.replace(day=1) - dt.timedelta(days=1)
            found = _make(last_month.year, last_month.month, self.day)
        return found


def _make(year: int, month: int, day: int) -> tuple[dt.date, bool] | None:
    try:
        return dt.date(year, month, day), False
    except ValueError:
        return None


def mentions(text: str) -> Iterator[Mention]:
    """Every date mention in the text, in order. Bare years (二〇二四年工作要点) are not dates."""
    if "周" in text or "星期" in text or "礼拜" in text:
        weeks = [_weekday(m) for m in _WEEKDAY.finditer(text)]
        if weeks:
            return iter(sorted([*_day_mentions(text), *weeks], key=lambda m: m.start))
    return _day_mentions(text)


def _weekday(match: re.Match[str]) -> Mention:
    day = match.group("day")
    return Mention("weekday", match.start(), match.group(),
                   day=_WEEKDAYS.index(day) if day in _WEEKDAYS else 6,
                   days_before=1 if match.group("which").startswith("上") else 0)


def _day_mentions(text: str) -> Iterator[Mention]:
    done = 0
    for anchor in _ANCHOR.finditer(text):
        if anchor.start() < done or not _may_end_a_date(text, anchor.start()):
            continue
        # endpos one past the anchor, so the lookahead after 日 still sees the next character
        match = _PATTERN.search(text, max(done, anchor.start() - _LONGEST), anchor.end() + 1)
        if match is None or match.end() <= anchor.start():
            continue
        done = match.end()
        mention = _mention(match)
        if mention is not None:
            yield mention


def _may_end_a_date(text: str, anchor: int) -> bool:
    """Whether a date form can end at (or, for 日前, start at) the anchor character."""
    before = text[anchor - 1] if anchor else ""
    # isdecimal() is what \d matches: any decimal digit, full-width ones included
    return (before.isdecimal() or before in _BEFORE_ANCHOR
            or text.startswith("日前", anchor))


def _mention(match: re.Match[str]) -> Mention | None:
    start, whole = match.start(), match.group()
    if match.group("full"):
        year = _number(match.group("y"))
        if year not in PLAUSIBLE_YEARS:
            return None
        month, day = _number(match.group("m")), _number(match.group("d"))
        return Mention("full", start, whole, year, month, day)
    if match.group("md"):
        return Mention("month_day", start, whole, None,
                       _number(match.group("m2")), _number(match.group("d2")))
    if match.group("month_rel"):
        return Mention("month_relative", start, whole, day=_number(match.group("d4")),
                       days_before=1 if match.group("mr").startswith("上") else 0)
    if match.group("day"):
        return Mention("day", start, whole, day=_number(match.group("d3")))
    if match.group("rel"):
        return Mention("relative", start, whole, days_before=_RELATIVE_DAYS[whole])
    return Mention("approximate", start, whole)


def _number(text: str) -> int:
    if text.isdecimal():
        return int(text)
    if len(text) == 4 and all(c in _CN_ZERO_TO_NINE for c in text):  # 二〇二一: digit by digit
        return int("".join(str(_CN_ZERO_TO_NINE.index(c) - 2 if c not in "〇○零" else 0)
                           for c in text))
    # imported here: it takes a fifth of a second and most pages never need it
    import cn2an

    return int(cn2an.cn2an(text, "normal"))


def event_date(lead: str, issue: dt.date) -> tuple[dt.date, bool]:
    """The first date in the lead paragraph; the issue date, marked approximate, when the
    lead names none (or only 近日)."""
    for mention in mentions(lead):
        resolved = mention.resolve(issue)
        if resolved is not None:
            return resolved
    return issue, True


def year_mentions(text: str) -> Iterator[tuple[int, int]]:
    """(year, position) for every YYYY年 in the text, including those of full dates."""
    for match in _YEAR_PATTERN.finditer(text):
        year = _number(match.group(1))
        if year in PLAUSIBLE_YEARS:
            yield year, match.start()


def full_date(text: str) -> dt.date | None:
    """The first complete date (2024年1月2日, 二〇二四年一月二日) in a page header."""
    for mention in mentions(text):
        if mention.kind == "full":
            resolved = mention.resolve(dt.date.min)
            if resolved is not None:
                return resolved[0]
    return None
