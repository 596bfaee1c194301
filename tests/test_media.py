"""The media types and lifetimes every route to readers shares (serve, deploy, nginx)."""

from conftest import SITE_PAGES
from lxml import etree, html

from feeds.media import FOREVER, cache_control, media_type

BASE = "https://news.example.cn/"


def test_a_feed_is_served_with_the_type_its_pages_announce_and_it_declares_itself(build_site):
    _result, public = build_site(SITE_PAGES)
    announced = html.parse(str(public / "index.html")).findall('.//link[@rel="alternate"]')
    assert {link.get("type") for link in announced} == {
        "application/rss+xml", "application/atom+xml", "application/feed+json"}
    for link in announced:
        path = link.get("href").removeprefix(BASE)
        assert (public / path).is_file()
        assert media_type(path) == f"{link.get('type')}; charset=utf-8"
        if not path.endswith(".json"):  # RSS and Atom name their own type in rel=self
            document = etree.parse(str(public / path))
            own = document.find('.//{http://www.w3.org/2005/Atom}link[@rel="self"]')
            assert own.get("type") == link.get("type")


def test_feeds_are_kept_briefly_pages_more_briefly_and_hashed_files_for_a_year():
    assert cache_control("feeds/economy.atom.xml") == "public, max-age=300"
    assert cache_control("feeds/index.opml") == "public, max-age=300"
    assert cache_control("2024/01/30/xue-xiao-1f4d.html") == "public, max-age=60"
    assert cache_control("photos/hall.1f2e3d4c.webp") == FOREVER
    assert cache_control("photos/1f2e3d4c5b6a7980-800.jpg") == FOREVER
    assert cache_control("photos/1f2e3d4c5b6a7980-800.pdf") == "public, max-age=3600"
    assert cache_control("photos/1f2e3d4c5b6a7980.jpg") == FOREVER
    assert cache_control("photos/deadline.jpg") == "public, max-age=3600"
