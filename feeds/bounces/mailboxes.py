"""The bounce mailbox: the messages not read yet, each marked read once applied.

A Maildir folder (``[bounces] maildir``: where the mail server delivers the
bounce address) is read with :mod:`mailbox`: unread messages are those without
the Seen flag, in ``new/`` or ``cur/``; each one applied is moved to ``cur/`` and
flagged Seen, as a mail client would, so nothing is deleted. An IMAP mailbox
(``imap_host``) is read with :mod:`imaplib` the same way: UNSEEN messages,
fetched with BODY.PEEK[] and flagged \\Seen once applied.
"""

from __future__ import annotations

import imaplib
import mailbox
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ..config import BouncesConfig
from ..errors import FeedsError

Unread = Iterator[tuple[str, bytes, Callable[[], None]]]  # (where, raw message, mark read)


class MailboxError(FeedsError):
    pass


@contextmanager
def maildir(folder: Path) -> Iterator[Unread]:
    if not (folder / "cur").is_dir() or not (folder / "new").is_dir():
        raise MailboxError(f"{folder}: not a Maildir folder (no cur/ and new/); check "
                           f"[bounces] maildir")
    box = mailbox.Maildir(folder, factory=None, create=False)

    def unread() -> Unread:
        for key in box.iterkeys():
            message = box.get_message(key)
            if "S" in message.get_flags():
                continue

            def mark(key: str = key, message: mailbox.MaildirMessage = message) -> None:
                message.set_subdir("cur")
                message.add_flag("S")
                box[key] = message

            yield f"{folder}/{message.get_subdir()}/{key}", message.as_bytes(), mark

    yield unread()


@contextmanager
def imap(settings: BouncesConfig, password: str,
         tls: ssl.SSLContext | None = None) -> Iterator[Unread]:
    host, port = settings.imap_host or "", settings.effective_imap_port
    where = f"imap {host}:{port}"
    try:
        if settings.imap_security == "ssl":
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                host, port, ssl_context=tls or ssl.create_default_context(), timeout=30)
        else:
            client = imaplib.IMAP4(host, port, timeout=30)
            if settings.imap_security == "starttls":
                client.starttls(tls or ssl.create_default_context())
        client.login(settings.imap_username or "", password)
        status, _ = client.select(_quoted(settings.imap_folder))
        if status != "OK":
            raise MailboxError(f"{where}: no folder {settings.imap_folder!r}; check "
                               f"[bounces] imap_folder")
    except (imaplib.IMAP4.error, OSError) as exc:
        raise MailboxError(f"{where}: {exc or type(exc).__name__}") from None

    def unread() -> Unread:
        _, found = client.uid("SEARCH", "UNSEEN")
        for uid in (found[0] or b"").decode().split():
            _, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in data if isinstance(part, tuple)), None)
            if raw is None:
                continue

            def mark(uid: str = uid) -> None:
                client.uid("STORE", uid, "+FLAGS", "(\\Seen)")

            yield f"{where}/{settings.imap_folder}/{uid}", raw, mark

    try:
        yield unread()
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            client.close()
            client.logout()


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
