"""Jobs from cron, systemd and the daemon: locks between real processes, exit codes,
quiet success, start-up catch-up and clean shutdown."""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import DEMO_PAGE, ROOT

from feeds.config import load_config
from feeds.schedule import daemon, runs
from feeds.schedule.plan import plan
from feeds.schedule.units import crontab

CONFIG = """\
[site]
title = "城区新闻"
base_url = "https://news.example.cn/"

[schedule]
build = "{build}"
digest = ""
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / DEMO_PAGE.name).write_bytes(DEMO_PAGE.read_bytes())
    (tmp_path / "feeds.toml").write_text(CONFIG.format(build="*/15 * * * *"), encoding="utf-8")
    return tmp_path


def feeds(*args: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "feeds", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, **kwargs)


def test_one_shot_run_is_quiet_on_success_and_records_the_run(site):
    done = feeds("run", "build", cwd=site)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert (site / "public" / "feeds" / "all.atom.xml").is_file()
    record = json.loads((site / ".feeds" / "runs" / "build.json").read_text())
    assert record["status"] == 0 and record["job"] == "build"


def test_scheduler_script_runs_one_job_once(site):
    done = subprocess.run([sys.executable, str(ROOT / "scheduler.py"), "--config",
                           str(site / "feeds.toml"), "--once", "build"],
                          capture_output=True, text=True, timeout=120, cwd=site)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


HOLDER = """
import sys
from pathlib import Path
from feeds.schedule.locks import job_lock
with job_lock(Path(sys.argv[1]), "build"):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_second_run_exits_75_while_another_process_holds_the_lock(site):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(site / ".feeds" / "locks")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = feeds("run", "build", cwd=site)
        assert busy.returncode == 75
        assert "another run is in progress" in busy.stderr
        assert not (site / "public").exists()
    finally:
        holder.kill()
        holder.wait()
    assert feeds("run", "build", cwd=site).returncode == 0  # a killed holder blocks nothing


def test_bad_input_is_a_clear_message_and_exit_2(site, tmp_path):
    assert feeds("run", "nightly", cwd=site).returncode == 2
    missing = feeds("--config", str(tmp_path / "nope.toml"), "run", "build", cwd=site)
    assert missing.returncode == 2 and "not found" in missing.stderr
    (site / "feeds.toml").write_text(CONFIG.format(build="0 7 * * 8"), encoding="utf-8")
    bad_cron = feeds("run", "build", cwd=site)
    assert bad_cron.returncode == 2 and "schedule.build" in bad_cron.stderr
    (site / "feeds.toml").write_text(CONFIG.format(build="0 7 * * *").replace(
        'title = "城区新闻"', 'timezone = "Asia/Beijing"'), encoding="utf-8")
    bad_zone = feeds("schedule", "next", cwd=site)
    assert bad_zone.returncode == 2 and "unknown time zone" in bad_zone.stderr
    for done in (missing, bad_cron, bad_zone):
        assert "Traceback" not in done.stderr


def test_an_unwritable_lock_directory_fails_the_run_with_exit_1(site):
    (site / "locks-file").write_text("")
    (site / "feeds.toml").write_text(CONFIG.format(build="0 7 * * *")
                                     + 'lock_dir = "locks-file/sub"\n', encoding="utf-8")
    done = feeds("run", "build", cwd=site)
    assert done.returncode == 1
    assert "cannot take the build lock" in done.stderr and "Traceback" not in done.stderr


def test_crontab_lines_use_absolute_paths_and_the_site_zone(site):
    done = feeds("schedule", "crontab", cwd=site)
    lines = done.stdout.splitlines()
    job = next(line for line in lines if line.startswith("*/15 "))
    python, module = job.split()[5:7]
    assert Path(python).is_absolute() and module == "-m"
    assert f"--config {site / 'feeds.toml'} run build" in job
    assert not any(" digest" in line for line in lines)  # turned off with ""


def test_crontab_sets_cron_tz_only_when_the_system_zone_differs(site):
    config = load_config(site / "feeds.toml")
    where = Path("/srv/news/feeds.toml")
    elsewhere = crontab(plan(config), "Asia/Shanghai", "/usr/bin/python3", where, "Etc/UTC")
    at_home = crontab(plan(config), "Asia/Shanghai", "/usr/bin/python3", where, "Asia/Shanghai")
    assert "CRON_TZ=Asia/Shanghai" in elsewhere.splitlines()
    assert "CRON_TZ" not in at_home
    assert ("*/15 * * * * /usr/bin/python3 -m feeds --config /srv/news/feeds.toml run build"
            in at_home.splitlines())


