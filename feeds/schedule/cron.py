"""Cron expressions (feeds.crontab) as APScheduler triggers and systemd OnCalendar lines.

APScheduler 3's ``CronTrigger.from_crontab`` takes day-of-week 0 as Monday
(its issue 286; fixed only in 4.x) and ANDs day-of-month with day-of-week,
where cron runs when *either* matches if both are restricted. So we parse the
expression ourselves (feeds.crontab) and build the triggers from the sets of
values each field names: ``0 7 * * 1-5`` is Monday to Friday, as in crontab(5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from .. import crontab
from ..crontab import CronError

__all__ = ["Cron", "CronError", "parse"]

# APScheduler's weekday names; we pass names, never its numbers.
_APS_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_SYSTEMD_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


@dataclass(frozen=True)
class Cron(crontab.Expression):
    """A parsed expression, as the schedulers that run it take it."""

    def trigger(self, zone: dt.tzinfo) -> BaseTrigger:
        """An APScheduler trigger that fires exactly when cron would."""
        common = {"minute": _spell(self.minutes, 0, 59), "hour": _spell(self.hours, 0, 23),
                  "month": _spell(self.months, 1, 12), "timezone": zone}
        day = _spell(self.days, 1, 31)
        weekday = _days(self.weekdays, _APS_DAYS)
        if self.days_restricted and self.weekdays_restricted:  # cron: either one matches
            return OrTrigger([CronTrigger(day=day, day_of_week="*", **common),
                              CronTrigger(day="*", day_of_week=weekday, **common)])
        return CronTrigger(day=day if self.days_restricted else "*",
                           day_of_week=weekday if self.weekdays_restricted else "*", **common)

    def on_calendar(self, zone_name: str) -> list[str]:
        """systemd OnCalendar= values (several lines are ORed, as cron's day fields are)."""
        time = f"{_spell(self.hours, 0, 23, '02')}:{_spell(self.minutes, 0, 59, '02')}:00"
        month = _spell(self.months, 1, 12, "02")
        if self.days_restricted and self.weekdays_restricted:
            return [f"*-{month}-{_spell(self.days, 1, 31, '02')} {time} {zone_name}",
                    f"{_days(self.weekdays, _SYSTEMD_DAYS)} *-{month}-* {time} {zone_name}"]
        day = _spell(self.days, 1, 31, "02") if self.days_restricted else "*"
        prefix = f"{_days(self.weekdays, _SYSTEMD_DAYS)} " if self.weekdays_restricted else ""
        return [f"{prefix}*-{month}-{day} {time} {zone_name}"]


def parse(text: str) -> Cron:
    """Raises CronError naming the field that cron would not accept."""
    return Cron(**vars(crontab.parse(text)))


def _spell(values: frozenset[int], low: int, high: int, width: str = "") -> str:
    if values == frozenset(range(low, high + 1)):
        return "*"
    return ",".join(format(v, width) for v in sorted(values))


def _days(days: frozenset[int], names: tuple[str, ...]) -> str:
    return ",".join(names[d] for d in sorted(days))
