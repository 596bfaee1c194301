"""RSS 2.0 and Atom 1.0 documents, made with feedgen and checked against its known faults.

feedgen 1.0.0 gets several things wrong when left to its defaults; each is
handled here, where we call it, and pinned by tests/test_xmlfeeds.py:

- ``updated``/``lastBuildDate`` default to the build clock, so two builds of
  the same content differ: we always set them, from the newest entry.
- Naive datetimes raise: every time we pass carries its zone.
- The RSS channel ``<link>`` is the last link added, whatever its rel: the
  HTML page (rel=alternate) is always added last.
- In Atom entries, ``link`` attributes other than ``href`` are dropped (the
  loop variable shadows the link dict): the entry extension below restores
  ``rel="alternate"`` and ``type``.
- RSS gets only the first ``rel=self`` atom:link; other links (prev-archive,
  hub) are dropped: the feed extension below writes them for both formats.
- Entries are prepended by default: we append, newest first.
- RSS ``<author>`` needs an e-mail address, which bylines never have: RSS
  names authors with ``dc:creator`` instead.
- Its Media RSS extension can put a thumbnail only beside a ``media:content``
  (in a ``media:group``, which the W3C validator refuses with fewer than two
  contents) and has no ``media:description``: the entry extension below writes
  each picture itself.

Pictures: the lead picture is the item's enclosure (RSS ``<enclosure>``, Atom
``link rel="enclosure"``); in RSS every picture is also a Media RSS
``media:content`` holding its thumbnail and caption, which readers such as
Feedly and Inoreader show as the item's image.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from ..formats import ATOM, RSS, Format
from .items import FeedItem

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
HISTORY_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
# Without a version: the version is not on the path of a build (feeds.version), and a
# release that changes no output then rewrites no feed.
GENERATOR = "feeds"
# An lxml element, as feedgen's extension hooks get and return them (lxml names its
# element class only privately, and ships no type information).
XmlElement = Any


@dataclass(frozen=True)
class Link:
    rel: str
    href: str
    type: str


@dataclass(frozen=True)
class FeedMeta:
    id: str
    title: str
    description: str
    language: str
    author: str
    html_url: str  # the page this feed mirrors (rel=alternate)
    self_url: str  # where this document is published (rel=self)
    self_type: str  # its media type
    updated: dt.datetime  # the newest entry's time: never the build clock
    links: tuple[Link, ...] = ()  # prev-archive, next-archive, current, hub
    stylesheet: str | None = None  # URL of an XSL stylesheet for browsers
    archive: bool = False  # an RFC 5005 archive document (fh:archive)


def rss(meta: FeedMeta, items: Sequence[FeedItem]) -> bytes:
    return _document(meta, items, RSS)


def atom(meta: FeedMeta, items: Sequence[FeedItem]) -> bytes:
    return _document(meta, items, ATOM)


def atom_entry(item: FeedItem) -> bytes:
    """One Atom ``<entry>`` element as bytes, for assembling large archive documents
    without rebuilding every entry's elements for every document it appears in."""
    entry = FeedEntry()  # on its own: a FeedGenerator per entry cost half the time
    entry.register_extension("document", _EntryLinks, atom=True, rss=False)
    _fill(entry, item)
    return etree.tostring(entry.atom_entry(), encoding="utf-8")


def atom_with_entries(meta: FeedMeta, fragments: Sequence[bytes]) -> bytes:
    """An Atom document whose entries are ready-made fragments from atom_entry()."""
    head = atom(meta, ())
    close = head.rindex(b"</feed>")
    return b"".join((head[:close], *fragments, head[close:]))


def _document(meta: FeedMeta, items: Sequence[FeedItem], fmt: Format) -> bytes:
    generator = _generator(meta)
    for item in items:
        _add(generator, item)
    if fmt is RSS:
        return generator.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return generator.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def _generator(meta: FeedMeta) -> FeedGenerator:
    generator = FeedGenerator()
    generator.register_extension("document", _Document, _EntryLinks)
    generator.document.meta = meta
    generator.load_extension("dc", atom=False, rss=True)
    generator.id(meta.id)
    generator.title(meta.title)
    generator.description(meta.description or meta.title)
    generator.language(meta.language)
    generator.author({"name": meta.author})
    generator.generator(GENERATOR)
    generator.updated(meta.updated)
    generator.link(href=meta.self_url, rel="self", type=meta.self_type)
    generator.link(href=meta.html_url, rel="alternate", type="text/html")  # last: RSS <link>
    return generator


