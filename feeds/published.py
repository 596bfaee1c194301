"""The record of what was published: each article's id, permalink and fingerprint.

Readers hold on to ids and URLs: a feed reader shows an item again when its id
changes, a shared link breaks when its URL does, and the digest mails what it
has not mailed before. So once an article is published its id and permalink
come from this record, in the durable database, and never from the rules that
first made them:

- The loader mints an id from the issue date and the headline (its *natural*
  id). When a page changes, its articles are matched to the ones on record from
  the same file and issue date: by natural id, and for the rest by how alike
  their headlines and texts are (rapidfuzz). A match keeps the id and permalink
  on record, and is marked updated when what readers see changed. So correcting
  a headline by one character changes neither, and the digest does not mail it
  again.
- The ``tag:`` domain of every id (the id authority) is fixed when the site
  first publishes; changing ``base_url`` later moves URLs, never ids.
- A permalink is recorded when first made, so a later change of the slug rules
  never moves it.
- An article gone from the content is marked withdrawn, never forgotten: its
  id and permalink stay reserved, and come back if it does.

Only files whose parse changed since they were recorded are looked at, so a
rebuild after one new page reads one page's rows. A build that would withdraw
more than a few articles and more than a share of those published stops
before anything changes (:class:`RemovalRefused`).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .config import Config
from .content.catalog import Catalog
from .content.loader import load_cached
from .database import DatabaseError, rows_in, stamp, transaction
from .errors import FeedsError
from .model import Entry, Listing, Section
from .urls import Links

# How alike a new article and one on record must be to be the same article corrected
# (rapidfuzz ratios, 0-100): the texts nearly the same, the headlines recognisably so.
# Two briefs on one page share phrasing but not most of their text.
SAME_TEXT = 85
SAME_TITLE = 60
SAME_TITLE_WITHOUT_TEXT = 80  # headline-only items: the headline alone decides
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PATH = re.compile(r"[0-9]{4}/[0-9]{2}/[0-9]{2}/[a-z0-9]+(?:-[a-z0-9]+)*\.html")


class RemovalRefused(FeedsError):
    """A build would withdraw more published articles than the limits allow."""


@dataclass(frozen=True)
class Permalink:
    slug: str
    path: str  # relative to the output directory


@dataclass(frozen=True)
class Limits:
    """A build may withdraw up to ``count`` articles, or more if they are at most
    ``share`` of those published (an edited page, not an empty or wrong folder)."""

    count: int = 50
    share: float = 0.10

    def allow(self, removed: int, published: int) -> bool:
        return removed <= self.count or removed <= self.share * published


@dataclass
class Settlement:
    """What a settle() found, for the build's summary and its tests."""

    new: int = 0
    kept: int = 0  # matched by the id the loader minted
    corrected: int = 0  # matched by likeness: the id on record differs from the minted one
    updated: int = 0  # what readers see changed
    withdrawn: int = 0
    restored: int = 0  # withdrawn before, back in the content now


@dataclass(frozen=True)
class _Row:
    id: str
    natural_id: str
    source: str
    issue_date: str
    title: str
    sample: str
    fingerprint: str
    withdrawn: bool


# (entry, its id) → (slug, path)
MakePermalink = Callable[[Listing | Entry, str], tuple[str, str]]


@dataclass(frozen=True)
class Article:
    """What recording an article needs: its listing (id as minted, headline, issue date,
    file) and what the loader kept of its text (feeds.model.fingerprint and sample)."""

    listing: Listing
    fingerprint: str
    sample: str

    @property
    def id(self) -> str:
        return self.listing.id


def authority(db: sqlite3.Connection, domain: str) -> str:
    """The domain in every id: the one on record (fixed by the first article published:
    see Record.settle), else ``domain``."""
    row = db.execute("SELECT value FROM settings WHERE key = 'authority'").fetchone()
    return domain if row is None else _checked_domain(str(row[0]))


def _checked_domain(value: str) -> str:
    if not value or any(c in value for c in "/:, \t\n"):
        raise DatabaseError(f"the id authority on record is not a domain: {value!r}")
    return value


def load_as_published(config: Config, db: sqlite3.Connection, **options: Any) -> Catalog:
    """The content through the parse cache, with the ids on record: what readers were
    given (articles not yet on record have the ids the loader mints). Records nothing;
    ``options`` go to load_cached()."""
    catalog = load_cached(config, id_domain=authority(db, config.site.domain), **options)
    catalog.rename(Record(db).renamed())
    return catalog


