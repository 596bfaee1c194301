"""The MD5 of each file of the built site, remembered by its size, mtime and inode.

A deploy compares every local file with the bucket; reading and hashing a 50,000-page
site is 700 MB and tens of seconds, though a rebuild changes a dozen files. The site
writer never rewrites an unchanged file and replaces a changed one by a rename (a new
inode and mtime), so a file whose stat is as remembered has the bytes it had. The
record is a disposable cache (``<state_dir>/cache/deploy-md5.json``): keyed on the code's
identity, and when it is missing or damaged every file is simply read again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from pathlib import Path

from .atomic import write_if_changed
from .version import code_identity

NAME = "deploy-md5.json"
log = logging.getLogger("feeds.state")

Stat = tuple[int, int, int]  # size, mtime_ns, inode


class FileHashes:
    """A path -> MD5 lookup that hashes only files whose stat changed."""

    def __init__(self, record: Path) -> None:
        self.record = record
        self._known: dict[str, tuple[Stat, str]] = self._read()
        self._seen: dict[str, tuple[Stat, str]] = {}

    def md5(self, path: Path, key: str) -> tuple[int, str]:
        """(size, hex MD5) of a file; ``key`` names it in the record."""
        stat = os.stat(path)
        now: Stat = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        known = self._known.get(key)
        if known is not None and known[0] == now:
            digest = known[1]
        else:
            digest = hashlib.md5(path.read_bytes()).hexdigest()
        self._seen[key] = (now, digest)
        return now[0], digest

    def save(self) -> None:
        """Keep what was seen this time (files gone since are forgotten)."""
        plain = {"key": code_identity(),
                 "files": {k: [*stat, digest] for k, (stat, digest) in self._seen.items()}}
        with contextlib.suppress(OSError):  # write_if_changed makes the folder
            write_if_changed(self.record, json.dumps(plain, separators=(",", ":")).encode())

    def _read(self) -> dict[str, tuple[Stat, str]]:
        try:
            plain = json.loads(self.record.read_bytes())
            if plain["key"] == code_identity():
                return {k: ((int(v[0]), int(v[1]), int(v[2])), str(v[3]))
                        for k, v in plain["files"].items()}
        except FileNotFoundError:
            pass
        except (OSError, KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            log.warning("%s: the deploy hash cache is damaged (%s); every file is read again",
                        self.record, exc)
        return {}
