"""SMTP delivery with smtplib: one connection for the whole run, paced, retried.

- The connection is opened once (STARTTLS or SSL, then login) and reused; before
  each message after the first it is reset with RSET, which also finds a link
  the server dropped while idle, so that it is reopened before a message is lost.
- ``4xx`` replies (421 busy, 450 mailbox unavailable, 451 local error …) and a
  link that drops or times out mid-message are retried with exponential backoff
  and jitter, reconnecting when needed; after ``retries`` the reader's copy is
  deferred to a later run.
- ``5xx`` replies are final for that reader only; the others go on.
- When no connection can be made at all, TransportUnavailable stops the run.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator, Sequence

from ...config import SmtpConfig
from . import Outcome, Outgoing, Pace, TransportUnavailable


class SMTPTransport:
    name = "smtp"
    batch_size = 50
    needs_mime = True

    def __init__(self, settings: SmtpConfig, password: str | None, pace: Pace,
                 tls: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.password = password
        self.pace = pace
        self.tls = tls or ssl.create_default_context()
        self.connection: smtplib.SMTP | None = None
        self.fresh = False  # no message sent on this connection yet
        self.next_at = 0.0  # monotonic time the next message may go, when rate-limited

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.effective_port}"

    def send(self, batch: Sequence[Outgoing]) -> Iterator[Outcome]:
        for item in batch:
            yield self._send_one(item)

    def _send_one(self, item: Outgoing) -> Outcome:
        attempt = 0
        while True:
            attempt += 1
            self._wait_for_rate()
            try:
                connection = self._ready()
                connection.sendmail(item.letter.sender.address, [item.letter.to], item.raw,
                                    mail_options=_options(item))
                self.fresh = False
                return Outcome(item.key, "sent")
            except smtplib.SMTPRecipientsRefused as exc:
                code, reply = next(iter(exc.recipients.values()))
                problem = _reply(code, reply)
            except smtplib.SMTPNotSupportedError as exc:  # SMTPUTF8 for a non-ASCII address
                return Outcome(item.key, "failed", str(exc))
            except smtplib.SMTPResponseException as exc:  # MAIL, DATA or RSET refused
                code, problem = exc.smtp_code, _reply(exc.smtp_code, exc.smtp_error)
            except (smtplib.SMTPServerDisconnected, OSError) as exc:  # dropped, timed out
                code, problem = None, f"connection lost: {exc or type(exc).__name__}"
            if code is not None and 500 <= code < 600:
                return Outcome(item.key, "failed", problem)
            if code is None or code == 421:  # 421: the server is closing the channel
                self._drop()
            if attempt > self.settings.retries:
                return Outcome(item.key, "deferred", problem)
            self.pace.sleep(self.pace.backoff(attempt))

    def _ready(self) -> smtplib.SMTP:
        if self.connection is not None and not self.fresh:
            try:
                self.connection.rset()
                return self.connection
            except (smtplib.SMTPException, OSError):
                self._drop()
        if self.connection is None:
            self.connection = self._connect()
            self.fresh = True
        return self.connection

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
        now = self.pace.monotonic()
        if self.next_at > now:
            self.pace.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + 1 / self.settings.rate

    def _drop(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                self._drop()


def _options(item: Outgoing) -> list[str]:
    letter = item.letter
    if letter.to.isascii() and letter.sender.address.isascii():
        return []
    return ["SMTPUTF8", "BODY=8BITMIME"]


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"{code} {' '.join(text.split())}"