class Record:
    """The published articles, in the durable database.

    A permalink is fixed the first time an output asks for it (a feed, a page or a
    digest shows the article), from the rules of that moment (``make_permalink``),
    and read from the record ever after. With ``batch``, the permalinks fixed are
    written by save(), in one transaction, which a build calls before it publishes;
    otherwise each is written at once.
    """

    def __init__(self, db: sqlite3.Connection, make_permalink: MakePermalink | None = None,
                 batch: bool = False) -> None:
        self.db = db
        self.make_permalink = make_permalink
        self.batch = batch
        self._fixed: dict[str, Permalink] = {}  # made in this run, not yet saved
        # Read for many entries at once (without_permalink): id → slug, path, updated_at
        self._read: dict[str, tuple[str | None, str | None, str | None]] = {}

    # ------------------------------------------------------------------ reading
    def renamed(self) -> dict[str, str]:
        """Minted id → id on record, for the articles whose two differ (corrected ones:
        a handful, however large the site)."""
        return {str(a): str(b) for a, b in self.db.execute(
            "SELECT natural_id, id FROM articles WHERE natural_id != id")}

    def permalink(self, entry: Listing | Entry) -> Permalink | None:
        """The entry's permalink on record, fixed now if it has none yet; None for an
        article not on record (a command that records nothing)."""
        fixed = self._fixed.get(entry.id)
        if fixed is not None:
            return fixed
        row = self._read.get(entry.id) or self.db.execute(
            "SELECT slug, path FROM articles WHERE id = ?", (entry.id,)).fetchone()
        if row is None:
            return None
        if row[0] is not None:
            return _permalink(entry.id, str(row[0]), str(row[1]))
        if self.make_permalink is None:
            return None
        fixed = self._fixed[entry.id] = Permalink(*self.make_permalink(entry, entry.id))
        if not self.batch:
            self.save()
        return fixed

    def without_permalink(self, entries: Sequence[Listing]) -> list[Listing]:
        """Those of ``entries`` whose permalink an output would fix now: on record,
        with none yet. What the outputs ask of each of them (permalink, updated) is
        read now too, 500 entries a query instead of two queries an entry."""
        ids = [e.id for e in entries if e.id not in self._fixed and e.id not in self._read]
        self._read.update((str(row[0]), row[1:]) for row in rows_in(
            self.db, "SELECT id, slug, path, updated_at FROM articles WHERE id IN ({})", ids))
        return [e for e in entries if e.id not in self._fixed
                and e.id in self._read and self._read[e.id][0] is None]

    def save(self) -> None:
        """Write the permalinks fixed since the last save."""
        if self._fixed:
            with transaction(self.db):
                self.db.executemany(
                    "UPDATE articles SET slug = ?, path = ? WHERE id = ? AND slug IS NULL",
                    [(p.slug, p.path, i) for i, p in self._fixed.items()])
            for i, p in self._fixed.items():
                if i in self._read:
                    self._read[i] = (p.slug, p.path, self._read[i][2])
            self._fixed.clear()

    def link(self, links: Links, entry: Listing | Entry, section: Section) -> str:
        """The URL of an entry: its permalink on record (made by the rules if none)."""
        found = self.permalink(entry)
        if found is None:
            return links.article(entry, section)
        return links.article(entry, section, found.slug, found.path)

    def updated(self, id_: str) -> dt.datetime | None:
        read = self._read.get(id_)
        row = read[2:] if read else self.db.execute(
            "SELECT updated_at FROM articles WHERE id = ?", (id_,)).fetchone()
        return None if row is None or row[0] is None else _instant(id_, str(row[0]))

    # ------------------------------------------------------------------ writing
    def settle(self, catalog: Catalog, now: dt.datetime, limits: Limits | None = None,
               authority: str | None = None) -> Settlement:
        """Record the content's articles, give the catalogue the ids on record, and
        return what changed. ``limits``: withdraw what left the content, within them
        (a digest passes None: it neither withdraws nor refuses). ``authority``: the
        domain the catalogue's ids were minted with, recorded with the first article."""
        result = Settlement()
        self._read.clear()  # what it read may change now
        with transaction(self.db):
            plain = self.db.cursor()
            plain.row_factory = None  # tuples: a third of the time of Rows, for every file
            recorded: dict[str, str] = dict(plain.execute("SELECT path, version FROM sources"))
            versions = catalog.versions()
            changed = [p for p, v in versions.items() if v is None or recorded.get(p) != v]
            bulk = len(changed) > _BULK
            rows = _Rows(self, everything=bulk)
            # one pass over the catalogue instead of a query a file
            by_file = catalog.minted() if bulk else {}
            for path in changed:
                listings = by_file.get(path, []) if bulk else catalog.listings_of(path)
                marks = catalog.digests(path)
                articles = [Article(x, *marks[x.position]) for x in listings]
                self._settle_file(path, articles, rows, now, result,
                                  withdraw=limits is not None)
            rows.insert_pending()
            if authority and result.new:
                self.db.execute("INSERT OR IGNORE INTO settings VALUES ('authority', ?)",
                                (authority,))
            if limits is not None:
                for path in sorted(set(recorded) - set(versions)):
                    result.withdrawn += self._withdraw(
                        [r.id for r in self._rows("WHERE source = ? AND withdrawn_at IS NULL",
                                                  (path,))], now)
                # Those published before this run: its changes taken back out.
                published = (self._active() + result.withdrawn - result.new - result.restored
                             if result.withdrawn else 0)
                if result.withdrawn and not limits.allow(result.withdrawn, published):
                    raise RemovalRefused(
                        f"this build would withdraw {result.withdrawn} of the {published} "
                        f"published articles (limits: {limits.count} articles or "
                        f"{limits.share:.0%}); nothing was changed. Check the content "
                        "folder; if the removals are meant, build with --allow-removals")
                self.db.executemany("DELETE FROM sources WHERE path = ?",
                                    [(p,) for p in set(recorded) - set(versions)])
                # Only a run that also withdraws records a file as settled: otherwise
                # what left it would stay on record as published.
                self.db.executemany("INSERT OR REPLACE INTO sources VALUES (?, ?)",
                                    [(p, versions[p]) for p in changed
                                     if versions[p] is not None])
        catalog.rename(self.renamed())
        return result

    def _active(self) -> int:
        return int(self.db.execute(
            "SELECT count(*) FROM articles WHERE withdrawn_at IS NULL").fetchone()[0])

    def _settle_file(self, path: str, articles: list[Article], rows: _Rows,
                     now: dt.datetime, result: Settlement, withdraw: bool) -> None:
        entries = {x.id: x for x in articles}  # minted ids, as listed
        of_file = rows.of_source(path)
        # By minted id: from this file, or from another one the article moved from.
        matched = rows.by_natural(list(entries))
        fresh = [entry for id_, entry in entries.items() if id_ not in matched]
        taken = {r.id for r in matched.values()}
        for entry, row in match(fresh, [r for r in of_file if r.id not in taken]):
            matched[entry.id] = row
            result.corrected += 1
        self._update(matched, entries, now, result)
        kept = {r.id for r in matched.values()}
        fresh = [e for e in fresh if e.id not in matched]
        for entry in fresh:
            kept.add(rows.insert(entry, path, now))
            result.new += 1
        if withdraw:
            gone = [r.id for r in of_file if not r.withdrawn and r.id not in kept]
            result.withdrawn += self._withdraw(gone, now)

    def _update(self, matched: dict[str, _Row], entries: dict[str, Article], now: dt.datetime,
                result: Settlement) -> None:
        # Minted ids move between rows only when articles were corrected; clear them
        # first so that no two rows hold one for a moment (natural_id is UNIQUE).
        moved = [(row.id,) for natural, row in matched.items() if row.natural_id != natural]
        if moved:
            self.db.executemany(
                "UPDATE articles SET natural_id = 'moving:' || id WHERE id = ?", moved)
        when = stamp(now)
        for natural, row in matched.items():
            entry = entries[natural]
            print_ = entry.fingerprint
            changed = print_ != row.fingerprint
            result.updated += changed
            result.kept += row.natural_id == natural
            result.restored += row.withdrawn
            if (row.natural_id, row.source, row.fingerprint, row.withdrawn) == \
                    (natural, entry.listing.path, print_, False):
                continue  # as on record: an unchanged article of a changed page
            self.db.execute(
                "UPDATE articles SET natural_id = ?, source = ?, title = ?, sample = ?, "
                "fingerprint = ?, updated_at = CASE WHEN ? THEN ? ELSE updated_at END, "
                "withdrawn_at = NULL WHERE id = ?",
                (natural, entry.listing.path, entry.listing.title, entry.sample, print_, changed,
                 when, row.id))

    def _withdraw(self, ids: Iterable[str], now: dt.datetime) -> int:
        when = stamp(now)
        gone = [(when, i) for i in ids]
        if gone:
            self.db.executemany("UPDATE articles SET withdrawn_at = ? WHERE id = ?", gone)
        return len(gone)

    def _rows(self, where: str, args: Sequence[object]) -> list[_Row]:
        return _made_rows(self.db.execute(f"{_SELECT_ROWS} {where} ORDER BY rowid", args))

    def _rows_with(self, column: str, values: Sequence[str]) -> list[_Row]:
        """The rows whose ``column`` (id or natural_id) is one of ``values``."""
        return _made_rows(rows_in(
            self.db, f"{_SELECT_ROWS} WHERE {column} IN ({{}}) ORDER BY rowid", values))


