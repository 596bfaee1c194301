"""HTML pages: the home page, one page per section and one per article (its permalink).

Pages link to each other with relative URLs, so the site works from any
folder and in `feeds serve` before it is deployed; the canonical link and the
feed autodiscovery links are absolute. With ``feeds.article_url`` set, the
articles live elsewhere: links point there and article pages are not made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import jinja2

from . import photos, templates
from .model import Entry, Listing, Section
from .site import Site, Timed
from .sitewriter import Output
from .syndication.outputs import MEDIA_TYPES
from .urls import ALL, Links

HOME_PER_SECTION = 8
SECTION_PAGE_ITEMS = 100
_FEED_LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}


@dataclass(frozen=True)
class PageItem:
    title: str
    href: str
    date: str
    summary: str


@dataclass(frozen=True)
class NavLink:
    name: str
    href: str
    current: bool = False


@dataclass(frozen=True)
class Group:
    section: NavLink
    entries: list[PageItem]
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.entries)


class PageBuilder:
    def __init__(self, site: Site, env: jinja2.Environment, design: str) -> None:
        """``design`` names the templates (templates.fingerprint): a new one renders
        every page again."""
        self.site = site
        self.env = env
        self.links = site.links
        self._design = design
        self._navigations: dict[tuple[int, str | None], list[NavLink]] = {}

    def outputs(self) -> Iterator[Output]:
        yield Output(Links.home_path(), self._home)
        for section in self.site.sections:
            yield Output(Links.section_path(section.slug), self._section_renderer(section))
        if self.links.publishes_articles():
            for published, listing in self.site.timeline:
                yield Output(self.site.article_path(listing),
                             self._article_renderer(published, listing),
                             self._article_fingerprint(listing, published))

    # ----------------------------------------------------------------- pages
    def _home(self) -> bytes:
        path = Links.home_path()
        groups = []
        for section in self.site.sections:
            total = self.site.count(section.slug)
            if total:
                timed = self.site.recent(section.slug, HOME_PER_SECTION)
                groups.append(Group(self._nav(section, path.count("/")),
                                    [self._page_item(t, path) for t in timed], total))
        return self._render("home.html.j2", path, ALL, groups=groups,
                            signup=self.site.config.web.signup,
                            signup_href=self._href(path, "subscribe"),
                            signup_sections=self.site.sections)

    def _section_renderer(self, section: Section) -> Callable[[], bytes]:
        def render() -> bytes:
            path = Links.section_path(section.slug)
            timed = self.site.recent(section.slug, SECTION_PAGE_ITEMS)
            return self._render("section.html.j2", path, section.slug,
                                section=section, total=self.site.count(section.slug),
                                entries=[self._page_item(t, path) for t in timed],
                                current=section.slug)
        return render

    def _article_renderer(self, published: dt.datetime,
                          listing: Listing) -> Callable[[], bytes]:
        def render() -> bytes:
            path = self.site.article_path(listing)
            section = self.site.section_of(listing)
            entry = self.site.entry(listing)
            pictures = self._pictures(entry)
            return self._render("article.html.j2", path, section.slug,
                                entry=entry, figures=photos.figures(
                                    pictures, lambda target: self._href(path, target),
                                    entry.headline),
                                og_image=self._og_image(pictures, entry),
                                published=published, section=section,
                                section_href=self._href(path, Links.section_path(section.slug)),
                                canonical=self.site.url(listing), current=section.slug)
        return render

    def _article_fingerprint(self, listing: Listing, published: dt.datetime) -> str:
        section = self.site.section_of(listing)
        nav = ",".join(f"{s.name}/{s.slug}" for s in self.site.sections)
        key = (f"{self._design}:{self.site.fingerprint(listing)}:{section.slug}:{nav}:"
               f"{published.isoformat()}:{self._site_fingerprint()}")
        return hashlib.sha1(key.encode()).hexdigest()

    def _pictures(self, entry: Entry) -> tuple[photos.Picture, ...]:
        gallery = self.site.gallery
        return gallery.pictures(entry) if gallery is not None else ()

    def _og_image(self, pictures: tuple[photos.Picture, ...], entry: Entry
                  ) -> dict[str, object] | None:
        """The lead picture for share cards (Open Graph: an absolute URL, its size)."""
        if not pictures:
            return None
        large = pictures[0].large
        return {"url": self.links.url(large.path), "type": large.type, "width": large.width,
                "height": large.height, "alt": pictures[0].photo.caption or entry.headline}

    # --------------------------------------------------------------- helpers
    def _render(self, name: str, path: str, scope: str, current: str | None = None,
                canonical: str | None = None, **context: object) -> bytes:
        site = self.site.config.site
        page = templates.render(
            templates.load(self.env, name),
            site=site,
            home_href=self._href(path, Links.home_path()),
            sections=self._navigation(path.count("/"), current),
            alternates=self._alternates(scope),
            opml_href=self._href(path, Links.opml_path()),
            canonical=canonical or self.links.url(path),
            **context,
        )
        return page.encode("utf-8")

    def _alternates(self, scope: str) -> list[dict[str, str]]:
        """Autodiscovery links: the page's own feeds, then the site-wide ones."""
        scopes = [scope] if scope == ALL else [scope, ALL]
        title = self.site.config.site.title
        names = {s.slug: s.name for s in self.site.sections}
        return [{"type": MEDIA_TYPES[fmt],
                 "title": f"{title}{' · ' + names[s] if s != ALL else ''} ({_FEED_LABELS[fmt]})",
                 "href": self.links.url(Links.feed_path(s, fmt))}
                for s in scopes for fmt in ("rss", "atom", "json")]

    def _navigation(self, depth: int, current: str | None) -> list[NavLink]:
        """The section links of a page; the same for every page at one depth and section."""
        key = (depth, current)
        if key not in self._navigations:
            self._navigations[key] = [self._nav(s, depth, current) for s in self.site.sections]
        return self._navigations[key]

    @staticmethod
    def _nav(section: Section, depth: int, current: str | None = None) -> NavLink:
        return NavLink(section.name, "../" * depth + Links.section_path(section.slug),
                       section.slug == current)

    def _page_item(self, timed: Timed, path: str) -> PageItem:
        _, listing = timed
        href = (self._href(path, self.site.article_path(listing))
                if self.links.publishes_articles() else self.site.url(listing))
        return PageItem(listing.title, href, listing.issue_date.isoformat(),
                        self.site.entry(listing).summary)

    @staticmethod
    def _href(source: str, target: str) -> str:
        """A link from one output path to another; both are relative to the site root,
        so climbing to the root and going down is enough (and far cheaper than relpath,
        which every page would call for every link)."""
        return "../" * source.count("/") + target

    def _site_fingerprint(self) -> str:
        site = self.site.config.site
        return f"{site.title}|{site.language}|{site.base_url}|{site.description}"
