"""The outbox: each message a file in a Maildir folder, which any mail client opens.

The default transport, so that a digest can be made and read with no mail
server. Files are named from the Message-ID, so writing a message that is
already there (a run killed after writing it, before the ledger recorded it)
writes nothing: the outbox never holds two copies of one reader's edition.
The folder is created with :class:`mailbox.Maildir`; a message is written to
``tmp/`` and renamed into ``new/``, as the Maildir protocol asks, so a reader
never sees half a message. A run killed mid-write leaves its file in ``tmp/``:
the next one removes such files once their writer is gone (or after 36 hours,
as the Maildir description asks).
"""

from __future__ import annotations

import contextlib
import hashlib
import mailbox
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from .transport import Outcome, Outgoing, Pace

STALE_TMP = 36 * 3600  # seconds


class Outbox:
    name = "outbox"
    batch_size = 200
    needs_mime = True
    retries = 0  # writing a file either works or raises

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pace = Pace()
        mailbox.Maildir(folder, create=True)
        clean_tmp(folder / "tmp")
        # Names already present: written by earlier runs (a mail client may have moved
        # them to cur/ and added flags after a colon).
        self.present = {name.split(":", 1)[0] for sub in ("new", "cur")
                        for name in os.listdir(folder / sub)}

    def send(self, batch: Sequence[Outgoing]) -> Iterator[Outcome]:
        for item in batch:
            name = file_name(item.letter.message_id)
            if name in self.present:
                yield Outcome(item.key, "sent", "already in the outbox")
                continue
            temporary = self.folder / "tmp" / f"{name}.{os.getpid()}"
            # Maildir files use the local line ending; mail clients read both.
            temporary.write_bytes(item.raw.replace(b"\r\n", b"\n"))
            os.replace(temporary, self.folder / "new" / name)
            self.present.add(name)
            yield Outcome(item.key, "sent")

    def close(self) -> None:
        pass


def file_name(message_id: str) -> str:
    """A Maildir name from a Message-ID: stable, and free of / and :."""
    return "feeds-" + hashlib.sha1(message_id.encode()).hexdigest()[:24]


def clean_tmp(folder: Path, now: float | None = None) -> list[str]:
    """Remove files in ``tmp/`` whose writer has died (their name ends in its process
    id) or that are older than 36 hours; returns their names. A file of this very
    process may be one another thread is writing, so it is left unless stale."""
    now = time.time() if now is None else now
    removed = []
    for entry in os.scandir(folder):
        _, _, pid = entry.name.rpartition(".")
        try:
            age = now - entry.stat().st_mtime
        except FileNotFoundError:
            continue
        if age > STALE_TMP or (pid != str(os.getpid()) and not _alive(pid)):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
            removed.append(entry.name)
    return removed


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
