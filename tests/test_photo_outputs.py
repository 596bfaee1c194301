"""Photos as readers meet them: article pages, every feed format, the digest, `feeds check`.

There is no offline W3C feed validator: the feed tests check with lxml what the
specifications require of what we add (RSS 2.0 enclosure, Media RSS, RFC 4287 links,
JSON Feed 1.1 attachments), and read every feed back with feedparser.
"""

import email
import json
import shutil
import subprocess
import sys
from email import policy

import feedparser
import lxml.html
from conftest import page
from digest_support import NOW, make_site
from lxml import etree
from photo_support import picture

from feeds.content.loader import load
from feeds.digest.edition import make
from feeds.digest.render import Recipient, Renderer
from feeds.mail.message import Letter, Sender, to_bytes

BASE = "https://news.example.cn/"
MEDIA = "{http://search.yahoo.com/mrss/}"
ATOM = "{http://www.w3.org/2005/Atom}"

PAGE = """\
    第A01版 要闻

    ## 新公园开园迎客

    本报讯 3月4日，城东新公园正式开园。

    ![图为开园当天的游客。记者 吴迪 摄](photos/park.jpg)

    公园占地两百亩，设有步道和儿童乐园。

    ## 春季植树活动启动

    本报讯 3月4日上午，植树活动在河堤举行。

    图为志愿者在植树。

    志愿者们种下樱花树三百棵。

    记者 钱晓东 摄

    ## 区图书馆延长开放时间

    本报讯 3月4日起，区图书馆每天开放到晚上九点。
    """


def photo_site(tmp_path, park=None):
    content = tmp_path / "content"
    (content / "photos").mkdir(parents=True, exist_ok=True)
    (content / "photos" / "park.jpg").write_bytes(park or picture((1650, 1100), (40, 140, 60)))
    (content / "2024-03-05-a01-1.jpg").write_bytes(picture((900, 1200), (200, 120, 40)))
    return {"2024-03-05-a01.txt": PAGE}


def article(public, headline):
    for path in public.glob("2024/03/05/*.html"):
        document = lxml.html.fromstring(path.read_bytes())
        if document.findtext(".//h1") == headline:
            return path, document
    raise AssertionError(headline)


def test_an_article_page_shows_its_photo_as_a_figure(build_site, tmp_path):
    build_site(photo_site(tmp_path))
    public = tmp_path / "public"
    path, document = article(public, "新公园开园迎客")
    [figure] = document.findall(".//figure")
    img = figure.find(".//img")
    assert img.get("alt") == "图为开园当天的游客。"
    assert img.get("loading") == "lazy"
    assert (img.get("width"), img.get("height")) == ("800", "533")
    assert [part.split()[1] for part in img.get("srcset").split(", ")] == ["1600w", "800w", "400w"]
    assert img.get("sizes")
    webp = figure.find(".//source").get("srcset")
    for url in [img.get("src")] + [p.split()[0] for p in img.get("srcset").split(", ")
                                   + webp.split(", ")]:
        assert (path.parent / url).resolve().is_file(), url  # relative, and published
    assert figure.findtext("figcaption").strip() == "图为开园当天的游客。"
    assert figure.findtext(".//figcaption/span") == "记者 吴迪 摄"
    [og] = document.xpath("//meta[@property='og:image']")
    assert og.get("content").startswith(BASE + "images/") and og.get("content").endswith(
        "-1600.jpg")
    assert (public / og.get("content").removeprefix(BASE)).is_file()
    _, plain = article(public, "区图书馆延长开放时间")
    assert not plain.findall(".//figure") and not plain.xpath("//meta[@property='og:image']")


