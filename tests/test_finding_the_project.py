"""Commands find their project as git and ruff do: feeds.toml in the working folder or a
folder above it. Outside any project, commands that keep state refuse and create nothing;
cron lines carry the absolute config path; --state takes every piece of state."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DEMO_PAGE

from feeds.cli import cli

CONFIG = """\
[site]
title = "城区新闻"
base_url = "https://news.example.cn/"

[schedule]
build = "*/15 * * * *"
digest = ""
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    (folder / "content" / "2022").mkdir(parents=True)
    (folder / "content" / "2022" / DEMO_PAGE.name).write_bytes(DEMO_PAGE.read_bytes())
    (folder / "feeds.toml").write_text(CONFIG, encoding="utf-8")
    return folder


def feeds(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "feeds", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def test_a_build_in_a_subfolder_of_the_project_builds_the_project(project):
    done = feeds("build", "-q", cwd=project / "content" / "2022")
    assert done.returncode == 0, done.stderr
    assert (project / "public" / "feeds" / "all.atom.xml").is_file()
    assert (project / ".feeds" / "manifest.json").is_file()
    assert tree(project / "content") == {"2022", f"2022/{DEMO_PAGE.name}"}


@pytest.mark.parametrize("command", [
    ["build"], ["digest"], ["subscribers", "list"], ["subscribers", "add", "a@example.com"],
    ["unsubscribe", "token"], ["run", "build"], ["schedule", "crontab"], ["schedule", "next"],
    ["serve"], ["bounces"], ["state", "backup", "copy.sqlite"]])
def test_outside_any_project_a_command_that_keeps_state_refuses_and_creates_nothing(
        tmp_path, monkeypatch, command):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / DEMO_PAGE.name).write_bytes(DEMO_PAGE.read_bytes())
    monkeypatch.chdir(tmp_path)
    before = tree(tmp_path)
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 2, result.output
    assert f"error: no feeds.toml in {tmp_path} or any folder above it" in result.output
    assert "--config" in result.output and "touch feeds.toml" in result.output
    assert tree(tmp_path) == before  # no stray .feeds/, no public/


def test_check_and_entries_outside_a_project_read_the_content_with_the_defaults(
        tmp_path, monkeypatch):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / DEMO_PAGE.name).write_bytes(DEMO_PAGE.read_bytes())
    monkeypatch.chdir(tmp_path)
    before = tree(tmp_path)
    assert CliRunner().invoke(cli, ["check"]).exit_code == 0
    listed = CliRunner().invoke(cli, ["entries", "--json"])
    assert listed.exit_code == 0 and listed.output.count('"id": "tag:localhost,') == 5
    assert tree(tmp_path) == before


def crontab_job(output: str) -> list[str]:
    """The command of the crontab line of the build job."""
    line = next(line for line in output.splitlines() if line.startswith("*/15 "))
    return shlex.split(line)[5:]


def test_crontab_lines_found_from_a_subfolder_carry_the_absolute_config(project):
    done = feeds("schedule", "crontab", cwd=project / "content")
    assert done.returncode == 0, done.stderr
    job = crontab_job(done.stdout)
    assert job[job.index("--config") + 1] == str(project / "feeds.toml")


def test_crontab_lines_made_from_another_folder_work_from_any_folder(project, tmp_path):
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    done = feeds("--config", "../news/feeds.toml", "schedule", "crontab", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    job = crontab_job(done.stdout)
    assert job[job.index("--config") + 1] == str(project / "feeds.toml")
    ran = subprocess.run(job, cwd="/", capture_output=True, text=True, timeout=120)  # as cron
    assert ran.returncode == 0, ran.stderr
    assert (project / "public" / "feeds" / "all.rss.xml").is_file()
    assert tree(elsewhere) == set()


def test_state_option_puts_every_piece_of_state_in_that_folder(project, tmp_path):
    with (project / "feeds.toml").open("a", encoding="utf-8") as config:
        config.write('lock_dir = ".feeds/locks"\n')  # the README's example
    elsewhere, state = tmp_path / "elsewhere", tmp_path / "state"
    elsewhere.mkdir()
    done = feeds("--config", str(project / "feeds.toml"), "build", "--state", str(state),
                 cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in project.iterdir()} == {"feeds.toml", "content", "public"}
    assert tree(elsewhere) == set()
    assert {"locks/build.lock", "manifest.json"} <= tree(state)
    # The second run reads the caches the first one made: there too.
    again = feeds("--config", str(project / "feeds.toml"), "build", "--state", str(state),
                  cwd=elsewhere)
    assert again.returncode == 0, again.stderr
    assert {p.name for p in project.iterdir()} == {"feeds.toml", "content", "public"}
    assert tree(elsewhere) == set()
    assert any(path.startswith("cache/") for path in tree(state))
