"""Which feed documents the site has, and what goes in each.

For the whole site (scope ``all``) and for every section:

- subscription feeds ``feeds/<scope>.rss.xml``, ``.atom.xml`` and ``.json`` with the
  newest ``feeds.limit`` entries;
- RFC 5005 archive documents, one per month, ``feeds/archive/<scope>/<yyyy-mm>.atom.xml``,
  listing every entry of that month. The subscription feeds link ``prev-archive`` to
  the newest month; each month links to the months before and after it and to the
  subscription feed (``current``). A month's document stops changing once a later
  month has entries. RFC 5005 defines archives for Atom; the RSS feed links to the
  same Atom documents.

plus ``feeds/index.opml`` (every section, for a one-step import) and the optional XSL
stylesheet for browsers that still run XSLT. Every document links the subscribe page for
people (``rel="related"``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
from collections.abc import Callable, Iterator, Sequence

from ..formats import ATOM, FORMATS, JSON, RSS, Format
from ..model import Entry
from ..site import Site, Timed
from ..sitewriter import Output
from ..urls import ALL, HOME_PATH, OPML_PATH, STYLESHEET_PATH, SUBSCRIBE_PAGE_PATH, Links
from . import jsonfeed, opml, xmlfeeds
from .items import FeedItem, ItemImage
from .xmlfeeds import FeedMeta, Link

ContentRenderer = Callable[[Entry, str], str]


class FeedBuilder:
    """Makes the feed outputs of one site. Entries become feed items and Atom fragments
    once, however many documents they appear in; archives go month by month across all
    scopes, so only one month's fragments are held at a time (an entry appears in its
    month's site-wide and section documents, and in no other)."""

    def __init__(self, site: Site, render_content: ContentRenderer,
                 stylesheet: bytes | None, design: str = "") -> None:
        """``design`` names how entries are rendered (a hash of the template behind
        ``render_content``): changing it renders every document again."""
        self.site = site
        self.links: Links = site.links
        self.render_content = render_content
        self.stylesheet = stylesheet
        self.full = site.config.feeds.content == "full"
        self.design = f"{design}:{site.config.feeds.content}"
        self._items: dict[str, FeedItem] = {}  # for the subscription feeds: a few hundred
        self._fragments: dict[str, bytes] = {}  # for the month being written

    def outputs(self) -> Iterator[Output]:
        scopes = [ALL, *(s.slug for s in self.site.sections)]
        months = {slug: _months(self.site.scope(slug)) if self.site.config.feeds.archives
                  else [] for slug in scopes}
        for slug in scopes:
            yield from self._subscription(slug, months[slug][0][0] if months[slug] else None)
        for month in sorted({m for found in months.values() for m, _ in found}, reverse=True):
            self._fragments.clear()
            for slug in scopes:
                yield from self._archives_of(slug, months[slug], month)
        yield Output(OPML_PATH, self._opml)
        if self.stylesheet is not None:
            data = self.stylesheet
            yield Output(STYLESHEET_PATH, lambda: data)

    # ------------------------------------------------------------- one scope
    def _subscription(self, slug: str, newest_month: str | None) -> Iterator[Output]:
        recent = self.site.recent(slug, self.site.config.feeds.limit)
        entries = self._entries(recent)
        for fmt in FORMATS:
            path = Links.feed_path(slug, fmt)
            if fmt is JSON:
                meta_json = self._json_meta(slug)
                yield Output(path, self._json_renderer(meta_json, recent),
                             self._fingerprint(meta_json, entries))
                continue
            links: tuple[Link, ...] = (*self._hub(), self._subscribe_link())
            if newest_month:
                href = self.links.url(Links.archive_path(slug, newest_month))
                links += (Link("prev-archive", href, ATOM.media_type),)
            meta = self._meta(slug, path, fmt, links, updated=self._changed(slug, recent))
            yield Output(path, self._xml_renderer(meta, recent, fmt),
                         self._fingerprint((fmt, meta), entries))

    def _archives_of(self, slug: str, months: list[tuple[str, list[Timed]]],
                     month: str) -> Iterator[Output]:
        """The scope's archive document for one month, if it has entries then."""
        for i, (found, entries) in enumerate(months):  # newest month first
            if found == month:
                later = months[i - 1][0] if i > 0 else None
                earlier = months[i + 1][0] if i + 1 < len(months) else None
                yield self._archive(slug, month, entries, earlier, later)

    def _archive(self, slug: str, month: str, timed: list[Timed], earlier: str | None,
                 later: str | None) -> Output:
        path = Links.archive_path(slug, month)
        links = [Link("current", self.links.url(Links.feed_path(slug, ATOM)), ATOM.media_type),
                 self._subscribe_link()]
        if earlier:
            links.append(Link("prev-archive", self.links.url(Links.archive_path(slug, earlier)),
                              ATOM.media_type))
        if later:
            links.append(Link("next-archive", self.links.url(Links.archive_path(slug, later)),
                              ATOM.media_type))
        meta = self._meta(slug, path, ATOM, tuple(links), archive=True,
                          updated=timed[0][0])

        def render() -> bytes:
            return xmlfeeds.atom_with_entries(meta, [self._fragment(t) for t in timed])

        return Output(path, render, self._fingerprint(meta, self._entries(timed)))

    def _changed(self, slug: str, timed: Sequence[Timed]) -> dt.datetime:
        """When a document last changed: its newest entry, or a later correction."""
        times = [self.site.newest(slug)]
        times += [t for t in (self.site.updated(listing) for _, listing in timed) if t]
        return max(times)

    def _fingerprint(self, meta: object, entries: str) -> str:
        """Everything a feed document is made from, so an unchanged one is not rendered:
        its metadata, how entries are rendered, and its entries (_entries)."""
        return hashlib.sha1(f"{self.design}\x1e{meta!r}\x1e{entries}".encode()).hexdigest()

    def _entries(self, timed: Sequence[Timed]) -> str:
        """Each entry with its time and URL: once for the three formats of a feed."""
        return "".join(f"\x1e{self.site.fingerprint(listing)}\x1f{published.isoformat()}"
                       f"\x1f{self.site.url(listing)}\x1f{listing.section}"
                       f"\x1f{self.site.updated(listing)}" for published, listing in timed)

    # ------------------------------------------------------------- renderers
    def _xml_renderer(self, meta: FeedMeta, timed: Sequence[Timed],
                      fmt: Format) -> Callable[[], bytes]:
        write = xmlfeeds.rss if fmt is RSS else xmlfeeds.atom
        return lambda: write(meta, [self._item(t) for t in timed])

    def _json_meta(self, slug: str) -> jsonfeed.JsonFeedMeta:
        return jsonfeed.JsonFeedMeta(
            title=self._title(slug),
            home_page_url=self._html_url(slug),
            feed_url=self.links.url(Links.feed_path(slug, JSON)),
            description=self.site.config.site.description,
            language=self.site.config.site.language,
            author=self.site.config.site.title,
            hub=self.site.config.feeds.websub_hub,
        )

    def _json_renderer(self, meta: jsonfeed.JsonFeedMeta,
                       timed: Sequence[Timed]) -> Callable[[], bytes]:
        return lambda: jsonfeed.render(meta, [self._item(t) for t in timed])

    def _opml(self) -> bytes:
        site = self.site.config.site
        feeds = tuple(opml.FeedLink(self._title(s.slug),
                                    self.links.url(Links.feed_path(s.slug, RSS)),
                                    self._html_url(s.slug))
                      for s in self.site.sections if self.site.count(s.slug))
        return opml.render(site.title, site.base_url, self.site.newest(),
                           [opml.Group(site.title, feeds)])

    # ---------------------------------------------------------------- pieces
    def _meta(self, slug: str, path: str, fmt: Format, links: tuple[Link, ...],
              archive: bool = False, updated: dt.datetime | None = None) -> FeedMeta:
        site = self.site.config.site
        return FeedMeta(
            id=self.links.url(Links.feed_path(slug, ATOM)),  # one id for the logical feed
            title=self._title(slug),
            description=site.description,
            language=site.language,
            author=site.title,
            html_url=self._html_url(slug),
            self_url=self.links.url(path),
            self_type=fmt.media_type,
            updated=updated or self.site.newest(slug),
            links=links,
            stylesheet=self._stylesheet_href(path) if self.stylesheet is not None else None,
            archive=archive,
        )

    def _subscribe_link(self) -> Link:
        """rel=related: the page that tells people how to subscribe."""
        return Link("related", self.links.url(SUBSCRIBE_PAGE_PATH), "text/html")

    def _hub(self) -> tuple[Link, ...]:
        """rel=hub for WebSub; rel=self is always there (WebSub needs both)."""
        hub = self.site.config.feeds.websub_hub
        return (Link("hub", hub, ""),) if hub else ()

    def _title(self, slug: str) -> str:
        site = self.site.config.site.title
        if slug == ALL:
            return site
        name = next(s.name for s in self.site.sections if s.slug == slug)
        return f"{site} · {name}"

    def _html_url(self, slug: str) -> str:
        path = HOME_PATH if slug == ALL else Links.section_path(slug)
        return self.links.url(path)

    @staticmethod
    def _stylesheet_href(path: str) -> str:
        """Relative, so browsers apply it however the site is served (XSLT must be
        same-origin)."""
        return posixpath.relpath(STYLESHEET_PATH, posixpath.dirname(path))

    def _item(self, timed: Timed, keep: bool = True) -> FeedItem:
        published, listing = timed
        item = self._items.get(listing.id)
        if item is None:
            section = self.site.section_of(listing)
            entry = self.site.entry(listing)
            item = FeedItem.of(entry, published, section,
                               self.site.url(listing), self.site.section_url(section),
                               self.render_content if self.full else None,
                               self.site.updated(listing), self._images(entry))
            if keep:
                self._items[listing.id] = item
        return item

    def _images(self, entry: Entry) -> tuple[ItemImage, ...]:
        gallery = self.site.gallery
        if gallery is None:
            return ()
        url = self.links.url
        return tuple(
            ItemImage(url(p.large.path), p.large.type, p.large.length, p.large.width,
                      p.large.height, url(p.thumbnail.path), p.thumbnail.width,
                      p.thumbnail.height,
                      " ".join(x for x in (p.photo.caption, p.photo.credit) if x))
            for p in gallery.pictures(entry))

    def _fragment(self, timed: Timed) -> bytes:
        listing = timed[1]
        fragment = self._fragments.get(listing.id)
        if fragment is None:
            fragment = xmlfeeds.atom_entry(self._item(timed, keep=False))
            self._fragments[listing.id] = fragment
        return fragment


def _months(timed: list[Timed]) -> list[tuple[str, list[Timed]]]:
    """Entries grouped by issue month (YYYY-MM), newest month first, newest first within."""
    months: dict[str, list[Timed]] = {}
    for item in timed:
        months.setdefault(f"{item[1].issue_date:%Y-%m}", []).append(item)
    return sorted(months.items(), reverse=True)
