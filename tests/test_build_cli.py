"""`feeds build` from the command line: quiet for cron, clear errors, the demo site."""

import subprocess
import sys

import feedparser
from conftest import DEMO_PAGE, ROOT


def feeds(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "feeds", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def test_demo_build_writes_the_site_quietly(tmp_path):
    out, state = tmp_path / "public", tmp_path / "state"
    run = feeds("build", "--output", str(out), "--state", str(state), cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "" and run.stderr == ""  # not a terminal: nothing on success
    parsed = feedparser.parse(out / "feeds" / "all.atom.xml")
    # the district page's five articles, and three on the page with photos
    assert parsed.bozo == 0 and len(parsed.entries) == 8
    assert len([e for e in parsed.entries if e.enclosures]) == 3
    sections = {p.name for p in (out / "feeds").glob("*.rss.xml")}
    assert {"all.rss.xml", "education.rss.xml", "economy.rss.xml", "party.rss.xml"} <= sections
    assert len([p for p in out.glob("2022/09/20/*.html") if p.name != "index.html"]) == 8
    # three photos 1200 px wide: 1200, 800 and 400 px, as JPEG and WebP
    assert len(list((out / "images").glob("*.jpg"))) == len(list((out / "images").glob("*.webp"))) == 9


def test_build_with_an_empty_config_file_uses_the_defaults(tmp_path):
    (tmp_path / "feeds.toml").write_text("")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / DEMO_PAGE.name).write_bytes(DEMO_PAGE.read_bytes())
    run = feeds("build", "--no-pages", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "public" / "feeds" / "all.rss.xml").is_file()
    assert not (tmp_path / "public" / "index.html").exists()
    assert (tmp_path / ".feeds" / "cache" / "parsed.sqlite").is_file()
    assert (tmp_path / ".feeds" / "feeds.sqlite").is_file()


def test_output_that_is_a_file_is_one_line_and_exit_1(tmp_path):
    (tmp_path / "feeds.toml").write_text("")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / DEMO_PAGE.name).write_bytes(DEMO_PAGE.read_bytes())
    (tmp_path / "public").write_text("x")
    run = feeds("build", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.startswith("error: ") and "is a file" in run.stderr
    assert "Traceback" not in run.stderr


def test_skipped_pages_are_warned_about_and_the_rest_builds(tmp_path):
    (tmp_path / "feeds.toml").write_text("")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / DEMO_PAGE.name).write_bytes(DEMO_PAGE.read_bytes())
    (tmp_path / "content" / "empty.txt").write_text("")
    run = feeds("build", cwd=tmp_path)
    assert run.returncode == 0
    assert "warning: skipped empty.txt: file is empty" in run.stderr


def test_unknown_option_is_a_usage_error(tmp_path):
    run = feeds("build", "--frobnicate", cwd=tmp_path)
    assert run.returncode == 2


def test_every_command_is_known_to_the_group_by_name():
    import importlib
    import pkgutil

    import feeds.cli as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"feeds.cli.{module.name}")
    assert set(package.cli.commands) == set(package.COMMANDS)
