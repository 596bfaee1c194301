"""What the loader parsed, kept in the state directory so a rebuild re-reads only changed files.

A file's cached result is reused while its size and modification time are the
ones it was parsed with, and the settings that shape parsing are unchanged.
The cache is a private SQLite file: deleting it only costs one full parse.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
from pathlib import Path

from ..config import Config
from . import records
from .loader import Catalog, ProgressFn, Settings, load
from .results import FileResult

CACHE_NAME = "parsed.sqlite"


def load_cached(config: Config, *, content: Path | None = None, state: Path | None = None,
                jobs: int | None = None, progress: ProgressFn | None = None) -> Catalog:
    """load() with the parse cache in the state directory, as builds and digests use it:
    only pages changed since the last run are parsed again."""
    cache = ParseCache((state or config.state_path) / CACHE_NAME)
    try:
        return load(config, content=content, cache=cache, jobs=jobs, progress=progress)
    finally:
        cache.close()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS parsed (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    settings TEXT NOT NULL,
    result BLOB NOT NULL
)
"""


class ParseCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._rows: dict[str, tuple[int, int, str, bytes]] | None = None
        self._stats: dict[str, os.stat_result] = {}

    def close(self) -> None:
        self._db.close()

    def get(self, rel: str, path: str, settings: Settings) -> FileResult | None:
        if self._rows is None:
            self._rows = {r[0]: r[1:] for r in self._db.execute(
                "SELECT path, size, mtime_ns, settings, result FROM parsed")}
        try:
            stat = os.stat(path)
        except OSError:
            return None
        self._stats[rel] = stat
        row = self._rows.get(rel)
        if row is None or row[:3] != (stat.st_size, stat.st_mtime_ns, settings.fingerprint):
            return None
        try:
            return records.loads(row[3])
        except (pickle.UnpicklingError, ValueError, EOFError, TypeError, IndexError):  # stale
            return None

    def store(self, fresh: dict[str, FileResult], settings: Settings, keep: set[str]) -> None:
        """Record freshly parsed files and forget files that are gone, in one transaction."""
        fingerprint = settings.fingerprint
        with self._db:
            for rel, result in fresh.items():
                stat = self._stats.get(rel)
                if stat is None:
                    continue
                self._db.execute(
                    "INSERT OR REPLACE INTO parsed VALUES (?, ?, ?, ?, ?)",
                    (rel, stat.st_size, stat.st_mtime_ns, fingerprint,
                     records.dumps(result)))
            gone = set(self._rows or ()) - keep
            self._db.executemany("DELETE FROM parsed WHERE path = ?", [(p,) for p in gone])
