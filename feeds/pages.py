"""HTML pages: home, sections and their archive pages, one page per issue, 往期, the
subscribe page, the 404 page and one page per article (its permalink); and the
sitemap that lists them.

Pages link to each other with relative URLs, so the site works from any folder
and in `feeds serve` before it is deployed; canonical links, share tags and
feed autodiscovery links are absolute. The 404 page is served at any URL, so
its links start from the server's root. With ``feeds.article_url`` set, the
articles live elsewhere: links point there and article pages are not made.

Every page has a fingerprint of what it shows (feeds.sitewriter), so a rebuild
after one new article renders only the pages that change: the home page, the
article's section page and the last of its archive pages, its issue's page, the
article and its neighbour in the section, 往期 when the issue is new, and the
sitemap. A section's archive pages count from its oldest articles
(``sections/<slug>/1.html`` holds the first hundred), so an article stays on
its page for good.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

import jinja2
import segno
from markupsafe import Markup

from . import dateformat, photos, rendering, sitemap
from .formats import FORMATS, RSS
from .model import Entry, Listing, Section
from .site import Site, Timed
from .sitewriter import Output
from .urls import ALL, HOME_PATH, ISSUES_PATH, NOT_FOUND_PATH, OPML_PATH, SUBSCRIBE_PAGE_PATH, Links

HOME_PER_SECTION = 8
PER_PAGE = 100  # articles on a section's page and on each of its archive pages


@dataclass(frozen=True)
class PageItem:
    title: str
    href: str
    date: dt.date
    summary: str
    subtitle: str | None = None
    section: str = ""


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


@dataclass(frozen=True)
class Share:
    """What a page tells share cards (Open Graph, Twitter cards) besides its title and
    description, which its template writes (blocks ``title`` and ``description``)."""

    type: str = "website"  # og:type; "article" for an article
    image: str | None = None  # absolute URL
    published: str | None = None  # article:published_time, ISO 8601
    section: str | None = None  # article:section


@dataclass(frozen=True)
class Run:
    """Consecutive articles of one section on an issue's page."""

    section: NavLink
    entries: list[PageItem]


@dataclass(frozen=True)
class Month:
    name: str
    days: list[NavLink]


