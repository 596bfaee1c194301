"""Limits on what the sign-up form may do, kept in the state database.

Two kinds of events are counted in sliding windows: ``signup`` per client
address (well-formed requests only, so a typo does not use up an office's
quota) and ``mail`` per recipient (confirmation and notice emails, whoever
asks, so the form cannot flood one mailbox). Kept in SQLite, so a restart of
`feeds serve` forgets nothing and several server processes share one count.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ..database import transaction

DAY = 86_400.0


def allow(db: sqlite3.Connection, kind: str, subject: str,
          windows: Sequence[tuple[int, float]], now: float) -> float | None:
    """Count one event unless a window (at most ``count`` in ``seconds``) is full;
    None when counted, else the seconds until it would be allowed."""
    longest = max(seconds for _, seconds in windows)
    with transaction(db):
        db.execute("DELETE FROM web_events WHERE kind = ? AND subject = ? AND at <= ?",
                   (kind, subject, now - max(longest, DAY)))
        times = [row[0] for row in db.execute(
            "SELECT at FROM web_events WHERE kind = ? AND subject = ? AND at > ? ORDER BY at",
            (kind, subject, now - longest))]
        # A window is full when its count-th latest event (times are in order) is inside it.
        waits = [times[-count] + seconds - now for count, seconds in windows
                 if len(times) >= count and times[-count] > now - seconds]
        if waits:
            return max(waits)
        db.execute("INSERT INTO web_events (kind, subject, at) VALUES (?, ?, ?)",
                   (kind, subject, now))
    return None
