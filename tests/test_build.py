"""`feeds build` end to end: every file read back with a real consumer (feedparser, lxml)."""

import json
import os
from pathlib import Path

import feedparser
import pytest
from conftest import ROOT, SITE_PAGES
from lxml import etree, html

from feeds.content.loader import load
from feeds.errors import FeedsError

ATOM = "{http://www.w3.org/2005/Atom}"


def files(public: Path) -> dict[str, bytes]:
    return {p.relative_to(public).as_posix(): p.read_bytes()
            for p in sorted(public.rglob("*")) if p.is_file()}


def test_every_feed_parses_cleanly_with_the_expected_entries(build_site):
    _result, public = build_site(SITE_PAGES)
    expected = {"all": 3, "education": 1, "economy": 2}
    for scope, count in expected.items():
        ids = []
        for suffix in (".rss.xml", ".atom.xml"):
            parsed = feedparser.parse(public / "feeds" / f"{scope}{suffix}")
            assert parsed.bozo == 0, (scope, suffix, parsed.get("bozo_exception"))
            assert parsed.version == ("rss20" if suffix == ".rss.xml" else "atom10")
            assert len(parsed.entries) == count
            ids.append([e.id for e in parsed.entries])
        # feedparser 6 does not read JSON Feed; the json module does
        items = json.loads((public / "feeds" / f"{scope}.json").read_bytes())["items"]
        ids.append([item["id"] for item in items])
        assert ids[0] == ids[1] == ids[2]  # one id per article in every format
    assert {e.id for e in load(build_site.config).entries} == set(ids_of(public, "all"))


def ids_of(public: Path, scope: str) -> list[str]:
    return [e.id for e in feedparser.parse(public / "feeds" / f"{scope}.atom.xml").entries]


def test_site_feed_is_newest_day_first_and_a_page_in_print_order(build_site):
    _, public = build_site(SITE_PAGES)
    entries = feedparser.parse(public / "feeds" / "all.rss.xml").entries
    assert [e.title for e in entries] == ["城区经济运行开局良好",
                                          "城区三所学校开展教学开放日活动",
                                          "城区召开民营企业座谈会 助力企业发展提质增效"]
    assert [e.published[17:25] for e in entries] == ["06:00:00", "06:00:00", "05:59:59"]


def test_item_limit(build_site):
    _, public = build_site(SITE_PAGES, feeds={"limit": 2})
    assert len(feedparser.parse(public / "feeds" / "all.rss.xml").entries) == 2
    assert len(json.loads((public / "feeds" / "all.json").read_bytes())["items"]) == 2


def test_rss_follows_the_spec_readers_check(build_site):
    _, public = build_site(SITE_PAGES)
    channel = etree.parse(str(public / "feeds" / "economy.rss.xml")).getroot().find("channel")
    assert channel.findtext("link") == "https://news.example.cn/sections/economy.html"
    assert channel.findtext("language") == "zh-CN"
    self_link = channel.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "https://news.example.cn/feeds/economy.rss.xml"
    assert channel.findtext("lastBuildDate") == "Fri, 02 Feb 2024 06:00:00 +0800"
    item = channel.find("item")
    tags = [child.tag for child in item]
    assert tags.index("description") < tags.index("{http://purl.org/rss/1.0/modules/content/}encoded")
    guid = item.find("guid")
    assert guid.get("isPermaLink") == "false" and guid.text.startswith("tag:news.example.cn,2024-02-02:")
    assert item.findtext("pubDate") == "Fri, 02 Feb 2024 06:00:00 +0800"
    assert item.findtext("category") == "经济"


def test_atom_follows_rfc_4287(build_site):
    _, public = build_site(SITE_PAGES)
    feed = etree.parse(str(public / "feeds" / "all.atom.xml")).getroot()
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1
    assert feed.findtext(f"{ATOM}updated") == "2024-02-02T06:00:00+08:00"
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "城区新闻"
    links = feed.findall(f"{ATOM}link")
    assert [link.get("href") for link in links if link.get("rel") == "alternate"] == [
        "https://news.example.cn/"]
    assert [link.get("href") for link in links if link.get("rel") == "self"] == [
        "https://news.example.cn/feeds/all.atom.xml"]
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "published", "summary", "content"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        alternates = [lk for lk in entry.findall(f"{ATOM}link") if lk.get("rel") == "alternate"]
        assert len(alternates) == 1 and alternates[0].get("type") == "text/html"
        assert entry.find(f"{ATOM}content").get("type") == "html"


