"""The durable records: one SQLite file that nothing may delete.

It holds what a site cannot make again: subscribers, digest editions and the
send ledger, bounces and the suppression list, the sign-up form's limits, the
key that signs readers' links, and the record of what was
published (each article's id, permalink and fingerprint, and the id
authority; see :mod:`feeds.published`). Everything else under the state
directory is a cache (``<state_dir>/cache/``) that may be deleted at any time.

Created on first use at ``digest.database`` (default ``<state_dir>/feeds.sqlite``),
saying so. A file that exists but is empty, truncated or not a database is never
replaced: opening it stops with an error that says what to do, because making
it again would silently lose every subscriber. ``feeds state backup`` copies it
consistently while it is in use.
The schema version is SQLite's ``PRAGMA user_version``; each migration in
:data:`MIGRATIONS` takes the file from one version to the next in a single
transaction, so a crash mid-upgrade leaves the previous version intact.
Migrations are only ever appended: a released one is never edited.

WAL mode lets a reader (``feeds subscribers list``, the web sign-up) work while
a digest is sending; ``synchronous=NORMAL`` under WAL keeps every committed
transaction through a crash of the process (only a power cut may lose the
last ones), which is what the send ledger needs and costs no fsync per commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Protocol

from .config import Config
from .errors import FeedsError
from .storage import SQLITE_CODES

DATABASE_NAME = "feeds.sqlite"
SQLITE_MAGIC = b"SQLite format 3\x00"
log = logging.getLogger("feeds.state")

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: subscribers, editions and the send ledger
    (
        """CREATE TABLE subscribers (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL DEFAULT '',
            sections TEXT,  -- space-separated section slugs; NULL: every section
            status TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('pending', 'active', 'unsubscribed')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            confirmed_at TEXT,
            unsubscribed_at TEXT
        )""",
        """CREATE TABLE editions (
            id TEXT PRIMARY KEY,  -- the newest issue date in it, e.g. 2024-01-02 or 2024-01-02-2
            created_at TEXT NOT NULL,
            finished_at TEXT  -- NULL while some subscriber's copy is still to be sent
        )""",
        """CREATE TABLE edition_entries (
            edition TEXT NOT NULL REFERENCES editions (id),
            entry_id TEXT NOT NULL,
            PRIMARY KEY (edition, entry_id)
        )""",
        "CREATE INDEX edition_entries_entry ON edition_entries (entry_id)",
        """CREATE TABLE deliveries (
            edition TEXT NOT NULL REFERENCES editions (id),
            subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
            message_id TEXT NOT NULL,  -- fixed when the edition is made; kept across retries
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'claimed', 'sent', 'failed', 'skipped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (edition, subscriber_id)
        ) WITHOUT ROWID""",
    ),
    # 2: the record of what was published, the id authority and the signing key
    (
        """CREATE TABLE settings (
            key TEXT PRIMARY KEY,  -- 'authority': the tag: domain of every id, fixed once
            value TEXT NOT NULL
        )""",
        """CREATE TABLE keys (
            purpose TEXT PRIMARY KEY,  -- 'links': signs unsubscribe, preferences, confirm
            secret TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE articles (
            id TEXT PRIMARY KEY,  -- the id feeds and the digest published; never changes
            natural_id TEXT NOT NULL UNIQUE,  -- the id the loader mints for it now
            source TEXT NOT NULL,  -- content file, relative to the content directory
            issue_date TEXT NOT NULL,
            slug TEXT,  -- NULL until an output first shows the article
            path TEXT,  -- the permalink, relative to the output directory
            title TEXT NOT NULL,
            sample TEXT NOT NULL,  -- the start of the text: how a corrected article is known
            fingerprint TEXT NOT NULL,  -- of what readers see; a change makes it "updated"
            published_at TEXT NOT NULL,
            updated_at TEXT,
            withdrawn_at TEXT  -- gone from the content; the id and permalink stay reserved
        )""",
        "CREATE INDEX articles_by_source ON articles (source, issue_date)",
        # the few corrected articles, read by every run without scanning the rest
        "CREATE INDEX articles_renamed ON articles (natural_id, id) WHERE natural_id != id",
        """CREATE TABLE sources (
            path TEXT PRIMARY KEY,  -- content file whose articles the record holds
            version TEXT NOT NULL  -- the parse they were recorded from
        ) WITHOUT ROWID""",
    ),
    # 3: mail that lands once. Deliveries learn "uncertain" (no reply after the end of
    # DATA: retried once by the next run) and "unconfirmed" (that retry was uncertain
    # too: never sent again); bounces and complaints, one suppression list, and the
    # sign-up form's limits, which must outlive a restart of `feeds serve`.
    (
        """CREATE TABLE deliveries_2 (
            edition TEXT NOT NULL REFERENCES editions (id),
            subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
            message_id TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'claimed', 'sent', 'failed', 'skipped',
                                  'uncertain', 'unconfirmed')),
            attempts INTEGER NOT NULL DEFAULT 0,  -- runs that reached a server
            uncertain INTEGER NOT NULL DEFAULT 0,  -- outcomes that may have arrived
            error TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (edition, subscriber_id)
        ) WITHOUT ROWID""",
        """INSERT INTO deliveries_2 (edition, subscriber_id, message_id, status, attempts,
                                     error, updated_at)
           SELECT edition, subscriber_id, message_id, status, attempts, error, updated_at
           FROM deliveries""",
        "DROP TABLE deliveries",
        "ALTER TABLE deliveries_2 RENAME TO deliveries",
        "ALTER TABLE subscribers ADD COLUMN reason TEXT",  # why the status is what it is
        """CREATE TABLE suppressions (
            email TEXT PRIMARY KEY COLLATE NOCASE,
            reason TEXT NOT NULL CHECK (reason IN ('hard-bounce', 'soft-bounces')),
            detail TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE bounces (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL COLLATE NOCASE,
            kind TEXT NOT NULL CHECK (kind IN ('hard', 'soft', 'complaint')),
            detail TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,  -- maildir, imap, postmark, ses
            key TEXT UNIQUE,  -- the report's own id: a report read twice counts once
            received_at TEXT NOT NULL
        )""",
        "CREATE INDEX bounces_email ON bounces (email, kind, received_at)",
        """CREATE TABLE web_events (
            kind TEXT NOT NULL,  -- 'signup' (per client address) or 'mail' (per recipient)
            subject TEXT NOT NULL COLLATE NOCASE,
            at REAL NOT NULL  -- seconds since the epoch
        )""",
        "CREATE INDEX web_events_subject ON web_events (kind, subject, at)",
    ),
)


class DatabaseError(FeedsError):
    pass


def database_path(config: Config) -> Path:
    if config.digest.database:
        return config.path(config.digest.database)
    return config.state_path / DATABASE_NAME


def connect(path: Path) -> sqlite3.Connection:
    """Open the durable database (creating it on first use) and bring its schema up to date.

    The connection is in autocommit mode: callers open transactions explicitly with
    ``with transaction(db):`` so that each one is exactly as long as intended.
    """
    created = _check_file(path)
    try:
        db = sqlite3.connect(path, isolation_level=None, timeout=30)
        db.execute("PRAGMA journal_mode = WAL")
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db, path)
        _adopt_key_file(db, path.parent / "secret.key")
    except sqlite3.OperationalError as exc:
        # a file the disk or its permissions refuse (feeds.storage), or another holds locked
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in SQLITE_CODES | {sqlite3.SQLITE_BUSY}:
            raise DatabaseError(f"{path}: cannot use the state database: {exc}") from None
        raise  # a bug (a migration that does not run), with its traceback
    except sqlite3.DatabaseError as exc:
        raise damaged(path, exc) from None
    if created:
        log.info("created the state database %s (subscribers, send ledger, keys, what was "
                 "published): back it up with `feeds state backup`", path)
    return db


def _check_file(path: Path) -> bool:
    """Refuse a file SQLite would quietly treat as a new empty database (0 bytes) or read
    only part of (truncated). Returns True when there is no file yet (it is created)."""
    try:
        with path.open("rb") as file:
            header = file.read(100)
            size = file.seek(0, 2)
    except FileNotFoundError:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"{path.parent}: cannot create the state directory: "
                                f"{exc.strerror}") from None
        return True
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot read the state database: {exc.strerror}") from None
    if size == 0 or not header.startswith(SQLITE_MAGIC) or len(header) < 100:
        raise damaged(path, "the file is empty or not an SQLite database")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count in the header is valid when its "version valid for" matches the
    # change counter (SQLite file format, section 1.3.7); then a shorter file lost pages.
    if header[92:96] == header[24:28] and size < pages * page_size:
        raise damaged(path, f"the file is truncated ({size} of {pages * page_size} bytes)")
    return False


def damaged(path: Path, cause: object) -> DatabaseError:
    return DatabaseError(
        f"{path}: the state database is damaged ({cause}). It holds the subscribers, "
        "the send ledger and the record of what was published, so feeds will not replace "
        "it: restore your latest copy from `feeds state backup` (or move the file away to "
        "start with no subscribers)")


def _adopt_key_file(db: sqlite3.Connection, old: Path) -> None:
    """Earlier versions kept the signing key in ``<state_dir>/secret.key``: take it in, so
    links in emails already sent keep working."""
    if db.execute("SELECT 1 FROM keys WHERE purpose = 'links'").fetchone():
        return
    try:
        key = old.read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return
    if key:
        with transaction(db):
            db.execute("INSERT OR IGNORE INTO keys VALUES ('links', ?, datetime('now'))", (key,))


def signing_key(db: sqlite3.Connection) -> str:
    """The key that signs readers' links, made on first use and kept with the subscribers
    it serves (a key lost with a cache would break every link already mailed)."""
    with transaction(db):
        db.execute("INSERT OR IGNORE INTO keys VALUES ('links', ?, datetime('now'))",
                   (secrets.token_urlsafe(32),))
        row = db.execute("SELECT secret FROM keys WHERE purpose = 'links'").fetchone()
    key = str(row[0]).strip()
    if len(key) < 16:
        raise DatabaseError("the signing key in the state database is too short; "
                            "restore the database from a backup")
    return key


def backup(source: Path, target: Path) -> int:
    """A consistent copy of the database while others may be writing it (SQLite's online
    backup API); returns the copy's size in bytes."""
    if target.exists() and target.resolve() == source.resolve():
        raise DatabaseError(f"{target}: that is the database itself; name another file")
    with closing(connect(source)) as db:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.partial")
            with closing(sqlite3.connect(partial)) as copy:
                db.backup(copy)
            partial.replace(target)
        except OSError as exc:
            raise DatabaseError(f"{target}: cannot write the backup: {exc.strerror}") from None
    return target.stat().st_size


def integrity(path: Path) -> list[str]:
    """SQLite's full integrity check: an empty list when the file is sound."""
    with closing(connect(path)) as db:
        try:
            rows = [str(r[0]) for r in db.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
    return [] if rows == ["ok"] else rows


def migrate(db: sqlite3.Connection, path: Path | str = "database") -> int:
    """Apply the migrations the file has not had yet; returns the schema version."""
    version = _version(db)
    if version > len(MIGRATIONS):
        raise DatabaseError(f"{path}: schema version {version} is newer than this feeds "
                            f"understands ({len(MIGRATIONS)}); upgrade feeds")
    for target, statements in enumerate(MIGRATIONS[version:], start=version + 1):
        with transaction(db):
            if _version(db) < target:  # another process may have migrated meanwhile
                for statement in statements:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {target}")
    return _version(db)


def large_writes(db: sqlite3.Connection) -> None:
    """Ready a connection for a first build's record (50,000 articles in one transaction):
    pages kept in memory until the commit (SQLite's default keeps 2 MB, and spills the
    rest to the log to change them again: a third slower), and the log copied into the
    file by :func:`checkpointing`, not by the commit while the build waits (0.3 s)."""
    db.execute("PRAGMA cache_size = -65536")  # KiB: at most 64 MB, allocated as used
    db.execute("PRAGMA wal_autocheckpoint = 0")


@contextmanager
def checkpointing(db: sqlite3.Connection, path: Path, large: bool) -> Iterator[None]:
    """After a large write, copy the log into the database file in a second thread while
    the block runs (SQLite works without the interpreter lock; a checkpoint never blocks
    a writer). After a small one, commits checkpoint as SQLite does by default: when
    the log passes 1,000 pages, which a rebuild's few rows seldom make it."""
    if not large:
        db.execute("PRAGMA wal_autocheckpoint = 1000")
        yield
        return

    def copy() -> None:
        with closing(sqlite3.connect(path, timeout=30)) as other:
            other.execute("PRAGMA wal_checkpoint(PASSIVE)")

    thread = threading.Thread(target=copy)
    thread.start()
    try:
        yield
    finally:
        thread.join()


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK when the block raises.

    IMMEDIATE takes the write lock at the start, so two writers never both read
    and then collide on upgrading their locks.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class Queries(Protocol):
    def execute(self, sql: str, args: Sequence[Any], /) -> Any: ...


def rows_in(db: Queries, query: str, values: Sequence[Any]) -> list[Any]:
    """Rows of a query whose ``IN ({})`` is filled with a placeholder for each of
    ``values``, asked 500 at a time (within SQLite's limit of parameters)."""
    rows: list[Any] = []
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        rows += db.execute(query.format(", ".join("?" * len(chunk))), chunk).fetchall()
    return rows


def stamp(now: dt.datetime) -> str:
    """How the records store an instant: UTC, to the second."""
    return now.astimezone(dt.UTC).isoformat(timespec="seconds")


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])
