import datetime as dt

import pytest

from feeds.content.dates import event_date, full_date, mentions, year_mentions

ISSUE = dt.date(2024, 1, 2)


@pytest.mark.parametrize(("text", "expected"), [
    ("9月20日，区委召开会议", dt.date(2023, 9, 20)),
    ("9月20日上午，区委召开会议", dt.date(2023, 9, 20)),
    ("1月2日，区委召开会议", dt.date(2024, 1, 2)),
    ("12月29日至1月2日，全区开展检查", dt.date(2023, 12, 29)),
    ("2日，区委召开会议", dt.date(2024, 1, 2)),
    ("20日，区委召开会议", dt.date(2023, 12, 20)),
    ("昨日，区委召开会议", dt.date(2024, 1, 1)),
    ("昨天，区委召开会议", dt.date(2024, 1, 1)),
    ("前日，区委召开会议", dt.date(2023, 12, 31)),
    ("今天，区委召开会议", dt.date(2024, 1, 2)),
    ("九月二十日，区委召开会议", dt.date(2023, 9, 20)),
    ("十二月三十一日，区委召开会议", dt.date(2023, 12, 31)),
    ("二〇二一年十二月二十九日，区委召开会议", dt.date(2021, 12, 29)),
    ("二○二三年一月一日，区委召开会议", dt.date(2023, 1, 1)),
    ("2021年12月29日，区委召开会议", dt.date(2021, 12, 29)),
    ("２０２３年９月２０日，区委召开会议", dt.date(2023, 9, 20)),
    ("9月20号，区委召开会议", dt.date(2023, 9, 20)),
])
def test_exact_dates_resolve_against_the_issue(text, expected):
    assert event_date(text, ISSUE) == (expected, False)


@pytest.mark.parametrize("word", ["近日", "日前", "近期"])
def test_vague_words_give_the_issue_date_marked_approximate(word):
    assert event_date(f"{word}，区委召开会议", ISSUE) == (ISSUE, True)


def test_no_date_in_the_lead_gives_the_issue_date_marked_approximate():
    assert event_date("区委召开会议，部署工作。", ISSUE) == (ISSUE, True)


def test_the_first_date_of_the_lead_wins():
    assert event_date("近日，区委于9月20日召开会议", ISSUE) == (ISSUE, True)
    assert event_date("9月18日至20日，区委召开会议", ISSUE) == (dt.date(2023, 9, 18), False)


def test_a_month_day_after_the_issue_belongs_to_the_year_before():
    assert event_date("12月29日，区委召开会议", ISSUE)[0] == dt.date(2023, 12, 29)
    assert event_date("12月29日，区委召开会议", dt.date(2024, 12, 30))[0] == dt.date(2024, 12, 29)


@pytest.mark.parametrize("text", [
    "二〇二四年工作要点", "2022年营商环境", "第20日", "折合20日元", "3日内完成", "一日三餐",
    "2月30日", "13月5日",
])
def test_things_that_are_not_dates(text):
    assert [m.resolve(ISSUE) for m in mentions(text) if m.resolve(ISSUE)] == []


def test_a_day_that_has_not_come_yet_this_month_is_last_month():
    assert event_date("29日，区委召开会议", dt.date(2024, 3, 5)) == (dt.date(2024, 2, 29), False)


def test_a_day_last_month_did_not_have_is_no_date():
    assert event_date("31日，区委召开会议", dt.date(2024, 3, 5)) == (dt.date(2024, 3, 5), True)


def test_year_mentions_include_bare_years_and_full_dates():
    assert [y for y, _ in year_mentions("2022年营商环境，二〇二一年十二月二十九日")] == [2022, 2021]


def test_full_date_of_a_page_header():
    assert full_date("东区新闻 2024年1月2日 星期二 第05版：东区新闻") == dt.date(2024, 1, 2)
    assert full_date("第05版：东区新闻") is None


WEDNESDAY = dt.date(2024, 3, 6)


@pytest.mark.parametrize(("text", "expected"), [
    ("前天，城区召开动员会", dt.date(2024, 3, 4)),
    ("大前天，城区召开动员会", dt.date(2024, 3, 3)),
    ("上周五，城区召开动员会", dt.date(2024, 3, 1)),
    ("上星期日，城区召开动员会", dt.date(2024, 3, 3)),
    ("本周三上午，城区召开动员会", dt.date(2024, 3, 6)),
    ("这周一，城区召开动员会", dt.date(2024, 3, 4)),
    ("上月12日，城区召开动员会", dt.date(2024, 2, 12)),
    ("上个月二十九日，城区召开动员会", dt.date(2024, 2, 29)),
    ("本月2日，城区召开动员会", dt.date(2024, 3, 2)),
])
def test_relative_days_and_weeks_are_event_dates(text, expected):
    assert event_date(text, WEDNESDAY) == (expected, False)


def test_last_month_crosses_the_year():
    assert event_date("上月12日，城区召开总结会", dt.date(2024, 1, 8)) == (dt.date(2023, 12, 12), False)


@pytest.mark.parametrize("text", [
    "在“3·15”国际消费者权益日到来之际，城区开展宣传",
    "3·15当天，城区开展宣传",
    "围绕3.15主题，城区开展宣传",
    "今年9月，城区开展宣传",
    "3月份以来，城区开展宣传",
])
def test_named_days_and_bare_months_are_not_event_dates(text):
    assert event_date(text, WEDNESDAY) == (WEDNESDAY, True)
