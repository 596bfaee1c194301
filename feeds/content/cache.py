"""What the loader parsed, kept in the state directory: a rebuild re-reads only changed files,
and reads the others' entries only when an output renders them.

A file's parse is reused while its size and modification time are the ones it
was parsed with, and the settings that shape parsing are unchanged. Besides
each file's whole parsed record, the cache keeps an index of its entries (one
row each: id, headline, section, issue date, place on the page), which
answers the catalogue's questions (:class:`Indexed`): the latest entries of a
section come from an index on the issue date, so a feeds-only rebuild after one
new page reads a few hundred rows of 100,000. (Archives and pages order every
row; they still read the text only of what they render.) The cache is a
private SQLite file: deleting it only costs one full parse.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import marshal
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import model
from ..config import CACHE_FOLDER
from ..database import rows_in
from ..errors import ContentError, FeedsError
from ..model import Entry, Listing, Photo
from . import records
from .catalog import sorted_pages
from .results import FileReport, FileResult

CACHE_NAME = "parsed.sqlite"
log = logging.getLogger("feeds.state")


def cache_file(state: Path) -> Path:
    return state / CACHE_FOLDER / CACHE_NAME


def drop(path: Path, why: object) -> None:
    """Remove a damaged cache file (and its log), saying so: the next load makes it again."""
    log.warning("%s: the parse cache is damaged (%s); it is made again", path, why)
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


class CacheDamaged(FeedsError):
    """SQLite found the parse cache's file damaged; dropping it loses nothing."""


# Bump when the tables or the records in them change: an older cache is dropped and
# made again. (Changes to parsing itself change the loader's fingerprint instead.)
# 4: entries.photos; 5: entries carry their kicker, and a summary; 6: files_skipped;
# 7: records follow the dataclasses' fields (content.records)
_SCHEMA_VERSION = 7
_SCHEMA = (
    # what the rows below were parsed from: "settings" (the loader's fingerprint of what
    # parsing depends on) and "stats" (marshal of {path: (size, mtime_ns)}), read in one
    # go by changed(); and "twins" (marshal of the ids more than one entry has, see
    # Indexed.twins)
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
    """CREATE TABLE files (
        path TEXT PRIMARY KEY,
        skipped INTEGER NOT NULL,
        report BLOB NOT NULL,
        result BLOB NOT NULL
    )""",
    """CREATE TABLE entries (
        path TEXT NOT NULL,
        position INTEGER NOT NULL,
        id TEXT NOT NULL,
        title TEXT NOT NULL,
        headline TEXT NOT NULL,
        section TEXT NOT NULL,
        issue_date INTEGER NOT NULL,
        time TEXT,
        line INTEGER NOT NULL,
        photos BLOB,
        PRIMARY KEY (path, position)
    ) WITHOUT ROWID""",
    "CREATE INDEX entries_by_date ON entries (issue_date)",
    "CREATE INDEX entries_by_section ON entries (section, issue_date)",
    "CREATE INDEX entries_by_id ON entries (id)",
    # skipped files, asked for by every build: without it, a scan of every file's row
    "CREATE INDEX files_skipped ON files (skipped)",
)
# A row of the index is a listing: its fields as columns, in order, but its version (that
# names the parse, and comes from the file's stats: see ParseCache.backend). Stored
# otherwise than the listing holds them: the issue date as a day number, the time as ISO
# text and the photos marshalled (see _row and Indexed._listing).
_COLUMNS = tuple(name for name in Listing._fields if name != "version")
_LISTING = ", ".join(_COLUMNS)
_INSERT = f"INSERT INTO entries ({_LISTING}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_VERSION = Listing._fields.index("version")
_DAY, _TIME, _PHOTOS, _PATH, _ID, _POSITION = map(
    _COLUMNS.index, ("issue_date", "time", "photos", "path", "id", "position"))


class StateError(FeedsError):
    """The state directory cannot hold the parse cache."""


