import datetime as dt

from feeds.digest.edition import edition_id, group, make, new_entries


def test_look_back_counts_from_the_newest_issue_not_the_clock(load_pages):
    catalog = load_pages({
        "2019-06-10-a.txt": "## 六月十日的新闻\n\n本报讯 6月10日，甲。\n",
        "2019-06-08-b.txt": "## 六月八日的新闻\n\n本报讯 6月8日，乙。\n",
        "2019-06-01-c.txt": "## 六月一日的新闻\n\n本报讯 6月1日，丙。\n",
    })
    fresh = new_entries(catalog.entries, carried=set(), look_back_days=3)
    assert [e.headline for e in fresh] == ["六月八日的新闻", "六月十日的新闻"]  # 6-08 … 6-10


def test_entries_an_earlier_edition_carried_are_not_new(load_pages):
    catalog = load_pages({"2024-01-02-a.txt": "## 甲\n\n本报讯 1月2日，甲。\n\n## 乙\n\n本报讯 乙。\n"})
    first = catalog.entries[0]
    assert new_entries(catalog.entries, {first.id}, 7) == [catalog.entries[1]]
    assert new_entries(catalog.entries, {e.id for e in catalog.entries}, 7) == []
    assert new_entries((), set(), 7) == []


def test_groups_follow_the_configured_section_order_newest_issue_first(load_pages):
    catalog = load_pages({
        "2024-01-01-eco.txt": "第2版 经济\n\n## 经济旧闻\n\n本报讯 经济一。\n",
        "2024-01-02-eco.txt": "第2版 经济\n\n## 经济新闻甲\n\n本报讯 经济二。\n\n## 经济新闻乙\n\n本报讯 经济三。\n",
        "2024-01-02-edu.txt": "第1版 教育\n\n## 教育新闻\n\n本报讯 教育。\n",
    }, sections=[{"name": "教育", "slug": "education"}, {"name": "经济", "slug": "economy"}])
    groups = group(catalog.entries, catalog.sections)
    assert [g.section.slug for g in groups] == ["education", "economy"]
    assert [e.headline for e in groups[1].entries] == ["经济新闻甲", "经济新闻乙", "经济旧闻"]


def test_each_subscriber_gets_only_their_sections(load_pages):
    catalog = load_pages({
        "2024-01-02-eco.txt": "第2版 经济\n\n## 经济新闻\n\n本报讯 经济。\n",
        "2024-01-02-edu.txt": "第1版 教育\n\n## 教育新闻\n\n本报讯 教育。\n",
    }, sections=[{"name": "教育", "slug": "education"}, {"name": "经济", "slug": "economy"},
                 {"name": "文化", "slug": "culture"}])
    edition = make(catalog.entries, catalog.sections, taken=set())
    assert edition.id == "2024-01-02" and edition.date == dt.date(2024, 1, 2)
    assert [g.section.slug for g in edition.share(None)] == ["education", "economy"]
    assert [g.section.slug for g in edition.share(("economy", "culture"))] == ["economy"]
    assert edition.share(("culture",)) == ()


def test_a_second_edition_on_the_same_day_gets_its_own_id():
    day = dt.date(2024, 1, 2)
    assert edition_id(day, set()) == "2024-01-02"
    assert edition_id(day, {"2024-01-02", "2024-01-02-2"}) == "2024-01-02-3"