def _add(generator: FeedGenerator, item: FeedItem) -> FeedEntry:
    entry = generator.add_entry(order="append")
    _fill(entry, item)
    if item.authors:
        entry.dc.dc_creator(list(item.authors))
    return entry


def _fill(entry: FeedEntry, item: FeedItem) -> None:
    entry.id(item.id)
    entry.title(item.title)
    entry.link(href=item.url, rel="alternate", type="text/html")
    entry.summary(item.summary)
    if item.content_html is not None:
        entry.content(item.content_html, type="html")
    entry.published(item.published)
    entry.updated(item.updated or item.published)  # a corrected entry: same id, new time
    for name in item.authors:
        entry.author({"name": name})
    entry.category(term=item.section.slug, scheme=item.section_url, label=item.section.name)
    if item.images:
        lead = item.images[0]
        entry.enclosure(lead.url, str(lead.length), lead.type)
    entry.document.item = item


class _Document(BaseExtension):
    """Feed-level additions feedgen has no API for: the XSL processing instruction,
    links it drops from RSS, and the RFC 5005 archive marker."""

    meta: FeedMeta

    def extend_ns(self) -> dict[str, str]:
        return {"media": MEDIA_NS, **({"fh": HISTORY_NS} if self.meta.archive else {})}

    def extend_rss(self, rss: XmlElement) -> XmlElement:
        channel = rss.find("channel")
        for link in self.meta.links:
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", _attributes(link))
        self._stylesheet(rss)
        return rss

    def extend_atom(self, feed: XmlElement) -> XmlElement:
        for link in self.meta.links:
            etree.SubElement(feed, "link", _attributes(link))
        if self.meta.archive:
            etree.SubElement(feed, f"{{{HISTORY_NS}}}archive")
        self._stylesheet(feed)
        return feed

    def _stylesheet(self, root: XmlElement) -> None:
        if self.meta.stylesheet:
            root.addprevious(etree.ProcessingInstruction(
                "xml-stylesheet", f'type="text/xsl" href="{self.meta.stylesheet}"'))


def _attributes(link: Link) -> dict[str, str]:
    found = {"href": link.href, "rel": link.rel}
    if link.type:
        found["type"] = link.type
    return found


class _EntryLinks(BaseEntryExtension):
    """Restore the rel, type and length feedgen 1.0.0 drops from Atom entry links, and
    add the captions of Media RSS pictures."""

    item: FeedItem

    def extend_atom(self, entry: XmlElement) -> XmlElement:
        lead = self.item.images[0] if self.item.images else None
        for link in entry.iter("link"):
            if lead is not None and link.get("href") == lead.url:
                link.set("rel", "enclosure")
                link.set("type", lead.type)
                link.set("length", str(lead.length))
            else:
                link.set("rel", "alternate")
                link.set("type", "text/html")
        return entry

    def extend_rss(self, item: XmlElement) -> XmlElement:
        """Each picture as a Media RSS ``media:content`` with its thumbnail and caption
        inside it (Media RSS 1.5.1: both may be children of ``media:content``)."""
        for number, image in enumerate(self.item.images):
            content = etree.SubElement(item, f"{{{MEDIA_NS}}}content", {
                "url": image.url, "fileSize": str(image.length), "type": image.type,
                "medium": "image", **({"isDefault": "true"} if number == 0 else {}),
                "height": str(image.height), "width": str(image.width)})
            etree.SubElement(content, f"{{{MEDIA_NS}}}thumbnail", {
                "url": image.thumbnail_url, "height": str(image.thumbnail_height),
                "width": str(image.thumbnail_width)})
            if image.description:
                description = etree.SubElement(content, f"{{{MEDIA_NS}}}description",
                                                type="plain")
                description.text = image.description
        return item
