import pytest
from pypinyin import lazy_pinyin

from feeds.slugs import han_pinyin, section_slug, slug

HEADLINES = [
    "城区召开春季植树动员会", "重庆银行行长在长江边调研", "为人民服务", "音乐会在剧院举行",
    "女儿绿化家园", "重新开始长大成人", "银行行业调查", "各地积极开展垃圾分类工作",
    "中国统计开放日活动", "知识产权质押融资银企对接会",
]


@pytest.mark.parametrize("headline", HEADLINES)
def test_readings_agree_with_pypinyin(headline):
    assert han_pinyin(headline) == lazy_pinyin(headline)


def test_slug_is_ascii_short_and_readable():
    made = slug("知识产权质押融资银企对接会 护航经济平稳运行", "tag:x.cn,2024-01-02:abc")
    assert made.startswith("zhi-shi-chan-quan-zhi-ya-rong-zi-")
    assert made.isascii() and len(made) <= 48 + 5


def test_slug_depends_only_on_headline_and_id():
    assert slug("城区召开动员会", "id-1") == slug("城区召开动员会", "id-1")
    assert slug("城区召开动员会", "id-1") != slug("城区召开动员会", "id-2")


def test_latin_words_and_numbers_stay_whole():
    assert slug("5G网络覆盖全区 APEC会议", "k").startswith("5g-wang-luo-fu-gai-quan-qu-apec-")


def test_headline_without_han_or_latin_still_gets_a_slug():
    assert len(slug("……！", "k")) == 4


def test_section_slug_reads_every_syllable():
    assert section_slug("城区综合新闻频道") == "cheng-qu-zong-he-xin-wen-pin-dao"


def test_a_rebuild_reuses_the_slugs_an_earlier_build_made(build_site, tmp_path):
    import json

    _, public = build_site({"2024-03-06.txt": "## 城区召开春季植树动员会\n\n正文。\n"})
    book = json.loads((tmp_path / "state" / "cache" / "slugs.json").read_text(encoding="utf-8"))
    book = book["slugs"]
    sections = {k: v for k, v in book.items() if k.startswith("\x1esection\x1f")}
    assert sections == {"\x1esection\x1f要闻": "yao-wen"}  # the default section, unconfigured
    ((key, made),) = (item for item in book.items() if item[0] not in sections)
    assert key.endswith("\x1f城区召开春季植树动员会")
    assert (public / "2024/03/06" / f"{made}.html").is_file()
    assert made == slug("城区召开春季植树动员会", key.split("\x1f")[0])


def test_reading_tables_are_kept_compact_and_read_back(tmp_path, monkeypatch):
    import feeds.slugs as slugs

    kept = tmp_path / "pinyin.marshal"
    expected = lazy_pinyin("重庆银行行长")
    try:
        slugs.keep_tables_in(kept)
        assert han_pinyin("重庆银行行长") == expected
        assert kept.is_file()
        slugs.keep_tables_in(kept)  # as in the next run: nothing in memory
        with monkeypatch.context() as patched:
            patched.setattr(slugs, "_library_tables", lambda: pytest.fail("read pypinyin"))
            assert han_pinyin("重庆银行行长") == expected
        kept.write_bytes(b"damaged")
        slugs.keep_tables_in(kept)
        assert han_pinyin("重庆银行行长") == expected  # made again from pypinyin
        assert kept.read_bytes() != b"damaged"
    finally:
        slugs.keep_tables_in(None)
