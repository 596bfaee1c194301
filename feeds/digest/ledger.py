"""The send ledger: which editions exist, what each carried, and who has been sent what.

One row per (edition, subscriber) is written when the edition is made, holding
the Message-ID that copy will always have. Sending goes:

    pending ──claim──▶ claimed ──▶ sent | failed | skipped
                          ├──(4xx, link down before the end of DATA)──▶ pending
                          └──(no reply after the end of DATA)──▶ uncertain
    uncertain ──the next run, once──▶ sent | failed | pending | unconfirmed

A claim is committed before the message leaves and the outcome right after the
server answers, each in its own transaction, so a run killed at any moment
leaves at most the messages in flight as ``claimed``.

At most one extra copy, ever. A copy whose outcome is unknown (the server took
the whole message but its reply never came: a timeout, a dropped link) may
have arrived. It is recorded ``uncertain`` and not sent again in that run; the
next run sends it once more with the same Message-ID (which most mail stores,
Gmail among them, show once). If that try is uncertain too, the copy becomes
``unconfirmed`` and is never sent again. A row a killed run left ``claimed``
counts as one uncertain outcome. ``attempts`` counts only runs that reached a
server: a run during an outage does not use up a reader's attempts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..database import transaction

UNFINISHED = ("pending", "claimed", "uncertain")


@dataclass(frozen=True)
class Claim:
    subscriber_id: int
    message_id: str
    attempts: int  # earlier runs that reached a server with this copy
    uncertain: int  # outcomes so far that may have arrived


class Ledger:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    # ------------------------------------------------------------------ editions
    def carried_entries(self) -> set[str]:
        """Ids of every entry some edition carried."""
        return {row[0] for row in self.db.execute("SELECT entry_id FROM edition_entries")}

    def edition_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM editions")}

    def unfinished(self) -> list[str]:
        rows = self.db.execute("SELECT id FROM editions WHERE finished_at IS NULL "
                               "ORDER BY created_at, id")
        return [row[0] for row in rows]

    def latest(self) -> str | None:
        row = self.db.execute("SELECT id FROM editions ORDER BY created_at DESC, id DESC "
                              "LIMIT 1").fetchone()
        return row[0] if row else None

    def entries_of(self, edition: str) -> list[str]:
        rows = self.db.execute("SELECT entry_id FROM edition_entries WHERE edition = ?",
                               (edition,))
        return [row[0] for row in rows]

    def create(self, edition: str, entry_ids: Iterable[str],
               recipients: Iterable[tuple[int, str]], now: dt.datetime) -> None:
        """Record an edition, the entries it carries and one pending row per
        (subscriber id, Message-ID), all in one transaction."""
        stamp = _stamp(now)
        with transaction(self.db):
            self.db.execute("INSERT INTO editions (id, created_at) VALUES (?, ?)",
                            (edition, stamp))
            self.db.executemany("INSERT INTO edition_entries (edition, entry_id) VALUES (?, ?)",
                                [(edition, e) for e in entry_ids])
            self.db.executemany(
                "INSERT INTO deliveries (edition, subscriber_id, message_id, updated_at) "
                "VALUES (?, ?, ?, ?)", ((edition, sid, mid, stamp) for sid, mid in recipients))

    def finish_if_done(self, edition: str, now: dt.datetime) -> bool:
        with transaction(self.db):
            left = self.db.execute(
                "SELECT count(*) FROM deliveries WHERE edition = ? AND status IN (?, ?, ?)",
                (edition, *UNFINISHED)).fetchone()[0]
            if not left:
                self.db.execute("UPDATE editions SET finished_at = ? WHERE id = ? "
                                "AND finished_at IS NULL", (_stamp(now), edition))
        return not left

    # ------------------------------------------------------------------ deliveries
    def claim(self, edition: str, after: int, limit: int, now: dt.datetime) -> list[Claim]:
        """Claim the next ``limit`` unfinished rows after subscriber id ``after``.

        A row left ``claimed`` by a run that died may or may not have left: it counts
        as one uncertain outcome, so it is sent once more at most.
        """
        stamp = _stamp(now)
        with transaction(self.db):
            rows = self.db.execute(
                "SELECT subscriber_id, message_id, attempts, uncertain, status "
                "FROM deliveries WHERE edition = ? AND status IN (?, ?, ?) "
                "AND subscriber_id > ? ORDER BY subscriber_id LIMIT ?",
                (edition, *UNFINISHED, after, limit)).fetchall()
            claims = []
            for sid, mid, attempts, uncertain, status in rows:
                uncertain += status == "claimed"  # left by a run that died mid-send
                self.db.execute(
                    "UPDATE deliveries SET status = ?, uncertain = ?, updated_at = ? "
                    "WHERE edition = ? AND subscriber_id = ?",
                    ("unconfirmed" if uncertain > 1 else "claimed", uncertain, stamp, edition, sid))
                if uncertain <= 1:
                    claims.append(Claim(sid, mid, attempts, uncertain))
        return claims

    def mark(self, edition: str, subscriber_id: int, status: str, now: dt.datetime,
             error: str | None = None, *, reached: bool = True) -> str:
        """Record an outcome; ``reached``: a server answered or took the message, so
        this run counts as an attempt. Returns the status recorded: ``uncertain``
        becomes ``unconfirmed`` for a copy that was uncertain before."""
        with transaction(self.db):
            if status == "uncertain":
                before = self.db.execute(
                    "SELECT uncertain FROM deliveries WHERE edition = ? AND subscriber_id = ?",
                    (edition, subscriber_id)).fetchone()[0]
                status = "unconfirmed" if before >= 1 else "uncertain"
                self.db.execute("UPDATE deliveries SET uncertain = ? WHERE edition = ? "
                                "AND subscriber_id = ?", (before + 1, edition, subscriber_id))
            self.db.execute("UPDATE deliveries SET status = ?, error = ?, updated_at = ?, "
                            "attempts = attempts + ? WHERE edition = ? AND subscriber_id = ?",
                            (status, error, _stamp(now), int(reached), edition,
                             subscriber_id))
        return status

    def counts(self, edition: str) -> Counter[str]:
        return Counter(dict(self.db.execute("SELECT status, count(*) FROM deliveries "
                                            "WHERE edition = ? GROUP BY status", (edition,))))

    def deliveries(self, edition: str) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM deliveries WHERE edition = ? "
                               "ORDER BY subscriber_id", (edition,)).fetchall()


def message_id(edition: str, subscriber_id: int, email: str, domain: str) -> str:
    """The same for every attempt at one reader's copy of one edition, and for no other
    copy: a database rebuilt from scratch reuses subscriber ids, so the address and
    the edition are in the hash too."""
    digest = hashlib.sha256(f"{edition}\0{subscriber_id}\0{email.lower()}".encode())
    return f"<digest.{edition}.{digest.hexdigest()[:20]}@{domain}>"


def _stamp(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).isoformat(timespec="microseconds")
