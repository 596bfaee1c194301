"""Delivery through a JSON email API: Postmark's batch endpoint, or one shaped like it.

    POST {endpoint}                  e.g. https://api.postmarkapp.com/email/batch
    X-Postmark-Server-Token: …       header name and environment variable are configurable
    [{"From", "To", "Subject", "TextBody", "HtmlBody", "Headers": [{"Name", "Value"}],
      "MessageStream"}, …]

The answer is one result per message, in order: ``ErrorCode`` 0 is accepted,
anything else is a failure for that message alone. The same retry rules as
SMTP apply: HTTP 429, 5xx and failures to connect are retried with backoff and
jitter (only for the messages not yet accepted); other 4xx answers are final;
401/403 mean the token is wrong, and stop the run. A request that was sent whole
but got no answer (a read timeout, a dropped link) may have been accepted: its
messages are ``uncertain`` and this run does not post them again.

The API signs with DKIM itself, so digest.dkim_key does not apply here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from ...config import HttpConfig
from .transport import Outcome, Outgoing, Pace, Status, TransportUnavailable

# Postmark error codes that will not go away by themselves are final; these may.
_TEMPORARY_CODES = {100, 429}  # maintenance, rate limit


class HTTPTransport:
    name = "http"
    needs_mime = False
    retries = 0  # the batch is retried here, as one request

    def __init__(self, settings: HttpConfig, token: str, pace: Pace,
                 client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.batch_size = settings.batch_size
        self.pace = pace
        self.client = client or httpx.Client(timeout=settings.timeout)
        self.headers = {settings.token_header: token, "Accept": "application/json"}

    def send(self, batch: Sequence[Outgoing]) -> Iterator[Outcome]:
        waiting = list(batch)
        attempt = 0
        while waiting:
            attempt += 1
            results, problem, answered = self._post(waiting)
            retry = [] if results else waiting  # no results: post them all again
            for item, result in zip(waiting, results or (), strict=False):
                if result.status == "deferred":
                    problem = result.detail
                    retry.append(item)
                else:
                    yield result
            if not retry:
                return
            if attempt > self.settings.retries:
                if not answered:
                    raise TransportUnavailable(f"cannot reach the email API: {problem}")
                yield from (Outcome(item.key, "deferred", problem) for item in retry)
                return
            self.pace.sleep(self.pace.backoff(attempt))
            waiting = retry

    def _post(self, batch: Sequence[Outgoing]) -> tuple[list[Outcome] | None, str, bool]:
        """One outcome per message (None: retry them all), the problem if any, and
        whether the API answered at all."""
        endpoint = str(self.settings.endpoint)
        try:
            response = self.client.post(endpoint, json=[self._json(m) for m in batch],
                                        headers=self.headers)
        except (httpx.ReadError, httpx.ReadTimeout, httpx.RemoteProtocolError) as exc:
            problem = f"{endpoint}: no answer after the request went: {exc or type(exc).__name__}"
            return [Outcome(m.key, "uncertain", problem) for m in batch], problem, True
        except httpx.TransportError as exc:
            return None, f"{endpoint}: {exc or type(exc).__name__}", False
        status = response.status_code
        if status in (401, 403):
            raise TransportUnavailable(f"{endpoint}: HTTP {status}: the API refused the token "
                                       f"in {self.settings.token_env}")
        if status == 429 or status >= 500:
            return None, f"HTTP {status}: {_text(response)}", True
        if status >= 400:
            problem = f"HTTP {status}: {_text(response)}"
            return [Outcome(m.key, "failed", problem) for m in batch], problem, True
        try:
            answers = response.json()
        except ValueError:
            answers = None
        if not isinstance(answers, list) or len(answers) != len(batch):
            return None, f"HTTP {status}: not one result per message: {_text(response)}", True
        return [_outcome(m, a) for m, a in zip(batch, answers, strict=True)], "", True

    def _json(self, item: Outgoing) -> dict[str, Any]:
        letter = item.letter
        message: dict[str, Any] = {
            "From": letter.sender.formatted,
            "To": letter.to,
            "Subject": letter.subject,
            "TextBody": letter.text,
            "HtmlBody": letter.html,
            "Headers": [{"Name": "Message-ID", "Value": letter.message_id}]
            + [{"Name": name, "Value": value} for name, value in letter.list_headers()
               if name != "Reply-To"],
        }
        if letter.sender.reply_to:
            message["ReplyTo"] = letter.sender.reply_to
        if self.settings.message_stream:
            message["MessageStream"] = self.settings.message_stream
        return message

    def close(self) -> None:
        self.client.close()


def _outcome(item: Outgoing, answer: object) -> Outcome:
    if not isinstance(answer, dict):
        return Outcome(item.key, "deferred", f"unreadable result: {answer!r}")
    code = answer.get("ErrorCode", 0)
    if code == 0:
        return Outcome(item.key, "sent", str(answer.get("MessageID", "")))
    status: Status = "deferred" if code in _TEMPORARY_CODES else "failed"
    return Outcome(item.key, status, f"error {code}: {answer.get('Message', '')}")


def _text(response: httpx.Response) -> str:
    return " ".join(response.text.split())[:200]