# SQLite's result codes for a file that exists but cannot be used as it is (permissions,
# a read-only or full disk): the state directory's problem, not a damaged cache.
_NOT_DAMAGE = {3, 8, 10, 13, 14}


def _guard(path: Path, exc: sqlite3.Error) -> FeedsError:
    """The error a failing cache operation stands for."""
    if isinstance(exc, sqlite3.DatabaseError) and \
            (getattr(exc, "sqlite_errorcode", 0) & 0xFF) not in _NOT_DAMAGE and \
            not isinstance(exc, sqlite3.ProgrammingError):
        return CacheDamaged(f"{path}: {exc}")
    return StateError(f"{path}: cannot use the parse cache ({exc}); make the state "
                      "directory writable, or choose another with --state")


@contextlib.contextmanager
def _guarding(path: Path) -> Iterator[None]:
    """Outside the catalogue's reads (once a build, or a batch of files): any failing
    cache operation in the block raises the error it stands for."""
    try:
        yield
    except sqlite3.Error as exc:
        raise _guard(path, exc) from None


class _Guarded:
    """The cache's connection as the catalogue reads it: damage found while reading
    (a garbled page turns up only when read) is CacheDamaged, which a build answers
    by dropping the cache and building again."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self._path = path

    def execute(self, sql: str, args: Sequence[object] = ()) -> _GuardedCursor:
        try:
            return _GuardedCursor(self._db.execute(sql, args), self._path)
        except sqlite3.Error as exc:
            raise _guard(self._path, exc) from None


class _GuardedCursor:
    def __init__(self, cursor: sqlite3.Cursor, path: Path) -> None:
        self._cursor = cursor
        self._path = path

    def fetchone(self) -> Any:
        try:
            return self._cursor.fetchone()
        except sqlite3.Error as exc:
            raise _guard(self._path, exc) from None

    def fetchall(self) -> list[Any]:
        try:
            return self._cursor.fetchall()
        except sqlite3.Error as exc:
            raise _guard(self._path, exc) from None

    def __iter__(self) -> Iterator[Any]:
        while True:
            try:
                rows = self._cursor.fetchmany(256)
            except sqlite3.Error as exc:
                raise _guard(self._path, exc) from None
            if not rows:
                return
            yield from rows


class ParseCache:
    """The cache file: which files are unchanged, storing new parses, and then (backend)
    the catalogue's view of every file, from one consistent state of the cache."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # A cache made from nothing is written without a log under a name of its own, and
        # takes its name once complete (see _name): a log would write all of it twice
        # (150 MB more at 50,000 articles), and a load killed meanwhile leaves no cache,
        # only a file the next one removes.
        self._new: Path | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _remove_leftovers(path)
            if not path.exists():
                self._new = path.with_name(f"{path.name}.{os.getpid()}.new")
            self._db = _open(self._new or path, log=self._new is None)
            self._migrate()
        except sqlite3.Error as exc:
            raise _guard(path, exc) from None
        except OSError as exc:
            raise StateError(f"{path}: cannot use the parse cache ({exc}); make the state "
                             "directory writable, or choose another with --state") from None
        self._stats: dict[str, tuple] = {}
        # stats of the stored files: size, mtime and the names of the images beside them
        self._known: dict[str, tuple] | None = None
        self._twins: list[str] | None = None  # ids more than one stored entry has
        self._checkpoint: threading.Thread | None = None
        self._pending: list[tuple[str, Stored]] = []  # put(), not stored yet
        self._put_ids: set[str] = set()  # the ids of the entries put()
        self._wrote = False
        self._uncommitted = 0  # files stored in the transaction still open
        self._large = False  # a load storing more than 1024 files

    def _migrate(self) -> None:
        with self._db:
            if self._db.execute("PRAGMA user_version").fetchone()[0] == _SCHEMA_VERSION:
                return
            for table in ("parsed", "meta", "files", "entries"):  # "parsed": versions 1, 2
                self._db.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in _SCHEMA:
                self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    def close(self) -> None:
        if self._checkpoint is not None:
            self._checkpoint.join()
        self._db.close()
        if self._new is not None:  # never stored: a load that failed
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._new)

    def changed(self, files: Sequence[tuple[str, str]], stats: Mapping[str, tuple[int, int]],
                fingerprint: str, beside: Mapping[str, tuple[str, ...]] | None = None
                ) -> list[tuple[str, str]]:
        """The files (relative path, path) not parsed before as they are now: with the same
        size and mtime (``stats``: a file without one is parsed), and the same images
        sharing their name (``beside``)."""
        with _guarding(self.path):
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
        beside = beside or {}
        known: dict[str, tuple] | None = None
        if meta.get("settings") == fingerprint.encode():
            with contextlib.suppress(ValueError, EOFError, TypeError, KeyError):
                known = marshal.loads(meta["stats"])
                self._twins = marshal.loads(meta["twins"])
        self._known = known
        known = known or {}
        todo = []
        for rel, path in files:
            stat = stats.get(rel)
            if stat is None:  # it will not read either; parsing reports why
                todo.append((rel, path))
                continue
            found = self._stats[rel] = (*stat, *beside[rel]) if rel in beside else stat
            if known.get(rel) != found:
                todo.append((rel, path))
        return todo

    def put(self, rel: str, item: Stored) -> bool:
        """Store a freshly parsed file (64 at a time, committed every 1,024) while the
        load goes on parsing: a full build's records are hundreds of megabytes, and
        storing them between parses lets the worker processes take a larger share of
        the parsing meanwhile. False when the file is not kept: gone since it was
        listed, it is reported like the others but never stored."""
        if rel not in self._stats:
            return False
        self._pending.append((rel, item))
        if len(self._pending) >= 64:
            self._flush()
        return True

    def store(self, fingerprint: str, keep: set[str]) -> None:
        """Finish storing: forget files that are gone, record what the rows were
        parsed from (see _store)."""
        with _guarding(self.path):
            self._flush()
            self._commit()
            self._store(fingerprint, keep)

    def backend(self, order: Sequence[str], fresh: dict[str, FileResult], fingerprint: str,
                digests: Mapping[str, dict[int, tuple[str, str]]] | None = None) -> Indexed:
        """The catalogue's backend, reading this cache from now on as it is now.
        ``digests``: Stored.digests of the files parsed in this run."""
        with _guarding(self.path):
            self._db.execute("BEGIN")  # a read transaction: later writers do not show through
            self._db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
            if self._twins is None:  # a cache with nothing stored: only when nothing was read
                self._twins = self._find_twins(set())
        versions = {rel: _version(fingerprint, stat) for rel, stat in self._stats.items()}
        unstored = [r.report for rel, r in fresh.items() if rel not in self._stats]
        return Indexed(_Guarded(self._db, self.path), order,
                       {rel: r.entries for rel, r in fresh.items()},
                       versions, unstored, self._twins, self.close, dict(digests or {}))

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        paths = [(rel,) for rel, _ in batch]
        with _guarding(self.path):
            for table in ("files", "entries"):  # a parse stored before this one
                self._db.executemany(f"DELETE FROM {table} WHERE path = ?", paths)
            self._db.executemany("INSERT INTO files VALUES (?, ?, ?, ?)", (
                (rel, item.report.skipped, item.report_record, item.result)
                for rel, item in batch))
            self._db.executemany(_INSERT, (row for _, item in batch for row in item.rows))
            # A commit now and then: it writes every page of the index the rows since
            # the last one touched (after each 64 files, twice the time in all), and
            # until then another run that stores waits.
            self._uncommitted += len(batch)
            if self._uncommitted >= 1024:
                if not self._large:
                    # A large load: its log is copied into the file beside the rendering
                    # (see _store), not by a commit while the load waits.
                    self._db.execute("PRAGMA wal_autocheckpoint=0")
                    self._large = True
                self._commit()
        self._put_ids.update(row[_ID] for _, item in batch for row in item.rows)
        self._wrote = True

    def _commit(self) -> None:
        self._db.commit()
        self._uncommitted = 0

    def _store(self, fingerprint: str, keep: set[str]) -> None:
        """Forget files that are gone and record the stats, in one transaction.

        Another run (a digest beside a build) may have stored files since changed() read
        the cache: what is stored is read again inside the write transaction, and the
        records of the files this run saw unchanged are left as they are (a difference
        in their stats only has them parsed again next time).
        """
        if (not self._wrote and self._known is not None
                and not set(self._known) - keep):
            return  # nothing to write: no write lock either
        self._db.execute("BEGIN IMMEDIATE")  # read and written by this run alone
        try:
            gone = [(p,) for p, in self._db.execute("SELECT path FROM files")
                    if p not in keep]
            for table in ("files", "entries"):
                self._db.executemany(f"DELETE FROM {table} WHERE path = ?", gone)
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
            self._twins = None
            if meta.get("settings") == fingerprint.encode():
                with contextlib.suppress(ValueError, EOFError, TypeError, KeyError):
                    self._twins = marshal.loads(meta["twins"])
            self._twins = self._find_twins(self._put_ids)
            # Every file with a stat now has its row: unchanged, or stored by put().
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
                ("settings", fingerprint.encode()),
                ("stats", marshal.dumps(self._stats)),
                ("twins", marshal.dumps(self._twins))])
            self._db.commit()
        except BaseException:
            self._db.rollback()
            raise
        if self._new is not None:
            self._name()
        elif self._large:
            # Copying the new pages from the log into the database ends with an fsync
            # (0.1 s); done now, beside the rendering, closing has nothing left to copy.
            # After a few files, commits copy the log when it passes 1,000 pages.
            self._checkpoint = threading.Thread(target=_checkpoint, args=(self.path,))
            self._checkpoint.start()

    def _name(self) -> None:
        """A new cache, complete, takes the cache's name: in WAL mode as every later open
        has it, on disk first (an fsync, 0.1 s at 50,000 articles), and replacing one
        another run made meanwhile (both are whole). Then read under its name, so that
        other runs share its log and locks."""
        assert self._new is not None
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.close()
        try:
            with open(self._new, "rb") as file:
                os.fsync(file.fileno())
            os.replace(self._new, self.path)
        except OSError as exc:
            raise StateError(f"{self.path}: cannot keep the parse cache ({exc.strerror}); "
                             "make the state directory writable, or choose another with "
                             "--state") from None
        self._new = None
        self._db = _open(self.path, log=True)

    def _find_twins(self, fresh_ids: set[str]) -> list[str]:
        """The ids more than one stored entry has. Only a new entry can make a new pair,
        so after a few new pages only their ids and the old pairs are looked up."""
        if self._twins is None or len(fresh_ids) > 500:
            query = "SELECT id FROM entries GROUP BY id HAVING count(*) > 1"
            return sorted(row[0] for row in self._db.execute(query))
        asked = sorted(fresh_ids | set(self._twins))
        return sorted(row[0] for row in rows_in(
            self._db, "SELECT id FROM entries WHERE id IN ({}) GROUP BY id HAVING count(*) > 1",
            asked))