def test_json_feed_has_every_field_version_1_1_requires(build_site):
    _, public = build_site(SITE_PAGES)
    feed = json.loads((public / "feeds" / "all.json").read_bytes())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "城区新闻"
    assert feed["feed_url"] == "https://news.example.cn/feeds/all.json"
    assert feed["home_page_url"] == "https://news.example.cn/"
    assert feed["language"] == "zh-CN"
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["content_html"]
        assert item["date_published"].endswith("+08:00")
        assert item["url"].startswith("https://news.example.cn/2024/")


def test_full_text_with_byline_is_in_the_feed(build_site):
    _, public = build_site(SITE_PAGES)
    entry = feedparser.parse(public / "feeds" / "education.atom.xml").entries[0]
    content = entry.content[0].value
    assert "学生和教师共同参与。" in content and "记者 赵一鸣" in content
    assert entry.summary == "1月29日，城区三所学校开展教学开放日，学生和教师共同参与。"
    assert [a.name for a in entry.authors] == ["赵一鸣"]


def test_press_time_and_zone_are_configurable(build_site):
    _, public = build_site(SITE_PAGES, site={"timezone": "Europe/London"},
                           feeds={"press_time": "07:30"})
    items = etree.parse(str(public / "feeds" / "economy.rss.xml")).getroot().iter("item")
    assert [i.findtext("pubDate") for i in items] == [
        "Fri, 02 Feb 2024 07:30:00 +0000", "Tue, 30 Jan 2024 07:29:59 +0000"]


def test_a_time_in_front_matter_is_kept(build_site):
    _, public = build_site({"a.md": "---\ntitle: 城区召开企业座谈会\ndate: 2024-03-06T15:45:00+08:00\n"
                                   "---\n近日，城区召开企业座谈会。\n"})
    entry = feedparser.parse(public / "feeds" / "all.rss.xml").entries[0]
    assert entry.published == "Wed, 06 Mar 2024 15:45:00 +0800"


def test_ids_survive_adding_removing_and_reordering_articles(build_site, tmp_path):
    first = {"2024/01/30/a01.txt": SITE_PAGES["2024/01/30/a01.txt"]}
    build_site(first)
    before = {e.title: e.id for e in load(build_site.config).entries}
    page = (tmp_path / "content" / "2024/01/30/a01.txt").read_text(encoding="utf-8")
    header, one, two = page.split("## ")
    reordered = header + "## " + two + "\n## 城区新增一篇报道\n\n本报讯 新增内容。\n\n## " + one
    (tmp_path / "content" / "2024/01/30/a01.txt").write_text(reordered, encoding="utf-8")
    build_site()
    after = {e.title: e.id for e in load(build_site.config).entries}
    assert {t: after[t] for t in before} == before
    (tmp_path / "content" / "2024/01/30/a01.txt").write_text(header + "## " + two, encoding="utf-8")
    _result, public = build_site()
    entries = load(build_site.config).entries
    assert [e.id for e in entries] == [before[e.title] for e in entries]
    assert set(ids_of(public, "all")) == {e.id for e in entries}


def test_rebuild_is_byte_identical_and_rewrites_nothing(build_site):
    _, public = build_site(SITE_PAGES)
    before = files(public)
    stamps = {p: (public / p).stat().st_mtime_ns for p in before}
    os.utime(public / "feeds" / "all.rss.xml", ns=(10**18, 10**18))
    result, _ = build_site()
    assert files(public) == before
    assert result.summary.written == []
    assert {p: (public / p).stat().st_mtime_ns for p in before if p != "feeds/all.rss.xml"} == {
        p: s for p, s in stamps.items() if p != "feeds/all.rss.xml"}
    assert (public / "feeds" / "all.rss.xml").stat().st_mtime_ns == 10**18


def test_only_changed_files_are_rewritten(build_site, tmp_path):
    build_site(SITE_PAGES)
    (tmp_path / "content" / "2024/02/03.txt").write_text(
        "## 城区企业新春招聘会举行\n\n本报讯 2月3日，城区举行企业招聘会。\n", encoding="utf-8")
    result, _ = build_site()
    written = set(result.summary.written)
    assert "feeds/all.rss.xml" in written and "feeds/economy.atom.xml" in written
    assert "feeds/education.rss.xml" not in written
    assert "feeds/archive/all/2024-01.atom.xml" not in written  # an earlier month: unchanged
    assert not any(p.startswith("2024/01/") for p in written)  # other articles' pages


