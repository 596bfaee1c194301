"""SMTP delivery with smtplib: one connection for the whole run, paced, retried.

- The connection is opened once (STARTTLS or SSL, then login) and reused; before
  each message after the first it is reset with RSET, which also finds a link
  the server dropped while idle, so that it is reopened before a message is lost.
- ``connections`` > 1 sends over that many such connections at once, each in its
  own thread (as listmonk pools connections): a message spends most of its time
  waiting for the server's five replies, and one connection to a local server
  tops out near 500 messages a second. The threads only talk SMTP; rendering and
  every ledger write stay in the caller's thread, which gets each outcome as it
  comes.
- ``4xx`` replies (421 busy, 450 mailbox unavailable, 451 local error …) and a
  link that drops or times out before the message is complete come back
  ``deferred``: the run queues the copy with a backoff and sends the others
  meanwhile (feeds.digest.retries); the link is reopened for the next message.
- A link that drops or times out after the end of DATA, while the server's reply
  is awaited, leaves the copy ``uncertain``: the server may have taken it, so it
  is not sent again in this run (feeds.digest.ledger).
- ``5xx`` replies are final for that reader only; the others go on.
- When no connection can be made at all, TransportUnavailable stops the run.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

from ...config import SmtpConfig
from . import Outcome, Outgoing, Pace, TransportUnavailable

_LEADING_DOT = re.compile(rb"(?m)^\.")


class _QuickData:
    """DATA that knows when the whole message has gone, and skips the dot-quoting
    pass when there is nothing to quote.

    ``data_ended`` is set once the final "." is sent: a link lost after that may
    have delivered the message (the reply is what got lost), before it cannot have.
    smtplib doubles leading dots (RFC 5321 4.5.2) with a regular expression over the
    whole message: 0.5 ms for a 40 KB digest, a third of the sender's CPU. A digest
    has no line that starts with a dot (headers, base64 lines, boundaries), and a
    byte search proves it in microseconds. Messages come CRLF-terminated from
    feeds.digest.message.
    """

    data_ended = False

    def mail(self, sender: str, options: Sequence[str] = ()) -> tuple[int, bytes]:
        self.data_ended = False  # a new transaction on a reused link
        result: tuple[int, bytes] = super().mail(sender, options)  # type: ignore[misc]
        return result

    def data(self, msg: bytes | str) -> tuple[int, bytes]:
        if not isinstance(msg, bytes):
            return super().data(msg)  # type: ignore[misc]
        if msg.startswith(b".") or b"\n." in msg:
            msg = _LEADING_DOT.sub(b"..", msg)
        self.putcmd("data")  # type: ignore[attr-defined]
        code, reply = self.getreply()  # type: ignore[attr-defined]
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        self.send(msg + (b"" if msg.endswith(b"\r\n") else b"\r\n") + b".\r\n")  # type: ignore[attr-defined]
        self.data_ended = True
        result: tuple[int, bytes] = self.getreply()  # type: ignore[attr-defined]
        return result


class _SMTP(_QuickData, smtplib.SMTP):
    pass


class _SMTPSSL(_QuickData, smtplib.SMTP_SSL):
    pass


class _Link:
    """One connection, used by one thread at a time."""

    def __init__(self) -> None:
        self.connection: smtplib.SMTP | None = None
        self.fresh = False  # no message sent on this connection yet


class SMTPTransport:
    name = "smtp"
    batch_size = 50
    needs_mime = True

    def __init__(self, settings: SmtpConfig, password: str | None, pace: Pace,
                 tls: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.retries = settings.retries
        self.password = password
        self.pace = pace
        self.tls = tls or ssl.create_default_context()
        self.links: list[_Link] = []
        self._local = threading.local()
        self._lock = threading.Lock()  # the pace and the list of links
        self.next_at = 0.0  # monotonic time the next message may go, when rate-limited
        self._pool = (ThreadPoolExecutor(settings.connections, thread_name_prefix="smtp")
                      if settings.connections > 1 else None)
        if self._pool:
            self.batch_size = 50 * settings.connections

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.effective_port}"

    def send(self, batch: Sequence[Outgoing]) -> Iterator[Outcome]:
        if self._pool is None:
            for item in batch:
                yield self._send_one(item)
            return
        futures = [self._pool.submit(self._send_one, item) for item in batch]
        stop: TransportUnavailable | None = None
        for future in as_completed(futures):
            if future.cancelled():
                continue
            try:
                yield future.result()
            except TransportUnavailable as exc:
                # Messages already under way still report; those not started never go.
                stop = stop or exc
                for waiting in futures:
                    waiting.cancel()
        if stop is not None:
            raise stop

    def _link(self) -> _Link:
        link: _Link | None = getattr(self._local, "link", None)
        if link is None:
            link = self._local.link = _Link()
            with self._lock:
                self.links.append(link)
        return link

    def _send_one(self, item: Outgoing) -> Outcome:
        """One try: the run's retry queue decides when a deferred copy goes again."""
        link = self._link()
        self._wait_for_rate()
        try:
            connection = self._ready(link)
            connection.sendmail(item.letter.envelope_from, [item.letter.to], item.raw,
                                mail_options=_options(item))
            link.fresh = False
            return Outcome(item.key, "sent")
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            problem = _reply(code, reply)
        except smtplib.SMTPNotSupportedError as exc:  # SMTPUTF8 for a non-ASCII address
            return Outcome(item.key, "failed", str(exc))
        except smtplib.SMTPResponseException as exc:  # MAIL, DATA or RSET refused
            code, problem = exc.smtp_code, _reply(exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:  # dropped, timed out
            ended = link.connection is not None and getattr(link.connection, "data_ended",
                                                            False)
            _drop(link)
            problem = f"connection lost: {exc or type(exc).__name__}"
            if ended:
                return Outcome(item.key, "uncertain",
                               f"no reply after the whole message was sent ({problem})")
            return Outcome(item.key, "deferred", problem)
        if 500 <= code < 600:
            return Outcome(item.key, "failed", problem)
        if code == 421:  # the server is closing the channel
            _drop(link)
        return Outcome(item.key, "deferred", problem)

    def _ready(self, link: _Link) -> smtplib.SMTP:
        if link.connection is not None and not link.fresh:
            try:
                link.connection.rset()
                return link.connection
            except (smtplib.SMTPException, OSError):
                _drop(link)
        if link.connection is None:
            link.connection = self._connect()
            link.fresh = True
        return link.connection

    def _connect(self) -> smtplib.SMTP:
        """A logged-in connection, trying ``retries`` times before giving up the run."""
        settings = self.settings
        for attempt in range(1, settings.retries + 2):
            try:
                return self._open()
            except smtplib.SMTPAuthenticationError as exc:
                raise TransportUnavailable(
                    f"smtp {self.where}: login as {settings.username} refused: "
                    f"{_reply(exc.smtp_code, exc.smtp_error)}; check {settings.password_env}"
                ) from None
            except smtplib.SMTPNotSupportedError as exc:
                raise TransportUnavailable(f"smtp {self.where}: {exc}; check "
                                           f"delivery.smtp.security") from None
            except ssl.SSLError as exc:
                raise TransportUnavailable(f"smtp {self.where}: TLS failed: {exc}") from None
            except (smtplib.SMTPException, OSError) as exc:
                problem = str(exc) or type(exc).__name__
                if attempt > settings.retries:
                    raise TransportUnavailable(f"smtp {self.where}: cannot connect: "
                                               f"{problem}") from None
                self.pace.sleep(self.pace.backoff(attempt))
        raise AssertionError("unreachable")

    def _open(self) -> smtplib.SMTP:
        settings = self.settings
        connection: smtplib.SMTP
        if settings.security == "ssl":
            connection = _SMTPSSL(settings.host, settings.effective_port,
                                  timeout=settings.timeout, context=self.tls)
        else:
            connection = _SMTP(settings.host, settings.effective_port, timeout=settings.timeout)
        try:
            connection.ehlo()
            if settings.security == "starttls":
                connection.starttls(context=self.tls)
                connection.ehlo()
            if settings.username:
                connection.login(settings.username, self.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def _wait_for_rate(self) -> None:
        if not self.settings.rate:
            return
        with self._lock:  # each message takes the next slot; the wait is outside the lock
            now = self.pace.monotonic()
            start = max(now, self.next_at)
            self.next_at = start + 1 / self.settings.rate
        if start > now:
            self.pace.sleep(start - now)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        for link in self.links:
            if link.connection is not None:
                try:
                    link.connection.quit()
                except (smtplib.SMTPException, OSError):
                    pass
                finally:
                    _drop(link)


def _drop(link: _Link) -> None:
    if link.connection is not None:
        try:
            link.connection.close()
        finally:
            link.connection = None


def _options(item: Outgoing) -> list[str]:
    letter = item.letter
    if letter.to.isascii() and letter.sender.address.isascii():
        return []
    return ["SMTPUTF8", "BODY=8BITMIME"]


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"{code} {' '.join(text.split())}"