class PageBuilder:
    def __init__(self, site: Site, env: jinja2.Environment, design: str) -> None:
        """``design`` names the templates (rendering.fingerprint): a new one renders
        every page again."""
        self.site = site
        self.env = env
        self.links = site.links
        self._design = design
        self._language = site.config.site.language
        self._navigations: dict[tuple[str, str | None], list[NavLink]] = {}
        self._frame = self._key(
            design, repr(site.config.site), repr(site.config.web.signup),
            *(f"{s.name}/{s.slug}" for s in site.nav_sections),
            *(f"{s.name}/{s.slug}" for s in site.sections))

    def outputs(self) -> Iterator[Output]:
        located: list[sitemap.Located] = []
        recent = self.site.recent(ALL, 1)
        newest = recent[0][1].issue_date if recent else dt.date(1970, 1, 1)
        yield Output(HOME_PATH, self._home, self._home_key())
        located.append(self._located(HOME_PATH, newest))
        for section in self.site.sections:
            yield from self._section_outputs(section, located)
        yield from self._issue_outputs(located)
        yield Output(SUBSCRIBE_PAGE_PATH, self._subscribe, self._frame)
        located.append(self._located(SUBSCRIBE_PAGE_PATH, newest))
        yield Output(NOT_FOUND_PATH, self._not_found, self._frame)
        articles = []
        if self.links.publishes_articles():
            for section in self.site.sections:
                timed = self.site.by_section[section.slug]
                listings = [listing for _, listing in timed]
                for (published, listing), newer, older in zip(
                        timed, [None, *listings], [*listings[1:], None], strict=False):
                    yield self._article_output(published, listing, newer, older)
            articles = [self._located(self.site.article_path(listing), listing.issue_date)
                        for _, listing in reversed(self.site.timeline)]
        yield from sitemap.outputs(self.env, self.links, self._design, located, articles)

    # ------------------------------------------------------------- sections
    def _section_outputs(self, section: Section, located: list[sitemap.Located]
                         ) -> Iterator[Output]:
        timed = self.site.by_section[section.slug]
        pages = archive_pages(len(timed))
        front = Links.section_path(section.slug)
        shown = timed[:PER_PAGE]
        yield Output(front, lambda: self._section_front(section, shown, pages),
                     self._key(self._frame, front, str(len(pages)), str(len(timed)),
                               *self._timed_keys(shown)))
        if timed:
            located.append(self._located(front, timed[0][1].issue_date))
        oldest_first = timed[::-1]
        for number, (start, end) in enumerate(pages, start=1):
            chunk = oldest_first[start:end][::-1]  # shown newest first
            path = Links.section_page_path(section.slug, number)
            last = number == len(pages)
            yield Output(path, partial(self._archive_page, section, chunk, number, last),
                         self._key(self._frame, path, str(last), *self._timed_keys(chunk)))
            located.append(self._located(path, chunk[0][1].issue_date))

    def _section_front(self, section: Section, shown: list[Timed],
                       pages: list[tuple[int, int]]) -> bytes:
        path = Links.section_path(section.slug)
        total = self.site.count(section.slug)
        older = None
        if total > len(shown):  # the page holding the newest article not shown here
            older = self._href(path, Links.section_page_path(
                section.slug, (total - len(shown) - 1) // PER_PAGE + 1))
        numbers = [NavLink(str(n), self._href(path, Links.section_page_path(section.slug, n)))
                   for n in range(len(pages), 0, -1)]
        return self._render(
            "section.html.j2", path, section.slug, current=section.slug,
            section=section, total=total, entries=self._items(shown, path),
            older_href=older, numbers=numbers, number=None, newer_href=None)

    def _archive_page(self, section: Section, chunk: list[Timed], number: int,
                      last: bool) -> bytes:
        path = Links.section_page_path(section.slug, number)
        newer = (Links.section_path(section.slug) if last
                 else Links.section_page_path(section.slug, number + 1))
        older = Links.section_page_path(section.slug, number - 1) if number > 1 else None
        return self._render(
            "section.html.j2", path, section.slug, current=section.slug,
            section=section, total=self.site.count(section.slug),
            entries=self._items(chunk, path), numbers=[], number=number,
            first=chunk[-1][1].issue_date, final=chunk[0][1].issue_date,
            newer_href=self._href(path, newer),
            older_href=self._href(path, older) if older else None)

    # --------------------------------------------------------------- issues
    def _issue_outputs(self, located: list[sitemap.Located]) -> Iterator[Output]:
        """A page per issue date, the day's articles in print order, and 往期."""
        days: dict[dt.date, list[Timed]] = {}
        for timed in self.site.timeline:
            days.setdefault(timed[1].issue_date, []).append(timed)
        dates = list(days)  # newest first
        for day, newer, older in zip(dates, [None, *dates], [*dates[1:], None],
                                     strict=False):
            path = Links.day_path(day)
            yield Output(path, partial(self._day_page, day, days[day], newer, older),
                               self._key(self._frame, path, str(newer), str(older),
                                         *self._timed_keys(days[day])))
            located.append(self._located(path, day))
        yield Output(ISSUES_PATH, lambda: self._issues(dates),
                           self._key(self._frame, ISSUES_PATH, *map(str, dates)))
        if dates:
            located.append(self._located(ISSUES_PATH, dates[0]))

    def _day_page(self, day: dt.date, timed: list[Timed], newer: dt.date | None,
                  older: dt.date | None) -> bytes:
        path = Links.day_path(day)
        runs: list[Run] = []
        for item in timed:
            section = self.site.section_of(item[1])
            if not runs or runs[-1].section.name != section.name:
                runs.append(Run(self._nav(section, self._prefix(path)), []))
            runs[-1].entries.append(self._item(item, path))
        return self._render(
            "day.html.j2", path, ALL, day=day, runs=runs, lead=runs[0].entries[0],
            count=len(timed), newer=self._day_link(path, newer),
            older=self._day_link(path, older))

    def _day_link(self, source: str, day: dt.date | None) -> NavLink | None:
        if day is None:
            return None
        return NavLink(dateformat.date_text(day, self._language),
                       self._href(source, Links.day_path(day)))

    def _issues(self, dates: list[dt.date]) -> bytes:
        months: list[Month] = []
        for day in dates:
            name = dateformat.month_text(day.year, day.month, self._language)
            if not months or months[-1].name != name:
                months.append(Month(name, []))
            months[-1].days.append(NavLink(dateformat.day_text(day, self._language),
                                           self._href(ISSUES_PATH, Links.day_path(day))))
        return self._render(
            "issues.html.j2", ISSUES_PATH, ALL, current="issues",
            months=months)

    # ------------------------------------------------------------- articles
    def _article_output(self, published: dt.datetime, listing: Listing,
                        newer: Listing | None, older: Listing | None) -> Output:
        path = self.site.article_path(listing)

        def render() -> bytes:
            section = self.site.section_of(listing)
            entry = self.site.entry(listing)
            pictures = self._pictures(entry)
            image = self._og_image(pictures, entry)
            return self._render(
                "article.html.j2", path, section.slug, current=section.slug,
                canonical=self.site.url(listing),
                share=Share("article", str(image["url"]) if image else None,
                            published.isoformat(), section.name),
                entry=entry, published=published, section=section, og_image=image,
                figures=photos.figures(pictures, lambda target: self._href(path, target),
                                       entry.headline),
                section_href=self._href(path, Links.section_path(section.slug)),
                day_href=self._href(path, Links.day_path(listing.issue_date)),
                newer=self._neighbour(path, newer), older=self._neighbour(path, older))

        neighbours = [f"{x.id}/{x.title}/{self.site.article_path(x)}" if x else ""
                      for x in (newer, older)]
        key = self._key(self._frame, self.site.fingerprint(listing), listing.section,
                        published.isoformat(), *neighbours)
        return Output(path, render, key)

    def _neighbour(self, source: str, listing: Listing | None) -> NavLink | None:
        if listing is None:
            return None
        return NavLink(listing.title, self._href(source, self.site.article_path(listing)))

    # ----------------------------------------------------------------- home
    def _home_key(self) -> str:
        parts = []
        for section in self.site.nav_sections:
            parts += [section.slug, str(self.site.count(section.slug)),
                      *self._timed_keys(self.site.recent(section.slug, HOME_PER_SECTION))]
        return self._key(self._frame, "home", *parts,
                         *self._timed_keys(self.site.recent(ALL, 1)))

    def _home(self) -> bytes:
        groups = [Group(self._nav(section, self._prefix(HOME_PATH)),
                        self._items(self.site.recent(section.slug, HOME_PER_SECTION), HOME_PATH),
                        self.site.count(section.slug)) for section in self.site.nav_sections]
        newest = self.site.recent(ALL, 1)
        latest = (self._day_link(HOME_PATH, newest[0][1].issue_date) if newest else None)
        return self._render("home.html.j2", HOME_PATH, ALL, groups=groups, latest=latest,
                            signup_sections=self.site.sections)

    # ------------------------------------------------------- subscribe, 404
    def _subscribe(self) -> bytes:
        scopes = [(ALL, self.site.config.site.title),
                  *((s.slug, s.name) for s in self.site.nav_sections)]
        feeds = [{"name": name,
                  "urls": [{"label": fmt.label,
                            "url": self.links.url(Links.feed_path(slug, fmt))}
                           for fmt in FORMATS]}
                 for slug, name in scopes]
        main = self.links.url(Links.feed_path(ALL, RSS))
        return self._render(
            "subscribe.html.j2", SUBSCRIBE_PAGE_PATH, ALL, current="subscribe",
            feeds=feeds, main_feed=main, qr=qr_svg(main),
            opml_url=self.links.url(OPML_PATH),
            signup_sections=self.site.sections)

    def _not_found(self) -> bytes:
        return self._render("404.html.j2", NOT_FOUND_PATH, ALL, prefix=self.links.rooted(""),
                            canonical="", robots="noindex")

    # ------------------------------------------------------------- pictures
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

    # --------------------------------------------------------------- pieces
    def _render(self, name: str, path: str, scope: str, current: str | None = None,
                canonical: str | None = None, prefix: str | None = None,
                **context: object) -> bytes:
        """A page; ``prefix`` leads every link to another page (default: back up to the
        site's root from ``path``)."""
        if prefix is None:
            prefix = self._prefix(path)
        site = self.site.config.site
        page = rendering.render(
            rendering.load(self.env, name),
            site=site,
            locale=site.language.replace("-", "_"),
            home_href=prefix + HOME_PATH,
            sections=self._navigation(prefix, current),
            issues_href=prefix + ISSUES_PATH,
            subscribe_href=prefix + SUBSCRIBE_PAGE_PATH,
            signup_href=prefix + "subscribe",
            signup=self.site.config.web.signup,
            alternates=self._alternates(scope),
            opml_href=prefix + OPML_PATH,
            canonical=self.links.url(path) if canonical is None else canonical,
            current=current,
            robots=context.pop("robots", None),
            share=context.pop("share", Share()),
            **context,
        )
        return page.encode("utf-8")

    def _alternates(self, scope: str) -> list[dict[str, str]]:
        """Autodiscovery links: the page's own feeds, then the site-wide ones."""
        scopes = [scope] if scope == ALL else [scope, ALL]
        title = self.site.config.site.title
        names = {s.slug: s.name for s in self.site.sections}
        return [{"type": fmt.media_type,
                 "title": f"{title}{' · ' + names[s] if s != ALL else ''} ({fmt.label})",
                 "href": self.links.url(Links.feed_path(s, fmt))}
                for s in scopes for fmt in FORMATS]

    def _navigation(self, prefix: str, current: str | None) -> list[NavLink]:
        """The section links of a page; the same for every page at one depth and section.
        Sections with no articles yet are left out."""
        key = (prefix, current)
        if key not in self._navigations:
            self._navigations[key] = [self._nav(s, prefix, current)
                                      for s in self.site.nav_sections]
        return self._navigations[key]

    @staticmethod
    def _nav(section: Section, prefix: str, current: str | None = None) -> NavLink:
        return NavLink(section.name, prefix + Links.section_path(section.slug),
                       section.slug == current)

    def _items(self, timed: Iterable[Timed], path: str) -> list[PageItem]:
        return [self._item(t, path) for t in timed]

    def _item(self, timed: Timed, path: str) -> PageItem:
        _, listing = timed
        href = (self._href(path, self.site.article_path(listing))
                if self.links.publishes_articles() else self.site.url(listing))
        entry = self.site.entry(listing)
        return PageItem(listing.title, href, listing.issue_date, entry.summary,
                        entry.subtitle, listing.section)

    def _timed_keys(self, timed: Sequence[Timed]) -> list[str]:
        """What a listing of entries shows of each: its parse, time and link."""
        return [f"{self.site.fingerprint(listing)}/{published.isoformat()}/"
                f"{self.site.url(listing)}" for published, listing in timed]

    def _located(self, path: str, day: dt.date) -> sitemap.Located:
        return sitemap.Located(self.links.url(path), day.isoformat())

    @staticmethod
    def _prefix(path: str) -> str:
        return "../" * path.count("/")

    @staticmethod
    def _href(source: str, target: str) -> str:
        """A link from one output path to another; both are relative to the site root,
        so climbing to the root and going down is enough (and far cheaper than relpath,
        which every page would call for every link)."""
        return "../" * source.count("/") + target

    @staticmethod
    def _key(*parts: str) -> str:
        return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()



def archive_pages(count: int) -> list[tuple[int, int]]:
    """(start, end) of each archive page of a section with ``count`` articles, counted
    oldest first: page n holds the nth hundred, the last one what is left."""
    return [(start, min(start + PER_PAGE, count)) for start in range(0, count, PER_PAGE)]


def qr_svg(url: str) -> Markup:
    """A QR code of a URL as inline SVG (no file, no external request); dark modules on a
    white quiet zone, which phone cameras read in dark mode too."""
    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(scale=4, border=4, dark="#000", light="#fff",
                                  title="订阅地址二维码"))
