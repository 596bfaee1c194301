"""The catalogue: the parse cache's index answers as a fresh parse does, reads entries only
when asked, from the state it was loaded with, and the newest entries found from the latest
issue dates are the start of the full timeline."""

import datetime as dt
import os
import sqlite3
from pathlib import Path

import feedparser
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from feeds.config import parse_config
from feeds.content import records
from feeds.content.cache import CACHE_NAME, Indexed
from feeds.content.catalog import Catalog, InMemory
from feeds.content.loader import load, load_cached
from feeds.content.results import FileReport
from feeds.model import Listing, Section
from feeds.site import Site
from feeds.urls import ALL

PAGE = "---\nsection: {section}\n---\n\n## {title}\n\n本报讯 {text}\n\n## {title}乙\n\n本报讯 乙{text}\n"


def write(content: Path, rel: str, title: str, section: str = "教育", text: str = "正文。") -> None:
    path = content / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PAGE.format(title=title, section=section, text=text), encoding="utf-8")


@pytest.fixture
def archive(content_dir: Path) -> Path:
    """Pages over a month in three sections, two printing the same headline on one day
    (their ids must be told apart), and one page that cannot be read as a page."""
    sections = ["教育", "经济", "党建"]
    for day in range(1, 29):
        for i, section in enumerate(sections):
            write(content_dir, f"2024-02-{day:02d}/p{i}.txt", f"第{day}日{section}新闻",
                  section, f"{day}日的{section}消息。")
    write(content_dir, "2024-02-03/p9.txt", "第3日教育新闻", "教育", "另一篇同名报道。")
    (content_dir / "2024-02-05" / "bad.txt").write_text("\n", encoding="utf-8")
    return content_dir


def plain(catalog: Catalog) -> list[Listing]:
    return [x._replace(version=None) for x in catalog.listings]


def test_the_index_answers_as_a_fresh_parse_does(archive, make_config):
    config = make_config()
    fresh = load(config)
    with load_cached(config) as first, load_cached(config) as again:
        for cached in (first, again):  # parsed in this run, then read back from the cache
            assert cached == fresh
            assert plain(cached) == plain(fresh)
            assert cached.sections == fresh.sections
            assert [r.path for r in cached.skipped()] == ["2024-02-05/bad.txt"]
            for name in (None, "教育", "经济", "党建", "无此栏目"):
                assert cached.count(name) == fresh.count(name)
                dates = [x.issue_date for x in cached.latest(name)]
                assert dates == sorted(dates, reverse=True)
                assert sorted(x.id for x in cached.latest(name)) == sorted(
                    x.id for x in fresh.latest(name))
    ids = [e.id for e in fresh.entries if e.title == "第3日教育新闻"]
    assert len(ids) == len(set(ids)) == 2  # the later page's article has its own id


def test_versions_name_the_parse_and_change_with_the_file(archive, make_config):
    config = make_config()
    with load_cached(config) as first:
        before = {x.id: x.version for x in first.listings}
    assert all(before.values())
    page = archive / "2024-02-10" / "p0.txt"
    os.utime(page, ns=(1, 1))
    with load_cached(config) as second:
        after = {x.id: x.version for x in second.listings}
    changed = {key for key in before if before[key] != after[key]}
    assert {x.path for x in second.listings if x.id in changed} == {"2024-02-10/p0.txt"}


def test_a_catalog_reads_the_cache_as_it_was_when_loaded(archive, make_config):
    config = make_config()
    page = archive / "2024-02-10" / "p0.txt"
    load_cached(config).close()  # so that the catalogue below reads the page from the cache
    with load_cached(config) as older:
        listing = next(x for x in older.listings if x.path == "2024-02-10/p0.txt")
        write(archive, "2024-02-10/p0.txt", "第10日教育新闻", "教育", "改写后的消息。")
        os.utime(page, ns=(2, 2))
        with load_cached(config) as newer:  # rewrites the cache's rows for the page
            assert newer.resolve(listing).paragraphs == ("改写后的消息。",)
        assert older.resolve(listing).paragraphs == ("10日的教育消息。",)


def test_entries_come_from_the_cache_one_file_at_a_time(archive, make_config, monkeypatch):
    config = make_config()
    load_cached(config).close()
    monkeypatch.setattr(Indexed, "KEEP", 2)  # hold at most two files read from the cache
    with load_cached(config) as cached:
        assert cached.entries == load(config).entries


