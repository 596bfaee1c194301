"""Pins what we produce where feedgen 1.0.0 would get it wrong on its own: each of its
faults we work around has a test here, so a feedgen that behaves otherwise fails one."""

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from feedgen.feed import FeedGenerator
from lxml import etree

from feeds.model import Section
from feeds.syndication import xmlfeeds
from feeds.syndication.items import FeedItem, xml_safe
from feeds.syndication.xmlfeeds import FeedMeta, Link

ATOM = "{http://www.w3.org/2005/Atom}"
ZONE = ZoneInfo("Asia/Shanghai")
WHEN = dt.datetime(2024, 3, 6, 6, 0, tzinfo=ZONE)


def item(n: int) -> FeedItem:
    return FeedItem(f"tag:news.example.cn,2024-03-06:{n}", f"标题{n}",
                    f"https://news.example.cn/2024/03/06/a{n}.html", "摘要", "<p>正文</p>",
                    ("赵一鸣",), Section("教育", "education", 0),
                    "https://news.example.cn/sections/education.html",
                    WHEN - dt.timedelta(hours=n))


def meta(**changes) -> FeedMeta:
    base = FeedMeta("https://news.example.cn/feeds/all.atom.xml", "城区新闻", "城区要闻", "zh-CN",
                    "城区新闻", "https://news.example.cn/", "https://news.example.cn/feeds/all.rss.xml",
                    "application/rss+xml", WHEN,
                    (Link("prev-archive", "https://news.example.cn/feeds/archive/all/2024-03.atom.xml",
                          "application/atom+xml"),), "feed.xsl")
    return FeedMeta(**{**base.__dict__, **changes})


def test_updated_comes_from_the_newest_entry_not_the_clock():
    first = xmlfeeds.rss(meta(), [item(0)])
    time.sleep(1.1)
    assert xmlfeeds.rss(meta(), [item(0)]) == first
    assert b"<lastBuildDate>Wed, 06 Mar 2024 06:00:00 +0800</lastBuildDate>" in first
    atom = etree.fromstring(xmlfeeds.atom(meta(), [item(0)]))
    assert atom.findtext(f"{ATOM}updated") == "2024-03-06T06:00:00+08:00"


def test_feedgen_alone_refuses_naive_datetimes():
    entry = FeedGenerator().add_entry()
    with pytest.raises(ValueError, match="timezone"):
        entry.published(dt.datetime(2024, 3, 6, 6, 0))


def test_rss_channel_link_is_the_html_page_although_other_links_come_first():
    channel = etree.fromstring(xmlfeeds.rss(meta(), [item(0)])).find("channel")
    assert channel.findtext("link") == "https://news.example.cn/"


def test_atom_entry_link_keeps_rel_and_type():
    entry = etree.fromstring(xmlfeeds.atom(meta(), [item(0)])).find(f"{ATOM}entry")
    (link,) = entry.findall(f"{ATOM}link")
    assert (link.get("rel"), link.get("type")) == ("alternate", "text/html")


def test_rss_keeps_links_feedgen_drops():
    channel = etree.fromstring(xmlfeeds.rss(meta(), [item(0)])).find("channel")
    rels = [link.get("rel") for link in channel.findall(f"{ATOM}link")]
    assert rels == ["self", "prev-archive"]


def test_entries_keep_the_order_given():
    entries = etree.fromstring(xmlfeeds.rss(meta(), [item(0), item(1), item(2)])).iter("item")
    assert [e.findtext("title") for e in entries] == ["标题0", "标题1", "标题2"]


def test_rss_names_authors_with_dc_creator_since_author_needs_an_email():
    rss_item = etree.fromstring(xmlfeeds.rss(meta(), [item(0)])).find("channel/item")
    assert rss_item.find("author") is None
    assert rss_item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "赵一鸣"


def test_stylesheet_instruction_precedes_the_root():
    for render in (xmlfeeds.rss, xmlfeeds.atom):
        root = etree.fromstring(render(meta(), [item(0)]))
        instruction = root.getprevious()
        assert instruction.target == "xml-stylesheet" and instruction.get("href") == "feed.xsl"


def test_archive_document_from_fragments_is_well_formed_and_marked():
    fragments = [xmlfeeds.atom_entry(item(n)) for n in range(3)]
    document = etree.fromstring(xmlfeeds.atom_with_entries(meta(archive=True), fragments))
    assert document.find("{http://purl.org/syndication/history/1.0}archive") is not None
    assert [e.findtext(f"{ATOM}id") for e in document.findall(f"{ATOM}entry")] == [
        f"tag:news.example.cn,2024-03-06:{n}" for n in range(3)]


def test_characters_xml_forbids_are_removed():
    assert xml_safe("a\x00b\x1bc\ufffed\ud800e") == "abcde"


def test_the_generator_is_named_without_a_version_so_an_upgrade_alone_rewrites_no_feed():
    generator = etree.fromstring(xmlfeeds.atom(meta(), [item(0)])).find(f"{ATOM}generator")
    assert (generator.text, generator.get("version")) == ("feeds", None)
    channel = etree.fromstring(xmlfeeds.rss(meta(), [item(0)])).find("channel")
    assert channel.findtext("generator") == "feeds"
