"""Putting a whole site on disk so that what is published is entirely old or entirely new.

A build renders every changed output into a staging folder beside the output
folder, ``<parent>/.<name>.feeds-staging``: outside it, so a web server never
serves half-built files or leftovers, and on the same file system, so moving a
file into place is one atomic rename. An output folder that is itself a mount
point has no such neighbour, and is refused with a message saying to publish
into a folder inside the mount.

Publishing happens in two steps:

1. Prepare. Every staged file, and the new manifest (written beside the old one
   as ``manifest.json.next``), is flushed to disk; the folders the new files need
   are made. Then a journal, ``journal.json`` in the staging folder, lists every
   rename and removal; it is written to a temporary name, flushed, and renamed
   into place, so it is complete or absent. Until it exists nothing published
   has changed, and any failure (a full disk, an unwritable folder, a kill)
   leaves the old site and the old manifest.
2. Apply. Each staged file is renamed over its target, the files of earlier
   builds that this one does not make are removed, the new manifest replaces the
   old, and the staging folder is deleted.

Every build first recovers (:func:`recover`): a staging folder with a complete
journal is applied again (each step is idempotent: a staged file that is gone
has been moved, a removed file that is gone has been removed), so a build
killed while applying is completed, never left half old and half new; a
staging folder without a journal is deleted, so a build killed while rendering
or preparing leaves the old site. Staging folders that older versions made
inside the output folder (``.feeds-staging-*``) are deleted too. Builds of one
site never overlap: they hold the build lock.

Unchanged files are never rewritten, so their mtime, and the ETag and
Last-Modified a web server derives from it, survive a rebuild. The manifest
remembers, for each file this tool wrote, the fingerprint of its inputs and the
size, mtime and hash of its bytes: an output whose inputs did not change and
whose file nobody touched is skipped without being rendered at all. Only files
listed in the manifest are ever deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .atomic import write_if_changed
from .errors import FeedsError

MANIFEST_NAME = "manifest.json"  # in the state folder; one for everything written here
_MANIFEST_VERSION = 1
_JOURNAL_VERSION = 1
_FSYNC_AT_MOST = 64  # staged files flushed one by one; more are flushed with one sync()
STAGING_SUFFIX = ".feeds-staging"
OLD_STAGING_PREFIX = ".feeds-staging-"  # what earlier versions staged in, inside the output
JOURNAL_NAME = "journal.json"
T = TypeVar("T")


class OutputError(FeedsError):
    """The output directory, or the folder beside it that stages a build, cannot be
    written."""


@dataclass(frozen=True)
class Output:
    path: str  # relative to the output directory, with /
    render: Callable[[], bytes]
    fingerprint: str | None = None  # a hash of the inputs; None: always render and compare


@dataclass
class Summary:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: int = 0  # unchanged inputs: not even rendered
    removed: list[str] = field(default_factory=list)


def staging_folder(output: Path) -> Path:
    """Where a build of ``output`` stages its files: a hidden neighbour of it."""
    if output.parent == output:
        raise OutputError(f"{output}: the output directory cannot be the root of the file "
                          "system; choose a folder inside it with --output")
    return output.parent / f".{output.name}{STAGING_SUFFIX}"


def recover(output: Path, manifest: Path) -> list[str]:
    """Finish or forget a publish that a killed build left; returns the paths it moved
    into place (none when the build was killed before its journal was complete)."""
    for old in _old_staging_folders(output):
        shutil.rmtree(old, ignore_errors=True)
    staging = staging_folder(output)
    if not staging.exists():
        return []
    journal = _read_journal(staging)
    if journal is None:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            _next(manifest).unlink()
        return []
    return _apply(output, staging, manifest, journal, Summary()).written


class SiteWriter:
    def __init__(self, output: Path, manifest: Path,
                 keep: Callable[[str], bool] | None = None) -> None:
        """``keep`` names files of earlier builds to leave alone when this build does not
        make them (a feeds-only build keeps the pages). Finishes or forgets a publish an
        earlier build left unfinished."""
        self.output = output
        self._root = str(output)
        self.manifest_path = manifest
        if output.exists() and not output.is_dir():
            raise OutputError(f"{output}: the output directory is a file; "
                              "remove it or choose another with --output")
        self._staging = staging_folder(output)
        _failing_on_disk(lambda: recover(output, manifest), output)
        self._old = _read_manifest(manifest)
        self._new: dict[str, list] = {}
        self._keep = keep
        self._staged: list[str] = []
        self._folders: set[Path] = set()
        self._journaled = False
        self.summary = Summary()

    def add(self, output: Output) -> None:
        """Render one output (unless its inputs and file are unchanged) and stage it."""
        if output.path in self._new:
            raise ValueError(f"two outputs for {output.path}")  # a bug in a generator
        old = self._old.get(output.path)
        # A string path for the check: most outputs of a rebuild stop there, and pathlib
        # took more time than the stat (a site with 1,000 photos has 6,000 such files).
        if output.fingerprint is not None and old and old[0] == output.fingerprint \
                and _intact(os.path.join(self._root, output.path), old):
            self._new[output.path] = old
            self.summary.skipped += 1
            return
        target = self.output / output.path
        data = output.render()
        digest = hashlib.sha1(data).hexdigest()
        if _same_bytes(target, data, digest, old):
            stat = target.stat()
            self._new[output.path] = [output.fingerprint, stat.st_size, stat.st_mtime_ns, digest]
            self.summary.unchanged += 1
            return
        staged = self._staging / output.path
        try:
            if not self._folders:
                self._start_staging()
            self._folder(staged.parent)
            staged.write_bytes(data)
            os.chmod(staged, 0o644)  # published files are world-readable, whatever the umask
            # A rename keeps the mtime: the manifest can record it now.
            mtime = staged.stat().st_mtime_ns
        except OSError as exc:
            raise OutputError(f"{exc.filename or staged}: cannot stage the new site: "
                              f"{exc.strerror or exc}") from None
        self._staged.append(output.path)
        self._new[output.path] = [output.fingerprint, len(data), mtime, digest]

    def commit(self) -> Summary:
        """Publish: prepare (flush, journal), then apply the journal (see the module)."""
        removals = []
        for path in sorted(set(self._old) - set(self._new)):
            if self._keep is not None and self._keep(path):
                self._new[path] = self._old[path]
            else:
                removals.append(path)
        manifest = json.dumps({"version": _MANIFEST_VERSION,
                               "files": dict(sorted(self._new.items()))}).encode()
        if not self._staged and not removals:  # nothing published changes
            shutil.rmtree(self._staging, ignore_errors=True)
            _failing_on_disk(lambda: write_if_changed(self.manifest_path, manifest),
                             self.manifest_path)
            return self.summary
        if not self._folders:
            _failing_on_disk(self._start_staging, self._staging)
        journal = {"version": _JOURNAL_VERSION, "renames": self._staged, "removals": removals}
        try:
            self._prepare(journal, manifest)
        except OSError as exc:
            self.abort()
            raise OutputError(f"{exc.filename or self._staging}: cannot prepare the new "
                              f"site: {exc.strerror or exc}; the published site is "
                              "unchanged") from None
        self._journaled = True
        try:
            return _apply(self.output, self._staging, self.manifest_path, journal,
                          self.summary)
        except OSError as exc:  # rare: renames and removals take no space
            raise OutputError(f"{exc.filename2 or exc.filename or self.output}: cannot write: "
                              f"{exc.strerror or exc}; the site is partly updated, and the "
                              "next build finishes it") from None

    def abort(self) -> None:
        """Forget everything staged; the published site is untouched. Once the journal is
        written, the publish is never forgotten: the next build finishes it."""
        if self._journaled:
            return
        shutil.rmtree(self._staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            _next(self.manifest_path).unlink()

    def _start_staging(self) -> None:
        """Make an empty staging folder, after checking it can be renamed from."""
        if _is_mount_point(self.output):
            raise OutputError(f"{self.output}: the output directory is a mount point, so "
                              "files cannot be moved into it atomically from beside it; "
                              "publish into a folder inside it (e.g. "
                              f"--output {self.output / 'site'})")
        self.output.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self._staging, ignore_errors=True)
        self._staging.mkdir()
        self._folders.add(self._staging)
        if self.output.exists() and self.output.stat().st_dev != self._staging.stat().st_dev:
            raise OutputError(f"{self.output}: the output directory is on another file system "
                              f"than its parent folder {self.output.parent}; files cannot be "
                              "moved into it atomically: publish into a folder inside it")

    def _prepare(self, journal: dict, manifest: bytes) -> None:
        self._flush()
        _write_synced(_next(self.manifest_path), manifest)
        made: list[Path] = []
        try:
            self._make_target_folders(made)
            temporary = self._staging / f"{JOURNAL_NAME}.tmp"
            _write_synced(temporary, json.dumps(journal).encode())
            os.replace(temporary, self._staging / JOURNAL_NAME)
            _fsync(self._staging, os.O_DIRECTORY)
        except OSError:  # the empty folders made for new files go again
            for folder in reversed(made):
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise

    def _flush(self) -> None:
        """Get staged files onto the disk before they replace published ones. Many files:
        one sync() of the whole system beats an fsync() each; a few: sync() would also
        wait for every other program's writes (0.1 s and more on a busy machine)."""
        if len(self._staged) > _FSYNC_AT_MOST:
            os.sync()
            return
        for path in self._staged:
            _fsync(self._staging / path)

    def _make_target_folders(self, made: list[Path]) -> None:
        """Make the folders new files go into now, while a full disk can still stop the
        build with the site unchanged; adds those made to ``made``, deepest last."""
        for folder in sorted({(self.output / p).parent for p in self._staged}):
            missing = [f for f in (folder, *folder.parents) if not f.exists()]
            folder.mkdir(parents=True, exist_ok=True)
            made += reversed(missing)

    def _folder(self, folder: Path) -> None:
        """Make a folder once; pages of one day share one, and mkdir is a system call."""
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)


