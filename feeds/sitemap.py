"""sitemap.xml and robots.txt: what search engines should crawl, by the Sitemap protocol.

One sitemap holds at most 50,000 URLs (sitemaps.org). Up to that, ``sitemap.xml``
lists every page; past it, ``sitemap.xml`` is a sitemap index of parts: the site's
pages (home, sections, issues) in ``sitemaps/pages-<n>.xml`` and the articles,
oldest first, in ``sitemaps/articles-<n>.xml``. A new article then changes only
the last part of each kind, so a rebuild re-renders two parts, not all of them.
robots.txt allows everything and names the sitemap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import jinja2

from . import rendering
from .sitewriter import Output
from .urls import ROBOTS_PATH, SITEMAP_PATH, Links

LIMIT = 50_000  # URLs in one sitemap (the protocol's limit)


@dataclass(frozen=True)
class Located:
    url: str
    lastmod: str  # W3C datetime: YYYY-MM-DD


def outputs(env: jinja2.Environment, links: Links, design: str, pages: Sequence[Located],
            articles: Sequence[Located], limit: int = LIMIT) -> Iterator[Output]:
    """The sitemap (or the index and its parts) and robots.txt. ``articles`` come
    oldest first."""
    yield _rendered(env, ROBOTS_PATH, "robots.txt.j2", design,
                    sitemap=links.url(SITEMAP_PATH))
    if len(pages) + len(articles) <= limit:
        yield _rendered(env, SITEMAP_PATH, "sitemap.xml.j2", design,
                        urls=[*pages, *articles])
        return
    parts = []
    for kind, found in (("pages", pages), ("articles", articles)):
        for number, start in enumerate(range(0, len(found), limit), start=1):
            chunk = found[start:start + limit]
            path = Links.sitemap_part_path(f"{kind}-{number}")
            parts.append(Located(links.url(path), max(x.lastmod for x in chunk)))
            yield _rendered(env, path, "sitemap.xml.j2", design, urls=chunk)
    yield _rendered(env, SITEMAP_PATH, "sitemapindex.xml.j2", design, sitemaps=parts)


def _rendered(env: jinja2.Environment, path: str, name: str, design: str,
              **context: object) -> Output:
    """An output keyed on what it lists, so an unchanged sitemap is not rendered again."""
    digest = hashlib.sha1(f"{design}\x1e{name}".encode())
    for key, value in sorted(context.items()):
        digest.update(f"\x1e{key}".encode())
        for item in value if isinstance(value, list | tuple) else [value]:
            digest.update(f"\x1f{item!r}".encode())

    def render() -> bytes:
        return rendering.render(rendering.load(env, name), **context).encode("utf-8")

    return Output(path, render, digest.hexdigest())