def _version(fingerprint: str, stat: tuple) -> str:
    """Names a file's parse: the settings' fingerprint, size, mtime (and the images beside
    it). Made for every file by every build: the usual case in one f-string, three
    times as fast as joining (13 ms a build at 13,000 files)."""
    if len(stat) == 2:
        return f"{fingerprint[:16]}:{stat[0]}:{stat[1]}"
    return ":".join((fingerprint[:16], *map(str, stat)))


def _open(path: Path, log: bool) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60)  # another run's write: wait
    # Large pages for a new file: most of it is records of 5-10 KB (a fifth less time
    # to store them than with 4 KB pages); then WAL, which fixes the size.
    db.execute("PRAGMA page_size=65536")
    if log:
        db.execute("PRAGMA journal_mode=WAL")
        # A cache: after a power cut it may lose its last writes (they are parsed again),
        # never its consistency; builds need not wait for the disk each commit.
        db.execute("PRAGMA synchronous=NORMAL")
    else:  # a new file no other run reads until it is named (ParseCache._name)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
    return db


def _remove_leftovers(path: Path) -> None:
    """New cache files (see ParseCache) of loads that were killed: their process is gone."""
    for leftover in path.parent.glob(f"{path.name}.*.new"):
        try:
            os.kill(int(leftover.name[len(path.name) + 1:-len(".new")]), 0)
            continue  # its load is under way
        except (ProcessLookupError, ValueError):
            with contextlib.suppress(OSError):
                leftover.unlink()
        except OSError:  # another user's process
            continue


