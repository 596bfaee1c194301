"""Putting a whole site on disk so that what is published is never half-built.

Outputs are rendered first into a staging folder inside the output directory;
only when every output rendered does the writer swap the changed files into
place, each with an atomic rename, and remove the files an earlier build made
that this one did not. A build that raises or is killed while rendering leaves
the published site exactly as it was.

Unchanged files are never rewritten, so their mtime, and the ETag and
Last-Modified a web server derives from it, survive a rebuild. A manifest in
the state directory remembers, for each file this tool wrote, the fingerprint
of its inputs and the size, mtime and hash of its bytes: an output whose
inputs did not change and whose file nobody touched is skipped without being
rendered at all. Only files listed in the manifest are ever deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_if_changed
from .errors import FeedsError

_MANIFEST_VERSION = 1
_FSYNC_AT_MOST = 64  # staged files flushed one by one; more are flushed with one sync()
STAGING_PREFIX = ".feeds-staging-"


class OutputError(FeedsError):
    """The output directory cannot be written."""


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


class SiteWriter:
    def __init__(self, output: Path, manifest: Path,
                 keep: Callable[[str], bool] | None = None) -> None:
        """``keep`` names files of earlier builds to leave alone when this build does not
        make them (a feeds-only build keeps the pages)."""
        self.output = output
        self._root = str(output)
        self.manifest_path = manifest
        self._check_output()
        self._old = _read_manifest(manifest)
        self._new: dict[str, list] = {}
        self._keep = keep
        self._staged: list[str] = []
        self._folders: set[Path] = set()
        self._staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output))
        self.summary = Summary()

    def _check_output(self) -> None:
        if self.output.exists() and not self.output.is_dir():
            raise OutputError(f"{self.output}: the output directory is a file; "
                              "remove it or choose another with --output")
        try:
            self.output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.output}: cannot create the output directory: "
                              f"{exc.strerror}") from None
        if not os.access(self.output, os.W_OK | os.X_OK):
            raise OutputError(f"{self.output}: the output directory is not writable")

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
        self._folder(staged.parent)
        staged.write_bytes(data)
        self._staged.append(output.path)
        self._new[output.path] = [output.fingerprint, len(data), 0, digest]

    def commit(self) -> Summary:
        """Swap staged files into place, remove stale ones, record the manifest."""
        self._flush()
        for path in self._staged:
            target = self.output / path
            self._folder(target.parent)
            staged = self._staging / path
            os.chmod(staged, 0o644)
            os.replace(staged, target)
            stat = target.stat()
            self._new[path][1:3] = [stat.st_size, stat.st_mtime_ns]
            self.summary.written.append(path)
        for path in sorted(set(self._old) - set(self._new)):
            if self._keep is not None and self._keep(path):
                self._new[path] = self._old[path]
                continue
            with contextlib.suppress(FileNotFoundError):
                (self.output / path).unlink()
                self.summary.removed.append(path)
            _prune(self.output, Path(path).parent)
        self._discard_staging()
        manifest = {"version": _MANIFEST_VERSION, "files": dict(sorted(self._new.items()))}
        write_if_changed(self.manifest_path, json.dumps(manifest).encode())
        return self.summary

    def _flush(self) -> None:
        """Get staged files onto the disk before they replace published ones. Many files:
        one sync() of the whole system beats an fsync() each; a few: sync() would also
        wait for every other program's writes (0.1 s and more on a busy machine)."""
        if len(self._staged) > _FSYNC_AT_MOST:
            os.sync()
            return
        for path in self._staged:
            handle = os.open(self._staging / path, os.O_RDONLY)
            try:
                os.fsync(handle)
            finally:
                os.close(handle)

    def _folder(self, folder: Path) -> None:
        """Make a folder once; pages of one day share one, and mkdir is a system call."""
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def abort(self) -> None:
        """Forget everything staged; the published site is untouched."""
        self._discard_staging()

    def _discard_staging(self) -> None:
        shutil.rmtree(self._staging, ignore_errors=True)


def _read_manifest(path: Path) -> dict[str, list]:
    try:
        data = json.loads(path.read_bytes())
    except (FileNotFoundError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _MANIFEST_VERSION:
        return {}
    return data.get("files", {})


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