def test_every_feed_item_with_a_photo_has_its_enclosure_and_thumbnail(build_site, tmp_path):
    build_site(photo_site(tmp_path))
    public = tmp_path / "public"
    rss = feedparser.parse(public / "feeds" / "all.rss.xml")
    atom = feedparser.parse(public / "feeds" / "all.atom.xml")
    for parsed in (rss, atom):
        assert not parsed.bozo
        with_photo = {e.title: e for e in parsed.entries if e.enclosures}
        assert set(with_photo) == {"新公园开园迎客", "春季植树活动启动"}
        for entry in with_photo.values():
            [enclosure] = entry.enclosures
            assert enclosure.href.startswith(BASE + "images/")
            assert enclosure.type == "image/jpeg"
            path = public / enclosure.href.removeprefix(BASE)
            assert int(enclosure.length) == path.stat().st_size
            html = entry.content[0].value
            assert f'src="{BASE}images/' in html and 'src="images/' not in html
    for entry in rss.entries:
        if entry.enclosures:
            [thumbnail] = entry.media_thumbnail
            assert thumbnail["url"].endswith("-400.jpg")
            assert entry.media_content[0]["url"] == entry.enclosures[0].href
    trees = next(e for e in rss.entries if e.title == "春季植树活动启动")
    assert trees.media_thumbnail[0]["width"] == "400"
    assert (trees.media_thumbnail[0]["height"], trees.media_content[0]["height"]) == ("533", "1200")
    feed = json.loads((public / "feeds" / "all.json").read_bytes())
    items = {i["title"]: i for i in feed["items"]}
    assert items["新公园开园迎客"]["image"].endswith("-1600.jpg")
    [attachment] = items["新公园开园迎客"]["attachments"]
    assert attachment["mime_type"] == "image/jpeg" and attachment["size_in_bytes"] > 0
    assert attachment["title"] == "图为开园当天的游客。 记者 吴迪 摄"
    assert "image" not in items["区图书馆延长开放时间"]


def test_feeds_meet_what_the_specifications_require_of_pictures(build_site, tmp_path):
    build_site(photo_site(tmp_path))
    feeds = tmp_path / "public" / "feeds"
    rss = etree.parse(str(feeds / "all.rss.xml"))
    for item in rss.iter("item"):
        enclosures = item.findall("enclosure")
        assert len(enclosures) <= 1  # RSS 2.0 readers take one enclosure per item
        for enclosure in enclosures:  # url, length and type are all required
            assert enclosure.get("url").startswith("https://")
            assert enclosure.get("length").isdigit() and int(enclosure.get("length")) > 0
            assert enclosure.get("type") == "image/jpeg"
        # Media RSS: one media:content per picture, its thumbnail and caption inside it;
        # no media:group, which the W3C validator refuses with fewer than two contents
        assert not item.findall(f"{MEDIA}group")
        contents = item.findall(f"{MEDIA}content")
        for content in contents:
            assert content.get("medium") == "image" and content.get("url").startswith("https://")
            assert content.get("width").isdigit() and content.get("height").isdigit()
            assert content.get("fileSize").isdigit()
            [thumbnail] = content.findall(f"{MEDIA}thumbnail")
            assert thumbnail.get("url").startswith("https://")
            [description] = content.findall(f"{MEDIA}description")
            assert description.get("type") == "plain" and description.text
        assert (len(contents) > 0) == (len(enclosures) == 1)
    atom = etree.parse(str(feeds / "all.atom.xml"))
    for entry in atom.iter(f"{ATOM}entry"):
        links = entry.findall(f"{ATOM}link")
        # RFC 4287 4.2.7: one alternate per type; enclosures carry a length
        assert [x.get("rel") for x in links].count("alternate") == 1
        for link in links:
            if link.get("rel") == "enclosure":
                assert link.get("type") == "image/jpeg" and link.get("length").isdigit()
                assert link.get("href").startswith("https://")


def test_a_rebuild_with_unchanged_photos_writes_nothing_and_the_cache_changes_no_byte(
        build_site, tmp_path):
    first, public = build_site(photo_site(tmp_path))
    images = sorted(p for p in first.summary.written if p.startswith("images/"))
    assert len(images) == 12  # two photos, three widths (the 900-wide one: 900, 800, 400), two formats
    before = {p: p.read_bytes() for p in public.rglob("*") if p.is_file()}
    again, _ = build_site()
    assert again.summary.written == [] and again.summary.removed == []
    shutil.rmtree(tmp_path / "state" / "cache")
    after_cache_deleted, _ = build_site()
    assert after_cache_deleted.summary.written == []
    assert {p: p.read_bytes() for p in public.rglob("*") if p.is_file()} == before


def test_a_changed_photo_gets_new_file_names_and_the_old_files_go(build_site, tmp_path):
    first, public = build_site(photo_site(tmp_path))
    old = {p for p in first.summary.written if p.startswith("images/")}
    (tmp_path / "content" / "photos" / "park.jpg").write_bytes(picture((1650, 1100), (0, 0, 90)))
    second, _ = build_site()
    gone = set(second.summary.removed)
    assert len(gone) == 6 and gone <= old
    path, document = article(public, "新公园开园迎客")
    src = document.find(".//img").get("src")
    assert src.rsplit("/", 1)[1] not in {p.rsplit("/", 1)[1] for p in gone}
    assert path.relative_to(public).as_posix() in second.summary.written


