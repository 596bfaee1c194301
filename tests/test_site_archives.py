"""Archives: a section's pages back to its first article, a page per issue, 往期, and links
from an article to its neighbours in the section; incremental rebuilds touch only what
changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import SITE_PAGES
from lxml import html

SECTIONS = [{"name": "教育", "slug": "education"}, {"name": "经济", "slug": "economy"},
            {"name": "文化", "slug": "culture"}]


def daily(first: dt.date, days: int, per_day: int) -> dict[str, str]:
    """``days`` issues from ``first`` of the 教育 section, ``per_day`` articles each."""
    pages = {}
    for n in range(days):
        day = first + dt.timedelta(days=n)
        articles = "\n".join(f"## {day:%m月%d日}第{i + 1}篇教育新闻\n\n本报讯 学校消息{n}-{i}。\n"
                             for i in range(per_day))
        pages[f"{day.isoformat()}.txt"] = f"---\nsection: 教育\n---\n\n{articles}"
    return pages


def links(path: Path) -> list[tuple[str, str]]:
    return [(a.text_content(), a.get("href"))
            for a in html.fromstring(path.read_bytes()).iter("a")]


def titles(path: Path) -> list[str]:
    return [a.text_content() for a in html.fromstring(path.read_bytes()).iterfind(
        ".//ul[@class='entries']//a")]


def test_a_section_with_250_articles_is_paginated_from_its_oldest(build_site):
    _, public = build_site(daily(dt.date(2024, 1, 1), 50, 5), sections=SECTIONS)
    folder = public / "sections" / "education"
    assert sorted(p.name for p in folder.iterdir()) == ["1.html", "2.html", "3.html"]
    pages = [titles(folder / f"{n}.html") for n in (3, 2, 1)]
    assert [len(p) for p in pages] == [50, 100, 100]
    every = [t for p in pages for t in p]
    assert len(set(every)) == 250
    # newest first across the pages, each day in print order
    assert every[:5] == [f"02月19日第{i}篇教育新闻" for i in range(1, 6)]
    assert every[-1] == "01月01日第5篇教育新闻"
    heading = html.fromstring((folder / "3.html").read_bytes()).findtext(".//h1/small")
    assert heading == "第 3 页 · 2024年2月10日 – 2024年2月19日"
    front = public / "sections" / "education.html"
    assert titles(front) == every[:100]
    # the front page leads to the page holding the first article it does not show
    older = dict(links(front))["更早的文章 →"]
    assert (front.parent / older).resolve() == (folder / "2.html").resolve()
    assert every[100] in titles(folder / "2.html")
    for number in (1, 2, 3):
        found = dict(links(folder / f"{number}.html"))
        newer = (folder / found["← 较新的文章"]).resolve()
        assert newer == (front if number == 3 else folder / f"{number + 1}.html").resolve()
        assert ("更早的文章 →" in found) == (number > 1)


def test_one_more_article_renders_only_the_pages_it_changes(build_site):
    build_site(daily(dt.date(2024, 1, 1), 50, 5), sections=SECTIONS)
    result, _public = build_site(daily(dt.date(2024, 2, 20), 1, 1), sections=SECTIONS)
    written = set(result.summary.written)
    assert "sections/education/3.html" in written
    assert {"sections/education/1.html", "sections/education/2.html"}.isdisjoint(written)
    articles = [p for p in written if p.startswith("2024/") and not p.endswith("index.html")]
    # the new article, and the one before it, which now links to it
    assert len(articles) == 2
    # its issue, the issue before it (which now links to it), the home page, 往期
    assert {"2024/02/20/index.html", "2024/02/19/index.html", "index.html",
            "archive/index.html", "sitemap.xml"} <= written
    assert len(written - {p for p in written if p.startswith("feeds/")}) <= 12
    assert result.summary.skipped > 250


def test_an_issue_page_has_the_days_paper_and_links_the_days_around_it(build_site):
    _, public = build_site(daily(dt.date(2024, 1, 30), 3, 2), sections=SECTIONS)
    day = public / "2024" / "01" / "31" / "index.html"
    tree = html.fromstring(day.read_bytes())
    assert tree.findtext(".//h1") == "2024年1月31日"
    assert titles(day) == ["01月31日第1篇教育新闻", "01月31日第2篇教育新闻"]
    found = dict(links(day))
    assert (day.parent / found["← 2024年2月1日"]).resolve() == (
        public / "2024" / "02" / "01" / "index.html").resolve()
    assert (day.parent / found["2024年1月30日 →"]).resolve() == (
        public / "2024" / "01" / "30" / "index.html").resolve()
    canonical = tree.find(".//link[@rel='canonical']").get("href")
    assert canonical == "https://news.example.cn/2024/01/31/"


def test_the_issues_page_lists_every_issue_by_month(build_site):
    _, public = build_site(daily(dt.date(2024, 1, 30), 3, 1), sections=SECTIONS)
    issues = public / "archive" / "index.html"
    tree = html.fromstring(issues.read_bytes())
    assert [h.text_content() for h in tree.iterfind(".//main//h2")] == ["2024年2月", "2024年1月"]
    days = [(name, (issues.parent / href).resolve()) for name, href in links(issues)
            if name.endswith("日")]
    assert days == [("1日", (public / "2024/02/01/index.html").resolve()),
                    ("31日", (public / "2024/01/31/index.html").resolve()),
                    ("30日", (public / "2024/01/30/index.html").resolve())]


def test_an_article_links_its_neighbours_in_the_section(build_site):
    _, public = build_site(daily(dt.date(2024, 1, 30), 2, 2), sections=SECTIONS)
    pages = {html.fromstring(p.read_bytes()).findtext(".//h1"): p
             for p in public.glob("2024/*/*/*.html") if p.name != "index.html"}
    order = ["01月31日第1篇教育新闻", "01月31日第2篇教育新闻", "01月30日第1篇教育新闻",
             "01月30日第2篇教育新闻"]
    for i, title in enumerate(order):
        reverse = dict(links(pages[title]))
        if i + 1 < len(order):
            assert (pages[title].parent / reverse[order[i + 1]]).resolve() == \
                pages[order[i + 1]].resolve()
        if i > 0:
            assert (pages[title].parent / reverse[order[i - 1]]).resolve() == \
                pages[order[i - 1]].resolve()
    first = html.fromstring(pages[order[0]].read_bytes())
    assert [p.text_content().split("：")[0] for p in first.iterfind(".//div[@class='neighbours']/p")] == ["下一篇"]


def test_empty_sections_are_left_out_of_the_nav(build_site):
    _, public = build_site(SITE_PAGES, sections=[
        {"name": "教育", "slug": "education", "keywords": ["学校", "教育", "学生"]},
        {"name": "文化", "slug": "culture"},
        {"name": "经济", "slug": "economy", "keywords": ["企业", "经济"]}])
    for path in (public / "index.html", public / "sections" / "economy.html",
                 public / "feeds" / "index.html"):
        nav = [a.text_content() for a in html.fromstring(path.read_bytes()).iterfind(".//nav/a")]
        assert nav == ["教育", "经济", "往期"]
    # the empty section's feed still has a page to point to
    assert (public / "sections" / "culture.html").is_file()
