"""Which pictures an article names, with which caption and credit (feeds.content.images)."""

import sqlite3

from feeds.config import CACHE_FOLDER
from feeds.content.cache import CACHE_NAME
from feeds.content.loader import load, load_cached
from feeds.model import Photo

PAGE = """\
    第A01版 要闻

    # 新公园开园迎客

    本报讯 3月4日，城东新公园正式开园。

    ![图为开园当天的游客。记者 吴迪 摄](photos/park.jpg)

    公园占地两百亩，设有步道和儿童乐园。

    记者 赵一鸣

    # 春季植树活动启动

    本报讯 3月4日上午，植树活动在河堤举行。

    图为志愿者在植树。

    志愿者们种下樱花树三百棵。

    记者 钱晓东 摄

    # 图书馆延长开放时间

    本报讯 3月4日起，区图书馆每天开放到晚上九点。

    图为读者在阅览室看书。

    阅览室新增座位一百个。

    记者 孙悦 通讯员 周正 文/图
    """


def test_a_markdown_image_line_leaves_the_text_and_keeps_its_caption_and_credit(load_pages):
    catalog = load_pages({"2024-03-05-a01.txt": PAGE})
    park = catalog.entries[0]
    assert park.photos == (Photo("photos/park.jpg", "图为开园当天的游客。", "记者 吴迪 摄", 7),)
    assert not any("![" in p or "park.jpg" in p for p in park.paragraphs)
    assert park.paragraphs[-1] == "公园占地两百亩，设有步道和儿童乐园。"


def test_images_beside_a_page_take_its_captions_in_order(load_pages, content_dir):
    for name in ("2024-03-05-a01-2.jpg", "2024-03-05-a01-1.jpg", "2024-03-05-a01-x.jpg",
                 "other-1.jpg"):
        (content_dir / name).write_bytes(b"")
    catalog = load_pages({"2024-03-05-a01.txt": PAGE})
    trees, library = catalog.entries[1], catalog.entries[2]
    # 1 goes to the page's first caption, 2 to the second; a caption with a picture is
    # no longer a bare caption. The credit comes from the article's photographers (摄)
    # or from a 文/图 byline.
    assert trees.photos == (Photo("2024-03-05-a01-1.jpg", "图为志愿者在植树。", "钱晓东 摄", 13),)
    assert library.photos == (Photo("2024-03-05-a01-2.jpg", "图为读者在阅览室看书。",
                                    "记者 孙悦 通讯员 周正 文/图", 23),)
    assert trees.captions == library.captions == ()
    assert [e.to_json()["photos"] for e in catalog.entries][1] == [
        {"src": "2024-03-05-a01-1.jpg", "caption": "图为志愿者在植树。", "credit": "钱晓东 摄"}]


def test_an_image_beyond_the_captions_of_a_page_of_several_articles_is_reported(
        load_pages, content_dir):
    for number in (1, 2, 3):
        (content_dir / f"2024-03-05-a01-{number}.png").write_bytes(b"")
    catalog = load_pages({"2024-03-05-a01.txt": PAGE})
    assert [len(e.photos) for e in catalog.entries] == [1, 1, 1]
    problems = [p.message for p in catalog.files[0].problems]
    assert any("2024-03-05-a01-3.png has no caption on the page" in m for m in problems)


def test_a_single_article_takes_its_front_matter_image_and_the_images_beside_it(
        load_pages, content_dir):
    (content_dir / "story-1.webp").write_bytes(b"")
    catalog = load_pages({"story.md": """\
        ---
        title: 旧厂房变身文创园
        date: 2024-03-05
        image: pictures/lead.jpg
        author: 记者 孙悦
        ---
        本报讯 3月4日，旧厂房改造的文创园开园。

        园区入驻工作室四十家。
        """})
    entry = catalog.entries[0]
    assert [p.src for p in entry.photos] == ["pictures/lead.jpg", "story-1.webp"]
    assert [p.caption for p in entry.photos] == ["", ""]
    assert entry.photos[0].line == 1


def test_paths_leaving_the_content_directory_and_urls_are_refused(load_pages):
    catalog = load_pages({"2024-03-05-a02.txt": """\
        # 标题一

        本报讯 3月4日，正文。

        ![图为远处](../../etc/passwd.jpg)

        ![图为网上](https://example.com/a.jpg)

        ![图为这里](<folder/with space.jpg> "标题")
        """})
    entry = catalog.entries[0]
    assert [p.src for p in entry.photos] == ["folder/with space.jpg"]
    messages = [(p.line, p.message) for p in catalog.files[0].problems]
    assert (5, "image '../../etc/passwd.jpg' is not a path inside the content directory; "
               "not shown") in messages
    assert any(line == 7 and "https://example.com/a.jpg" in m for line, m in messages)


def test_a_new_image_beside_a_page_is_seen_by_the_parse_cache(tmp_path, content_dir,
                                                              make_config):
    (content_dir / "2024-03-05-a01.txt").write_text(PAGE.replace("\n    ", "\n"),
                                                    encoding="utf-8")
    config = make_config()
    with load_cached(config) as catalog:
        assert [len(e.photos) for e in catalog.entries] == [1, 0, 0]
    (content_dir / "2024-03-05-a01-1.jpg").write_bytes(b"")
    with load_cached(config) as catalog:
        assert [len(e.photos) for e in catalog.entries] == [1, 1, 0]
        assert [len(x.photos) for x in catalog.listings] == [1, 1, 0]


def test_a_parse_cache_from_before_photos_is_made_again(tmp_path, content_dir, make_config):
    (content_dir / "2024-03-05-a01.txt").write_text(PAGE.replace("\n    ", "\n"),
                                                    encoding="utf-8")
    config = make_config()
    with load_cached(config):
        pass
    path = tmp_path / "state" / CACHE_FOLDER / CACHE_NAME
    with sqlite3.connect(path) as db:  # the layout of version 3: entries had no photos
        db.execute("ALTER TABLE entries DROP COLUMN photos")
        db.execute("PRAGMA user_version = 3")
    db.close()
    with load_cached(config) as catalog:
        assert catalog.listings[0].photos == catalog.entries[0].photos != ()


def test_worker_processes_see_the_images_beside_the_pages_they_parse(content_dir, make_config):
    for number in range(60):  # enough files for the loader to start worker processes
        name = f"2024-03-{1 + number % 28:02d}-p{number}"
        (content_dir / f"{name}.txt").write_text(
            f"# 第{number}条新闻\n\n本报讯 3月1日，活动举行。\n\n图为活动现场。\n", encoding="utf-8")
        if number % 3 == 0:
            (content_dir / f"{name}-1.jpg").write_bytes(b"")
    config = make_config()
    parallel = load(config, jobs=2)
    assert parallel == load(config, jobs=1)
    assert sum(1 for e in parallel.entries if e.photos) == 20
