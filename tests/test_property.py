"""No input makes the loader crash or hang: random text, bytes and page-like shapes."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.content.loader import Settings, parse_file
from feeds.content.sections import Rules

SETTINGS = Settings("example.cn", Rules("要闻", False, 2, (("教育", ("学校",)),), ()))

pieces = st.sampled_from([
    "# ", "## ", "### ", "#### ", "\n", "\n\n", "---\n", "date: 2024-01-02\n", "title: 标题\n",
    "本报讯", "（记者 张三 通讯员 李四）", "(记者 王五)", "记者 赵六 摄", "文/图 钱七", "图为现场。",
    "9月20日", "二〇二一年十二月二十九日", "近日", "20日", "第05版：东区新闻", "2024年1月2日",
    "。", "，", "“", "”", "\u3000", "\r\n", "\x00", "\x0c", "学校", "]]>", "<b>&amp;</b>",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_parses_or_is_reported(text):
    result = parse_file("2024-01-02/p.txt", text.encode("utf-8", "surrogatepass"), SETTINGS)
    assert result.report.skipped == (not result.entries)


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_any_bytes_parse_or_are_reported(data):
    result = parse_file("p.txt", data, SETTINGS)
    assert result.report.skipped == (not result.entries)


@settings(max_examples=500, deadline=None)
@given(st.lists(pieces, max_size=60))
def test_page_like_text_gives_well_formed_entries(parts):
    result = parse_file("2024-01-02/p.txt", "".join(parts).encode("utf-8"), SETTINGS)
    for entry in result.entries:
        assert entry.title and entry.paragraphs and all(entry.paragraphs)
        assert isinstance(entry.date, dt.date)
        if entry.date_approximate:
            assert entry.date == entry.issue_date
        assert "\x00" not in entry.title + "".join(entry.paragraphs)
        assert entry.summary == entry.paragraphs[0]
