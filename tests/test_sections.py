from feeds.slugs import section_slug

TWO = """\
    第03版：综合新闻 2024年3月6日

    ## 城区三所学校开展教学开放日活动

    本报讯 3月5日，城区三所学校开展教学开放日，学生和教师共同参与。

    ## 城区召开民营企业座谈会

    本报讯 3月5日，城区召开民营企业座谈会，企业代表建言献策。
    """

RULES = [
    {"name": "教育", "slug": "education", "keywords": ["学校", "学生", "教师", "教学"]},
    {"name": "经济", "slug": "economy", "keywords": ["企业", "经济"]},
]


def test_page_header_names_the_section(load_pages):
    catalog = load_pages({"a.txt": TWO})
    assert {e.section for e in catalog.entries} == {"综合新闻"}


def test_keyword_rules_move_articles_into_topical_sections(load_pages):
    catalog = load_pages({"a.txt": TWO}, sections=RULES)
    assert [e.section for e in catalog.entries] == ["教育", "经济"]


def test_a_score_below_the_threshold_does_not_move(load_pages):
    catalog = load_pages({"a.txt": TWO}, sections=RULES, site={"min_keyword_score": 50})
    assert [e.section for e in catalog.entries] == ["综合新闻", "综合新闻"]


def test_unconfigured_sections_get_pinyin_slugs_after_the_configured_ones(load_pages):
    catalog = load_pages({"a.txt": TWO}, sections=[{"name": "要闻", "slug": "news"}])
    assert [(s.name, s.slug, s.configured) for s in catalog.sections] == [
        ("要闻", "news", True), ("综合新闻", "zong-he-xin-wen", False)]


def test_default_section_when_nothing_names_one(load_pages):
    catalog = load_pages({"2024-03-06.txt": "# 标题甲乙丙\n\n正文。\n"},
                         site={"default_section": "本地"})
    assert catalog.entries[0].section == "本地"
    assert catalog.sections[0].slug == "ben-di"


def test_folder_name_as_section_when_configured(load_pages):
    files = {"体育/2024-03-06.txt": "# 城区马拉松开跑\n\n正文。\n"}
    assert load_pages(files).entries[0].section == "要闻"
    assert load_pages(files, site={"folder_sections": True}).entries[0].section == "体育"


def test_content_may_name_a_section_by_its_slug(load_pages):
    catalog = load_pages({"a.md": "---\ntitle: 标题甲乙丙\ndate: 2024-03-06\nsection: economy\n"
                                  "---\n正文。\n"}, sections=RULES)
    assert catalog.entries[0].section == "经济"


def test_configured_order_wins_over_file_order(load_pages):
    catalog = load_pages({"a.txt": TWO}, sections=[
        {"name": "乙", "slug": "b", "order": 2}, {"name": "甲", "slug": "a", "order": 1}])
    assert [s.slug for s in catalog.sections][:2] == ["a", "b"]


def test_section_slug_is_ascii_pinyin():
    assert section_slug("城区新闻") == "cheng-qu-xin-wen"
    assert section_slug("5G专题") == "5g-zhuan-ti"