def test_a_rebuild_after_one_new_page_reads_only_what_its_feeds_show(archive, tmp_path,
                                                                       monkeypatch):
    from feeds.build import BuildOptions, build

    config = parse_config({"site": {"content_dir": "content", "state_dir": "state",
                                    "output_dir": "public"},
                           "feeds": {"limit": 5, "archives": False}}, root=tmp_path)
    build(config, BuildOptions(pages=False, jobs=1))
    reads: list[bytes] = []
    unpack = records.loads
    monkeypatch.setattr(records, "loads", lambda blob: reads.append(blob) or unpack(blob))
    write(archive, "2024-02-29/p0.txt", "闰日教育新闻", "教育")
    result = build(config, BuildOptions(pages=False, jobs=1))
    assert result.entries == 2 * 85 + 2
    # The site-wide and 教育 feeds changed: their newest five entries are the two new
    # ones and three from at most two earlier pages each; and the text of the later of
    # the two same-headline articles gives its id. Nothing else of 86 pages is read.
    assert 0 < len(reads) <= 5
    assert sorted(result.feeds_written) == [f"feeds/{scope}{suffix}" for scope in
                                            ("all", "jiao-yu")
                                            for suffix in (".atom.xml", ".json", ".rss.xml")]
    newest = feedparser.parse(tmp_path / "public" / "feeds" / "all.atom.xml").entries
    assert [e.title for e in newest[:2]] == ["闰日教育新闻", "闰日教育新闻乙"]


def test_an_older_cache_is_replaced(archive, make_config, tmp_path):
    state = tmp_path / "state"
    (state / "cache").mkdir(parents=True)
    with sqlite3.connect(state / "cache" / CACHE_NAME) as db:  # the layout of version 2
        db.execute("CREATE TABLE parsed (path TEXT PRIMARY KEY, result BLOB)")
        db.execute("PRAGMA user_version = 2")
    db.close()
    with load_cached(make_config()) as cached:
        assert cached.count() == 2 * 85
    with sqlite3.connect(state / "cache" / CACHE_NAME) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    db.close()
    assert "parsed" not in tables
    progress: list[tuple[int, int]] = []
    with load_cached(make_config(), progress=lambda *step: progress.append(step)) as again:
        assert again.count() == 2 * 85
    assert progress == [(86, 86)]  # the new cache serves every page: none parsed again


ZONES = ["Asia/Shanghai", "America/New_York", "Pacific/Kiritimati", "UTC"]
# Times of day at the ends of the day and of the zones, where a later issue date can
# be published earlier, and any other time.
clock = st.one_of(st.sampled_from([dt.time(0, 0), dt.time(23, 59, 59)]), st.times())
offset = st.sampled_from([-12, 14]) | st.integers(-12, 14)
stamps = st.one_of(
    st.none(),  # the press time
    clock,  # naive: the site's zone
    st.builds(lambda t, hours: t.replace(tzinfo=dt.timezone(dt.timedelta(hours=hours))),
              clock, offset),
)
listings = st.lists(st.tuples(st.integers(0, 6), stamps, st.integers(0, 30),
                              st.sampled_from(["教育", "经济"])), max_size=60)


def zoned(hours: int, *clock: int) -> dt.time:
    return dt.time(*clock, tzinfo=dt.timezone(dt.timedelta(hours=hours)))


@settings(max_examples=150, deadline=None)
# two days apart, and the earlier issue published two hours after the later one
@example([(6, zoned(14, 0, 0), 0, "教育"), (4, zoned(-12, 23, 59, 59), 0, "教育")], 1, "UTC",
         "06:00")
@given(listings, st.integers(1, 12), st.sampled_from(ZONES), st.sampled_from(["06:00", "23:30"]))
def test_the_newest_entries_are_the_start_of_the_timeline(found, limit, zone, press):
    config = parse_config({"site": {"timezone": zone}, "feeds": {"press_time": press}},
                          root=Path("."))
    start = dt.date(2024, 3, 1)
    made = [Listing(f"tag:x,{i}", "标题", "标题", section, start + dt.timedelta(days=day),
                    time, position, f"{day:02d}/p{i % 3}.txt", i + 1)
            for i, (day, time, position, section) in enumerate(found)]
    files = [(FileReport(path, 0, None), tuple(x for x in made if x.path == path))
             for path in sorted({x.path for x in made})]
    sections = (Section("教育", "education", 0), Section("经济", "economy", 1))
    site = Site(config, Catalog(InMemory(files, {}), sections))  # listings alone: no text
    for slug in (ALL, "education", "economy"):
        assert site.recent(slug, limit) == site.scope(slug)[:limit]
        assert site.count(slug) == len(site.scope(slug))


