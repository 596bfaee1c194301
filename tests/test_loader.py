"""Whole files through the loader: layout, bad input, caching and parallel parsing."""

import os
from pathlib import Path

from feeds.content.cache import ParseCache
from feeds.content.loader import load

ARTICLE = "## 城区召开春季植树动员会{n}\n\n本报讯 3月5日，城区召开动员会。\n\n记者 赵一鸣\n\n"


def test_headings_of_levels_one_to_three_start_articles(load_pages):
    catalog = load_pages({"2024-03-06.txt": "# 甲篇标题\n\n甲。\n\n## 乙篇标题\n\n乙。\n\n### 丙篇标题\n\n丙。\n"
                                            "#### 不是标题\n\n丁。\n"})
    assert [e.title for e in catalog.entries] == ["甲篇标题", "乙篇标题", "丙篇标题"]
    assert catalog.entries[2].paragraphs == ("丙。", "#### 不是标题", "丁。")


def test_a_deeper_heading_right_after_a_heading_is_its_subtitle(load_pages):
    catalog = load_pages({"2024-03-06.txt": "## 城区召开春季植树动员会\n### 部署全年城乡绿化工作\n\n正文。\n"})
    (entry,) = catalog.entries
    assert (entry.title, entry.headline, entry.subtitle) == (
        "城区召开春季植树动员会 部署全年城乡绿化工作", "城区召开春季植树动员会", "部署全年城乡绿化工作")


def test_source_names_the_heading_line(load_pages):
    catalog = load_pages({"sub/2024-03-06.txt": "页眉\n\n" + ARTICLE.format(n=1) + ARTICLE.format(n=2)})
    assert [str(e.source) for e in catalog.entries] == ["sub/2024-03-06.txt:3", "sub/2024-03-06.txt:9"]


def test_empty_file_is_skipped_and_the_others_load(load_pages):
    catalog = load_pages({"a.txt": "", "b.txt": " \n\n", "2024-03-06.txt": ARTICLE.format(n="")})
    assert [r.skipped for r in catalog.files] == [False, True, True]
    assert "empty" in catalog.files[1].problems[0].message
    assert len(catalog.entries) == 1


def test_page_with_no_heading_and_no_title_is_skipped(load_pages):
    catalog = load_pages({"2024-03-06.txt": "只有一段正文，没有标题。\n"})
    (report,) = catalog.files
    assert report.skipped
    assert "heading" in report.problems[0].message


def test_heading_with_no_body_is_reported_and_the_rest_loads(load_pages):
    catalog = load_pages({"2024-03-06.txt": "## 城区召开动员会\n\n正文。\n\n## 空的标题行\n\n##\n"})
    (report,) = catalog.files
    assert [e.title for e in catalog.entries] == ["城区召开动员会"]
    messages = [(p.line, p.message) for p in report.problems]
    assert messages[0][0] == 5 and "no text" in messages[0][1]
    assert messages[1][0] == 7


def test_nul_and_control_characters_do_not_reach_entries(load_pages):
    catalog = load_pages({"2024-03-06.txt": "## 标题\x01甲乙\n\n正\x00文\x1b。\n"})
    (entry,) = catalog.entries
    assert entry.title == "标题甲乙"
    assert entry.paragraphs == ("正文。",)


def test_duplicate_headline_in_one_issue_gets_distinct_stable_ids(load_pages):
    one = load_pages({"2024-03-06.txt": "## 同一个标题\n\n甲文。\n"})
    first_id = one.entries[0].id
    both = load_pages({"2024-03-06.txt": "## 同一个标题\n\n甲文。\n\n## 同一个标题\n\n乙文。\n"})
    ids = [e.id for e in both.entries]
    assert ids[0] == first_id
    assert len(set(ids)) == 2