_SELECT_ROWS = ("SELECT id, natural_id, source, issue_date, title, sample, fingerprint, "
                "withdrawn_at FROM articles")


def _made_rows(rows: Iterable[tuple]) -> list[_Row]:
    return [_Row(str(a), str(b), str(c), str(d), str(e), str(f), str(g), h is not None)
            for a, b, c, d, e, f, g, h in rows]


# Past this many changed files (a first build, an upgrade), the record is read whole
# once instead of asked file by file: one scan instead of tens of thousands of queries.
_BULK = 500


class _Rows:
    """The rows a settle() looks at, asked file by file or read whole, and the new
    articles it records, inserted together."""

    def __init__(self, record: Record, everything: bool) -> None:
        self.record = record
        self._all: list[_Row] | None = record._rows("", ()) if everything else None
        if self._all is not None:
            self._sources: dict[str, list[_Row]] = {}
            for row in self._all:
                self._sources.setdefault(row.source, []).append(row)
            self._natural = {r.natural_id: r for r in self._all}
            self._ids = {r.id for r in self._all}
        self._pending: list[tuple[object, ...]] = []
        self._new_ids: set[str] = set()
        self._now: dt.datetime | None = None
        self._stamped = ""

    def of_source(self, path: str) -> list[_Row]:
        if self._all is None:
            return self.record._rows("WHERE source = ?", (path,))
        return self._sources.get(path, [])

    def by_natural(self, ids: list[str]) -> dict[str, _Row]:
        if self._all is None:
            return {r.natural_id: r for r in self.record._rows_with("natural_id", ids)}
        return {i: self._natural[i] for i in ids if i in self._natural}

    def taken(self, id_: str) -> bool:
        if id_ in self._new_ids:
            return True
        if self._all is None:
            return bool(self.record._rows_with("id", [id_]))
        return id_ in self._ids

    def insert(self, entry: Article, path: str, now: dt.datetime) -> str:
        """Record a new article (its permalink is fixed when first shown); its id."""
        id_, n = entry.id, 2
        while self.taken(id_):
            id_ = f"{entry.id}-{n}"  # the id of an article since corrected: never reused
            n += 1
        self._new_ids.add(id_)
        listing = entry.listing
        self._pending.append((id_, entry.id, path, listing.issue_date.isoformat(),
                              listing.title, entry.sample, entry.fingerprint, self._stamp(now)))
        return id_

    def _stamp(self, now: dt.datetime) -> str:
        if self._now != now:
            self._now, self._stamped = now, stamp(now)
        return self._stamped

    def insert_pending(self) -> None:
        # In id order: ids end in hashes, and B-tree inserts in key order fill one page
        # after another instead of touching pages all over the index.
        self._pending.sort()
        self.record.db.executemany(
            "INSERT INTO articles (id, natural_id, source, issue_date, title, sample, "
            "fingerprint, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self._pending)
        self._pending.clear()


def match(fresh: Sequence[Article], orphans: Sequence[_Row]) -> list[tuple[Article, _Row]]:
    """Pair new articles with unmatched ones on record that they correct: same issue
    date, nearly the same text, a recognisable headline. Best pairs first; each
    article pairs once, so two different articles never merge."""
    if not fresh or not orphans:  # a new page, or nothing lost from it: nothing to pair
        return []
    # Imported here, when a page lost an article: most builds never pair one, and the
    # import costs each 10 ms (of an add-one rebuild's 0.6 s).
    from rapidfuzz import fuzz

    scored = []
    for i, entry in enumerate(fresh):
        day, text = entry.listing.issue_date.isoformat(), entry.sample
        for j, row in enumerate(orphans):
            if row.issue_date != day:
                continue
            title = fuzz.ratio(entry.listing.title, row.title)
            if text or row.sample:
                body = fuzz.ratio(text, row.sample)
                alike = body >= SAME_TEXT and title >= SAME_TITLE
            else:
                body, alike = 100.0, title >= SAME_TITLE_WITHOUT_TEXT
            if alike:
                scored.append((body + title, i, j))
    pairs, used_new, used_old = [], set(), set()
    for _, i, j in sorted(scored, reverse=True):
        if i not in used_new and j not in used_old:
            pairs.append((fresh[i], orphans[j]))
            used_new.add(i)
            used_old.add(j)
    return pairs


def _permalink(id_: str, slug: str, path: str) -> Permalink:
    """A permalink read back from the record, checked: nothing read from state may name
    a file outside the output directory."""
    if not _SLUG.fullmatch(slug) or not _PATH.fullmatch(path):
        raise DatabaseError(f"the permalink on record for {id_} is not one feeds makes "
                            f"({path!r}); restore the state database from a backup")
    return Permalink(slug, path)


def _instant(id_: str, value: str) -> dt.datetime:
    try:
        found = dt.datetime.fromisoformat(value)
    except ValueError:
        found = None
    if found is None or found.tzinfo is None:
        raise DatabaseError(f"the update time on record for {id_} is not a time: {value!r}")
    return found