def _checkpoint(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")


@dataclass(frozen=True)
class Stored:
    """A parsed file in the form the cache stores it, made where it was parsed: its
    record (records.dumps), its report (and records.dumps_report of it), its entries'
    rows of the index, and what recording them needs of their text (``digests``:
    position → feeds.model.fingerprint and sample), so that it is never read back."""

    report: FileReport
    report_record: bytes
    result: bytes
    rows: list[tuple]
    digests: dict[int, tuple[str, str]]

    @classmethod
    def of(cls, result: FileResult) -> Stored:
        return cls(result.report, records.dumps_report(result.report), records.dumps(result),
                   [_row(Listing.of(e)) for e in result.entries], _digests(result.entries))


def _digests(entries: Sequence[Entry]) -> dict[int, tuple[str, str]]:
    return {e.position: (model.fingerprint(e), model.sample(e)) for e in entries}


def _row(listing: Listing) -> tuple:
    """The index's row of a listing (see _COLUMNS)."""
    row: list[Any] = list(listing)
    del row[_VERSION]
    row[_DAY] = listing.issue_date.toordinal()
    row[_TIME] = listing.time.isoformat() if listing.time else None
    row[_PHOTOS] = _photos_blob(listing.photos)
    return tuple(row)


def _photos_blob(photos: tuple[Photo, ...]) -> bytes | None:
    """An entry's photos for the index, so that a build knows every picture it publishes
    without reading any article's text (None: most articles have none)."""
    record = records.photos_record(photos)
    return marshal.dumps(record) if record else None


class Indexed:
    """A catalogue backend over the parse cache (see :class:`feeds.content.catalog.Backend`).

    Entries of files parsed in this run are held in memory; the others are read
    from the cache file by file when asked for, and only the most recently read
    are kept, so rendering every article page never holds every file twice.
    Every read comes from the state of the cache when the backend was made.
    """

    KEEP = 512  # files read from the cache held at once (the earliest read go first)

    def __init__(self, db: _Guarded, order: Sequence[str],
                 fresh: dict[str, tuple[Entry, ...]], versions: dict[str, str],
                 unstored: list[FileReport], twins: list[str],
                 close: Callable[[], None],
                 digests: dict[str, dict[int, tuple[str, str]]] | None = None) -> None:
        self._db = db
        self._digests = digests or {}  # of the files parsed in this run
        self._close = close
        self._order = {rel: i for i, rel in enumerate(order)}
        self._fresh = fresh
        self._versions = versions
        self._unstored = unstored
        self._read: OrderedDict[str, tuple[Entry, ...]] = OrderedDict()
        self._twins = twins

    def _listing(self, row: tuple) -> Listing:
        """The listing a row of the index holds (see _row)."""
        values = list(row)
        values[_DAY] = _date(row[_DAY])
        values[_TIME] = dt.time.fromisoformat(row[_TIME]) if row[_TIME] else None
        values[_PHOTOS] = _photos(row[_PHOTOS]) if row[_PHOTOS] else ()
        values.insert(_VERSION, self._versions.get(row[_PATH]))
        return Listing._make(values)

    # ------------------------------------------------------------------ Backend
    def listings(self) -> Sequence[Listing]:
        by_file: dict[str, list[Listing]] = {}
        for row in self._db.execute(f"SELECT {_LISTING} FROM entries ORDER BY path, position"):
            by_file.setdefault(row[_PATH], []).append(self._listing(row))
        ordered = sorted(by_file.items(), key=lambda item: self._order.get(item[0], -1))
        return [x for _, of_file in ordered for x in of_file]

    def latest(self, section: str | None) -> Iterator[Listing]:
        if section is None:
            rows = self._db.execute(
                f"SELECT {_LISTING} FROM entries ORDER BY issue_date DESC")
        else:
            rows = self._db.execute(f"SELECT {_LISTING} FROM entries WHERE section = ? "
                                    "ORDER BY issue_date DESC", (section,))
        return (self._listing(row) for row in rows)

    def listings_of(self, path: str) -> list[Listing]:
        return [self._listing(row) for row in self._db.execute(
            f"SELECT {_LISTING} FROM entries WHERE path = ? ORDER BY position", (path,))]

    def versions(self) -> dict[str, str | None]:
        return dict(self._versions)

    def count(self, section: str | None) -> int:
        if section is None:
            return self._db.execute("SELECT count(*) FROM entries").fetchone()[0]
        return self._db.execute("SELECT count(*) FROM entries WHERE section = ?",
                                (section,)).fetchone()[0]

    def pages_on(self, days: Collection[dt.date]) -> list[tuple[dt.date, str, int]]:
        ordinals = [day.toordinal() for day in days]
        rows = rows_in(self._db, "SELECT issue_date, path, max(position) FROM entries "
                         "WHERE issue_date IN ({}) GROUP BY issue_date, path", ordinals)
        return sorted_pages((_date(day), path, last) for day, path, last in rows)

    def sections_used(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT DISTINCT section FROM entries")}

    def files(self) -> Sequence[FileReport]:
        return self._reports("SELECT path, report FROM files")

    def skipped(self) -> list[FileReport]:
        return [r for r in self._reports("SELECT path, report FROM files WHERE skipped = 1")
                if r.skipped]

    def _reports(self, query: str) -> list[FileReport]:
        found = [(path, records.loads_report(blob)) for path, blob in self._db.execute(query)]
        found += [(r.path, r) for r in self._unstored]
        found.sort(key=lambda item: self._order.get(item[0], -1))
        return [report for _, report in found]

    def entries_of(self, path: str) -> tuple[Entry, ...]:
        found = self._fresh.get(path) or self._read.get(path)
        if found is not None:
            return found
        row = self._db.execute("SELECT result FROM files WHERE path = ?", (path,)).fetchone()
        if row is None:
            raise ContentError(path, None, "missing from the parse cache; build again")
        found = self._read[path] = records.loads(row[0]).entries
        if len(self._read) > self.KEEP:
            self._read.popitem(last=False)
        return found

    def digests(self, path: str) -> dict[int, tuple[str, str]]:
        made = self._digests.get(path)
        if made is None:  # parsed in an earlier run: from the text
            made = _digests(self.entries_of(path)) if path in self._versions else {}
        return made

    def twins(self) -> list[Listing]:
        rows = rows_in(self._db, f"SELECT {_LISTING} FROM entries WHERE id IN ({{}})",
                         self._twins)
        return sorted((self._listing(row) for row in rows),
                      key=lambda x: (self._order.get(x.path, -1), x.position))

    def close(self) -> None:
        self._close()


@functools.lru_cache(maxsize=4096)
def _photos(blob: bytes) -> tuple[Photo, ...]:
    """An entry's photos from the index; a build reads a listing for each output that
    shows it, and the photos are the same each time."""
    return records.photos_of(marshal.loads(blob))


_dates: dict[int, dt.date] = {}


def _date(ordinal: int) -> dt.date:
    """One date object per day, however many entries share it."""
    day = _dates.get(ordinal)
    if day is None:
        day = _dates[ordinal] = dt.date.fromordinal(ordinal)
    return day
