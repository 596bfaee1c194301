"""Publishing cannot destroy the site: an empty or unreadable content folder, a kill at any
moment, a full or read-only disk each leave the published site entirely old or entirely new.

The kills are real SIGKILLs of `python -m feeds build`, sent by the process to itself at the
Nth file-system write it makes (counted with an audit hook, PEP 578); the disks are small
tmpfs mounts (the tests run as root, as CI does)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from feeds.sitewriter import recover

CONFIG = """\
[site]
title = "城区新闻"
base_url = "https://news.example.cn/"
state_dir = "state"
"""

# Runs `feeds ARGS...` and SIGKILLs it at its Nth write under FOLDER (open for writing,
# mkdir, rename, unlink, rmdir, rmtree); N = 0 kills nothing and prints how many there were.
KILLER = r"""
import os, signal, sys
target, folder, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
WRITES = ("os.rename", "os.remove", "os.rmdir", "os.mkdir", "shutil.rmtree")
count = 0

def hook(event, details):
    global count
    if event == "open":
        path, mode, flags = details
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
            (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR))
        if not writing:
            return
    elif event not in WRITES:
        return
    path = details[0]
    if not isinstance(path, (str, bytes, os.PathLike)) or \
            not os.fsdecode(path).startswith(folder):
        return
    count += 1
    if count == target:
        os.kill(os.getpid(), signal.SIGKILL)

sys.addaudithook(hook)
from feeds.cli import cli
try:
    cli.main(args, prog_name="feeds")
finally:
    if target == 0:
        print(count)
