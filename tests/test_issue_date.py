import datetime as dt
import subprocess
import sys

import pytest

from feeds.content.issuedate import from_path

PAGE = "# 城区召开春季植树动员会\n\n本报讯 3月5日，城区召开动员会。\n"


def issue(catalog):
    (report,) = catalog.files
    return report.issue_date


def test_front_matter_date_comes_first(load_pages):
    found = issue(load_pages({"2024-01-09/p.txt": "---\ndate: 2024-03-06\n---\n" + PAGE}))
    assert (found.date, found.source) == (dt.date(2024, 3, 6), "front matter")


def test_date_in_the_file_name(load_pages):
    found = issue(load_pages({"page-2024-03-06.txt": "第05版 城区新闻 2024年1月9日\n" + PAGE}))
    assert (found.date, found.source) == (dt.date(2024, 3, 6), "path")


def test_year_month_day_folders():
    assert from_path("2024/03/06/a05.txt") == dt.date(2024, 3, 6)
    assert from_path("2024/3/6/a05.txt") == dt.date(2024, 3, 6)
    assert from_path("2024/03/06.txt") == dt.date(2024, 3, 6)
    assert from_path("pages/2024-03-06/s01.txt") == dt.date(2024, 3, 6)
    assert from_path("2024-13-45.txt") is None
    assert from_path("notes/a05.txt") is None


def test_page_header_date(load_pages):
    found = issue(load_pages({"a05.txt": "城区新闻\n2024年3月6日 星期三\n第05版：城区新闻\n\n" + PAGE}))
    assert (found.date, found.source) == (dt.date(2024, 3, 6), "page header")


def test_inferred_from_the_latest_event_and_the_year_mentioned(load_pages):
    catalog = load_pages({"a05.txt": """\
        # 城区召开春季植树动员会

        本报讯 3月5日，城区召开2024年春季植树动员会。

        # 城区开展义务植树活动

        本报讯 3月3日，城区开展义务植树活动。
        """})
    found = issue(catalog)
    assert (found.date, found.source) == (dt.date(2024, 3, 5), "inferred")
    assert "3月5日" in found.note and "2024" in found.note
    (report,) = catalog.files
    assert [p.severity for p in report.problems] == ["warning"]  # a guess to confirm


def test_no_date_anywhere_skips_the_file_with_a_clear_message(load_pages):
    catalog = load_pages({"a05.txt": "# 城区召开动员会\n\n本报讯 近日，城区召开动员会。\n"})
    (report,) = catalog.files
    assert report.skipped
    assert "no issue date" in report.problems[0].message
    assert catalog.entries == ()


def test_a_year_mentioned_in_passing_never_becomes_the_issue_year(load_pages):
    catalog = load_pages({"a05.txt": """\
        # 老城区供水管网改造启动

        本报讯 10月8日，老城区供水管网改造工程启动。这些管网建成于2000年以前，已超期服役。
        """})
    (report,) = catalog.files
    assert report.skipped and catalog.entries == ()
    assert "no issue date" in report.problems[0].message


@pytest.mark.parametrize("passing", ["早在2008年，城区就开展了这项工作。", "2000年，该厂迁至城东。",
                                     "自2015年起，城区每年举办一届。"])
def test_years_of_history_are_not_evidence_but_a_named_year_is(load_pages, passing):
    catalog = load_pages({"a05.txt": f"""\
        # 城区召开春季植树动员会

        本报讯 3月5日，城区召开2024年春季植树动员会。{passing}

        # 城区开展义务植树活动

        本报讯 3月3日，城区开展义务植树活动。{passing}
        """})
    assert issue(catalog).date == dt.date(2024, 3, 5)


def test_two_years_named_as_often_give_no_date(load_pages):
    catalog = load_pages({"a05.txt": """\
        # 城区发布2035年远景规划

        本报讯 3月5日，城区发布2035年远景规划，总结2024年工作成效。
        """})
    assert catalog.files[0].skipped


def test_an_inferred_date_is_a_warning_that_shows_its_evidence_and_fails_strict_check(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a05.txt").write_text("# 城区召开春季植树动员会\n\n本报讯 3月5日，城区召开2024年春季"
                                     "植树动员会。\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "feeds", "check", "--strict"], cwd=tmp_path,
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert run.returncode == 1
    assert ("a05.txt:3: warning: issue date 2024-03-05 inferred from the latest dated event "
            "(3月5日, line 3) and the year 2024 (line 3: …") in run.stdout
    assert "2024年春季植树动员会" in run.stdout
