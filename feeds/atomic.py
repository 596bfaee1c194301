"""Writing published files so that readers never see half of one.

Every output file is written to a temporary name in its own folder, flushed
to disk, and renamed over the old one: a rename is atomic on POSIX file
systems, so a web server serves either the old bytes or the new ones, and a
build that fails or is killed leaves the previous file intact. A file whose
bytes would not change is not touched at all, so its modification time, and
the ETag and Last-Modified a web server derives from it, stay the same and
feed readers get ``304 Not Modified``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless it already holds exactly that.

    Returns whether the file was written.
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes 0600; published files are world-readable
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return True
