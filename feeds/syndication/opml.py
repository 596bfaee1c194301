"""OPML 2.0 subscription list, so a reader imports the whole paper in one step.

http://opml.org/spec2.opml: one ``<outline type="rss" text xmlUrl htmlUrl>``
per feed, inside a folder outline. A reader that imports the file subscribes
to every outline it finds, so the builder lists each section once, in one
format: the same articles in RSS, Atom and JSON would show up three times.
Written with lxml so every attribute is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import format_datetime

from lxml import etree


@dataclass(frozen=True)
class FeedLink:
    title: str
    xml_url: str
    html_url: str


@dataclass(frozen=True)
class Group:
    title: str
    feeds: tuple[FeedLink, ...]


def render(title: str, owner_url: str, updated: dt.datetime, groups: Sequence[Group]) -> bytes:
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateModified").text = format_datetime(updated)
    etree.SubElement(head, "ownerId").text = owner_url
    body = etree.SubElement(root, "body")
    for group in groups:
        outline = etree.SubElement(body, "outline", text=group.title, title=group.title)
        for feed in group.feeds:
            etree.SubElement(outline, "outline", type="rss", text=feed.title, title=feed.title,
                             xmlUrl=feed.xml_url, htmlUrl=feed.html_url)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
