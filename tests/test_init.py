"""`feeds init` makes a site that `feeds build` builds, and never overwrites one."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import feedparser


def feeds(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "feeds", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def test_init_then_build_in_an_empty_folder(tmp_path):
    made = feeds("init", "news", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    site = tmp_path / "news"
    assert "Next steps:" in made.stdout and "cd news" in made.stdout
    config = (site / "feeds.toml").read_text(encoding="utf-8")
    assert config.count("#") > 10  # commented for a newcomer
    assert tomllib.loads(config)["site"]["title"]
    assert [p.suffix for p in (site / "content").iterdir()] == [".txt"]
    check = feeds("check", "--strict", cwd=site)
    assert check.returncode == 0, check.stdout + check.stderr
    built = feeds("build", cwd=site)
    assert built.returncode == 0, built.stderr
    parsed = feedparser.parse(site / "public" / "feeds" / "all.atom.xml")
    assert parsed.bozo == 0 and len(parsed.entries) == 2
    for page in ("index.html", "feeds/index.html", "404.html", "sitemap.xml", "robots.txt",
                 "2024/05/06/index.html"):
        assert (site / "public" / page).is_file(), page


def test_init_here_and_never_over_an_existing_site(tmp_path):
    first = feeds("init", cwd=tmp_path)
    assert first.returncode == 0 and "1. cd" not in first.stdout
    (tmp_path / "feeds.toml").write_text("# mine\n", encoding="utf-8")
    again = feeds("init", cwd=tmp_path)
    assert again.returncode != 0
    assert again.stderr.startswith("error: ") and "already exists" in again.stderr
    assert (tmp_path / "feeds.toml").read_text(encoding="utf-8") == "# mine\n"


def test_init_leaves_a_content_folder_with_pages_alone(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "page.txt").write_text("## 标题\n\n正文。\n", encoding="utf-8")
    refused = feeds("init", cwd=tmp_path)
    assert refused.returncode != 0 and "already has files" in refused.stderr
    assert not (tmp_path / "feeds.toml").exists()
