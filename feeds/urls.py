"""Where everything lives: output paths and public URLs of pages, feeds and digests.

One scheme shared by every output, so a feed item, a section page and a digest
email link to the same permalink. Paths are relative to the output directory
and use ``/``; URLs are absolute, from ``site.base_url``.

    index.html                          home page
    sections/<slug>.html                a section's newest articles
    sections/<slug>/<n>.html            a section's nth hundred articles, counted from the
                                        oldest, so a page's articles never move to another
    <yyyy>/<mm>/<dd>/index.html         one issue: the day's paper in print order
    <yyyy>/<mm>/<dd>/<slug>.html        an article (its permalink)
    archive/index.html                  往期: every issue date, by month
    feeds/index.html                    how to subscribe, for people
    feeds/<all|slug>.rss.xml            feeds: .rss.xml, .atom.xml, .json (feeds.formats)
    feeds/archive/<all|slug>/<yyyy-mm>.atom.xml   RFC 5005 archive documents
    feeds/index.opml, feeds/feed.xsl
    sitemap.xml, sitemaps/<part>.xml    sitemap (an index of parts past 50,000 URLs)
    robots.txt, 404.html
    digests/<edition>.html              web copy of a digest edition

A URL of an ``index.html`` ends with its folder (``/2022/09/20/``); links from one
page to another are relative and name the file, so the site also reads from disk.

With ``feeds.article_url`` set, articles live elsewhere and links point there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import slugs
from .config import RESERVED_SLUG
from .formats import ATOM, Format
from .model import Entry, Listing, Section
from .slugs import slug as make_slug

ALL = RESERVED_SLUG  # the scope of the site-wide feeds; no section may take this slug

# The pages and files that exist once a site.
HOME_PATH = "index.html"
ISSUES_PATH = "archive/index.html"
SUBSCRIBE_PAGE_PATH = "feeds/index.html"
SITEMAP_PATH = "sitemap.xml"
ROBOTS_PATH = "robots.txt"
NOT_FOUND_PATH = "404.html"
OPML_PATH = "feeds/index.opml"
STYLESHEET_PATH = "feeds/feed.xsl"


@dataclass(frozen=True)
class Links:
    base_url: str
    article_url: str | None = None  # pattern; None: we publish the article pages

    # ------------------------------------------------------------------ paths
    @staticmethod
    def section_path(section_slug: str) -> str:
        return f"sections/{section_slug}.html"

    @staticmethod
    def section_page_path(section_slug: str, number: int) -> str:
        """The ``number``th page of a section's archive, from 1 for its oldest articles."""
        return f"sections/{section_slug}/{number}.html"

    @staticmethod
    def day_path(day: dt.date) -> str:
        return f"{day:%Y}/{day:%m}/{day:%d}/index.html"

    @staticmethod
    def sitemap_part_path(part: str) -> str:
        return f"sitemaps/{part}.xml"

    @staticmethod
    def article_path(entry: Listing | Entry, slug: str | None = None) -> str:
        """Where a new article's page goes. Once published, its path comes from the
        record (feeds.published), never from this rule again."""
        day = entry.issue_date
        return f"{day:%Y}/{day:%m}/{day:%d}/{slug or entry_slug(entry)}.html"

    @staticmethod
    def feed_path(scope: str, fmt: Format) -> str:
        return f"feeds/{scope}{fmt.suffix}"

    @staticmethod
    def archive_path(scope: str, month: str) -> str:
        """RFC 5005 defines archives for Atom only: every format's feed links these."""
        return f"feeds/archive/{scope}/{month}{ATOM.suffix}"

    @staticmethod
    def digest_path(edition: str) -> str:
        return f"digests/{edition}.html"

    # ------------------------------------------------------------------- URLs
    def url(self, path: str) -> str:
        """The absolute URL of an output path; a folder's index.html is the folder."""
        if path == "index.html" or path.endswith("/index.html"):
            path = path[:-len("index.html")]
        return self.base_url + path

    def rooted(self, path: str) -> str:
        """The URL of an output path from the server's root (``/news/feeds/``), for pages
        served at any URL, such as the 404 page."""
        return urlsplit(self.url(path)).path

    def article(self, entry: Listing | Entry, section: Section, slug: str | None = None,
                path: str | None = None) -> str:
        """The permalink of an entry: from its ``slug`` and ``path`` on record, else made."""
        if self.article_url is None:
            return self.url(path or self.article_path(entry, slug))
        day = entry.issue_date
        slug = slug or entry_slug(entry)
        return self.article_url.format(
            issue_date=day.isoformat(), yyyy=f"{day:%Y}", mm=f"{day:%m}", dd=f"{day:%d}",
            slug=slug, section=section.slug, id_hash=slug.rsplit("-", 1)[-1])

    def publishes_articles(self) -> bool:
        return self.article_url is None

    # Endpoints of `feeds serve` (the web app); links in emails point at them.
    def subscribe(self) -> str:
        return self.base_url + "subscribe"

    def confirm(self, token: str) -> str:
        return f"{self.base_url}confirm?token={token}"

    def unsubscribe(self, token: str) -> str:
        return f"{self.base_url}unsubscribe?token={token}"

    def preferences(self, token: str) -> str:
        return f"{self.base_url}preferences?token={token}"


def entry_slug(entry: Listing | Entry, id_: str | None = None) -> str:
    return make_slug(entry.headline or entry.title, id_ or entry.id)


def prepare_permalinks(entries: Iterable[Listing | Entry]) -> None:
    """Make in one batch the slugs new_permalink() will need for these entries."""
    slugs.prepare((entry.headline or entry.title, entry.id) for entry in entries)


def new_permalink(entry: Listing | Entry, id_: str) -> tuple[str, str]:
    """(slug, path) of an article published for the first time with this id."""
    slug = entry_slug(entry, id_)
    return slug, Links.article_path(entry, slug)
