"""The entry: what the loader makes of one article, and all that outputs read.

Plain frozen data, so that entries can be cached, compared, sent to worker
processes and rebuilt with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    role: str | None = None  # 记者, 通讯员, 实习生, 摄, 文/图 …, None when the page gives none


@dataclass(frozen=True, slots=True)
class Source:
    path: str  # relative to the content directory, with forward slashes
    line: int  # 1-based line of the article's heading (or title) in that file

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    slug: str
    order: int
    configured: bool = True  # False for sections first met in the content


@dataclass(frozen=True, slots=True)
class Entry:
    """One article.

    ``title`` is the headline as printed; ``headline`` and ``subtitle`` are its
    two parts when the page lets us split them safely (else ``headline == title``).
    ``date`` is the event date; ``date_approximate`` is true when the text only
    says 近日 or gives no date, so the issue date stands in for it.
    """

    id: str
    title: str
    headline: str
    subtitle: str | None
    section: str
    issue_date: dt.date
    date: dt.date
    date_approximate: bool
    authors: tuple[Author, ...]
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...]
    summary: str
    source: Source
    position: int = 0  # order of the article on its page, from 0
    time: dt.time | None = None  # publication time, when front matter gives one
    byline: str = ""  # the authors as the paper prints them, for display

    def to_json(self) -> dict[str, object]:
        """The stable JSON shape of ``feeds entries --json`` (other tools read it)."""
        return {
            "id": self.id,
            "title": self.title,
            "section": self.section,
            "issue_date": self.issue_date.isoformat(),
            "date": self.date.isoformat(),
            "date_approximate": self.date_approximate,
            "authors": [{"name": a.name, "role": a.role} for a in self.authors],
            "paragraphs": list(self.paragraphs),
            "captions": list(self.captions),
            "summary": self.summary,
            "source": str(self.source),
        }


class Listing(NamedTuple):
    """An entry as a build places it: its order, section and permalink, without its text.

    A build of 100,000 articles shows a few hundred of them in the feeds; it
    finds and orders them by their listings and reads the text of only those it
    renders (:meth:`feeds.content.catalog.Catalog.resolve`). A named tuple, not
    a dataclass: a build with every page makes one per article, and a tuple is
    made in a third of the time.
    """

    id: str
    title: str
    headline: str
    section: str
    issue_date: dt.date
    time: dt.time | None
    position: int
    path: str
    line: int
    # Names the parse the entry came from (the file's size and mtime and the parser's
    # settings): unchanged while the entry is. None when unknown (content not cached).
    version: str | None = None

    @property
    def source(self) -> Source:
        return Source(self.path, self.line)

    @classmethod
    def of(cls, entry: Entry, version: str | None = None) -> Listing:
        return cls(entry.id, entry.title, entry.headline, entry.section, entry.issue_date,
                   entry.time, entry.position, entry.source.path, entry.source.line, version)
