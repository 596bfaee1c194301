"""SMTP delivery with smtplib: one connection for the whole run, paced, retried.

- The connection is opened once (STARTTLS or SSL, then login) and reused. RSET
  goes before a message only after a refusal or an IDLE pause (a transaction ends
  with the reply to DATA); it also finds a link the server dropped while idle, so
  that it is reopened before a message is lost. A fifth of a local server's work.
- ``connections`` > 1 sends over that many such connections at once, each in its
  own thread (as listmonk pools connections): a message spends most of its time
  waiting for the server's five replies, and one connection to a local server
  tops out near 500 messages a second. The threads only talk SMTP; rendering and
  every ledger write stay in the caller's thread, which gets each outcome as it
  comes.
- ``4xx`` replies (421 busy, 450 mailbox unavailable, 451 local error …) and a
  link that drops or times out before DATA (at RSET, MAIL or RCPT) come back
  ``deferred``: the run queues the copy with a backoff and sends the others
  meanwhile (feeds.mail.retries); the link is reopened for the next message.
- A link that drops or times out once DATA has begun leaves the copy
  ``uncertain``: the server may have taken the whole message and only its reply
  was lost, so it is not sent again in this run (the digest's ledger sends it
  once more in the next one, at most).
- ``5xx`` replies are final for that reader only; the others go on.
- When no connection can be made at all, TransportUnavailable stops the run.

A message is MAIL, RCPT and DATA, smtplib's own commands, as ``sendmail`` sends
them; they are called one by one because one ``sendmail`` call cannot tell a
link lost before DATA (nothing arrived: send again now) from one lost after
(it may have arrived: the ledger's at most one extra copy depends on knowing).
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import suppress

from ...config import SmtpConfig
from .transport import Outcome, Outgoing, Pace, TransportUnavailable

IDLE = 2.0  # seconds after which a link is checked with RSET (servers drop idle links)


class _Link:
    """One connection, used by one thread at a time."""

    def __init__(self) -> None:
        self.connection: smtplib.SMTP | None = None
        self.clean_at: float | None = None  # when it was opened or last took a message


class SMTPTransport:
    name = "smtp"
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
        self.batch_size = 50 * settings.connections

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.effective_port}"

    def send(self, batch: Sequence[Outgoing]) -> Iterator[Outcome]:
        if self._pool is None:
            yield from map(self._send_one, batch)
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
        letter = item.letter
        in_data = False
        try:
            connection = self._ready(link)
            link.clean_at = None  # until the server takes this one, the next one resets
            code, reply = connection.mail(letter.envelope_from, _options(connection, item))
            if code == 250:
                code, reply = connection.rcpt(letter.to)
            if code in (250, 251):
                in_data = True
                code, reply = connection.data(item.raw)
            if code == 250:
                link.clean_at = self.pace.monotonic()
                return Outcome(item.key, "sent")
            problem = _reply(code, reply)
        except smtplib.SMTPNotSupportedError as exc:  # SMTPUTF8 for a non-ASCII address
            return Outcome(item.key, "failed", str(exc))
        except smtplib.SMTPResponseException as exc:  # DATA or RSET refused
            code, problem = exc.smtp_code, _reply(exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:  # dropped, timed out
            _drop(link)
            problem = f"connection lost: {exc or type(exc).__name__}"
            if in_data:
                return Outcome(item.key, "uncertain",
                               f"no reply after the message was sent ({problem})")
            return Outcome(item.key, "deferred", problem)
        if 500 <= code < 600:
            return Outcome(item.key, "failed", problem)
        if code == 421:  # the server is closing the channel
            _drop(link)
        return Outcome(item.key, "deferred", problem)

    def _ready(self, link: _Link) -> smtplib.SMTP:
        clean_at = link.clean_at
        if link.connection is not None and (clean_at is None
                                            or self.pace.monotonic() - clean_at > IDLE):
            try:
                link.connection.rset()
                return link.connection
            except (smtplib.SMTPException, OSError):
                _drop(link)
        if link.connection is None:
            link.connection = self._connect()
            link.clean_at = self.pace.monotonic()
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
            connection = smtplib.SMTP_SSL(settings.host, settings.effective_port,
                                  timeout=settings.timeout, context=self.tls)
        else:
            connection = smtplib.SMTP(settings.host, settings.effective_port,
                                      timeout=settings.timeout)
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
            with suppress(smtplib.SMTPException, OSError):  # what quit() raises on a lost link
                if link.connection is not None:
                    link.connection.quit()
            _drop(link)


def _drop(link: _Link) -> None:
    if link.connection is not None:
        try:
            link.connection.close()
        finally:
            link.connection = None


def _options(connection: smtplib.SMTP, item: Outgoing) -> list[str]:
    """MAIL FROM parameters, as ``sendmail`` gives them: the size when the server
    takes SIZE (RFC 1870), so that it refuses a message too big before it goes."""
    size = [f"SIZE={len(item.raw)}"] if connection.has_extn("size") else []
    return size + (["SMTPUTF8", "BODY=8BITMIME"] if item.letter.utf8 else [])


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"{code} {' '.join(text.split())}"
