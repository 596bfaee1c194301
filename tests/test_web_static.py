"""The built site served by a real uvicorn, read back with httpx."""

import gzip
import os
from pathlib import Path

import httpx
import pytest
from conftest import SITE_PAGES
from lxml import html
from web_support import serving

from feeds.config import parse_config
from feeds.web import create_app


@pytest.fixture
def site(build_site, tmp_path: Path):
    _, public = build_site(SITE_PAGES)
    config = parse_config({"site": {"output_dir": "public"}}, root=tmp_path)
    with serving(create_app(config)) as base, httpx.Client(base_url=base) as client:
        yield client, public


@pytest.mark.parametrize(("path", "media_type"), [
    ("/feeds/all.rss.xml", "application/rss+xml; charset=utf-8"),
    ("/feeds/all.atom.xml", "application/atom+xml; charset=utf-8"),
    ("/feeds/all.json", "application/feed+json; charset=utf-8"),
    ("/feeds/index.opml", "text/x-opml; charset=utf-8"),
    ("/feeds/feed.xsl", "text/xsl; charset=utf-8"),
    ("/", "text/html; charset=utf-8"),
    ("/sections/economy.html", "text/html; charset=utf-8"),
])
def test_content_types(site, path, media_type):
    client, _ = site
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type


def test_strong_etag_from_the_bytes_and_conditional_get(site):
    client, public = site
    first = client.get("/feeds/all.rss.xml")
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.content == (public / "feeds" / "all.rss.xml").read_bytes()
    assert first.headers["cache-control"] == "public, max-age=300"
    again = client.get("/feeds/all.rss.xml", headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == etag
    since = client.get("/feeds/all.rss.xml",
                       headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    # If-None-Match wins: a stale tag means a full answer whatever the date says
    both = client.get("/feeds/all.rss.xml", headers={
        "If-None-Match": '"stale"', "If-Modified-Since": first.headers["last-modified"]})
    assert both.status_code == 200


def test_a_changed_file_gets_a_new_etag(site):
    client, public = site
    etag = client.get("/index.html").headers["etag"]
    page = public / "index.html"
    page.write_bytes(page.read_bytes() + b"\n")
    os.utime(page, ns=(10**18, 10**18))
    changed = client.get("/index.html", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_head_has_the_headers_and_no_body(site):
    client, _ = site
    get, head = client.get("/feeds/all.atom.xml"), client.head("/feeds/all.atom.xml")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["etag"] == get.headers["etag"]


def test_gzip_when_asked_with_its_own_etag(site):
    client, public = site
    zipped = client.get("/feeds/all.rss.xml", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == (public / "feeds" / "all.rss.xml").read_bytes()  # httpx inflates
    plain = client.get("/feeds/all.rss.xml", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["etag"] != plain.headers["etag"]
    with client.stream("GET", "/feeds/all.rss.xml", headers={"Accept-Encoding": "gzip"}) as raw:
        wire = b"".join(raw.iter_raw())
    assert len(wire) < len(zipped.content)
    assert gzip.decompress(wire) == zipped.content  # the bytes sent really are gzip
    not_again = client.get("/feeds/all.rss.xml", headers={
        "Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]})
    assert not_again.status_code == 304


@pytest.mark.parametrize("path", [
    "/../feeds.toml", "/feeds/../../feeds.toml", "/%2e%2e/feeds.toml", "/feeds/%2E%2E/%2e%2e/x",
    "/.feeds-staging-x/a", "/sections", "/nope.html", "/feeds/all.rss.xml%00.html",
])
def test_nothing_outside_the_site_no_listings_no_hidden_files(site, path):
    client, public = site
    response = client.get(path)
    assert response.status_code == 404
    # the site's own 404 page, never a listing or a file from outside
    assert response.content == (public / "404.html").read_bytes()
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_a_miss_gets_the_sites_404_page_in_its_language(site):
    client, _public = site
    response = client.get("/2024/13/99/nothing.html")
    assert response.status_code == 404
    page = html.fromstring(response.content)
    assert page.get("lang") == "zh-CN"
    assert page.findtext(".//h1") == "找不到这个页面"
    # its links start from the root, so they work from any depth
    for href in (a.get("href") for a in page.iter("a")):
        assert href.startswith("/"), href
        assert client.get(href).status_code == 200, href
    assert client.head("/nope").status_code == 404 and client.head("/nope").content == b""


def test_without_a_404_page_a_miss_gets_the_apps_own_page(site):
    client, public = site
    (public / "404.html").unlink()
    response = client.get("/nope.html")
    assert response.status_code == 404
    assert html.fromstring(response.content).get("lang") == "zh-CN"


def test_a_folder_serves_its_index_never_a_listing(site):
    client, public = site
    response = client.get("/feeds/")
    assert response.status_code == 200
    assert response.content == (public / "feeds" / "index.html").read_bytes()
    assert client.get("/2024/02/").status_code == 404


def test_symlink_pointing_outside_is_refused(site, tmp_path):
    client, public = site
    (tmp_path / "secret.txt").write_text("secret")
    (public / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (public / "inside.txt").symlink_to(public / "index.html")
    assert client.get("/leak.txt").status_code == 404
    assert client.get("/inside.txt").status_code == 200


def test_only_get_and_head(site):
    client, _ = site
    response = client.post("/feeds/all.rss.xml")
    assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD"
