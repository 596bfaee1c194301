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
class ItemImage:
    """A picture of an item, as enclosures and Media RSS name it (absolute URLs)."""

    url: str  # the widest JPEG
    type: str
    length: int  # bytes
    width: int
    height: int
    thumbnail_url: str  # the narrowest JPEG
    thumbnail_width: int
    thumbnail_height: int
    description: str  # the caption, with its credit


@dataclass(frozen=True, slots=True)
class FeedItem:
    id: str
    title: str
    url: str
    summary: str
    content_html: str | None  # None: the feeds carry summaries only
    authors: tuple[str, ...]
    section: Section
    section_url: str
    published: dt.datetime  # time-zone aware
    updated: dt.datetime | None = None  # when it was corrected after publication
    images: tuple[ItemImage, ...] = ()  # the first is the lead: the enclosure

    @classmethod
    def of(cls, entry: Entry, published: dt.datetime, section: Section, url: str,
           section_url: str, render: Callable[[Entry, str], str] | None,
           updated: dt.datetime | None = None,
           images: tuple[ItemImage, ...] = ()) -> FeedItem:
        """The feed view of an entry; ``render`` gives the full article as HTML (None:
        summaries only)."""
        return cls(
            id=xml_safe(entry.id),
            title=xml_safe(entry.title),
            url=url,
            summary=xml_safe(entry.summary),
            content_html=xml_safe(render(entry, url)) if render else None,
            authors=tuple(dict.fromkeys(xml_safe(a.name) for a in entry.authors)),
            section=section,
            section_url=section_url,
            published=published,
            updated=updated if updated and updated > published else None,
            images=tuple(_safe(i) for i in images),
        )


def _safe(image: ItemImage) -> ItemImage:
    return ItemImage(image.url, image.type, image.length, image.width, image.height,
                     image.thumbnail_url, image.thumbnail_width, image.thumbnail_height,
                     xml_safe(image.description))
