"""FeedItem: an entry as every feed format presents it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..model import Entry, Section

# Characters XML 1.0 does not allow. The loader removes them from content, but a
# feed must stay well-formed whatever an Entry holds (lxml refuses to write them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


@dataclass(frozen=True, slots=True)
class FeedItem:
    id: str
    title: str
    url: str
    summary: str
    content_html: str
    authors: tuple[str, ...]
    section: Section
    section_url: str
    published: dt.datetime  # time-zone aware
    updated: dt.datetime | None = None  # when it was corrected after publication

    @classmethod
    def of(cls, entry: Entry, published: dt.datetime, section: Section, url: str,
           section_url: str, render: Callable[[Entry, str], str],
           updated: dt.datetime | None = None) -> FeedItem:
        """The feed view of an entry; ``render`` gives the full article as HTML."""
        return cls(
            id=xml_safe(entry.id),
            title=xml_safe(entry.title),
            url=url,
            summary=xml_safe(entry.summary),
            content_html=xml_safe(render(entry, url)),
            authors=tuple(dict.fromkeys(xml_safe(a.name) for a in entry.authors)),
            section=section,
            section_url=section_url,
            published=published,
            updated=updated if updated and updated > published else None,
        )
