"""Transports: how a batch of letters leaves, and what became of each one.

Every transport takes a batch of :class:`Outgoing` and yields one
:class:`Outcome` per message as soon as it is known, so the sender can write it
to the ledger before the next message goes:

- ``sent``: the server or API accepted it (or the outbox already held it);
- ``failed``: refused for good (5xx, an invalid recipient): not retried;
- ``deferred``: refused for now (4xx, a link that dropped before the message was
  complete): the run tries again after a backoff, up to ``retries`` times, then a
  later run does;
- ``uncertain``: the message went (or began to) but no answer came back (a
  timeout, a dropped link during DATA): it may have arrived, so this run does not
  send it again (the digest's ledger: at most one extra copy, ever).

A transport raises :class:`TransportUnavailable` when it cannot deliver anything
(connection refused, bad credentials): the run stops and nothing is lost.

    outbox  a Maildir folder (the default; needs no server)
    smtp    smtplib, one connection reused, STARTTLS/SSL and login
    http    a Postmark-style JSON batch API over httpx

What they share (Outgoing, Outcome, Pace, the Transport protocol) is in
``transport.py``, which each of them imports; this module only picks one (and reads
its secret from the environment, as the bounce mailbox reads its own).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ...config import Config
from ...errors import ConfigError
from .transport import Outcome, Outgoing, Pace, Status, Transport, TransportUnavailable

__all__ = ["Outcome", "Outgoing", "Pace", "Status", "Transport", "TransportUnavailable",
           "open_transport", "secret"]


def open_transport(config: Config, *, pace: Pace | None = None,
                   environ: Mapping[str, str] = os.environ) -> Transport:
    """The transport [delivery] names, with its secrets read from the environment."""
    delivery = config.delivery
    pace = pace or Pace()
    if delivery.method == "smtp":
        from .smtp import SMTPTransport

        smtp = delivery.smtp
        password = secret(environ, "delivery.smtp.password_env", smtp.password_env,
                          f"the SMTP password of {smtp.username}") if smtp.username else None
        return SMTPTransport(smtp, password, pace)
    if delivery.method == "http":
        from .http import HTTPTransport

        token = secret(environ, "delivery.http.token_env", delivery.http.token_env, "the API token")
        return HTTPTransport(delivery.http, token, pace)
    from .outbox import Outbox

    return Outbox(config.path(delivery.outbox))


def secret(environ: Mapping[str, str], setting: str, name: str, what: str) -> str:
    """The environment variable ``name`` that ``setting`` names, or a ConfigError asking for it."""
    value = environ.get(name)
    if not value:
        raise ConfigError(None, [(setting, f"set the environment variable {name} to {what}")])
    return value
