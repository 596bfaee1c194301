"""The media types and lifetimes every route to readers shares (serve, deploy, nginx)."""

from feeds.media import FOREVER, cache_control, media_type
from feeds.syndication.outputs import MEDIA_TYPES as FEED_TYPES
from feeds.urls import FORMATS, Links


def test_each_feed_format_has_the_media_type_its_documents_declare_with_a_charset():
    for fmt, suffix in FORMATS.items():
        path = Links.feed_path("all", fmt)
        assert path.endswith(suffix)
        assert media_type(path) == f"{FEED_TYPES[fmt]}; charset=utf-8"


def test_feeds_are_kept_briefly_pages_more_briefly_and_hashed_files_for_a_year():
    assert cache_control("feeds/economy.atom.xml") == "public, max-age=300"
    assert cache_control("feeds/index.opml") == "public, max-age=300"
    assert cache_control("2024/01/30/xue-xiao-1f4d.html") == "public, max-age=60"
    assert cache_control("photos/hall.1f2e3d4c.webp") == FOREVER
    assert cache_control("photos/1f2e3d4c5b6a7980-800.jpg") == FOREVER
    assert cache_control("photos/1f2e3d4c5b6a7980-800.pdf") == "public, max-age=3600"
    assert cache_control("photos/1f2e3d4c5b6a7980.jpg") == FOREVER
    assert cache_control("photos/deadline.jpg") == "public, max-age=3600"