def test_headlines_printed_twice_are_told_apart_as_pages_come_and_go(archive, make_config):
    config = make_config()
    load_cached(config).close()
    write(archive, "2024-02-03/p10.txt", "第3日教育新闻", "教育", "第三篇同名报道。")
    with load_cached(config) as cached:  # a new third article with that headline
        assert cached == load(config)
        assert len({e.id for e in cached.entries if e.title == "第3日教育新闻"}) == 3
    (archive / "2024-02-03" / "p9.txt").unlink()
    (archive / "2024-02-03" / "p10.txt").unlink()
    with load_cached(config) as cached:  # back to one: it keeps the id it always had
        assert cached == load(config)
        assert [x.id for x in cached.listings if x.title == "第3日教育新闻"] == [
            x.id for x in load(config).listings if x.title == "第3日教育新闻"]


def test_a_run_storing_beside_another_leaves_the_index_right(archive, make_config):
    from feeds.content.cache import ParseCache, Stored
    from feeds.content.listing import survey
    from feeds.content.loader import Settings, parse_file

    config = make_config()
    load_cached(config).close()
    changed = archive / "2024-02-10" / "p0.txt"
    os.utime(changed, ns=(3, 3))
    settings = Settings.from_config(config)
    found = survey(archive, stats=True)
    files = found.pages
    slow = ParseCache(config.cache_path / CACHE_NAME)  # a digest, say, started first
    todo = slow.changed(files, found.stats or {}, settings.fingerprint)
    assert [rel for rel, _ in todo] == ["2024-02-10/p0.txt"]
    write(archive, "2024-02-29/p0.txt", "闰日教育新闻")
    load_cached(config).close()  # a build stores the new page meanwhile
    for rel, path in todo:
        assert slow.put(rel, Stored.of(parse_file(rel, Path(path).read_bytes(), settings)))
    slow.store(settings.fingerprint, keep={rel for rel, _ in files})
    slow.close()
    (archive / "2024-02-29" / "p0.txt").unlink()
    with load_cached(config) as cached:
        assert cached == load(config)


def test_a_new_cache_is_named_only_once_complete(archive, make_config):
    """A first load writes its cache under a name of its own: killed before it stored
    everything, it leaves no cache to trust, and the next load removes what it left."""
    import signal
    import subprocess
    import sys

    config = make_config()
    cache = config.cache_path / CACHE_NAME
    killed = subprocess.run([sys.executable, "-c", f"""
import os, signal
from pathlib import Path
from feeds.content.cache import ParseCache, Stored
from feeds.content.listing import survey
from feeds.content.loader import Settings, parse_file
from feeds.config import parse_config
site = {{"content_dir": "content", "output_dir": "public", "state_dir": "state"}}
config = parse_config({{"site": site}}, root=Path({str(config.root)!r}))
cache = ParseCache(Path({str(cache)!r}))
settings = Settings.from_config(config)
found = survey(Path({str(archive)!r}), stats=True)
files = found.pages
cache.changed(files, found.stats, settings.fingerprint)
for rel, path in files:  # more than one batch: some of it is written
    cache.put(rel, Stored.of(parse_file(rel, Path(path).read_bytes(), settings)))
os.kill(os.getpid(), signal.SIGKILL)
"""], check=False)
    assert killed.returncode == -signal.SIGKILL
    assert not cache.exists()
    assert len(list(cache.parent.glob("*.new"))) == 1
    with load_cached(config) as cached:
        assert cached == load(config)
    assert cache.exists() and not list(cache.parent.glob("*.new"))
    with load_cached(config) as again:  # read back under its name
        assert again == load(config)


def test_without_the_cache_fingerprints_come_from_the_text(archive, make_config):
    config = make_config()

    def fingerprints() -> dict[str, str]:
        catalog = load(config)  # no parse cache: listings name no parse
        assert {x.version for x in catalog.listings} == {None}
        site = Site(config, catalog)
        return {x.id: site.fingerprint(x) for x in catalog.listings}

    before = fingerprints()
    assert fingerprints() == before
    write(archive, "2024-02-10/p0.txt", "第10日教育新闻", "教育", "改写后的消息。")
    after = fingerprints()
    assert {key for key in before if before[key] != after[key]} == {
        x.id for x in load(config).listings if x.path == "2024-02-10/p0.txt"}