def test_systemd_units_are_written_with_a_persistent_timer(site, tmp_path):
    units = tmp_path / "units"
    done = feeds("schedule", "systemd", "--write", str(units), cwd=site)
    assert done.returncode == 0
    timer = (units / "feeds-build.timer").read_text()
    assert "OnCalendar=*-*-* *:00,15,30,45:00 Asia/Shanghai" in timer
    assert "Persistent=true" in timer
    service = (units / "feeds-build.service").read_text()
    assert f"--config {site / 'feeds.toml'} run build" in service
    assert "Type=oneshot" in service and "SuccessExitStatus=75" in service


def test_next_lists_run_times_in_the_site_zone(site):
    done = feeds("schedule", "next", "--count", "2", cwd=site)
    assert done.returncode == 0
    (line,) = done.stdout.splitlines()
    assert line.startswith("build (*/15 * * * *): ") and line.count("+0800") == 2


def test_daemon_runs_an_owed_job_at_start_up_and_only_then(site):
    config = load_config(site / "feeds.toml")
    jobs = plan(config)
    zone = config.site.zone
    ran: list[str] = []

    def runner(job: str) -> int:
        ran.append(job)
        return 0

    due = dt.datetime(2024, 3, 4, 7, 0, tzinfo=zone)
    scheduler = daemon.build_scheduler(config, jobs, runner, now=due + dt.timedelta(minutes=20))
    (job,) = scheduler.get_jobs()
    assert job.next_run_time == due + dt.timedelta(minutes=20)  # owed: due at start-up
    # then on its cron (*/15), in the site's zone
    assert job.trigger.get_next_fire_time(None, due + dt.timedelta(minutes=20)) \
        == due + dt.timedelta(minutes=30)
    # what it runs is the planned job (in a thread, as the scheduler's pool runs it: the
    # job blocks SIGTERM in the thread it runs in)
    worker = threading.Thread(target=job.func, args=job.args, kwargs=job.kwargs)
    worker.start()
    worker.join()
    assert ran == ["build"]
    runs.record(jobs.runs_dir, runs.Run("build", due + dt.timedelta(minutes=16),
                                        due + dt.timedelta(minutes=17), 0))  # the 07:15 run
    again = daemon.build_scheduler(config, jobs, runner, now=due + dt.timedelta(minutes=20))
    assert again.get_jobs()[0].next_run_time == due + dt.timedelta(minutes=30)  # on schedule


def test_daemon_lets_a_run_in_progress_finish_on_sigterm(site):
    config = load_config(site / "feeds.toml")
    jobs = plan(config)
    progress: list[str] = []

    def runner(job: str) -> int:
        progress.append("started")
        os.kill(os.getpid(), signal.SIGTERM)  # stop arrives while the job still works
        progress.append(str(sum(range(2_000_000))))  # work after the signal
        progress.append("finished")
        return 0

    old = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        daemon.serve(config, jobs, runner)  # the build is owed: it runs at once
    finally:
        signal.signal(signal.SIGTERM, old[0])
        signal.signal(signal.SIGINT, old[1])
    assert progress[0] == "started" and progress[-1] == "finished"


def test_scheduler_process_logs_the_run_and_stops_cleanly(site):
    (site / "feeds.toml").write_text(CONFIG.format(build="* * * * *"), encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(ROOT / "scheduler.py")], cwd=site,
                               stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in process.stderr:  # the build owed at start-up runs and is logged
            lines.append(line)
            if "build: finished" in line or "build: failed" in line:
                break
        assert any("build: finished" in line for line in lines), lines
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        assert "stopped" in process.stderr.read()
    finally:
        process.kill()
    assert json.loads((site / ".feeds" / "runs" / "build.json").read_text())["status"] == 0


def outbox_messages(site: Path) -> list[Path]:
    return sorted(p for p in (site / "outbox").glob("*/*") if p.is_file())


def test_digest_runs_by_any_route_send_each_copy_once(site):
    (site / "feeds.toml").write_text(CONFIG.format(build="*/15 * * * *").replace(
        'digest = ""', 'digest = "0 7 * * 1-5"'), encoding="utf-8")
    assert feeds("subscribers", "add", "reader@example.com", cwd=site).returncode == 0
    first = feeds("run", "digest", cwd=site)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    assert len(outbox_messages(site)) == 1
    again = feeds("run", "digest", cwd=site)  # cron firing twice
    by_hand = feeds("digest", cwd=site)  # someone at a terminal
    script = subprocess.run([sys.executable, str(ROOT / "scheduler.py"), "--once", "digest"],
                            cwd=site, capture_output=True, text=True, timeout=120)
    assert again.returncode == by_hand.returncode == script.returncode == 0
    assert "nothing new" in by_hand.stdout
    assert len(outbox_messages(site)) == 1


def test_a_digest_run_started_while_another_runs_exits_75(site):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER.replace('"build"', '"digest"'),
                               str(site / ".feeds" / "locks")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert feeds("run", "digest", cwd=site).returncode == 75
        assert feeds("digest", cwd=site).returncode == 75
    finally:
        holder.kill()
        holder.wait()
