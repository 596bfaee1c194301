import codecs

import pytest

from feeds import decoding
from feeds.model import Author

PAGE = "第05版：城区新闻 2024年3月6日\n\n# 城区召开春季植树动员会\n\n本报讯 3月5日，城区召开动员会，部署全年绿\n\n化任务。\n\n记者 赵一鸣\n"


def check(catalog):
    (entry,) = catalog.entries
    assert entry.title == "城区召开春季植树动员会"
    assert entry.paragraphs == ("3月5日，城区召开动员会，部署全年绿化任务。",)
    assert entry.authors == (Author("赵一鸣", "记者"),)
    assert entry.section == "城区新闻"
    return catalog.files[0]


def test_utf8_with_bom(load_pages):
    check(load_pages({"a.txt": codecs.BOM_UTF8 + PAGE.encode()}))


def test_gb18030(load_pages):
    report = check(load_pages({"a.txt": PAGE.encode("gb18030")}))
    assert report.encoding == "gb18030"


def test_gbk(load_pages):
    check(load_pages({"a.txt": PAGE.encode("gbk")}))


def test_utf16_with_bom(load_pages):
    check(load_pages({"a.txt": PAGE.encode("utf-16")}))


def test_crlf_and_lone_cr_line_ends(load_pages):
    check(load_pages({"a.txt": PAGE.replace("\n", "\r\n").encode()}))
    check(load_pages({"a.txt": PAGE.replace("\n", "\r").encode()}))


def test_form_feed_at_a_page_break_is_a_line_break(load_pages):
    check(load_pages({"a.txt": PAGE.replace("绿\n\n化", "绿\f化").encode()}))


def test_mixed_ascii_and_full_width_punctuation_is_kept_as_printed(load_pages):
    catalog = load_pages({"a.txt": PAGE.replace("动员会，", "动员会,").encode()})
    assert catalog.entries[0].paragraphs[0].startswith("3月5日，城区召开动员会,部署")


def test_control_characters_are_removed_and_reported_with_their_line(load_pages):
    catalog = load_pages({"a.txt": PAGE.replace("部署", "部\x00署\x07").encode()})
    report = check(catalog)
    (problem,) = [p for p in report.problems if p.severity == "warning"]
    assert problem.line == 5
    assert "control character" in problem.message


def test_undecodable_bytes_skip_the_file_and_name_the_line(load_pages):
    data = PAGE.encode() + b"\n\xff\xfe\xfa\x80\x81" * 3 + bytes(range(128, 256))
    catalog = load_pages({"bad.txt": data, "good.txt": PAGE})
    bad, good = catalog.files
    assert bad.skipped and not good.skipped
    (problem,) = bad.problems
    assert problem.line == 11
    assert "cannot decode" in problem.message
    assert len(catalog.entries) == 1


# feeds.decoding: the one way every file's bytes become text (pages and subscriber lists)

@pytest.mark.parametrize("text", [
    "张三,a@b.cn\n",  # charset-normalizer left to itself takes this for Big5
    "wang@example.com,王芳,教育、经济\n",  # … and this for Korean (cp949)
    PAGE,
])
def test_short_gb18030_text_is_read_as_gb18030(text):
    for saved_as in ("gb18030", "gbk"):
        decoded = decoding.decode(text.encode(saved_as))
        assert (decoded.text, decoded.encoding, decoded.notes) == (text, "gb18030", ())


def test_big5_and_utf16_without_a_mark_are_read_too():
    text = "臺灣新聞報導，今天天氣很好。" * 3
    assert decoding.decode(text.encode("big5")).text == text
    assert decoding.decode(PAGE.encode("utf-16-le")).text == PAGE
    assert decoding.decode(PAGE.encode("utf-32")).text == PAGE


def test_a_few_stray_bytes_are_replaced_and_noted_with_their_line():
    decoded = decoding.decode(PAGE.encode() + b"\xff\n")
    assert decoded.text == PAGE + "\ufffd\n"
    assert decoded.notes == ((10, "replaced 1 undecodable sequence(s) with U+FFFD "
                                  "(first on this line)"),)


def test_binary_data_is_refused_with_the_line_of_the_first_bad_byte():
    with pytest.raises(decoding.Undecodable) as refused:
        decoding.decode(b"line one\nline two\n" + bytes(range(128, 256)) * 4)
    assert refused.value.line == 3