def _apply(output: Path, staging: Path, manifest: Path, journal: dict,
           summary: Summary) -> Summary:
    """Carry out a complete journal; safe to repeat after a kill at any point."""
    for path in journal["renames"]:
        staged = staging / path
        if staged.exists():  # else moved by an earlier, interrupted try
            target = output / path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
            summary.written.append(path)
    for path in journal["removals"]:
        with contextlib.suppress(FileNotFoundError):
            (output / path).unlink()
            summary.removed.append(path)
        _prune(output, Path(path).parent)
    with contextlib.suppress(FileNotFoundError):
        os.replace(_next(manifest), manifest)
    # The journal goes first: what is left of the folder after a kill is then discarded.
    (staging / JOURNAL_NAME).unlink()
    shutil.rmtree(staging, ignore_errors=True)
    return summary


def _read_journal(staging: Path) -> dict | None:
    """A complete journal, or None. Only this module writes it, by an atomic rename of a
    flushed file, so one that is there is whole; its shape and paths are checked anyway
    (nothing read from state may name a path outside the output folder)."""
    try:
        journal = json.loads((staging / JOURNAL_NAME).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(journal, dict) or journal.get("version") != _JOURNAL_VERSION:
        return None
    for key in ("renames", "removals"):
        paths = journal.get(key)
        if not isinstance(paths, list) or not all(map(_inside, paths)):
            return None
    return journal


def _inside(path: object) -> bool:
    """A relative path that stays inside the folder it is relative to."""
    return isinstance(path, str) and bool(path) and not path.startswith("/") \
        and ".." not in path.split("/") and "\0" not in path


def _old_staging_folders(output: Path) -> Iterator[Path]:
    with contextlib.suppress(OSError):
        for child in output.iterdir():
            if child.name.startswith(OLD_STAGING_PREFIX) and child.is_dir() \
                    and not child.is_symlink():
                yield child


def _is_mount_point(path: Path) -> bool:
    """A mount point, also a bind mount on the same device (which os.path.ismount
    misses, and across which rename(2) fails as across devices)."""
    if not path.exists():
        return False
    if os.path.ismount(path):
        return True
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return False
    real = os.path.realpath(path)
    # The fifth field is the mount point, with space, tab, newline and \ escaped in octal.
    points = {re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), fields[4])
              for fields in map(str.split, lines) if len(fields) > 4}
    return real in points


