"""What a published file is, for whoever hands it to readers: its media type and how long
caches may keep it.

One table for every way the site goes out (``feeds serve`` and ``feeds deploy``), so a
feed has the same Content-Type and lifetime whether nginx, our server or a bucket
behind a CDN answers. Feeds are polled: a short lifetime lets news through soon while
conditional requests stay cheap. Files whose names carry a hash of their bytes never
change under that name, so caches may keep them for a year.
"""

from __future__ import annotations

import re

from .formats import FORMATS, SUFFIXES

MEDIA_TYPES = {  # longer suffixes (.rss.xml) before shorter ones (.xml)
    **{f.suffix: f"{f.media_type}; charset=utf-8" for f in FORMATS},
    ".opml": "text/x-opml; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
UNKNOWN = "application/octet-stream"
FEED_SUFFIXES = (*SUFFIXES, ".opml")
FEED_MAX_AGE = 300  # seconds: readers poll; a new article should not wait long
PAGE_MAX_AGE = 60
OTHER_MAX_AGE = 3600
FOREVER = "public, max-age=31536000, immutable"
# name.1a2b3c4d.jpg, 1a2b3c4d5e6f-800.webp: a hash of the bytes in the name, as one of the
# parts between dots, dashes and underscores
HASHED_PART = re.compile(r"[0-9a-f]{8,}")
ASSETS = (".png", ".jpg", ".jpeg", ".webp", ".avif", ".gif", ".svg", ".css", ".js", ".woff2")


def media_type(path: str) -> str:
    """The Content-Type for a file of the site, by its name."""
    name = path.lower()
    return next((media for suffix, media in MEDIA_TYPES.items() if name.endswith(suffix)),
                UNKNOWN)


def cache_control(path: str) -> str:
    """The Cache-Control for a file of the site, by its name."""
    name = path.lower()
    if name.endswith(FEED_SUFFIXES):
        return f"public, max-age={FEED_MAX_AGE}"
    if name.endswith(".html"):
        return f"public, max-age={PAGE_MAX_AGE}"
    if name.endswith(ASSETS) and _hashed(name.rsplit("/", 1)[-1]):
        return FOREVER
    return f"public, max-age={OTHER_MAX_AGE}"


def _hashed(filename: str) -> bool:
    stem = filename.rsplit(".", 1)[0]
    return any(HASHED_PART.fullmatch(part) for part in re.split(r"[._-]", stem))
