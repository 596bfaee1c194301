import pytest

from feeds.slugs import MAX_SYLLABLES, section_slug, slug


@pytest.mark.parametrize(("name", "expected"), [
    ("银行", "yin-hang"),  # 行 read as in its word, not alone (xing)
    ("重庆银行行长", "chong-qing-yin-hang-hang-zhang"),
    ("音乐会", "yin-yue-hui"),
    ("女儿绿化", "nv-er-lv-hua"),  # ü written v, as pinyin input methods type it
    ("为人民服务", "wei-ren-min-fu-wu"),
])
def test_readings_follow_the_word_a_character_is_in(name, expected):
    assert section_slug(name) == expected


def test_the_last_syllable_a_slug_keeps_is_read_in_its_word():
    made = slug("一二三四五六七行长来访", "k")  # 行 is the eighth syllable, of 行长
    assert made.split("-")[:MAX_SYLLABLES] == [
        "yi", "er", "san", "si", "wu", "liu", "qi", "hang"]
    assert len(made.split("-")) == MAX_SYLLABLES + 1  # and the id's four hex digits


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


def _words(made):
    return made.rsplit("-", 1)[0]  # without the four hex digits of the id


def test_slugs_made_ahead_in_a_second_process_are_the_ones_made_here():
    import multiprocessing

    from feeds import ahead, slugs

    titles = ["重庆银行行长来访", "知识产权质押融资银企对接会", "5G网络覆盖全区"]
    here = [_words(slug(title, f"here-{i}")) for i, title in enumerate(titles)]
    with ahead.working_ahead():
        assert len(multiprocessing.active_children()) == 1
        slugs.prepare((title, f"ahead-{i}") for i, title in enumerate(titles))
        ahead = [_words(slug(title, f"ahead-{i}")) for i, title in enumerate(titles)]
        assert section_slug("城市新闻") == "cheng-shi-xin-wen"
    assert ahead == here
    assert multiprocessing.active_children() == []  # it ended with the block


def test_a_process_forked_inside_the_block_makes_its_slugs_itself():
    import multiprocessing

    from feeds import ahead

    # a process forked inside the block, as the loader's workers are
    with ahead.working_ahead(), multiprocessing.get_context("fork").Pool(1) as pool:
        made = pool.apply(slug, ("银行行长", "forked"))
    assert _words(made) == "yin-hang-hang-zhang"
