"""Bylines and datelines, each shape on a page written for it, through the real loader."""

import pytest

from feeds.model import Author


def one(catalog):
    assert len(catalog.entries) == 1, catalog.files
    return catalog.entries[0]


BODY = "本报讯 3月5日，城区召开春季植树动员会。\n\n会议部署了全年绿化任务。\n\n"


def test_byline_on_its_own_last_line_with_text_and_photo_credit(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "# 城区召开春季植树动员会\n\n" + BODY
                            + "记者 赵一鸣 通讯员 钱晓东 文/图\n"}))
    assert entry.authors == (Author("赵一鸣", "记者"), Author("钱晓东", "通讯员"))
    assert entry.paragraphs == ("3月5日，城区召开春季植树动员会。", "会议部署了全年绿化任务。")
    assert entry.byline == "记者 赵一鸣 通讯员 钱晓东 文/图"


def test_photo_credit_line_makes_the_reporter_the_photographer(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "# 城区召开春季植树动员会\n\n" + BODY
                            + "记者 孙雨晴 摄\n"}))
    assert entry.authors == (Author("孙雨晴", "摄"),)
    assert "摄" not in "".join(entry.paragraphs)


def test_bracketed_byline_on_its_own_line(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "# 城区召开春季植树动员会\n\n" + BODY
                            + "（记者 周海 实习生 吴敏）\n"}))
    assert entry.authors == (Author("周海", "记者"), Author("吴敏", "实习生"))
    assert entry.paragraphs[-1] == "会议部署了全年绿化任务。"


def test_bracketed_byline_at_the_end_of_the_last_paragraph(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "# 城区召开春季植树动员会\n\n"
                            "本报讯 3月5日，城区召开动员会。\n\n"
                            "会议部署了全年任务。(记者 郑凯 通讯员 王芳)\n"}))
    assert entry.authors == (Author("郑凯", "记者"), Author("王芳", "通讯员"))
    assert entry.paragraphs[-1] == "会议部署了全年任务。"


def test_dateline_with_bracketed_byline_leading_the_first_paragraph(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "# 城区召开春季植树动员会\n\n"
                            "本报讯（记者 冯立 通讯员 陈静）3月5日，城区召开动员会。\n\n"
                            "会议部署了全年任务。\n"}))
    assert entry.authors == (Author("冯立", "记者"), Author("陈静", "通讯员"))
    assert entry.paragraphs[0] == "3月5日，城区召开动员会。"
    assert entry.summary == "3月5日，城区召开动员会。"
    assert entry.date.isoformat() == "2024-03-05"


def test_dateline_alone_is_removed_and_gives_no_author(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "# 城区召开春季植树动员会\n\n" + BODY}))
    assert entry.authors == ()
    assert not any("本报讯" in p for p in entry.paragraphs)
    assert entry.summary == "3月5日，城区召开春季植树动员会。"


def test_dateline_on_a_line_of_its_own_joins_the_lead_and_is_removed(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "# 城区召开春季植树动员会\n\n本报讯\n\n"
                            "3月5日，城区召开动员会。\n"}))
    assert entry.paragraphs == ("3月5日，城区召开动员会。",)


def test_agency_dateline_with_date_and_byline(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "# 全省春耕生产有序推进\n\n"
                            "新华社郑州3月5日电（记者 梁晨）全省春耕生产有序推进。\n"}))
    assert entry.paragraphs == ("全省春耕生产有序推进。",)
    assert entry.authors == (Author("梁晨", "记者"),)
    assert entry.date.isoformat() == "2024-03-05"


def test_byline_without_spaces_and_several_names_under_one_title(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "# 城区召开春季植树动员会\n\n" + BODY
                            + "记者赵一鸣 钱晓东 通讯员孙雨晴\n"}))
    assert entry.authors == (Author("赵一鸣", "记者"), Author("钱晓东", "记者"),
                             Author("孙雨晴", "通讯员"))


def test_credit_without_title_becomes_the_role(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "# 城区召开春季植树动员会\n\n" + BODY
                            + "文/图 赵一鸣\n"}))
    assert entry.authors == (Author("赵一鸣", "文/图"),)


def test_photo_caption_leaves_the_body_and_keeps_its_credit(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "# 城区召开春季植树动员会\n\n"
                            "本报讯 3月5日，城区召开动员会，部署全年绿\n\n"
                            "图为动员会现场。记者 孙雨晴 摄\n\n"
                            "化任务。\n\n记者 赵一鸣\n"}))
    assert entry.captions == ("图为动员会现场。记者 孙雨晴 摄",)
    assert entry.paragraphs == ("3月5日，城区召开动员会，部署全年绿化任务。",)
    assert entry.authors == (Author("孙雨晴", "摄"), Author("赵一鸣", "记者"))


