"""Print order everywhere: within an issue the page's order (lead first) holds in the feeds,
the pages and the digest; within a day times step down in print order; newest day first."""

from __future__ import annotations

import datetime as dt
import json

import feedparser
from click.testing import CliRunner
from conftest import page
from digest_support import SECRET, maildir_messages
from lxml import html

from feeds.cli import cli, digest  # noqa: F401  (registers the digest commands)

# Two issues; the later one has two pages, each with its lead first.
PAPER = {
    "2024-03-01/01.txt": """\
        ---
        section: 教育
        ---

        ## 前一天的头条：城区中学开展科技节活动

        本报讯 3月1日，城区中学举办科技节。

        ## 前一天的第二篇：小学生走进博物馆

        本报讯 3月1日，城区小学组织学生参观博物馆。
        """,
    "2024-03-02/01.txt": """\
        ---
        section: 教育
        ---

        ## 头条：全区学校启用新课程表

        本报讯 3月2日，全区学校启用新课程表。

        ## 第二篇：教师培训班结业

        本报讯 3月2日，教师培训班结业。

        ## 第三篇：学校食堂开放日

        本报讯 3月2日，学校食堂开放日举行。
        """,
    "2024-03-02/02.txt": """\
        ---
        section: 经济
        ---

        ## 二版头条：开发区新增企业三十家

        本报讯 3月2日，开发区新登记企业三十家。

        ## 二版第二篇：企业座谈会召开

        本报讯 3月2日，企业座谈会召开。
        """,
}
PRINTED = ["头条：全区学校启用新课程表", "第二篇：教师培训班结业", "第三篇：学校食堂开放日",
           "二版头条：开发区新增企业三十家", "二版第二篇：企业座谈会召开",
           "前一天的头条：城区中学开展科技节活动", "前一天的第二篇：小学生走进博物馆"]
SECTIONS = [{"name": "教育", "slug": "education"}, {"name": "经济", "slug": "economy"}]


def in_scope(titles: list[str], scope: list[str]) -> list[str]:
    return [t for t in titles if t in scope]


def test_feeds_list_the_paper_in_print_order_with_times_stepping_down(build_site):
    _, public = build_site(PAPER, sections=SECTIONS)
    parsed = feedparser.parse(public / "feeds" / "all.atom.xml")
    assert [e.title for e in parsed.entries] == PRINTED
    times = [dt.datetime.fromisoformat(e.published) for e in parsed.entries]
    assert times == sorted(times, reverse=True) and len(set(times)) == len(times)
    assert [t.isoformat() for t in times[:6]] == [
        "2024-03-02T06:00:00+08:00", "2024-03-02T05:59:59+08:00", "2024-03-02T05:59:58+08:00",
        "2024-03-02T05:59:57+08:00", "2024-03-02T05:59:56+08:00", "2024-03-01T06:00:00+08:00"]
    rss = feedparser.parse(public / "feeds" / "all.rss.xml")
    assert [e.title for e in rss.entries] == PRINTED
    # a reader that sorts by time gets the same order
    assert [e.title for e in sorted(rss.entries, key=lambda e: e.published_parsed,
                                    reverse=True)] == PRINTED
    items = json.loads((public / "feeds" / "all.json").read_bytes())["items"]
    assert [i["title"] for i in items] == PRINTED
    education = feedparser.parse(public / "feeds" / "education.atom.xml")
    assert [e.title for e in education.entries] == [t for t in PRINTED if "二版" not in t]
    # an entry has one time, whichever feed lists it
    every = {e.id: e.published for e in parsed.entries}
    assert all(every[e.id] == e.published for e in education.entries)


def titles(path) -> list[str]:
    return [a.text_content() for a in html.fromstring(path.read_bytes()).iterfind(
        ".//ul[@class='entries']//a")]


def test_pages_list_the_paper_in_print_order(build_site):
    _, public = build_site(PAPER, sections=SECTIONS)
    education = [t for t in PRINTED if "二版" not in t]
    assert titles(public / "index.html") == [*education, "二版头条：开发区新增企业三十家", "二版第二篇：企业座谈会召开"]
    assert titles(public / "sections" / "education.html") == education
    assert titles(public / "sections" / "education" / "1.html") == education
    assert titles(public / "2024" / "03" / "02" / "index.html") == PRINTED[:5]
    assert titles(public / "2024" / "03" / "01" / "index.html") == PRINTED[5:]


def test_a_later_page_of_the_day_does_not_move_the_first_pages_articles(build_site, tmp_path):
    build_site(PAPER, sections=SECTIONS)
    before = {e.title: e.published for e in feedparser.parse(
        tmp_path / "public" / "feeds" / "all.atom.xml").entries}
    _, public = build_site({"2024-03-02/03.txt": "---\nsection: 经济\n---\n\n## 三版：集市开张\n\n本报讯 集市开张。\n"},
                           sections=SECTIONS)
    after = feedparser.parse(public / "feeds" / "all.atom.xml").entries
    assert [e.title for e in after] == [*PRINTED[:5], "三版：集市开张", *PRINTED[5:]]
    assert all(before[e.title] == e.published for e in after if e.title in before)


def test_the_digest_keeps_print_order(tmp_path, monkeypatch):
    (tmp_path / "content").mkdir()
    for name, text in PAPER.items():
        target = tmp_path / "content" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page(text), encoding="utf-8")
    (tmp_path / "feeds.toml").write_text(
        '[site]\ntitle = "城区新闻"\nbase_url = "https://news.example.cn/"\nstate_dir = "state"\n'
        '[[sections]]\nname = "教育"\nslug = "education"\n'
        '[[sections]]\nname = "经济"\nslug = "economy"\n'
        '[digest]\nlook_back_days = 3\n', encoding="utf-8")
    monkeypatch.setenv("FEEDS_SECRET_KEY", SECRET)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["subscribers", "add", "a@example.com"]).exit_code == 0
    assert runner.invoke(cli, ["digest"], catch_exceptions=False).exit_code == 0
    (message,) = maildir_messages(tmp_path / "outbox")
    text = message.get_body(("plain",)).get_content()
    found = sorted((text.index(title), title) for title in PRINTED)
    # sections in their configured order; in each, the newest issue first in print order
    assert [title for _, title in found] == [*PRINTED[:3], *PRINTED[5:], *PRINTED[3:5]]
