"""The state database: subscribers, digest editions and the send ledger, in one SQLite file.

Created on first use at ``digest.database`` (default ``<state_dir>/feeds.sqlite``).
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

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .config import Config
from .errors import FeedsError

DATABASE_NAME = "feeds.sqlite"

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
)


class DatabaseError(FeedsError):
    pass


def database_path(config: Config) -> Path:
    if config.digest.database:
        return config.path(config.digest.database)
    return config.state_path / DATABASE_NAME


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the state database and bring its schema up to date.

    The connection is in autocommit mode: callers open transactions explicitly with
    ``with transaction(db):`` so that each one is exactly as long as intended.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(path, isolation_level=None, timeout=30)
        db.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path}: cannot open the state database: {exc}") from None
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    migrate(db, path)
    return db


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


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])
