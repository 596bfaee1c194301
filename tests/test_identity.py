"""What readers were given never changes or repeats: ids and permalinks survive corrections,
a new base_url, a deleted cache and an upgrade of the slug rules."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from conftest import DEMO_PAGE, ROOT, SITE_PAGES
from digest_support import maildir_messages

from feeds.database import DatabaseError
from feeds.published import RemovalRefused

DEMO_TOML = (ROOT / "feeds.toml").read_text(encoding="utf-8")
CORRECTED = "郑东新区召开知识产权质押融资银企对接会"  # one character added below


def feeds(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "feeds", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def ok(run: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def feed_items(public: Path) -> dict[str, tuple[str, str]]:
    """id → (title, link) of every item of every subscription feed, checked to agree."""
    seen: dict[str, tuple[str, str]] = {}
    for path in sorted((public / "feeds").glob("*.xml")) + sorted((public / "feeds").glob("*.json")):
        if path.name.endswith(".json"):
            items = [(i["id"], i["title"], i["url"]) for i in json.loads(path.read_text())["items"]]
        else:
            items = [(e.id, e.title, e.link) for e in feedparser.parse(path).entries]
        for id_, title, link in items:
            assert seen.setdefault(id_, (title, link))[1] == link, path
    return seen


def snapshot(public: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(public)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(public.rglob("*")) if p.is_file()}


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The demo site in a folder of its own: its page, its feeds.toml, one subscriber."""
    (tmp_path / "content").mkdir()
    shutil.copy(DEMO_PAGE, tmp_path / "content" / DEMO_PAGE.name)
    (tmp_path / "feeds.toml").write_text(DEMO_TOML, encoding="utf-8")
    ok(feeds("build", cwd=tmp_path))
    ok(feeds("subscribers", "add", "reader@example.com", cwd=tmp_path))
    ok(feeds("digest", cwd=tmp_path))
    assert len(maildir_messages(tmp_path / "outbox")) == 1
    return tmp_path


def test_a_corrected_headline_keeps_its_id_and_url_shows_as_updated_and_is_not_mailed_again(
        demo):
    before = feed_items(demo / "public")
    page = demo / "content" / DEMO_PAGE.name
    text = page.read_text(encoding="utf-8")
    assert text.count(CORRECTED) >= 1
    page.write_text(text.replace(CORRECTED, CORRECTED.replace("召开", "隆重召开"), 1),
                    encoding="utf-8")
    ok(feeds("build", cwd=demo))
    after = feed_items(demo / "public")
    assert after.keys() == before.keys()
    changed = [i for i in after if after[i] != before[i]]
    assert len(changed) == 1
    (id_,) = changed
    assert "隆重召开" in after[id_][0] and after[id_][1] == before[id_][1]  # same URL
    atom = feedparser.parse(demo / "public" / "feeds" / "all.atom.xml")
    entry = next(e for e in atom.entries if e.id == id_)
    assert entry.updated_parsed > entry.published_parsed
    untouched = next(e for e in atom.entries if e.id != id_)
    assert untouched.updated_parsed == untouched.published_parsed
    items = json.loads((demo / "public" / "feeds" / "all.json").read_text())["items"]
    assert [i["id"] for i in items if "date_modified" in i] == [id_]
    path = before[id_][1].split("/", 3)[3]  # the page at the old URL is there, corrected
    assert "隆重召开" in (demo / "public" / path).read_text(encoding="utf-8")
    run = ok(feeds("digest", cwd=demo))
    assert len(maildir_messages(demo / "outbox")) == 1, run.stdout


def test_a_new_base_url_moves_urls_but_keeps_ids_and_mails_nothing(demo):
    before = feed_items(demo / "public")
    toml = DEMO_TOML.replace('base_url = "http://localhost:8000/"',
                             'base_url = "https://news.example.cn/"')
    assert toml != DEMO_TOML
    (demo / "feeds.toml").write_text(toml, encoding="utf-8")
    ok(feeds("build", cwd=demo))
    after = feed_items(demo / "public")
    assert after.keys() == before.keys()
    assert all(link.startswith("https://news.example.cn/") for _, link in after.values())
    assert {link.split("/", 3)[3] for _, link in after.values()} == \
        {link.split("/", 3)[3] for _, link in before.values()}
    ok(feeds("digest", cwd=demo))
    assert len(maildir_messages(demo / "outbox")) == 1


def test_deleting_the_cache_changes_no_output_byte_and_rewrites_no_file(demo):
    before = snapshot(demo / "public")
    shutil.rmtree(demo / ".feeds" / "cache")
    ok(feeds("build", cwd=demo))
    assert snapshot(demo / "public") == before
    assert (demo / ".feeds" / "feeds.sqlite").is_file()
    run = ok(feeds("subscribers", "list", cwd=demo))
    assert "reader@example.com" in run.stdout


