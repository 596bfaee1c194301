"""A full disk or a folder that refuses writes: one line naming the path, not a traceback.

Such failures are the machine's, not a bug: the person running feeds needs to
know which path to free or fix, and that what was published is as it was (the
site writer publishes nothing until every file is staged; SQLite rolls back an
unfinished transaction).
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import FeedsError

# The errors of a disk or a folder, not of a program: full, over quota, read-only, denied.
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM,
                         errno.EIO})
# SQLite's primary result codes for the same (its extended codes add bits above 0xff).
SQLITE_CODES = frozenset({sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR,
                          sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM})


class StorageError(FeedsError):
    """A write failed because of the disk or the folder's permissions."""


@contextmanager
def storage_errors(state: Path) -> Iterator[None]:
    """Turn the disk's failures inside the block into StorageError; ``state`` is named
    when the failing write was SQLite's, which does not say which file it was."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in DISK_ERRNOS:
            raise
        raise StorageError(f"{exc.filename or state}: cannot write: {exc.strerror}") from None
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF not in SQLITE_CODES:
            raise
        raise StorageError(f"{state}: cannot write the state: {exc}") from None
