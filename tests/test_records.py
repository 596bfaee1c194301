"""Parsed files survive the trip through worker processes and the parse cache unchanged."""

import datetime as dt

from feeds.content import records
from feeds.content.issuedate import IssueDate
from feeds.content.results import FileReport, FileResult, Problem
from feeds.model import Author, Entry, Photo, Source


def full_entry(position: int, summary: str | None = None) -> Entry:
    paragraphs = ("编者按：第一段。", "第二段。")
    return Entry(
        id=f"tag:example.com,2024-03-06:{position}", title="标题：副题", headline="标题",
        subtitle="副题", section="教育", issue_date=dt.date(2024, 3, 6),
        date=dt.date(2024, 3, 5), date_approximate=True,
        authors=(Author("张三", "记者"), Author("李四")), paragraphs=paragraphs,
        captions=("图为校园。",), summary=summary or paragraphs[0],
        source=Source("2024-03-06/A01.txt", 3 + position), position=position,
        time=dt.time(7, 30), byline="记者 张三 李四",
        photos=(Photo("2024-03-06/A01-1.jpg", "图为校园", "记者 张三 摄", 9), Photo("b.png")),
        kicker="引题")


def test_every_field_of_a_parsed_file_comes_back_as_it_was():
    report = FileReport("2024-03-06/A01.txt", 2, IssueDate(dt.date(2024, 3, 6), "inferred",
                                                         "a note", 4),
                        (Problem(2, "a warning"), Problem(None, "a note", "note")), "gb18030")
    result = FileResult((full_entry(0), full_entry(1, summary="第二段。")), report)
    assert records.loads(records.dumps(result)) == result  # Entry's every field compared
    assert records.loads_report(records.dumps_report(report)) == report


def test_a_skipped_file_has_no_entries_and_keeps_its_report():
    report = FileReport("empty.txt", 0, None, (Problem(None, "file is empty", "error"),))
    back = records.loads(records.dumps(FileResult((), report)))
    assert back.entries == () and back.report == report and back.report.skipped
