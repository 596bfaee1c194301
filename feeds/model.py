"""The entry: what the loader makes of one article, and all that outputs read.

Plain frozen data, so that entries can be cached, compared, sent to worker
processes and rebuilt with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
class Photo:
    """A picture an article refers to, as the page gives it: not yet read or checked.

    Outputs show it only once feeds.photos has made web copies of it; a file that
    is missing or cannot be read is reported there, and the article goes without it.
    """

    src: str  # the image file, relative to the content directory, with forward slashes
    caption: str = ""  # 图为…, as printed without its credit; "" when the page gives none
    credit: str = ""  # who took it, as printed: "记者 吴迪 摄", "文/图 张三"; "" when unknown
    line: int = 0  # where the content file refers to it (for messages), 0 when unknown


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
    says 近日 or gives no date, so the issue date stands in for it. ``kicker`` is
    the line some headlines carry above them in smaller type (引题), not part of
    the title (so not of the id either).
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
    photos: tuple[Photo, ...] = ()  # in the order the article shows them; the first leads
    kicker: str | None = None

    def to_json(self) -> dict[str, object]:
        """The stable JSON shape of ``feeds entries --json`` (other tools read it)."""
        return {
            "id": self.id,
            "kicker": self.kicker,
            "title": self.title,
            "section": self.section,
            "issue_date": self.issue_date.isoformat(),
            "date": self.date.isoformat(),
            "date_approximate": self.date_approximate,
            "authors": [{"name": a.name, "role": a.role} for a in self.authors],
            "paragraphs": list(self.paragraphs),
            "captions": list(self.captions),
            "photos": [{"src": p.src, "caption": p.caption, "credit": p.credit}
                       for p in self.photos],
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
    # What outputs must know of its pictures without reading the text: which web copies
    # a build makes, and whether an unchanged page must show a changed picture.
    photos: tuple[Photo, ...] = ()

    @property
    def source(self) -> Source:
        return Source(self.path, self.line)

    @classmethod
    def of(cls, entry: Entry, version: str | None = None) -> Listing:
        return cls(entry.id, entry.title, entry.headline, entry.section, entry.issue_date,
                   entry.time, entry.position, entry.source.path, entry.source.line, version,
                   entry.photos)


SAMPLE = 200  # characters of text kept to recognise a corrected article (feeds.published)


def sample(entry: Entry) -> str:
    """The start of an article's text: how a corrected article is known again."""
    return "".join(entry.paragraphs)[:SAMPLE]


def fingerprint(entry: Entry) -> str:
    """Of what readers see of an article (not where the site files it): when it changes,
    the article was updated. Made where the article is parsed and kept with its listing,
    so that recording a first build's articles reads none of their texts."""
    parts = [entry.title, entry.subtitle or "", entry.byline,
             *(f"{a.name}/{a.role}" for a in entry.authors), "\x1e", *entry.paragraphs,
             "\x1e", *entry.captions]
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()
