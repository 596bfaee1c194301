"""Headlines in three parts: the kicker (引题) above, the headline, the sub-title below."""

import json
import subprocess
import sys

from lxml import html

from feeds.content.loader import load_cached

THREE_PARTS = """\
### 聚焦民生实事
## 城区新建十所幼儿园
### 新增学位三千个

本报讯 3月5日，城区十所新建幼儿园全部开工。
"""


def test_a_smaller_heading_above_the_headline_is_its_kicker(load_pages):
    catalog = load_pages({"2024-03-06.txt": THREE_PARTS})
    (entry,) = catalog.entries
    assert entry.kicker == "聚焦民生实事"
    assert (entry.headline, entry.subtitle) == ("城区新建十所幼儿园", "新增学位三千个")
    assert entry.title == "城区新建十所幼儿园 新增学位三千个"
    assert str(entry.source) == "2024-03-06.txt:2"
    assert not catalog.files[0].problems  # neither dropped nor warned about
    assert entry.to_json()["kicker"] == "聚焦民生实事"


def test_the_kicker_does_not_change_the_id(load_pages):
    with_kicker = load_pages({"2024-03-06.txt": THREE_PARTS}).entries[0]
    without = load_pages({"2024-03-06.txt": THREE_PARTS.replace("### 聚焦民生实事\n", "")}).entries[0]
    assert with_kicker.id == without.id and without.kicker is None


def test_a_heading_of_the_same_level_with_nothing_under_it_is_a_kicker_with_a_note(load_pages):
    catalog = load_pages({"2024-03-06.txt": "## 聚焦民生实事\n## 城区新建十所幼儿园\n\n"
                                            "本报讯 3月5日，十所幼儿园全部开工。\n"})
    (entry,) = catalog.entries
    assert (entry.kicker, entry.title) == ("聚焦民生实事", "城区新建十所幼儿园")
    (note,) = catalog.files[0].problems
    assert (note.line, note.severity) == (1, "note") and "kicker" in note.message


def test_a_dash_sub_title_under_the_headline(load_pages):
    (entry,) = load_pages({"2024-03-06.txt": "## 城区新建十所幼儿园\n——新增学位三千个\n\n"
                                             "本报讯 3月5日，十所幼儿园全部开工。\n"}).entries
    assert (entry.headline, entry.subtitle) == ("城区新建十所幼儿园", "新增学位三千个")
    assert entry.paragraphs == ("3月5日，十所幼儿园全部开工。",)


def test_kicker_in_entries_json_and_above_the_title_on_the_article_page(build_site, tmp_path):
    _, public = build_site({"2024-03-06.txt": THREE_PARTS})
    (page,) = [p for p in public.glob("2024/03/06/*.html") if p.name != "index.html"]
    article = html.fromstring(page.read_bytes()).find(".//article")
    assert [(e.tag, e.text_content()) for e in article][:3] == [
        ("p", "聚焦民生实事"), ("h1", "城区新建十所幼儿园"), ("p", "新增学位三千个")]
    assert article[0].get("class") == "kicker"
    run = subprocess.run([sys.executable, "-m", "feeds", "entries", "--json"], cwd=tmp_path,
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    (entry,) = json.loads(run.stdout)
    assert entry["kicker"] == "聚焦民生实事" and entry["title"] == "城区新建十所幼儿园 新增学位三千个"


def test_the_parse_cache_keeps_the_kicker(build_site):
    build_site({"2024-03-06.txt": THREE_PARTS})
    build_site()  # a rebuild: the entry comes from the parse cache
    with load_cached(build_site.config) as catalog:
        (entry,) = catalog.entries
    assert entry.kicker == "聚焦民生实事"
