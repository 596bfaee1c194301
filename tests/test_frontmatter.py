import datetime as dt

import pytest

SINGLE = """\
    ---
    title: 城区召开春季植树动员会 部署全年城乡绿化美化工作
    date: 2024-03-06 07:30:00+08:00
    section: 城建
    id: spring-planting-2024
    ---
    本报讯 近日，城区召开动员会。

    会议部署了全年任务。
    """


def test_single_article_file_takes_title_date_section_and_id(load_pages):
    catalog = load_pages({"planting.md": SINGLE})
    (entry,) = catalog.entries
    assert entry.title == "城区召开春季植树动员会 部署全年城乡绿化美化工作"
    assert entry.subtitle == "部署全年城乡绿化美化工作"
    assert entry.issue_date == dt.date(2024, 3, 6)
    assert entry.time is not None and entry.time.hour == 7
    assert entry.section == "城建"
    assert entry.id.endswith(":spring-planting-2024")
    assert entry.paragraphs == ("近日，城区召开动员会。", "会议部署了全年任务。")
    assert entry.source.line == 2


def test_front_matter_section_is_not_moved_by_keyword_rules(load_pages):
    catalog = load_pages(
        {"planting.md": SINGLE},
        sections=[{"name": "教育", "slug": "education", "keywords": ["动员会"]}],
        site={"min_keyword_score": 1})
    assert catalog.entries[0].section == "城建"


def test_id_given_as_a_uri_is_kept(load_pages):
    catalog = load_pages({"a.md": SINGLE.replace("spring-planting-2024",
                                                 "urn:uuid:5f0c6d0e-1c2b-4c1a-9d7e-1a2b3c4d5e6f")})
    assert catalog.entries[0].id == "urn:uuid:5f0c6d0e-1c2b-4c1a-9d7e-1a2b3c4d5e6f"


def test_broken_yaml_names_the_line(load_pages):
    catalog = load_pages({"a.md": "---\ntitle: 标题\ndate: [2024-03-06\n---\n正文。\n",
                          "b.md": SINGLE})
    bad = catalog.files[0]
    assert bad.skipped
    assert bad.problems[0].line == 4  # the closing ---, where YAML finds the list unclosed
    assert "YAML" in bad.problems[0].message
    assert len(catalog.entries) == 1


def test_unclosed_front_matter(load_pages):
    catalog = load_pages({"a.md": "---\ntitle: 标题\n正文。\n"})
    assert catalog.files[0].skipped
    assert "never closed" in catalog.files[0].problems[0].message
    assert catalog.files[0].problems[0].line == 1


def test_impossible_date_in_front_matter(load_pages):
    catalog = load_pages({"a.md": "---\ntitle: 标题\ndate: 2024-13-45\n---\n正文。\n"})
    assert catalog.files[0].skipped


def test_unknown_key_is_a_warning_not_an_error(load_pages):
    catalog = load_pages({"a.md": SINGLE.replace("section: 城建", "sectoin: 城建")})
    report = catalog.files[0]
    assert not report.skipped
    assert any("sectoin" in p.message for p in report.problems)


def test_front_matter_applies_to_every_article_of_a_page(load_pages):
    catalog = load_pages({"p.txt": """\
        ---
        date: 2024-03-06
        section: 经济
        ---

        ## 城区一季度经济运行平稳

        本报讯 一季度全区经济运行平稳。

        ## 城区新增市场主体三千户

        本报讯 一季度全区新增市场主体三千户。
        """})
    assert [(e.section, e.issue_date.isoformat(), e.position) for e in catalog.entries] == [
        ("经济", "2024-03-06", 0), ("经济", "2024-03-06", 1)]


@pytest.mark.parametrize(("written", "day", "hour"), [
    ("2024/3/6", dt.date(2024, 3, 6), None),
    ("2024.03.06 08:30", dt.date(2024, 3, 6), 8),
    ("2024年3月6日", dt.date(2024, 3, 6), None),
    ("'2024-03-06T07:30:00+08:00'", dt.date(2024, 3, 6), 7),
])
def test_dates_written_other_ways(load_pages, written, day, hour):
    catalog = load_pages({"a.md": f"---\ntitle: 标题甲乙\ndate: {written}\n---\n正文。\n"})
    (entry,) = catalog.entries
    assert entry.issue_date == day
    assert (entry.time.hour if entry.time else None) == hour


@pytest.mark.parametrize("written", ["3/6", "soon"])
def test_dates_without_a_year_or_not_dates_skip_the_file(load_pages, written):
    catalog = load_pages({"a.md": f"---\ntitle: 标题甲乙\ndate: {written}\n---\n正文。\n"})
    assert catalog.files[0].skipped
    assert "front matter date" in catalog.files[0].problems[0].message
