"""The feed formats the site publishes: one place that names each.

Feeds, pages (autodiscovery links, the subscribe page), URLs and the server all read
this table, so a format's file name, its Content-Type and what people see it called
cannot disagree. The order is the order pages list them in: RSS first, the format
most readers know.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    key: str  # how code and configuration name it
    suffix: str  # of its file name: feeds/all.rss.xml
    media_type: str  # its Content-Type, and the type of links to it
    label: str  # what people see it called


RSS = Format("rss", ".rss.xml", "application/rss+xml", "RSS")
ATOM = Format("atom", ".atom.xml", "application/atom+xml", "Atom")
JSON = Format("json", ".json", "application/feed+json", "JSON Feed")  # JSON Feed 1.1
FORMATS = (RSS, ATOM, JSON)
SUFFIXES = tuple(f.suffix for f in FORMATS)