def test_caption_marked_with_a_triangle(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "# 城区召开春季植树动员会\n\n" + BODY
                            + "▲ 志愿者在河畔植树\n"}))
    assert entry.captions == ("▲ 志愿者在河畔植树",)


def test_a_short_sentence_is_not_mistaken_for_a_byline(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "# 城区召开春季植树动员会\n\n" + BODY
                            + "禁止拍摄\n"}))
    assert entry.paragraphs[-1] == "禁止拍摄"
    assert entry.authors == ()


def test_front_matter_author_for_a_single_article(load_pages):
    entry = one(load_pages({"a.md": "---\ntitle: 城区召开春季植树动员会\ndate: 2024-03-06\n"
                                    "author: 记者 赵一鸣\n---\n会议部署了全年任务。\n"}))
    assert entry.authors == (Author("赵一鸣", "记者"),)


# ------------------------------------------------------------- shapes of real pages
# Each page below is written the way a converted district or city paper prints the case.

def notes(catalog):
    return [(p.line, p.message) for r in catalog.files for p in r.problems if p.severity == "note"]


def test_byline_right_under_the_headline_with_several_names_after_one_title(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "## 城区召开春季植树动员会\n\n本报记者 张三 李四 王五\n\n"
                            + BODY}))
    assert entry.authors == (Author("张三", "记者"), Author("李四", "记者"), Author("王五", "记者"))
    assert entry.paragraphs == ("3月5日，城区召开春季植树动员会。", "会议部署了全年绿化任务。")


@pytest.mark.parametrize("marker", ["■", "□", "●", "◆"])
def test_byline_after_a_marker_under_the_headline(load_pages, marker):
    entry = one(load_pages({"2024-03-06.txt": f"## 城区召开春季植树动员会\n\n{marker}记者 王五 通讯员 赵六\n\n"
                            + BODY}))
    assert entry.authors == (Author("王五", "记者"), Author("赵六", "通讯员"))
    assert entry.captions == ()
    assert not any(marker in p or "王五" in p for p in entry.paragraphs)


def test_byline_lines_stacked_under_the_headline(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "## 城区召开春季植树动员会\n\n■本报记者 张三\n通讯员 李四 王五\n\n"
                            + BODY}))
    assert entry.authors == (Author("张三", "记者"), Author("李四", "通讯员"), Author("王五", "通讯员"))
    assert entry.paragraphs[0] == "3月5日，城区召开春季植树动员会。"


def test_writer_and_photographer_credited_on_one_line(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "## 城区召开春季植树动员会\n\n文/本报记者 王强 图/本报记者 李平\n\n"
                            + BODY}))
    assert entry.authors == (Author("王强", "记者"), Author("李平", "摄"))
    assert entry.byline == "文/本报记者 王强 图/本报记者 李平"


def test_bracketed_name_closing_a_brief_is_its_author(load_pages):
    catalog = load_pages({"2024-03-06.txt": "## 城区举办读书分享会\n\n"
                          "本报讯 3月5日，城区图书馆举办读书分享会，百余名读者参加。（林晓）\n"})
    entry = one(catalog)
    assert entry.authors == (Author("林晓"),)
    assert entry.paragraphs == ("3月5日，城区图书馆举办读书分享会，百余名读者参加。",)
    assert any(line == 3 and "（林晓）" in message for line, message in notes(catalog))


def test_bracketed_words_that_are_not_names_stay_in_the_text(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "## 城区举办读书分享会\n\n"
                            "本报讯 3月5日，城区举办读书分享会。（待续）\n"}))
    assert entry.authors == ()
    assert entry.paragraphs == ("3月5日，城区举办读书分享会。（待续）",)


def test_two_character_name_padded_with_an_ideographic_space(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "## 城区召开春季植树动员会\n\n" + BODY
                            + "记者 李\u3000平 通讯员 王\u3000芳\n"}))
    assert entry.authors == (Author("李平", "记者"), Author("王芳", "通讯员"))


def test_picture_source_credits_leave_the_text(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "## 城区召开春季植树动员会\n\n" + BODY
                            + "图片由城区园林中心提供\n\n（资料图片）\n\n"
                            "图为植树现场。（资料图片）\n\n记者 赵一鸣\n"}))
    assert entry.paragraphs == ("3月5日，城区召开春季植树动员会。", "会议部署了全年绿化任务。")
    assert entry.captions == ("图为植树现场。",)
    assert entry.authors == (Author("赵一鸣", "记者"),)


def test_a_person_credited_twice_is_one_author_with_the_most_specific_role(load_pages):
    entry = one(load_pages({"2024-03-06.txt": "## 城区召开春季植树动员会\n\n本报记者 张三\n\n" + BODY
                            + "图为植树现场。张三 摄\n\n（首席记者 张三 通讯员 李四）\n"}))
    assert entry.authors == (Author("张三", "首席记者"), Author("李四", "通讯员"))