def test_duplicate_headlines_get_the_same_ids_with_and_without_the_parse_cache(
        load_pages, make_config):
    from feeds.content.loader import load_cached

    fresh = load_pages({
        "2024-03-06/p1.txt": "## 同一个标题\n\n甲文。\n\n## 同一个标题\n\n乙文。\n",
        "2024-03-06/p2.txt": "## 同一个标题\n\n丙文。\n\n## 另一个标题\n\n丁文。\n",
        "2024-03-07/p1.txt": "## 同一个标题\n\n戊文。\n",  # another day: no clash
    })
    config = make_config()
    load_cached(config).close()  # the second run below reads every file from the cache
    for _ in range(2):
        with load_cached(config) as cached:
            assert [x.id for x in cached.listings] == [x.id for x in fresh.listings]
            assert [e.id for e in cached.entries] == [e.id for e in fresh.entries]
            assert sorted(x.id for x in cached.latest()) == sorted(x.id for x in fresh.latest())
    ids = [e.id for e in fresh.entries if e.issue_date.day == 6 and e.title == "同一个标题"]
    assert len(set(ids)) == 3
    assert ids[1].startswith(ids[0] + "-") and ids[2].startswith(ids[0] + "-")


def test_a_20_mb_page_loads(load_pages):
    paragraph = "城区召开春季植树动员会，部署全年城乡绿化美化工作，" * 12 + "。\n\n"
    article = "## 城区召开春季植树动员会{n}\n\n本报讯 3月5日，" + paragraph * 6 + "记者 赵一鸣\n\n"
    size = len(article.encode())
    text = "".join(article.replace("{n}", str(i)) for i in range(20 * 2**20 // size + 1))
    catalog = load_pages({"2024-03-06.txt": text})
    assert len(text.encode()) > 20 * 2**20
    assert len(catalog.entries) == 20 * 2**20 // size + 1
    assert all(len(e.paragraphs) == 6 for e in catalog.entries)


def test_one_enormous_line_loads(load_pages):
    catalog = load_pages({"2024-03-06.txt": "## 标题\n\n" + "很长的一段" * 2_000_000 + "。\n"})
    assert len(catalog.entries[0].paragraphs[0]) == 10_000_001


def test_hidden_files_and_other_suffixes_are_ignored(load_pages):
    catalog = load_pages({"2024-03-06.txt": ARTICLE.format(n=""), ".draft.txt": ARTICLE.format(n=2),
                          "notes.docx": "x", ".git/x.txt": ARTICLE.format(n=3),
                          "b.MD": "---\ntitle: 标题甲\ndate: 2024-03-06\n---\n正文。\n"})
    assert [r.path for r in catalog.files] == ["2024-03-06.txt", "b.MD"]


def many_pages(folder: Path, count: int) -> None:
    for i in range(count):
        (folder / f"2024-03-{i % 28 + 1:02d}-p{i}.txt").write_text(
            ARTICLE.format(n=i) + ARTICLE.format(n=f"{i}b"), encoding="utf-8")


def test_parallel_parse_gives_the_same_catalog_as_serial(content_dir, make_config):
    many_pages(content_dir, 120)
    config = make_config()
    serial = load(config, jobs=1)
    parallel = load(config, jobs=2)
    assert serial == parallel
    assert len(serial.entries) == 240


def test_cache_reuses_unchanged_files_and_rereads_changed_ones(content_dir, make_config, tmp_path):
    many_pages(content_dir, 60)
    config = make_config()
    with load(config, cache=ParseCache(tmp_path / "state" / "cache.sqlite")) as first:
        before = len(first.entries)
    changed = content_dir / "2024-03-01-p0.txt"
    changed.write_text(ARTICLE.format(n="新"), encoding="utf-8")
    os.utime(changed, ns=(1, 1))  # a different mtime even on coarse clocks
    (content_dir / "2024-03-02-p1.txt").unlink()
    cache = ParseCache(tmp_path / "state" / "cache.sqlite")
    parsed: list[int] = []
    with load(config, cache=cache, progress=lambda done, total: parsed.append(done)) as second:
        assert second == load(config)  # same as a fresh parse
        assert len(second.entries) == before - 3
        assert parsed[0] == 58  # 58 files came from the cache, one was parsed again
        assert cache._db.execute("SELECT count(*) FROM files").fetchone()[0] == 59
        assert cache._db.execute("SELECT count(*) FROM entries").fetchone()[0] == 117


def test_cache_is_ignored_when_the_rules_change(content_dir, make_config, tmp_path):
    many_pages(content_dir, 3)
    load(make_config(), cache=ParseCache(tmp_path / "state" / "cache.sqlite")).close()
    moved = load(make_config(sections=[{"name": "绿化", "slug": "green", "keywords": ["动员会"]}],
                             site={"min_keyword_score": 1}),
                 cache=ParseCache(tmp_path / "state" / "cache.sqlite"))
    with moved:
        assert {e.section for e in moved.entries} == {"绿化"}


def test_load_cached_parses_only_what_changed_since_the_last_run(content_dir, make_config):
    from feeds.content.loader import load_cached

    many_pages(content_dir, 5)
    config = make_config()
    starts: list[int] = []
    with load_cached(config, progress=lambda done, total: starts.append(done)) as first:
        assert starts[0] == 0  # nothing cached yet: every file parsed
        starts.clear()
        with load_cached(config, progress=lambda done, total: starts.append(done)) as again:
            assert again == first
        assert starts[0] == 5  # all five from the cache in the state directory


def test_an_inventory_taken_elsewhere_is_used_only_when_it_fits(content_dir, make_config,
                                                                 tmp_path):
    from feeds.content.listing import survey

    many_pages(content_dir, 4)
    config = make_config()
    fresh = load(config)
    other = tmp_path / "other"
    other.mkdir()
    (other / "2024-03-09.txt").write_text(ARTICLE.format(n="别处"), encoding="utf-8")
    # Another folder's (a wiring mistake) is not this folder's content.
    assert load(config, inventory=lambda: survey(other, stats=True)) == fresh
    # This folder's, as another process took it: the same catalogue.
    assert load(config, inventory=lambda: survey(content_dir, stats=True)) == fresh
    # Without stats the parse cache cannot tell what changed: taken again, with them.
    cache = ParseCache(tmp_path / "state" / "cache.sqlite")
    with load(config, cache=cache, inventory=lambda: survey(content_dir)) as cached:
        assert cached == fresh
    parsed: list[int] = []
    with load(config, cache=ParseCache(tmp_path / "state" / "cache.sqlite"),
              progress=lambda done, total: parsed.append(done),
              inventory=lambda: None) as again:  # the other process gave nothing
        assert again == fresh
        assert parsed[0] == 4  # every file from the cache: the stats were stored


def test_a_folder_that_cannot_be_listed_is_skipped(content_dir, monkeypatch):
    from feeds.content import listing

    (content_dir / "ok").mkdir()
    (content_dir / "ok" / "2024-03-06.txt").write_text(ARTICLE.format(n=1), encoding="utf-8")
    (content_dir / "locked").mkdir()
    (content_dir / "locked" / "2024-03-06.txt").write_text(ARTICLE.format(n=2), encoding="utf-8")
    scandir = os.scandir

    def refusing(path):  # what a folder without read permission gives (tests run as root)
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(listing.os, "scandir", refusing)
    assert [rel for rel, _ in listing.survey(content_dir).pages] == ["ok/2024-03-06.txt"]


def test_an_editors_note_stays_in_the_text_but_is_not_the_lead(load_pages):
    catalog = load_pages({"2024-03-06.txt": """\
        ## 城区召开春季植树动员会

        编者按：2018年以来，城区每年春季组织义务植树，至今已栽下树苗十万株。本报今起推出系列报道。

        本报讯 3月5日，城区召开春季植树动员会。

        会议部署了全年任务。
        """})
    (entry,) = catalog.entries
    assert entry.paragraphs[0].startswith("编者按：")
    assert entry.paragraphs[1:] == ("3月5日，城区召开春季植树动员会。", "会议部署了全年任务。")
    assert entry.summary == "3月5日，城区召开春季植树动员会。"
    assert (entry.date.isoformat(), entry.date_approximate) == ("2024-03-05", False)


def test_the_summary_after_an_editors_note_survives_the_parse_cache(load_pages, make_config):
    from feeds.content.loader import load_cached

    load_pages({"2024-03-06.txt": "## 城区召开动员会\n\n【编者按】：系列报道今起推出。\n\n本报讯 3月5日，城区召开动员会。\n"})
    for _ in range(2):  # parsed, then read back from the cache
        with load_cached(make_config()) as catalog:
            (entry,) = catalog.entries
            assert entry.summary == "3月5日，城区召开动员会。"
