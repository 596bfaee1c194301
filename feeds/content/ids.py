"""Entry ids: ``tag:`` URIs (RFC 4151) that never change for an article.

A feed reader shows an item again whenever its id changes, so the id must not
depend on anything that moves: not the article's place on the page, not the
other articles, not how we normalise spaces. It is minted from the site's
domain, the issue date and a hash of the headline with all whitespace removed.
Front matter ``id:`` overrides it (a URI is kept as given).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from urllib.parse import quote

from ..lazyre import lazy_compile
from ..model import Listing

_URI = lazy_compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def mint(domain: str, issue_date: dt.date, title: str, override: str | None = None) -> str:
    """The id of an article with this headline in this issue."""
    if override:
        if _URI.match(override):
            return override
        return f"tag:{domain},{issue_date.isoformat()}:{quote(override, safe='')}"
    return f"tag:{domain},{issue_date.isoformat()}:{_digest(title)}"


def _digest(text: str) -> str:
    if not unicodedata.is_normalized("NFKC", text):  # the check is much cheaper than the work
        text = _nfkc(text)
    key = "".join(text.split())  # str.split() splits on the whitespace \s matches
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _nfkc(text: str) -> str:
    """NFKC, computed as NFC of NFKD: the same by definition (UAX #15).

    CPython's one-step NFKC recomposes Chinese text slowly, character by
    character; NFC's quick check passes NFKD's output of Chinese text through
    at once. 1.2 instead of 10 µs for a headline with a full-width colon, and a
    third of the headlines in bench/load.py's corpus have one.
    """
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKD", text))


def unique_ids(listings: Iterable[Listing], text_of: Callable[[Listing], str]
               ) -> dict[tuple[str, int], str]:
    """Two articles with one headline in one issue would share an id: the first keeps
    it and every later one gets a suffix from its own text (``text_of``, read only for
    those), so adding a duplicate later never changes an id already published.

    ``listings``: in file and page order, as parsed; those whose id no other has may be
    left out (a catalogue backend gives only the ones that share, see Backend.twins).
    Gives (path, position) → id for the later ones: the only ids that change."""
    listed = list(listings)
    counts = Counter(listing.id for listing in listed)
    seen: set[str] = set()
    changed = {}
    for listing in listed:
        if counts[listing.id] < 2:
            continue
        if listing.id in seen:
            suffix = _digest(text_of(listing) or str(listing.source))[:8]
            changed[(listing.path, listing.position)] = f"{listing.id}-{suffix}"
        seen.add(listing.id)
    return changed