def _failing_on_disk(step: Callable[[], T], where: Path) -> T:
    """Run one step of writing; a full disk or a folder that refuses writes is one line."""
    try:
        return step()
    except OutputError:
        raise
    except OSError as exc:
        # A rename names its target second: that is the path in the way.
        raise OutputError(f"{exc.filename2 or exc.filename or where}: cannot write: "
                          f"{exc.strerror or exc}") from None


def _next(manifest: Path) -> Path:
    return manifest.with_name(manifest.name + ".next")


def _write_synced(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def _fsync(path: Path, flags: int = 0) -> None:
    handle = os.open(path, os.O_RDONLY | flags)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _read_manifest(path: Path) -> dict[str, list]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):  # none yet, or damaged: this build removes nothing
        return {}
    if not isinstance(data, dict) or data.get("version") != _MANIFEST_VERSION \
            or not isinstance(data.get("files"), dict):
        return {}
    # Only a record of the right shape, for a path inside the output folder, counts:
    # the files it names may be removed.
    return {path: record for path, record in data["files"].items()
            if _inside(path) and isinstance(record, list) and len(record) == 4}


def _intact(target: Path | str, record: list) -> bool:
    """The file is as this tool left it (same size and modification time)."""
    try:
        stat = os.stat(target)
    except FileNotFoundError:
        return False
    return [stat.st_size, stat.st_mtime_ns] == record[1:3]


def _same_bytes(target: Path, data: bytes, digest: str, record: list | None) -> bool:
    if record is not None and record[3] == digest and _intact(target, record):
        return True  # the manifest vouches for the file: no need to read it
    try:
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except FileNotFoundError:
        return False


def _prune(root: Path, folder: Path) -> None:
    """Remove folders left empty by removed files, up to the output directory."""
    while folder.parts:
        with contextlib.suppress(OSError):
            (root / folder).rmdir()
        folder = folder.parent


def is_built(output: Path) -> bool:
    """Whether a build has written a site here: any file that is not hidden (the staging
    folder of a build in progress is)."""
    try:
        return any(not entry.name.startswith(".") for entry in output.iterdir())
    except OSError:
        return False
