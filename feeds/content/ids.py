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
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from urllib.parse import quote

from ..model import Listing

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


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


def disambiguate(listings: Sequence[Listing], text_of: Callable[[Listing], str]
                 ) -> list[Listing]:
    """Two articles with one headline in one issue would share an id: the first keeps
    it and every later one gets a suffix from its own text (``text_of``, read only for
    those), so adding a duplicate later never changes an id already published."""
    counts = Counter(listing.id for listing in listings)
    if all(n == 1 for n in counts.values()):
        return list(listings)
    seen: set[str] = set()
    out = []
    for listing in listings:
        if counts[listing.id] > 1 and listing.id in seen:
            suffix = _digest(text_of(listing) or str(listing.source))[:8]
            listing = listing._replace(id=f"{listing.id}-{suffix}")
        seen.add(listing.id)
        out.append(listing)
    return out
