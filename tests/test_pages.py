"""HTML pages read back with lxml: autodiscovery, language, links, no external assets."""

from pathlib import Path

from conftest import SITE_PAGES
from lxml import html

from feeds.content.loader import load


def parse(path: Path):
    return html.fromstring(path.read_bytes())


def test_article_page_is_the_permalink_with_autodiscovery(build_site):
    _, public = build_site(SITE_PAGES)
    entry = next(e for e in load(build_site.config).entries if e.title == "城区经济运行开局良好")
    (page,) = [p for p in public.glob("2024/02/02/*.html") if p.name != "index.html"]
    tree = parse(page)
    assert tree.get("lang") == "zh-CN"
    assert tree.find(".//meta[@name='viewport']") is not None
    assert tree.find(".//link[@rel='canonical']").get("href") == (
        "https://news.example.cn/" + page.relative_to(public).as_posix())
    feeds = {(link.get("type"), link.get("href")) for link in tree.iterfind(".//link[@rel='alternate']")}
    assert ("application/rss+xml", "https://news.example.cn/feeds/economy.rss.xml") in feeds
    assert ("application/atom+xml", "https://news.example.cn/feeds/all.atom.xml") in feeds
    assert ("application/feed+json", "https://news.example.cn/feeds/economy.json") in feeds
    assert tree.findtext(".//h1") == entry.headline
    assert tree.findtext(".//article//div[@class='text']/p") == entry.paragraphs[0]


def test_every_internal_link_resolves_to_a_file(build_site):
    _, public = build_site(SITE_PAGES)
    for page in public.rglob("*.html"):
        for anchor in parse(page).iter("a"):
            href = anchor.get("href")
            if href.startswith("http"):
                assert href.startswith("https://news.example.cn/feeds/"), href
                continue
            if page.name == "404.html":  # served at any URL: links start from the root
                assert href.startswith("/"), href
                target = public / href.lstrip("/")
                assert target.is_file() or (target / "index.html").is_file(), href
                continue
            target = (page.parent / href).resolve()
            assert target.is_file(), (page, href)


def test_no_external_assets(build_site):
    _, public = build_site(SITE_PAGES)
    for page in public.rglob("*.html"):
        tree = parse(page)
        assert tree.findall(".//script[@src]") == []
        assert tree.findall(".//img") == []
        assert list(tree.iterfind(".//link[@rel='stylesheet']")) == []


def test_home_lists_recent_entries_by_section(build_site):
    _, public = build_site(SITE_PAGES)
    tree = parse(public / "index.html")
    assert [h.text_content() for h in tree.iterfind(".//h2")] == ["教育", "经济"]
    links = [a.text_content() for a in tree.iterfind(".//ul[@class='entries']//a")]
    assert links == ["城区三所学校开展教学开放日活动", "城区经济运行开局良好",
                     "城区召开民营企业座谈会 助力企业发展提质增效"]
    section = parse(public / "sections" / "economy.html")
    assert section.find(".//nav/a[@aria-current='page']").text_content() == "经济"