def test_a_bad_photo_is_a_warning_with_file_and_line_and_the_article_still_appears(
        build_site, tmp_path):
    files = photo_site(tmp_path, park=picture((1650, 1100))[:5000])
    result, public = build_site(files)
    [problem] = result.photo_problems
    assert str(problem).startswith(
        "2024-03-05-a01.txt:7: image photos/park.jpg: is truncated or damaged")
    assert str(problem).endswith("; the article is published without it")
    again, _ = build_site()  # the cache remembers why, and says it the same way
    assert again.photo_problems == result.photo_problems
    _, park = article(public, "新公园开园迎客")
    assert not park.findall(".//figure")
    _, trees = article(public, "春季植树活动启动")
    assert len(trees.findall(".//figure")) == 1
    rss = feedparser.parse(public / "feeds" / "all.rss.xml")
    assert [e.title for e in rss.entries if e.enclosures] == ["春季植树活动启动"]


def test_the_digest_shows_hosted_thumbnails_and_attaches_nothing(tmp_path):
    photo_site(tmp_path)
    config = make_site(tmp_path, pages={"2024-03-05-a01.txt": PAGE})
    catalog = load(config)
    edition = make(list(catalog.entries), catalog.sections, set())
    reader = Recipient("wang@example.com", f"{BASE}unsubscribe?token=a.b",
                       f"{BASE}preferences?token=c.d", "全部栏目")
    rendered = Renderer(config).email(edition, edition.groups, reader)
    document = lxml.html.fromstring(rendered.html)
    thumbnails = document.xpath("//img[contains(@class, 'thumb')]")
    assert len(thumbnails) == 2
    park = next(t for t in thumbnails if t.get("alt") == "图为开园当天的游客。")
    assert park.get("src").startswith(BASE + "images/") and park.get("src").endswith("-400.jpg")
    assert (park.get("width"), park.get("height")) == ("120", "80")
    assert "prefers-color-scheme: dark" in rendered.html and ".thumb" in rendered.html
    letter = Letter(Sender.from_config(config), reader.email, rendered.subject, rendered.text,
                    rendered.html, "<x@news.example.cn>", NOW, reader.unsubscribe_url,
                    "mailto:u@news.example.cn")
    message = email.message_from_bytes(to_bytes(letter), policy=policy.default)
    assert [p.get_content_type() for p in message.walk()] == [
        "multipart/alternative", "text/plain", "text/html"]


def test_a_digest_full_of_photos_stays_within_its_size_budget(tmp_path):
    photo_site(tmp_path)
    body = "".join(f"## 第{i}条图片新闻\n\n本报讯 3月2日，公园里举行第{i}场活动。\n\n"
                   f"![图为第{i}场活动现场。记者 吴迪 摄](photos/park.jpg)\n\n" for i in range(80))
    config = make_site(tmp_path, pages={"2024-03-02-a01.txt": "第1版 要闻\n\n" + body},
                       digest={"max_html_bytes": 40_000})
    catalog = load(config)
    edition = make(list(catalog.entries), catalog.sections, set())
    rendered = Renderer(config).email(edition, edition.groups, Recipient(
        "wang@example.com", f"{BASE}u?token=a", f"{BASE}p?token=b", "全部栏目"))
    assert rendered.trimmed
    assert len(rendered.html.encode()) <= 40_000
    assert rendered.html.count('class="thumb"') >= 5


def test_check_lists_images_missing_files_and_images_without_caption(tmp_path):
    content = tmp_path / "content"
    (content / "photos").mkdir(parents=True)
    (content / "photos" / "park.jpg").write_bytes(picture((400, 300)))
    (content / "2024-03-05-a01.txt").write_text(page("""\
        ## 新公园开园迎客

        本报讯 3月4日，城东新公园正式开园。

        ![图为开园当天的游客。记者 吴迪 摄](photos/park.jpg)

        ![](photos/gone.jpg)

        公园占地两百亩。
        """), encoding="utf-8")
    def check(*args):
        return subprocess.run([sys.executable, "-m", "feeds", "check", "--content",
                               str(content), *args], cwd=tmp_path, capture_output=True,
                              text=True, encoding="utf-8", timeout=120)
    run = check()
    assert run.returncode == 0, run.stderr
    assert "2024-03-05-a01.txt:5: photos/park.jpg: 图为开园当天的游客。 (记者 吴迪 摄)" in run.stdout
    assert "2024-03-05-a01.txt:7: warning: image photos/gone.jpg not found" in run.stdout
    assert "2024-03-05-a01.txt:7: warning: image photos/gone.jpg has no caption" in run.stdout
    assert "2 images, 1 missing, 1 without caption" in run.stdout
    assert check("--strict").returncode == 1
