"""Cron expressions mean what crontab(5) says; fire times computed from given instants."""

import datetime as dt
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest

from feeds.schedule.cron import CronError, parse
from feeds.schedule.runs import Run, missed

BEIJING = ZoneInfo("Asia/Shanghai")


def fires(expression: str, start: dt.datetime, count: int, zone=BEIJING) -> list[dt.datetime]:
    trigger = parse(expression).trigger(zone)
    out, previous, now = [], None, start
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, now)
        out.append(fire)
        previous, now = fire, fire + dt.timedelta(seconds=1)
    return out


def test_weekdays_one_to_five_are_monday_to_friday_at_seven_beijing_time():
    saturday = dt.datetime(2024, 3, 2, 12, 0, tzinfo=BEIJING)
    times = fires("0 7 * * 1-5", saturday, 20)
    assert {t.strftime("%a") for t in times} == {"Mon", "Tue", "Wed", "Thu", "Fri"}
    assert all((t.hour, t.minute, t.utcoffset()) == (7, 0, dt.timedelta(hours=8)) for t in times)
    assert times[0] == dt.datetime(2024, 3, 4, 7, 0, tzinfo=BEIJING)
    assert all(t.astimezone(dt.UTC).hour == 23 for t in times)  # 23:00 UTC the day before


def test_zero_and_seven_are_both_sunday():
    monday = dt.datetime(2024, 3, 4, tzinfo=BEIJING)
    assert {t.strftime("%a") for t in fires("0 7 * * 0", monday, 3)} == {"Sun"}
    assert fires("0 7 * * 7", monday, 3) == fires("0 7 * * 0", monday, 3)
    assert fires("0 7 * * sun", monday, 3) == fires("0 7 * * 0", monday, 3)


def test_day_of_month_or_day_of_week_when_both_are_restricted():
    start = dt.datetime(2024, 3, 1, tzinfo=BEIJING)  # a Friday
    days = [t.day for t in fires("30 6 1 * 0", start, 6)]
    assert days == [1, 3, 10, 17, 24, 31]  # the 1st, and every Sunday


def test_month_boundary_and_months_without_the_day():
    start = dt.datetime(2024, 1, 31, 12, 0, tzinfo=BEIJING)
    assert [t.date().isoformat() for t in fires("0 7 31 * *", start, 3)] == [
        "2024-03-31", "2024-05-31", "2024-07-31"]
    assert fires("0 0 1 * *", dt.datetime(2024, 1, 31, 23, 59, tzinfo=BEIJING), 1) == [
        dt.datetime(2024, 2, 1, tzinfo=BEIJING)]
    assert fires("0 12 29 2 *", start, 2)[1].year == 2028  # leap days only


def test_steps_lists_names_and_macros():
    start = dt.datetime(2024, 3, 4, 10, 1, tzinfo=BEIJING)
    assert [t.minute for t in fires("*/20 * * * *", start, 3)] == [20, 40, 0]
    assert [t.minute for t in fires("5/20 * * * *", start, 3)] == [5, 25, 45]
    assert [t.hour for t in fires("0 9,12-13 * * *", start, 3)] == [12, 13, 9]
    assert fires("0 7 * jan-feb mon", start, 1)[0].date() == dt.date(2025, 1, 6)
    assert fires("@daily", start, 1) == [dt.datetime(2024, 3, 5, tzinfo=BEIJING)]


def test_the_site_zone_decides_the_hour():
    london = ZoneInfo("Europe/London")
    start = dt.datetime(2024, 3, 30, tzinfo=dt.UTC)
    times = fires("0 7 * * *", start, 3, zone=london)
    assert [t.astimezone(dt.UTC).hour for t in times] == [7, 6, 6]  # summer time from 31 March


@pytest.mark.parametrize(("expression", "complaint"), [
    ("0 7 * *", "5 fields"), ("60 * * * *", "outside 0-59"), ("0 24 * * *", "outside 0-23"),
    ("0 7 0 * *", "outside 1-31"), ("0 7 * 13 *", "outside 1-12"), ("0 7 * * 8", "outside 0-7"),
    ("0 7 * * mon-fry", "not a number or a name"), ("*/0 * * * *", "step"),
    ("9-3 * * * *", "upwards"), ("@reboot", "unknown macro"), ("x * * * *", "not a number"),
])
def test_invalid_expressions_say_which_field(expression, complaint):
    with pytest.raises(CronError, match=complaint):
        parse(expression)


def test_a_run_missed_within_the_grace_time_is_owed_once():
    trigger = parse("0 7 * * *").trigger(BEIJING)
    grace = dt.timedelta(hours=1)
    due = dt.datetime(2024, 3, 4, 7, 0, tzinfo=BEIJING)
    after_boot = due + dt.timedelta(minutes=40)
    assert missed(trigger, None, after_boot, grace) == due
    ran_yesterday = Run("digest", due - dt.timedelta(days=1), due - dt.timedelta(days=1), 0)
    assert missed(trigger, ran_yesterday, after_boot, grace) == due
    ran_today = Run("digest", due + dt.timedelta(seconds=5), due + dt.timedelta(minutes=1), 0)
    assert missed(trigger, ran_today, after_boot, grace) is None


def test_a_run_missed_longer_ago_than_the_grace_time_is_let_go():
    trigger = parse("0 7 * * *").trigger(BEIJING)
    due = dt.datetime(2024, 3, 4, 7, 0, tzinfo=BEIJING)
    assert missed(trigger, None, due + dt.timedelta(hours=2), dt.timedelta(hours=1)) is None


def test_weekend_is_never_owed_for_a_weekday_job():
    trigger = parse("0 7 * * 1-5").trigger(BEIJING)
    saturday_morning = dt.datetime(2024, 3, 2, 7, 30, tzinfo=BEIJING)
    assert missed(trigger, None, saturday_morning, dt.timedelta(hours=1)) is None


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
@pytest.mark.parametrize("expression", ["0 7 * * 1-5", "*/15 * * * *", "30 6 1 * 0",
                                        "0 0 29 2 *", "5 4 * jan,jul sat"])
def test_systemd_reads_our_calendar_lines_with_the_same_next_time(expression):
    cron = parse(expression)
    now = dt.datetime.now(BEIJING)
    ours = fires(expression, now, 1)[0]
    found = []
    for line in cron.on_calendar("Asia/Shanghai"):
        out = subprocess.run(["systemd-analyze", "calendar", "--iterations=1", line],
                             capture_output=True, text=True, env={"TZ": "UTC", "LANG": "C"})
        assert out.returncode == 0, out.stderr
        elapse = next(x for x in out.stdout.splitlines() if "Next elapse" in x)
        found.append(dt.datetime.strptime(elapse.split(": ", 1)[1].strip(),
                                          "%a %Y-%m-%d %H:%M:%S %Z").replace(tzinfo=dt.UTC))
    assert min(found) == ours