def test_an_empty_durable_database_stops_the_build_and_leaves_the_site(demo):
    before = snapshot(demo / "public")
    (demo / ".feeds" / "feeds.sqlite").write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        (demo / ".feeds" / f"feeds.sqlite{suffix}").unlink(missing_ok=True)
    for command in (["build"], ["digest"], ["subscribers", "list"]):
        run = feeds(*command, cwd=demo)
        assert run.returncode == 1 and "state database is damaged" in run.stderr, command
        assert "Traceback" not in run.stderr
    assert snapshot(demo / "public") == before
    assert (demo / ".feeds" / "feeds.sqlite").stat().st_size == 0


def test_backup_copies_subscribers_and_record(demo):
    ok(feeds("state", "backup", str(demo / "copy.sqlite"), cwd=demo))
    copy = sqlite3.connect(demo / "copy.sqlite")
    assert copy.execute("SELECT email FROM subscribers").fetchall() == [("reader@example.com",)]
    assert copy.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    ok(feeds("state", "check", cwd=demo))


# --------------------------------------------------------------------------- in process


def ids_and_urls(public: Path) -> dict[str, str]:
    return {e.id: e.link for e in feedparser.parse(public / "feeds" / "all.atom.xml").entries}


def test_a_corrected_text_keeps_its_id_and_counts_as_updated(build_site):
    result, public = build_site(SITE_PAGES)
    first = ids_and_urls(public)
    assert result.settlement.new == 3
    edited = {**SITE_PAGES, "2024/02/02/a01.txt": SITE_PAGES["2024/02/02/a01.txt"].replace(
        "企业生产稳定", "企业生产总体稳定")}
    result, _ = build_site(edited)
    assert ids_and_urls(public) == first
    assert (result.settlement.new, result.settlement.updated) == (0, 1)


def test_a_rewritten_headline_with_its_text_kept_keeps_its_id(build_site):
    _, public = build_site(SITE_PAGES)
    first = ids_and_urls(public)
    edited = {**SITE_PAGES, "2024/01/30/a01.txt": SITE_PAGES["2024/01/30/a01.txt"].replace(
        "城区三所学校开展教学开放日活动", "城区三所学校开展教学开放日")}
    result, _ = build_site(edited)
    assert ids_and_urls(public) == first
    assert result.settlement.corrected == 1


BRIEFS = """\
    第03版：简讯

    ## 区图书馆开展读书活动

    本报讯 3月1日，区图书馆开展亲子共读活动，百余个家庭参加，现场还举办了绘本分享会。

    ## 区文化馆开展读书活动

    本报讯 3月1日，区文化馆邀请作家走进社区，为居民讲述乡土文学的创作故事。
    """


def test_two_short_briefs_on_one_page_never_merge(build_site):
    _, public = build_site({"2024-03-02-c.txt": BRIEFS})
    first = ids_and_urls(public)
    # The editor deletes the first brief and adds a third, alike in headline only.
    third = BRIEFS.replace("区图书馆开展读书活动", "区体育馆开展读书活动").replace(
        "区图书馆开展亲子共读活动，百余个家庭参加，现场还举办了绘本分享会",
        "区体育馆举办全民健身读书角启用仪式，运动员为青少年签名赠书")
    second = third.split("## 区体育馆")[0] + "## 区体育馆" + third.split("## 区体育馆")[1]
    result, _ = build_site({"2024-03-02-c.txt": second})
    now = ids_and_urls(public)
    assert len(now) == 2
    assert len(set(now) & set(first)) == 1  # the 文化馆 brief kept; the new one is new
    assert (result.settlement.new, result.settlement.corrected) == (1, 0)
    assert result.settlement.withdrawn == 1


def test_the_same_headline_on_another_day_is_another_article(build_site):
    page = "## 城区经济运行开局良好\n\n本报讯 城区统计部门发布数据，全区经济运行开局良好，企业生产稳定。\n"
    _, public = build_site({"2024-02-02.txt": page})
    result, _ = build_site({"2024-02-03.txt": page})
    assert len(ids_and_urls(public)) == 2 and result.settlement.corrected == 0


def test_a_permalink_once_published_survives_new_slug_rules(build_site, monkeypatch):
    _, public = build_site(SITE_PAGES)
    first = ids_and_urls(public)
    import feeds.slugs

    monkeypatch.setattr(feeds.slugs, "MAX_SYLLABLES", 2)  # an upgrade with shorter slugs
    shutil.rmtree(public.parent / "state" / "cache")
    build_site(SITE_PAGES)
    assert ids_and_urls(public) == first


def test_an_article_moved_to_another_section_keeps_its_id_and_url(build_site):
    _, public = build_site(SITE_PAGES)
    first = ids_and_urls(public)
    build_site(SITE_PAGES, sections=[{"name": "教育", "slug": "education"},
                                     {"name": "经济", "slug": "economy"}])  # no keywords
    assert ids_and_urls(public) == first


def many_articles(count: int) -> str:
    return "第01版：综合\n\n" + "".join(
        f"## 第{n}条新闻的标题\n\n本报讯 3月1日，第{n}条新闻的正文，内容各不相同{n * 7919}。\n\n"
        for n in range(count))


