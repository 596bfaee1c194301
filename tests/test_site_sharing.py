"""What search engines and share cards read: meta tags on every page, canonical links, the
sitemap (checked against the Sitemap protocol's own schema) and robots.txt."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, SITE_PAGES
from lxml import etree, html

from feeds import rendering, sitemap
from feeds.config import parse_config
from feeds.urls import Links

SCHEMAS = Path(__file__).parent / "schemas"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def meta(tree, key: str, value: str) -> str | None:
    found = tree.find(f".//meta[@{key}='{value}']")
    return None if found is None else found.get("content")


def test_every_page_has_description_share_and_canonical_tags(build_site):
    _, public = build_site(SITE_PAGES)
    pages = sorted(public.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        tree = html.fromstring(page.read_bytes())
        title = tree.findtext(".//title")
        description = meta(tree, "name", "description")
        assert description and len(description) <= 120 and "\n" not in description, page
        assert meta(tree, "property", "og:title") == title, page
        assert meta(tree, "property", "og:description") == description, page
        assert meta(tree, "property", "og:site_name") == "城区新闻"
        assert meta(tree, "property", "og:locale") == "zh_CN"
        assert meta(tree, "name", "twitter:card") == "summary"
        assert meta(tree, "name", "twitter:title") == title
        assert meta(tree, "property", "og:image") is None  # no entry has a photo here
        canonical = tree.find(".//link[@rel='canonical']")
        if page.name == "404.html":  # served at every missing URL: no URL of its own
            assert canonical is None and meta(tree, "name", "robots") == "noindex"
            continue
        relative = page.relative_to(public).as_posix()
        expected = "https://news.example.cn/" + relative.removesuffix("index.html")
        assert canonical.get("href") == expected == meta(tree, "property", "og:url")
        is_article = page.parent.name.isdigit() and page.name != "index.html"
        assert meta(tree, "property", "og:type") == ("article" if is_article else "website")


def test_an_article_shares_its_lead_time_and_section(build_site):
    _, public = build_site(SITE_PAGES)
    (page,) = [p for p in public.glob("2024/02/02/*.html") if p.name != "index.html"]
    tree = html.fromstring(page.read_bytes())
    assert meta(tree, "name", "description") == \
        "2月1日，城区统计部门发布数据，全区经济运行开局良好，企业生产稳定。"
    assert meta(tree, "property", "article:published_time") == "2024-02-02T06:00:00+08:00"
    assert meta(tree, "property", "article:section") == "经济"
    assert meta(tree, "property", "og:title") == "城区经济运行开局良好 · 城区新闻"


def test_the_sitemap_follows_the_protocols_schema_and_lists_every_page(build_site):
    _, public = build_site(SITE_PAGES)
    document = etree.parse(str(public / "sitemap.xml"))
    schema("sitemap.xsd").assertValid(document)
    listed = [loc.text for loc in document.iter(f"{SITEMAP_NS}loc")]
    assert len(listed) == len(set(listed))
    pages = {"https://news.example.cn/" + p.relative_to(public).as_posix().removesuffix(
        "index.html") for p in public.rglob("*.html") if p.name != "404.html"}
    assert set(listed) == pages
    robots = (public / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://news.example.cn/sitemap.xml" in robots.splitlines()


def test_past_50000_urls_the_sitemap_is_an_index_of_parts(tmp_path):
    config = parse_config({"site": {"base_url": "https://news.example.cn/"}}, root=ROOT)
    env = rendering.environment(config)
    links = Links(config.site.base_url)
    pages = [sitemap.Located(f"https://news.example.cn/2024/01/{n:05d}/", "2024-01-02")
             for n in range(10)]
    articles = [sitemap.Located(f"https://news.example.cn/a/{n}.html", f"2024-02-{n % 28 + 1:02d}")
                for n in range(sitemap.LIMIT + 1)]
    outputs = {o.path: o.render() for o in sitemap.outputs(env, links, "", pages, articles)}
    assert sorted(outputs) == ["robots.txt", "sitemap.xml", "sitemaps/articles-1.xml",
                               "sitemaps/articles-2.xml", "sitemaps/pages-1.xml"]
    index = etree.fromstring(outputs["sitemap.xml"])
    schema("siteindex.xsd").assertValid(index)
    assert [loc.text for loc in index.iter(f"{SITEMAP_NS}loc")] == [
        "https://news.example.cn/sitemaps/pages-1.xml",
        "https://news.example.cn/sitemaps/articles-1.xml",
        "https://news.example.cn/sitemaps/articles-2.xml"]
    counted = 0
    for name in ("sitemaps/pages-1.xml", "sitemaps/articles-1.xml", "sitemaps/articles-2.xml"):
        part = etree.fromstring(outputs[name])
        schema("sitemap.xsd").assertValid(part)
        counted += len(part)
    assert counted == len(pages) + len(articles)


@pytest.mark.parametrize("count", [1, sitemap.LIMIT])
def test_up_to_50000_urls_the_sitemap_is_one_document(count):
    config = parse_config({}, root=ROOT)
    outputs = {o.path: o.render() for o in sitemap.outputs(
        rendering.environment(config), Links("https://news.example.cn/"), "", [],
        [sitemap.Located(f"https://news.example.cn/{n}.html", "2024-02-01") for n in range(count)])}
    assert sorted(outputs) == ["robots.txt", "sitemap.xml"]
    document = etree.fromstring(outputs["sitemap.xml"])
    schema("sitemap.xsd").assertValid(document)
    assert len(document) == count
