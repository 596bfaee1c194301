"""The site as the outputs see it: entries in publication order, by section, with their URLs.

Built once per build from the loaded Catalog and shared, read-only, by the
feeds and the pages, so both agree on every permalink, time and order. Like
Pelican's generator context, it holds derived data only; it decides nothing
about formats or files. It orders and links entries by their listings; an
output asks for an entry's text (``entry``) only when it renders it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .config import Config
from .content.catalog import Catalog, sorted_pages
from .model import Entry, Listing, Section
from .published import Record
from .timeline import newest_first, page_offsets
from .urls import ALL, Links

if TYPE_CHECKING:
    from .photos import Gallery

Timed = tuple[dt.datetime, Listing]
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# An entry is published between 14 hours before its issue date's midnight in UTC and
# 36 hours after it (a time of day in a zone from UTC-12 to UTC+14; places in the day's
# paper take away seconds, a few minutes at most), so an entry three or more days older
# than another is published before it.
# Entries up to two days older can be published later (tests/test_catalog.py), so a
# window of two days would do; three leave room.
SLACK = dt.timedelta(days=3)


@dataclass
class Site:
    config: Config
    catalog: Catalog
    record: Record | None = None  # what was published; None: URLs as the rules make them
    gallery: Gallery | None = None  # the entries' pictures; None: outputs show none
    links: Links = field(init=False)

    def __post_init__(self) -> None:
        self.links = Links(self.config.site.base_url, self.config.feeds.article_url)
        self._sections = {s.name: s for s in self.catalog.sections}
        self._names = {s.slug: s.name for s in self.catalog.sections}
        self._recent: dict[tuple[str, int], list[Timed]] = {}
        self._counts: dict[str, int] = {}
        self._hashes: dict[str, str] = {}
        self._urls: dict[str, str] = {}
        self._paths: dict[str, str] = {}
        self._updated: dict[str, dt.datetime | None] = {}
        self._offsets: dict[tuple[dt.date, str], int] = {}
        self._days: set[dt.date] = set()  # issue dates whose offsets are known

    @cached_property
    def timeline(self) -> list[Timed]:
        """Every entry with its publication time, newest first (print order in a day)."""
        listings = self.catalog.listings
        self._offsets.update(page_offsets(sorted_pages(
            (x.issue_date, x.path, x.position) for x in listings)))
        self._days.update(x.issue_date for x in listings)
        return self._order(listings)

    def _order(self, listings: Sequence[Listing]) -> list[Timed]:
        missing = {x.issue_date for x in listings} - self._days
        if missing:  # the day's other pages decide where its articles stand in print
            self._offsets.update(page_offsets(self.catalog.pages_on(missing)))
            self._days |= missing
        offsets = self._offsets
        return newest_first(listings, self.config.site.zone, self.config.feeds.press_clock,
                            lambda x: offsets[(x.issue_date, x.path)])

    @cached_property
    def by_section(self) -> dict[str, list[Timed]]:
        """Section slug → its entries, newest first; every section present, even empty."""
        groups: dict[str, list[Timed]] = {s.slug: [] for s in self.catalog.sections}
        for timed in self.timeline:
            groups[self.section_of(timed[1]).slug].append(timed)
        return groups

    @cached_property
    def sections(self) -> Sequence[Section]:
        """The sections worth publishing: every configured one, and the others the content
        uses (the default section exists in the catalogue even when nothing is in it)."""
        return [s for s in self.catalog.sections if s.configured or self.count(s.slug)]

    @cached_property
    def nav_sections(self) -> Sequence[Section]:
        """The sections a reader can browse to: those with entries, in their order."""
        return [s for s in self.sections if self.count(s.slug)]

    def recent(self, slug: str, limit: int) -> list[Timed]:
        """The newest ``limit`` entries of a scope: the start of ``scope(slug)``, found
        from the latest issue dates only, without ordering the whole scope."""
        known = self._recent.get((slug, limit))
        if known is None:
            chosen: list[Listing] = []
            cutoff = None
            for listing in self.catalog.latest(None if slug == ALL else self._names[slug]):
                if cutoff is not None and listing.issue_date < cutoff:
                    break
                chosen.append(listing)
                if cutoff is None and len(chosen) >= limit:
                    cutoff = listing.issue_date - SLACK
            known = self._recent[(slug, limit)] = self._order(chosen)[:limit]
        return known

    def count(self, slug: str) -> int:
        """How many entries a scope has."""
        known = self._counts.get(slug)
        if known is None:
            known = self._counts[slug] = self.catalog.count(
                None if slug == ALL else self._names[slug])
        return known

    def entry(self, listing: Listing) -> Entry:
        """The whole entry, text and all, for an output that renders it."""
        return self.catalog.resolve(listing)

    def section_of(self, entry: Listing | Entry) -> Section:
        return self._sections[entry.section]

    def scope(self, slug: str) -> list[Timed]:
        """The entries of a feed scope: the whole site (``all``) or one section."""
        return self.timeline if slug == ALL else self.by_section[slug]

    def newest(self, slug: str = ALL) -> dt.datetime:
        """When the scope last changed: its newest entry, or the epoch for an empty one (so
        an empty feed does not change whenever another section gets news)."""
        timed = next((found for (scope, _), found in self._recent.items() if scope == slug),
                     None)  # the start of the scope, when a feed has asked for it already
        if timed is None:
            timed = self.recent(slug, 1)
        return timed[0][0] if timed else EPOCH

    def url(self, entry: Listing | Entry) -> str:
        """The permalink of an entry (asked for by every feed and page that lists it)."""
        known = self._urls.get(entry.id)
        if known is None:
            section = self.section_of(entry)
            known = self._urls[entry.id] = (
                self.record.link(self.links, entry, section) if self.record
                else self.links.article(entry, section))
        return known

    def article_path(self, entry: Listing | Entry) -> str:
        """Where an entry's page is written, relative to the output directory: its
        permalink on record, which no later change of the rules moves."""
        known = self._paths.get(entry.id)
        if known is None:
            found = self.record.permalink(entry) if self.record else None
            known = self._paths[entry.id] = (found.path if found
                                              else self.links.article_path(entry))
        return known

    def updated(self, entry: Listing | Entry) -> dt.datetime | None:
        """When a published entry was last corrected (None: never)."""
        if entry.id not in self._updated:
            self._updated[entry.id] = self.record.updated(entry.id) if self.record else None
        return self._updated[entry.id]

    def section_url(self, section: Section) -> str:
        return self.links.url(self.links.section_path(section.slug))

    def fingerprint(self, listing: Listing) -> str:
        """A key for everything about an entry an output may show, so that outputs made
        from unchanged entries can be recognised without reading or rendering them.
        Its pictures count too: a picture file can change while its page does not."""
        pictures = self.gallery.key(listing) if self.gallery is not None else ""
        return self._text_fingerprint(listing) + (f"\x1f{pictures}" if pictures else "")

    def _text_fingerprint(self, listing: Listing) -> str:
        if listing.version is not None:  # the entry is what that parse of its file made
            return f"{listing.id}\x1f{listing.version}\x1f{listing.position}"
        known = self._hashes.get(listing.id)
        if known is None:
            entry = self.entry(listing)
            parts = (entry.id, entry.title, entry.headline, entry.subtitle or "", entry.section,
                     entry.issue_date.isoformat(), entry.date.isoformat(),
                     str(entry.date_approximate), entry.byline, str(entry.position),
                     entry.time.isoformat() if entry.time else "",
                     *(f"{a.name}/{a.role}" for a in entry.authors), "\x1e",
                     *entry.paragraphs, "\x1e", *entry.captions)
            known = hashlib.sha1("\x1f".join(parts).encode()).hexdigest()
            self._hashes[listing.id] = known
        return known
