"""The subscribe page for people, the feeds' own link to it, and summary-only feeds."""

from __future__ import annotations

import json

import feedparser
from conftest import SITE_PAGES
from lxml import etree, html


def subscribe_page(public):
    return html.fromstring((public / "feeds" / "index.html").read_bytes())


def test_every_feed_address_is_there_to_copy(build_site):
    _, public = build_site(SITE_PAGES)
    tree = subscribe_page(public)
    fields = [i.get("value") for i in tree.iterfind(".//input[@readonly]")]
    expected = [f"https://news.example.cn/feeds/{scope}{suffix}"
                for scope in ("all", "education", "economy")
                for suffix in (".rss.xml", ".atom.xml", ".json")]
    assert fields == expected
    copies = [b.get("data-copy") for b in tree.iterfind(".//button[@class='copy']")]
    assert copies == expected
    for address in expected:  # each address is a file the build wrote
        assert (public / address.removeprefix("https://news.example.cn/")).is_file()
    opml = next(a.get("href") for a in tree.iter("a") if "OPML" in a.text_content())
    assert (public / "feeds" / opml).resolve() == (public / "feeds" / "index.opml").resolve()


def test_a_qr_code_inline_and_how_to_subscribe_in_common_readers(build_site):
    _, public = build_site(SITE_PAGES)
    source = (public / "feeds" / "index.html").read_text(encoding="utf-8")
    tree = subscribe_page(public)
    svg = tree.find(".//div[@class='qr']/svg")
    assert svg is not None and any(p.get("d") for p in svg.iter("path"))
    assert "https://news.example.cn/feeds/all.rss.xml" in tree.find(".//div[@class='qr']").text_content()
    assert "<img" not in source and "src=" not in source  # nothing fetched from elsewhere
    text = tree.text_content()
    for reader in ("Feedly", "Inoreader", "NetNewsWire", "Thunderbird"):
        assert reader in text


def test_the_email_form_only_when_signup_is_on(build_site):
    _, public = build_site(SITE_PAGES)
    assert subscribe_page(public).find(".//form[@class='signup']") is None
    _, public = build_site(web={"signup": True})
    form = subscribe_page(public).find(".//form[@class='signup']")
    # the sign-up page of `feeds serve` (GET shows its form, which posts)
    assert form.get("action") == "../subscribe" and form.get("method") == "get"


def test_pages_and_feeds_link_the_subscribe_page(build_site):
    _, public = build_site(SITE_PAGES)
    for page in (public / "index.html", public / "sections" / "economy.html",
                 next(public.glob("2024/02/02/cheng*.html"))):
        hrefs = [a.get("href") for a in html.fromstring(page.read_bytes()).iter("a")
                 if a.text_content().startswith("订阅")]
        assert hrefs and all((page.parent / h).resolve() == (public / "feeds" / "index.html")
                             for h in hrefs)
    for name in ("all.rss.xml", "all.atom.xml", "economy.atom.xml"):
        root = etree.parse(str(public / "feeds" / name)).getroot()
        related = [link.get("href") for link in root.iter("{*}link")
                   if link.get("rel") == "related"]
        assert related == ["https://news.example.cn/feeds/"]


def test_summary_feeds_carry_the_lead_but_not_the_article(build_site):
    _, public = build_site(SITE_PAGES, feeds={"content": "summary"})
    atom = feedparser.parse(public / "feeds" / "education.atom.xml")
    entry = atom.entries[0]
    assert entry.summary == "1月29日，城区三所学校开展教学开放日，学生和教师共同参与。"
    assert "content" not in entry
    rss = (public / "feeds" / "education.rss.xml").read_bytes()
    assert b"content:encoded" not in rss and b"<description>" in rss
    item = json.loads((public / "feeds" / "education.json").read_bytes())["items"][0]
    assert "content_html" not in item
    assert item["content_text"] == entry.summary
    # switching back renders every feed again with the full text
    result, public = build_site(feeds={"content": "full"})
    assert "feeds/education.atom.xml" in result.summary.written
    full = feedparser.parse(public / "feeds" / "education.atom.xml").entries[0]
    assert "记者 赵一鸣" in full.content[0].value