def test_a_build_that_fails_midway_leaves_the_published_site(build_site, tmp_path, monkeypatch):
    from feeds.pages import PageBuilder

    _, public = build_site(SITE_PAGES)
    before = files(public)
    (tmp_path / "content" / "2024/02/03.txt").write_text(
        "## 城区企业新春招聘会举行\n\n本报讯 2月3日，城区举行企业招聘会。\n", encoding="utf-8")

    def broken(self):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(PageBuilder, "_home", broken)
    with pytest.raises(RuntimeError):
        build_site()
    assert files(public) == before  # feeds were rendered before the failure: none published
    assert not [p for p in public.iterdir() if p.name.startswith(".feeds-staging")]


def test_removed_content_removes_its_pages_and_feed_items(build_site, tmp_path):
    _, public = build_site(SITE_PAGES)
    assert sorted(p.name for p in public.glob("2024/02/02/*.html"))[0] == "cheng-qu-jing-ji-yun-xing-kai-ju-d346.html"
    (tmp_path / "content" / "2024/02/02/a01.txt").unlink()
    build_site()
    assert not (public / "2024" / "02").exists()
    assert not (public / "feeds/archive/all/2024-02.atom.xml").exists()
    assert len(feedparser.parse(public / "feeds" / "all.rss.xml").entries) == 2


def test_escaping_of_markup_cdata_ends_and_control_characters(build_site):
    _result, public = build_site({"2024-03-06.txt": "## <script>alert(1)</script>&]]>标题\n\n"
                                                   "正文<b>加粗</b> & ]]> \x07结束。"
                                                   + "长" * 10_000 + "\n"})
    title = load(build_site.config).entries[0].title
    assert title == "<script>alert(1)</script>&]]>标题"
    for suffix in (".rss.xml", ".atom.xml"):
        parsed = feedparser.parse(public / "feeds" / f"all{suffix}")
        assert parsed.bozo == 0
        assert parsed.entries[0].title == title
    assert json.loads((public / "feeds" / "all.json").read_bytes())["items"][0]["title"] == title
    page = next(p for p in public.glob("2024/03/06/*.html") if p.name != "index.html")
    tree = html.fromstring(page.read_bytes())
    assert tree.findall(".//script") == []
    assert tree.findtext(".//h1") == title
    assert "正文<b>加粗</b> & ]]> 结束。" + "长" * 10_000 in tree.text_content()


def test_two_articles_with_one_headline_on_one_day(build_site):
    _result, public = build_site({"2024-03-06.txt": "## 同名标题\n\n甲文。\n\n## 同名标题\n\n乙文。\n"})
    ids = [e.id for e in load(build_site.config).entries]
    assert len(set(ids)) == 2
    assert len([p for p in public.glob("2024/03/06/*.html") if p.name != "index.html"]) == 2
    assert len(feedparser.parse(public / "feeds" / "all.atom.xml").entries) == 2


def test_article_url_points_links_elsewhere_and_makes_no_article_pages(build_site):
    _, public = build_site(SITE_PAGES, feeds={
        "article_url": "https://paper.example.cn/{issue_date}/{slug}.html"})
    links = [e.link for e in feedparser.parse(public / "feeds" / "all.rss.xml").entries]
    assert all(link.startswith("https://paper.example.cn/2024-0") for link in links)
    assert {p.name for p in (public / "2024").rglob("*.html")} == {"index.html"}  # issues
    home = html.fromstring((public / "index.html").read_bytes())
    assert set(links) <= {a.get("href") for a in home.iter("a")}


def test_feeds_only_build_keeps_pages_made_earlier(build_site):
    _, public = build_site(SITE_PAGES)
    pages = sorted(public.rglob("*.html"))
    result, _ = build_site(pages=False)
    assert sorted(public.rglob("*.html")) == pages
    assert result.summary.removed == []


def test_output_directory_that_is_a_file(build_site, tmp_path):
    (tmp_path / "public").write_text("not a folder")
    with pytest.raises(FeedsError, match="is a file"):
        build_site(SITE_PAGES)