"""


def write_pages(content: Path, days: int, per_page: int, first: int = 0,
                edition: str = "") -> None:
    """One page a day from 2024-01-01 + ``first``, ``per_page`` short articles each."""
    for day in range(first, first + days):
        date = dt.date(2024, 1, 1) + dt.timedelta(days=day)
        lines = ["第01版：综合新闻", ""]
        for n in range(per_page):
            lines += [f"## 城区第{day * per_page + n + 1}号工作简报{edition}", "",
                      f"本报讯 {date.month}月{date.day}日，城区召开第{n + 1}次工作会议，"
                      "部署近期各项工作。", ""]
        path = content / f"{date:%Y/%m/%d}/a01.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")


def feeds(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "feeds", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def staging_left(project: Path) -> list[str]:
    """Staging folders anywhere in or beside the site."""
    return [p.name for p in [*project.iterdir(), *(project / "public").rglob("*")]
            if "feeds-staging" in p.name]


def manifest_matches(public: Path, state: Path) -> bool:
    """The manifest describes exactly the files it names, as they are on disk."""
    records = json.loads((state / "manifest.json").read_bytes())["files"]
    return all((public / path).is_file()
                and hashlib.sha1((public / path).read_bytes()).hexdigest() == record[3]
                for path, record in records.items())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a built site of 200 articles, built once for the module."""
    folder = tmp_path_factory.mktemp("built")
    (folder / "feeds.toml").write_text(CONFIG, encoding="utf-8")
    write_pages(folder / "content", days=40, per_page=5)
    done = feeds("build", "--jobs", "1", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A copy of the built project (times kept, so the next build rewrites nothing)."""
    shutil.copytree(built, tmp_path, dirs_exist_ok=True)
    return tmp_path


@pytest.mark.parametrize("case", ["empty folder", "missing folder", "every page skipped"])
def test_a_build_with_nothing_to_publish_changes_nothing_and_fails(project, case):
    before, manifest = stats(project / "public"), (project / "state/manifest.json").read_bytes()
    content = project / "elsewhere"
    if case == "empty folder":
        content.mkdir()
    elif case == "every page skipped":
        (content / "2024").mkdir(parents=True)
        (content / "2024" / "a.txt").write_text("", encoding="utf-8")  # empty
        (content / "b.txt").write_text("第01版\n\n没有标题，也没有日期。\n", encoding="utf-8")
    done = feeds("build", "--content", str(content), cwd=project)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(content) in errors[0], done.stderr
    if case != "missing folder":
        skipped = 2 if case == "every page skipped" else 0
        assert f"0 entries, {skipped} files, {skipped} skipped" in errors[0]
    assert stats(project / "public") == before
    assert (project / "state/manifest.json").read_bytes() == manifest
    assert not staging_left(project)


def test_a_build_killed_at_any_write_leaves_the_old_or_the_new_site(project, tmp_path):
    public, state = project / "public", project / "state"
    old_site, old_state = tmp_path / "old-site", tmp_path / "old-state"
    shutil.copytree(public, old_site)
    shutil.copytree(state, old_state)
    # The new content: five pages removed, ten added. (Not corrections: an article
    # corrected shows the time of the build that saw it, so no two new sites would match.)
    for day in range(30, 35):
        shutil.rmtree(project / f"content/{dt.date(2024, 1, 1) + dt.timedelta(day):%Y/%m/%d}")
    write_pages(project / "content", days=10, per_page=5, first=40)
    build = ["--config", str(project / "feeds.toml"), "build", "--jobs", "1"]

    def restore_old() -> None:
        for live, saved in ((public, old_site), (state, old_state)):
            shutil.rmtree(live)
            shutil.copytree(saved, live)

    def run_killed(at: int) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", KILLER, str(at), str(project), *build],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)

    counted = run_killed(0)
    assert counted.returncode == 0, counted.stderr
    writes = int(counted.stdout.split()[-1])
    old, new = files(old_site), files(public)
    assert old != new
    outcomes = []
    # Evenly over the whole build (rendering, staging, journal, renames, removals), and
    # each of the last writes.
    for at in sorted({*range(1, writes, max(1, writes // 7)), *range(writes - 2, writes + 1)}):
        restore_old()
        killed = run_killed(at)
        assert killed.returncode == -9, (at, killed.stderr)
        outcomes.append("old" if files(public) == old else "new" if files(public) == new
                        else "between")
        recover(public, state / "manifest.json")  # what the next build does first
        assert files(public) in (old, new), at
        assert manifest_matches(public, state), at
        assert not staging_left(project), at
    # The kills fell before publishing began, while it went on, and after it was done.
    assert {"old", "between", "new"} <= set(outcomes), outcomes
    # The next build after a kill (here, the last one) leaves no trace of it either.
    restore_old()
    assert run_killed(writes // 2).returncode == -9
    assert staging_left(project)
    done = feeds(*build, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert files(public) == new and not staging_left(project)


def test_a_publish_that_fails_half_way_is_finished_by_the_next_build(project, tmp_path):
    edit(project)
    # Something no build can replace, in the way of a file the build rewrites: the renames
    # before it are done when the build fails there, and are not undone.
    (project / "public/index.html").unlink()
    (project / "public/index.html/kept").mkdir(parents=True)
    done = feeds("build", cwd=project)
    assert_one_line_naming(done, project / "public/index.html")
    assert "the next build finishes it" in done.stderr
    assert staging_left(project)  # the journal, and what is still to move
    shutil.rmtree(project / "public/index.html")
    done = feeds("build", cwd=project)
    assert done.returncode == 0, done.stderr
    assert not staging_left(project)
    assert manifest_matches(project / "public", project / "state")
    fresh = tmp_path / "fresh"
    assert feeds("build", "--output", str(fresh), cwd=project).returncode == 0
    assert files(project / "public") == files(fresh)


def test_staging_folders_older_versions_left_inside_the_site_are_removed(project):
    leftover = project / "public" / ".feeds-staging-k2j4x9"
    (leftover / "2024/01/01").mkdir(parents=True)
    (leftover / "2024/01/01/page.html").write_text("half a page")
    done = feeds("build", cwd=project)
    assert done.returncode == 0, done.stderr
    assert not staging_left(project)


@pytest.fixture
def small_disk(tmp_path: Path):
    """make(name, size) -> a folder that is a tmpfs of that size (unmounted afterwards)."""
    mounted: list[Path] = []

    def make(name: str, size: str = "16m") -> Path:
        folder = tmp_path / name
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                       check=True)
        mounted.append(folder)
        return folder

    yield make
    for folder in reversed(mounted):
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


def fill(disk: Path, leave: int = 0) -> None:
    """Take the free space of a tmpfs, all but ``leave`` bytes."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(disk / "filler", "wb") as file:
        file.write(b"\0" * max(0, free - leave))


def edit(project: Path) -> None:
    """A change that rewrites many files: every headline of ten pages corrected."""
    write_pages(project / "content", days=10, per_page=5, edition="（更正）")


def assert_one_line_naming(done: subprocess.CompletedProcess, folder: Path) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(folder) in errors[0], done.stderr


@pytest.mark.parametrize("leave", [0, 300_000])
def test_a_full_disk_for_the_output_fails_in_one_line_and_keeps_the_site(project, small_disk,
                                                                         leave):
    disk = small_disk("disk", "8m")
    public = disk / "public"
    done = feeds("build", "--output", str(public), cwd=project)
    assert done.returncode == 0, done.stderr
    before, manifest = stats(public), (project / "state/manifest.json").read_bytes()
    edit(project)
    fill(disk, leave)  # full at once, or part-way through staging
    done = feeds("build", "--output", str(public), cwd=project)
    assert_one_line_naming(done, disk)
    assert stats(public) == before
    assert (project / "state/manifest.json").read_bytes() == manifest
    assert sorted(p.name for p in disk.iterdir()) == ["filler", "public"]  # no staging left
    (disk / "filler").unlink()
    assert feeds("build", "--output", str(public), cwd=project).returncode == 0
    assert stats(public) != before


def test_a_full_disk_for_the_state_and_its_cache_fails_in_one_line(project, small_disk):
    disk = small_disk("state-disk")
    state = disk / "state"
    assert feeds("build", "--state", str(state), cwd=project).returncode == 0
    before = stats(project / "public")
    edit(project)
    fill(disk)
    done = feeds("build", "--state", str(state), cwd=project)
    assert_one_line_naming(done, state)
    assert stats(project / "public") == before
    assert manifest_matches(project / "public", state)


def test_a_full_disk_for_the_cache_alone_fails_in_one_line(project, small_disk):
    cache = small_disk("state/cache")  # over the cache the project had: a new, empty one
    assert feeds("build", cwd=project).returncode == 0
    before = stats(project / "public")
    database = (project / "state/feeds.sqlite").read_bytes()
    edit(project)
    fill(cache)
    done = feeds("build", cwd=project)
    assert_one_line_naming(done, cache)
    assert stats(project / "public") == before
    assert manifest_matches(project / "public", project / "state")
    assert (project / "state/feeds.sqlite").read_bytes() == database


@pytest.mark.parametrize("folder", ["output", "state"])
def test_a_read_only_folder_fails_in_one_line_and_keeps_the_site(project, small_disk, folder):
    disk = small_disk("disk")
    target = disk / ("public" if folder == "output" else "state")
    option = "--output" if folder == "output" else "--state"
    assert feeds("build", option, str(target), cwd=project).returncode == 0
    public = target if folder == "output" else project / "public"
    before = stats(public)
    edit(project)
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    done = feeds("build", option, str(target), cwd=project)
    assert_one_line_naming(done, disk)
    assert stats(public) == before


def test_an_output_folder_that_is_a_mount_point_is_refused_clearly(project, small_disk):
    disk = small_disk("public-disk")
    done = feeds("build", "--output", str(disk), cwd=project)
    assert_one_line_naming(done, disk)
    assert "mount point" in done.stderr
    assert list(disk.iterdir()) == []