def test_a_build_that_would_withdraw_too_much_changes_nothing(build_site, tmp_path):
    build_site({"2024-03-01.txt": many_articles(120)})
    before = snapshot(tmp_path / "public")
    with pytest.raises(RemovalRefused, match="withdraw 70 of the 120"):
        build_site({"2024-03-01.txt": many_articles(50)})
    assert snapshot(tmp_path / "public") == before
    with pytest.raises(RemovalRefused):  # nothing was recorded either
        build_site({"2024-03-01.txt": many_articles(50)})
    result, _ = build_site({"2024-03-01.txt": many_articles(75)},
                           site={"max_removals": 50})  # 45 gone: within the limit
    assert result.settlement.withdrawn == 45 and result.entries == 75


def test_allow_removals_lets_the_build_withdraw_them(build_site, tmp_path):
    from feeds.build import BuildOptions, build

    build_site({"2024-03-01.txt": many_articles(120)})
    (tmp_path / "content" / "2024-03-01.txt").write_text(many_articles(10), encoding="utf-8")
    result = build(build_site.config, BuildOptions(jobs=1, allow_removals=True))
    assert (result.entries, result.settlement.withdrawn) == (10, 110)


def test_removed_articles_come_back_with_their_ids(build_site):
    _, public = build_site(SITE_PAGES)
    first = ids_and_urls(public)
    build_site({"2024/01/30/a01.txt": SITE_PAGES["2024/01/30/a01.txt"]}, )
    (public.parent / "content" / "2024/02/02/a01.txt").unlink()
    result, _ = build_site({})
    assert result.settlement.withdrawn == 1
    result, _ = build_site(SITE_PAGES)
    assert ids_and_urls(public) == first and result.settlement.new == 0


def test_a_permalink_on_record_that_leaves_the_output_folder_is_refused(build_site, tmp_path):
    build_site(SITE_PAGES)
    with sqlite3.connect(tmp_path / "state" / "feeds.sqlite") as db:
        db.execute("UPDATE articles SET path = '../../etc/cron.d/x.html'")
    db.close()
    (tmp_path / "content" / "2024/02/02/a01.txt").write_text("## 新标题\n\n本报讯 正文。\n",
                                                              encoding="utf-8")
    with pytest.raises(DatabaseError, match="permalink on record"):
        build_site({})
    assert not (tmp_path / "etc").exists()


def test_slug_cache_values_of_the_wrong_shape_are_ignored(build_site, tmp_path):
    _, public = build_site(SITE_PAGES)
    first = ids_and_urls(public)
    cache = tmp_path / "state" / "cache" / "slugs.json"
    book = json.loads(cache.read_text())
    book["slugs"] = dict.fromkeys(book["slugs"], "../../../escaped")
    cache.write_text(json.dumps(book))
    shutil.rmtree(public)
    (tmp_path / "state" / "feeds.sqlite").rename(tmp_path / "old.sqlite")
    for suffix in ("-wal", "-shm"):
        (tmp_path / "state" / f"feeds.sqlite{suffix}").unlink(missing_ok=True)
    build_site(SITE_PAGES)
    assert ids_and_urls(public) == first
    assert not (tmp_path / "escaped.html").exists()
    assert all(p.resolve().is_relative_to(public) for p in public.rglob("*.html"))


def test_wrong_shaped_and_garbled_caches_are_made_again(build_site, tmp_path):
    _, public = build_site(SITE_PAGES)
    before = snapshot(public)
    cache = tmp_path / "state" / "cache"
    (cache / "slugs.json").write_text('["not", "a", "mapping"]')
    parsed = cache / "parsed.sqlite"
    with sqlite3.connect(parsed) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(parsed.read_bytes())
    data[100:4096] = os.urandom(3996)
    parsed.write_bytes(bytes(data))
    build_site(SITE_PAGES)
    assert snapshot(public) == before


def test_feeds_entries_shows_the_ids_the_feeds_carry(demo):
    page = demo / "content" / DEMO_PAGE.name
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace(CORRECTED, CORRECTED.replace("召开", "隆重召开"), 1),
                    encoding="utf-8")
    ok(feeds("build", cwd=demo))
    listed = {e["id"] for e in json.loads(ok(feeds("entries", "--json", cwd=demo)).stdout)}
    assert listed == set(feed_items(demo / "public"))


def test_a_settle_of_many_files_reads_the_record_whole_with_the_same_outcome(build_site,
                                                                           monkeypatch):
    import feeds.published

    monkeypatch.setattr(feeds.published, "_BULK", 0)  # what a first build of a big site does
    result, public = build_site(SITE_PAGES)
    first = ids_and_urls(public)
    assert result.settlement.new == 3
    edited = {**SITE_PAGES, "2024/01/30/a01.txt": SITE_PAGES["2024/01/30/a01.txt"].replace(
        "城区三所学校开展教学开放日活动", "城区三所学校开展教学开放日")}
    result, _ = build_site(edited)
    assert ids_and_urls(public) == first and result.settlement.corrected == 1
