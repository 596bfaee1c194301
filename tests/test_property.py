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


# ------------------------------------------------------- converted pages vs clean ones
# A page is assembled twice from the same articles: clean (each paragraph on one line,
# the page header once) and as PDF conversion leaves it (paragraphs broken mid-sentence,
# running heads, page numbers and staff lines at the breaks, an article jumping to a
# later page under its headline repeated or shortened). Both must give the same articles.

# Each headline with its own sentences: articles do not share text.
STORIES = {
    "城区召开春季植树动员会": ["会议部署了全年城乡绿化美化工作，要求各街道落实责任。",
                              "今年将新增绿地二十公顷，建成口袋公园五座。", "各街道负责人作了表态发言。"],
    "老旧小区改造工程全面开工": ["今年改造涉及小区四十二个，惠及居民八千余户。",
                               "施工单位承诺文明施工，尽量减少对居民生活的影响。", "改造内容包括管网更新和加装电梯。"],
    "全民阅读活动走进社区": ["活动吸引了众多居民参与，气氛热烈。", "图书馆还为社区送去新书两千册。",
                           "小读者们在志愿者带领下朗读经典诗文。"],
    "新能源公交线路正式开通": ["新线路全长十八公里，沿途设站二十六个。", "首班车早六点发车，末班车晚十点收车。",
                             "市民可使用手机扫码乘车。"],
}
HEADLINES = list(STORIES)
NAMES = ["赵一鸣", "钱晓东", "孙雨晴", "李平", "周海"]
HEADER = "城东日报\n2024年3月6日 星期三 第01版 要闻\n"
FURNITURE = ["城东日报", "2024年3月6日 星期三 第02版 要闻", "7", "- 8 -",
             "责任编辑：王芳 校对：陈静", "美编：刘洋"]
UNITS = "0123456789年月日号时点分秒个名人位家户所项件次届岁天周元万亿千百米吨亩%％.．:：-—～~"
PAGE_SETTINGS = Settings("example.cn", Rules("要闻", False, 2, (), ()))


@st.composite
def articles(draw):
    chosen = draw(st.lists(st.sampled_from(range(len(HEADLINES))), min_size=1, max_size=4,
                           unique=True))
    made = []
    for index in chosen:
        day = draw(st.integers(1, 5))
        story = draw(st.permutations(STORIES[HEADLINES[index]]))
        paragraphs = [f"本报讯 3月{day}日，" + story[0], *story[1:draw(st.integers(1, 3))]]
        byline = draw(st.sampled_from(["none", "last line", "top", "marked top", "bracketed"]))
        made.append((HEADLINES[index], paragraphs, byline, draw(st.sampled_from(NAMES))))
    return made


def body_lines(paragraphs, byline, name):
    """The article's lines, clean, bylines placed as the shape says: (text, whether it is
    a paragraph, which conversion may break; a byline line is too short to be)."""
    lines = [(p, True) for p in paragraphs]
    if byline == "last line":
        lines.append((f"记者 {name}", False))
    elif byline == "top":
        lines.insert(0, (f"本报记者 {name}", False))
    elif byline == "marked top":
        lines.insert(0, (f"■记者 {name}", False))
    elif byline == "bracketed":
        lines[-1] = (lines[-1][0] + f"（记者 {name}）", True)
    return lines


def clean_page(made):
    out = [HEADER]
    for headline, paragraphs, byline, name in made:
        out.append(f"## {headline}\n\n" + "\n\n".join(t for t, _ in body_lines(paragraphs, byline, name)) + "\n")
    return "\n".join(out)


def broken(draw, line):
    """A line cut into pieces where a column ended, not after a sentence end, with page
    furniture between some of them."""
    pieces = [line]
    for _ in range(draw(st.integers(0, 2))):
        last = pieces.pop()
        cuts = [i for i in range(1, len(last)) if last[i - 1] not in "。！？；：）"]
        if not cuts:
            pieces.append(last)
            break
        cut = draw(st.sampled_from(cuts))
        pieces += [last[:cut], last[cut:]]
    out = []
    for piece in pieces:
        if out:
            # A page number before a unit or counter (今 | 7 | 年, 3 | 7 | 月1日) cannot be
            # told from the text: the loader keeps it, so such pages are not generated.
            beside_a_number = out[-1].rstrip()[-1:].isdigit() or piece.lstrip()[:1] in UNITS
            allowed = [f for f in FURNITURE if not ((beside_a_number and f[-1].isdigit())
                                                    or (beside_a_number and f.endswith("-")))]
            out += draw(st.lists(st.sampled_from(allowed), max_size=2))
        out.append(piece)
    return out


def starts_with_a_unit(pieces):
    """Whether the first piece of text (not furniture) starts with a unit or counter."""
    first = next((p.strip() for p in pieces if p not in FURNITURE and p.strip()), "")
    return bool(first) and first[0] in UNITS


@st.composite
def converted_page(draw, made):
    jumper = draw(st.sampled_from([None, *range(len(made))]))
    out, rest = [HEADER], None
    for i, (headline, paragraphs, byline, name) in enumerate(made):
        lines = body_lines(paragraphs, byline, name)
        text = [piece for line, paragraph in lines
                for piece in (broken(draw, line) if paragraph else [line])]
        # A jump cut before a unit (3 | 下转 … 上接 | 月1日) leaves a lone number whose next
        # text is on another page: the loader takes it for a page number, so none is made.
        cuts = [c for c in range(1, len(text)) if not starts_with_a_unit(text[c:])]
        if i == jumper and cuts:
            cut = draw(st.sampled_from(cuts))
            later = draw(st.sampled_from([headline, headline[2:], headline + "（上接第1版）"]))
            rest = f"## {later}\n\n" + "\n\n".join(text[cut:]) + "\n"
            if text[cut - 1] in FURNITURE:  # the marker on a line of its own
                text = [*text[:cut], "（下转第2版）"]
            else:  # closing the text of the column
                text = [*text[:cut - 1], text[cut - 1] + "（下转第2版）"]
        out.append(f"## {headline}\n\n" + "\n\n".join(text) + "\n")
    if rest:
        out += ["2024年3月6日 星期三 第02版 要闻\n", rest]
    return "\n".join(out)


def loaded(text):
    result = parse_file("2024-03-06.txt", text.encode(), PAGE_SETTINGS)
    assert not result.report.skipped, result.report.problems
    return [(e.title, e.paragraphs, e.authors, e.date, e.section, e.summary)
            for e in result.entries]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_converted_page_loads_into_the_same_articles_as_the_clean_one(data):
    made = data.draw(articles())
    assert loaded(data.draw(converted_page(made))) == loaded(clean_page(made))