def test_archives_link_months_and_stop_changing_once_a_later_month_exists(build_site, tmp_path):
    _, public = build_site(SITE_PAGES)
    base = "https://news.example.cn/feeds/archive/economy/"
    subscription = etree.parse(str(public / "feeds" / "economy.atom.xml")).getroot()
    assert subscription.find(f"{ATOM}link[@rel='prev-archive']").get("href") == base + "2024-02.atom.xml"
    january = public / "feeds/archive/economy/2024-01.atom.xml"
    doc = etree.parse(str(january)).getroot()
    assert doc.find("{http://purl.org/syndication/history/1.0}archive") is not None
    assert doc.find(f"{ATOM}link[@rel='next-archive']").get("href") == base + "2024-02.atom.xml"
    assert doc.find(f"{ATOM}link[@rel='prev-archive']") is None
    assert doc.find(f"{ATOM}link[@rel='current']").get("href") == "https://news.example.cn/feeds/economy.atom.xml"
    assert [e.findtext(f"{ATOM}title") for e in doc.findall(f"{ATOM}entry")] == [
        "城区召开民营企业座谈会 助力企业发展提质增效"]
    february = etree.parse(str(public / "feeds/archive/economy/2024-02.atom.xml")).getroot()
    assert february.find(f"{ATOM}link[@rel='prev-archive']").get("href") == base + "2024-01.atom.xml"
    before = january.read_bytes(), january.stat().st_mtime_ns
    (tmp_path / "content" / "2024/02/03.txt").write_text(
        "## 城区企业新春招聘会举行\n\n本报讯 2月3日，城区举行企业招聘会。\n", encoding="utf-8")
    build_site()
    assert (january.read_bytes(), january.stat().st_mtime_ns) == before
    rss = etree.parse(str(public / "feeds" / "economy.rss.xml")).getroot()
    assert rss.find(f"channel/{ATOM}link[@rel='prev-archive']").get("href") == base + "2024-02.atom.xml"


def test_opml_lists_every_section_feed(build_site):
    _, public = build_site(SITE_PAGES)
    outlines = etree.parse(str(public / "feeds" / "index.opml")).getroot().iter("outline")
    urls = [o.get("xmlUrl") for o in outlines if o.get("xmlUrl")]
    assert urls == ["https://news.example.cn/feeds/education.rss.xml",
                    "https://news.example.cn/feeds/economy.rss.xml"]


def test_stylesheet_makes_feeds_readable_in_a_browser(build_site):
    _, public = build_site(SITE_PAGES)
    transform = etree.XSLT(etree.parse(str(public / "feeds" / "feed.xsl")))
    for name in ("all.rss.xml", "all.atom.xml", "archive/all/2024-01.atom.xml"):
        document = etree.parse(str(public / "feeds" / name))
        instruction = document.getroot().getprevious()
        assert instruction.target == "xml-stylesheet"
        href = instruction.get("href")
        assert (public / "feeds" / Path(name).parent / href).resolve() == (public / "feeds" / "feed.xsl").resolve()
        page = str(transform(document))
        assert "这是一个订阅源" in page and "城区三所学校开展教学开放日活动" in page
        # dates as the pages write them, and the way to the subscribe page
        tree = html.fromstring(page)
        assert [d.text_content().strip() for d in tree.iterfind(".//span[@class='date']")
                ][-1] == "2024年1月30日"
        assert "https://news.example.cn/feeds/" in [a.get("href") for a in tree.iter("a")]


def test_editing_a_template_another_imports_renders_the_feeds_again(build_site, tmp_path):
    build_site(SITE_PAGES, pages=False)
    (tmp_path / "templates").mkdir()  # site.templates_dir: overrides the shipped ones
    shipped = (ROOT / "feeds" / "templates" / "article_body.html.j2").read_text(encoding="utf-8")
    edited = shipped.replace("{% macro body(entry, figures=()) -%}", "{% macro body(entry, figures=()) -%}<p>编者按</p>")
    assert edited != shipped
    (tmp_path / "templates" / "article_body.html.j2").write_text(edited, encoding="utf-8")
    result, public = build_site(pages=False)
    assert "feeds/all.atom.xml" in result.summary.written
    entry = feedparser.parse(public / "feeds" / "all.atom.xml").entries[0]
    assert "编者按" in entry.content[0].value


def test_a_new_press_time_renders_the_article_pages_again(build_site):
    build_site(SITE_PAGES)
    result, public = build_site(feeds={"press_time": "07:30"})
    pages = [p for p in result.summary.written if p.startswith("2024/")]
    assert pages
    assert all("T07:" in (public / p).read_text(encoding="utf-8") for p in pages)


def test_a_state_directory_that_cannot_hold_the_cache_is_a_clear_error(build_site, tmp_path):
    (tmp_path / "state").write_text("a file where the state directory should be")
    with pytest.raises(FeedsError, match=r"state.*Not a directory"):
        build_site(SITE_PAGES)
    assert not (tmp_path / "public" / "feeds").exists()
