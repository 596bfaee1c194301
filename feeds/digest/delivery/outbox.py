"""The outbox: each message a file in a Maildir folder, which any mail client opens.

The default transport, so that a digest can be made and read with no mail
server. Files are named from the Message-ID, so writing a message that is
already there (a run killed after writing it, before the ledger recorded it)
writes nothing: the outbox never holds two copies of one reader's edition.
The folder is created with :class:`mailbox.Maildir`; a message is written to
``tmp/`` and renamed into ``new/``, as the Maildir protocol asks, so a reader
never sees half a message.
"""

from __future__ import annotations

import hashlib
import mailbox
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from . import Outcome, Outgoing


class Outbox:
    name = "outbox"
    batch_size = 200
    needs_mime = True

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        mailbox.Maildir(folder, create=True)
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
