"""A bounce or complaint report applied to the state database.

Every report is kept in ``bounces`` (the history, never deleted with a
subscriber). A hard bounce puts the address on the suppression list; soft
bounces put it there once ``soft_limit`` arrived within ``soft_window_days``;
a complaint unsubscribes the reader at once, with the reason recorded. A report
whose key was seen before changes nothing, so reading a mailbox twice or an API
delivering a webhook twice is harmless.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Iterable
from typing import Literal

from ..config import BouncesConfig
from ..database import stamp, transaction
from ..subscribers import get, suppress, unsubscribe_address
from ..tokens import Tokens
from . import verp
from .reports import Report

# What applying a report did; `feeds bounces` and the webhooks report these words.
Outcome = Literal["suppressed", "counted", "unsubscribed", "seen before", "unknown"]


def record(db: sqlite3.Connection, tokens: Tokens, settings: BouncesConfig,
           report: Report, source: str, now: dt.datetime) -> Outcome:
    """Apply one report; returns what it did: ``suppressed``, ``counted`` (a soft
    bounce below the limit), ``unsubscribed``, ``seen before`` or ``unknown``."""
    with transaction(db):
        address = _address(db, tokens, report)
        if address is None:
            return "unknown"
        inserted = db.execute(
            "INSERT INTO bounces (email, kind, detail, source, key, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (address, report.kind, report.detail, source, report.key, stamp(now))).rowcount
        if not inserted:
            return "seen before"
        if report.kind == "complaint":
            unsubscribe_address(db, address, now, report.detail)
            return "unsubscribed"
        if report.kind == "hard":
            suppress(db, address, "hard-bounce", report.detail, now)
            return "suppressed"
        since = stamp(now - dt.timedelta(days=settings.soft_window_days))
        soft = db.execute("SELECT count(*) FROM bounces WHERE email = ? AND kind = 'soft' "
                          "AND received_at > ?", (address, since)).fetchone()[0]
        if soft >= settings.soft_limit:
            suppress(db, address, "soft-bounces",
                     f"{soft} soft bounces in {settings.soft_window_days} days; "
                     f"the last: {report.detail}", now)
            return "suppressed"
        return "counted"


def record_all(db: sqlite3.Connection, tokens: Tokens, settings: BouncesConfig,
               reports: Iterable[Report], source: str, now: dt.datetime) -> Counter[Outcome]:
    return Counter(record(db, tokens, settings, r, source, now) for r in reports)


def _address(db: sqlite3.Connection, tokens: Tokens, report: Report) -> str | None:
    """The reader's address: from the VERP tag when it is genuine (it survives
    forwarding), else as the report names it."""
    if report.tag:
        row = db.execute("SELECT * FROM subscribers WHERE id = ?",
                         (verp.subscriber_of(report.tag),)).fetchone()
        if row is not None and tokens.bounce_tag_matches(report.tag, row["id"], row["email"]):
            return str(row["email"])
    if report.address:
        known = get(db, report.address)
        return known.email if known else report.address
    return None
