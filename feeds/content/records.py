"""Parsed files as plain tuples: how results travel from worker processes and sit in the cache.

The cache also keeps a file's report on its own (``dumps_report``), for
reporting without reading any entry.

Pickling an Entry costs about as much as parsing it (pickle rebuilds every
frozen dataclass through Python code), which made parallel loading slower than
serial. A FileResult flattened into tuples of strings and integers pickles in a
fraction of the time (measured with bench/load.py).
"""

from __future__ import annotations

import datetime as dt
import pickle

from ..model import Author, Entry, Photo, Source
from .issuedate import IssueDate
from .results import FileReport, FileResult, Problem

Record = tuple  # the flat form of a FileResult; its layout is private to this module


def dumps(result: FileResult) -> bytes:
    return pickle.dumps(pack(result), protocol=5)


def loads(blob: bytes) -> FileResult:
    return unpack(pickle.loads(blob))


def dumps_report(report: FileReport) -> bytes:
    return pickle.dumps(_report(report), protocol=5)


def loads_report(blob: bytes) -> FileReport:
    return _make_report(pickle.loads(blob))


def pack(result: FileResult) -> Record:
    return (*_report(result.report), tuple(_entry(e) for e in result.entries))


def _report(report: FileReport) -> tuple:
    issue = report.issue_date
    return (
        report.path,
        report.entries,
        (issue.date.toordinal(), issue.source, issue.note) if issue else None,
        tuple((p.line, p.message, p.severity) for p in report.problems),
        report.encoding,
    )


def _make_report(record: tuple) -> FileReport:
    path, count, issue, problems, encoding = record
    return FileReport(
        path, count,
        IssueDate(dt.date.fromordinal(issue[0]), issue[1], issue[2]) if issue else None,
        tuple(Problem(*p) for p in problems), encoding)


def _entry(e: Entry) -> tuple:
    # The summary is stored only when it is not the first paragraph (an editor's note
    # comes first), which is seldom: most records do not hold the lead twice.
    return (e.id, e.title, e.headline, e.subtitle, e.section, e.issue_date.toordinal(),
            e.date.toordinal(), e.date_approximate,
            tuple((a.name, a.role) for a in e.authors), e.paragraphs, e.captions,
            e.source.line, e.position, e.time.isoformat() if e.time else None, e.byline,
            photos_record(e.photos), e.kicker,
            None if e.summary == e.paragraphs[0] else e.summary)


def photos_record(photos: tuple[Photo, ...]) -> tuple | None:
    """Photos as plain tuples (also the parse cache's index column); None for none."""
    return tuple((p.src, p.caption, p.credit, p.line) for p in photos) if photos else None


def photos_of(record: tuple | None) -> tuple[Photo, ...]:
    return tuple(Photo(*fields) for fields in record) if record else ()


def unpack(record: Record) -> FileResult:
    report = _make_report(record[:5])
    return FileResult(tuple(_make_entry(report.path, e) for e in record[5]), report)


def _make_entry(path: str, f: tuple) -> Entry:
    paragraphs = f[9]
    return Entry(
        id=f[0], title=f[1], headline=f[2], subtitle=f[3], section=f[4],
        issue_date=dt.date.fromordinal(f[5]), date=dt.date.fromordinal(f[6]),
        date_approximate=f[7], authors=tuple(Author(n, r) for n, r in f[8]),
        paragraphs=paragraphs, captions=f[10], summary=f[17] or paragraphs[0],
        source=Source(path, f[11]), position=f[12],
        time=dt.time.fromisoformat(f[13]) if f[13] else None, byline=f[14],
        photos=photos_of(f[15]), kicker=f[16])
