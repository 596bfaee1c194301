"""Subscribers: who gets the digest, and which sections each one chose.

Addresses are checked for syntax with email-validator (no DNS lookups: a
typo'd domain shows up as a bounce, and checks must work offline) and stored
in its normalised form; the same address in another letter case is the same
subscriber. Sections are stored as slugs; none chosen means every section,
including sections added later.

A subscriber is ``active`` (gets digests), ``pending`` (signed up on the web,
has not confirmed yet) or ``unsubscribed`` (with the reason: a link, a command,
a complaint). Unsubscribed addresses are kept so that an import cannot quietly
subscribe them again.

Apart from the status, an address may be on the suppression list (a hard
bounce, too many soft ones: feeds.bounces): then nothing is mailed to it at
all, neither digests nor the sign-up's confirmations, whatever its status, and
an import does not make it active. ``feeds subscribers add`` lifts it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from email_validator import EmailNotValidError, validate_email

from . import decoding
from .config import RESERVED_SLUG
from .database import stamp, transaction
from .errors import FeedsError
from .model import Section
from .tokens import Purpose, TokenInvalid, Tokens

Status = Literal["pending", "active", "unsubscribed"]
# Subscribers with the reason their address is suppressed, if it is.
_SELECT = ("SELECT subscribers.*, suppressions.reason AS suppressed, "
           "suppressions.detail AS suppressed_detail FROM subscribers "
           "LEFT JOIN suppressions ON suppressions.email = subscribers.email")
# Between the slugs in one CSV cell: spaces, ; | or the Chinese list marks 、，
_SECTION_SPLIT = re.compile(r"[\s;|、，,]+")
# What the first cell of a header row says.
_HEADER = ("email", "e-mail", "邮箱", "电子邮箱")


class SubscriberError(FeedsError):
    exit_code = 2


class InvalidAddress(SubscriberError):
    """Not an email address; ``address`` is what was given (the message is English,
    for the command line: the web says it in the site's language)."""

    def __init__(self, address: str, why: str) -> None:
        super().__init__(f"{address!r} is not an email address: {why}")
        self.address = address


class UnknownSection(SubscriberError):
    def __init__(self, name: str, known: Sequence[Section]) -> None:
        super().__init__(f"no section {name!r}; sections are: "
                         + ", ".join(f"{s.slug} ({s.name})" for s in known)
                         + f", or {RESERVED_SLUG}")
        self.name = name


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str
    name: str
    sections: tuple[str, ...] | None  # slugs; None: every section
    status: Status
    created_at: str
    reason: str | None = None  # why the status is what it is, when known
    suppressed: str | None = None  # hard-bounce, soft-bounces; None: not suppressed
    suppressed_detail: str = ""

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Subscriber:
        """A row of ``_SELECT``."""
        sections = tuple(row["sections"].split()) if row["sections"] is not None else None
        return cls(row["id"], row["email"], row["name"], sections, row["status"],
                   row["created_at"], row["reason"], row["suppressed"],
                   row["suppressed_detail"] or "")

    @property
    def gets_mail(self) -> bool:
        """Whether digests go to this reader."""
        return self.status == "active" and self.suppressed is None

    def to_json(self) -> dict[str, object]:
        """The export of `feeds subscribers list --json`: every field, status kept;
        sections null for all, suppressed null unless bounced."""
        return {"email": self.email, "name": self.name,
                "sections": list(self.sections) if self.sections is not None else None,
                "status": self.status, "reason": self.reason,
                "suppressed": ({"reason": self.suppressed, "detail": self.suppressed_detail}
                               if self.suppressed else None),
                "created_at": self.created_at}

    @property
    def why(self) -> str:
        """The status and its reason in one phrase, for `feeds subscribers list`."""
        if self.suppressed:
            return f"suppressed ({self.suppressed}: {self.suppressed_detail})"
        return f"{self.status} ({self.reason})" if self.reason else self.status


def normalise_address(address: str) -> str:
    """The stored form of an address, or SubscriberError saying what is wrong with it."""
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidAddress(address.strip(), str(exc)) from None


def section_slugs(chosen: Iterable[str], known: Sequence[Section]) -> tuple[str, ...] | None:
    """Slugs for sections named by slug or by name; None for every section (nothing
    chosen, or ``all``). SubscriberError names a section that does not exist."""
    by_key = {s.slug: s.slug for s in known} | {s.name: s.slug for s in known}
    slugs: dict[str, None] = {}  # in the order chosen, once each
    for item in filter(None, map(str.strip, chosen)):
        if item == RESERVED_SLUG:
            return None
        if item not in by_key:
            raise UnknownSection(item, known)
        slugs[by_key[item]] = None
    order = {s.slug: s.order for s in known}
    return tuple(sorted(slugs, key=order.__getitem__)) or None


# --------------------------------------------------------------------------- one at a time


def get(db: sqlite3.Connection, email: str) -> Subscriber | None:
    row = db.execute(f"{_SELECT} WHERE subscribers.email = ?", (email,)).fetchone()
    return Subscriber.from_row(row) if row else None

def by_ids(db: sqlite3.Connection, ids: Sequence[int]) -> dict[int, Subscriber]:
    marks = ",".join("?" * len(ids))
    rows = db.execute(f"{_SELECT} WHERE subscribers.id IN ({marks})", list(ids))
    return {row["id"]: Subscriber.from_row(row) for row in rows}


def suppression(db: sqlite3.Connection, email: str) -> str | None:
    """Why this address is suppressed, or None: for addresses that may not be subscribers."""
    row = db.execute("SELECT reason FROM suppressions WHERE email = ?",
                     (email.strip(),)).fetchone()
    return row[0] if row else None


def suppress(db: sqlite3.Connection, email: str, reason: str, detail: str,
             now: dt.datetime) -> None:
    """Put an address on the suppression list (inside the caller's transaction)."""
    db.execute("INSERT INTO suppressions (email, reason, detail, created_at) "
               "VALUES (?, ?, ?, ?) ON CONFLICT (email) DO UPDATE SET reason = excluded.reason, "
               "detail = excluded.detail", (email, reason, detail, stamp(now)))


def unsubscribe_address(db: sqlite3.Connection, email: str, now: dt.datetime,
                        reason: str) -> Subscriber | None:
    """Mark a subscriber unsubscribed with a reason, keeping their row and history
    (inside the caller's transaction); None when the address is not a subscriber."""
    when = stamp(now)
    db.execute("UPDATE subscribers SET status = 'unsubscribed', reason = ?, updated_at = ?, "
               "unsubscribed_at = coalesce(unsubscribed_at, ?) WHERE email = ?",
               (reason, when, when, email.strip()))
    return get(db, email.strip())


def unsubscribe_by_command(db: sqlite3.Connection, email: str, now: dt.datetime,
                           reason: str = "by command") -> Subscriber:
    with transaction(db):
        found = unsubscribe_address(db, email, now, reason)
    if found is None:
        raise SubscriberError(f"{email.strip()}: no such subscriber")
    return found


def add(db: sqlite3.Connection, email: str, now: dt.datetime, *, name: str | None = None,
        sections: tuple[str, ...] | Literal["keep"] | None = "keep") -> tuple[Subscriber, str]:
    """Add a subscriber, or update the one with this address.

    Returns the subscriber and what happened: ``added``, ``updated``, ``resubscribed``
    or ``unchanged``. An existing subscriber keeps their name and sections unless new
    ones are given. Adding is an explicit act for one address, so it subscribes again
    someone who had unsubscribed (an import does not).
    """
    email = normalise_address(email)
    with transaction(db):
        db.execute("DELETE FROM suppressions WHERE email = ?", (email,))  # an explicit act
        return _upsert(db, email, now, name, sections, resubscribe=True)


def remove(db: sqlite3.Connection, email: str) -> bool:
    """Delete a subscriber and their send history; False when there was none."""
    with transaction(db):
        gone = db.execute("DELETE FROM subscribers WHERE email = ?", (email.strip(),))
    return gone.rowcount > 0


def all_subscribers(db: sqlite3.Connection, status: Status | None = None) -> list[Subscriber]:
    return list(each_subscriber(db, status))


def each_subscriber(db: sqlite3.Connection,
                    status: Status | None = None) -> Iterator[Subscriber]:
    """Subscribers in id order, read as they are used (a list of 100,000 is not needed)."""
    where, values = ("WHERE status = ? ", (status,)) if status else ("", ())
    return map(Subscriber.from_row, db.execute(f"{_SELECT} {where}ORDER BY subscribers.id", values))


def unsubscribe(db: sqlite3.Connection, tokens: Tokens, token: str,
                now: dt.datetime) -> Subscriber:
    """Apply an unsubscribe link; InvalidToken for a token that is not ours or no longer
    matches a subscriber. Unsubscribing twice is not an error (mail clients retry)."""
    with transaction(db):
        subscriber = holder_of(db, tokens, "unsubscribe", token)
        if subscriber.status == "unsubscribed":
            return subscriber
        unsubscribe_address(db, subscriber.email, now, "unsubscribe link")
    return replace(subscriber, status="unsubscribed", reason="unsubscribe link")


# --------------------------------------------------------------------------- the web's sign-up


def request_signup(db: sqlite3.Connection, email: str, sections: tuple[str, ...] | None,
                   now: dt.datetime) -> tuple[Subscriber, bool]:
    """Record a sign-up from the web; returns the subscriber and whether a confirmation
    must be sent (double opt-in). An active subscriber is left as they are (the web form
    must not let anyone change someone else's sections); everyone else becomes pending
    with the sections asked for, until they confirm."""
    email = normalise_address(email)
    with transaction(db):
        current = get(db, email)
        if current is not None and current.status == "active":
            return current, False
        db.execute("INSERT INTO subscribers (email, name, sections, status, created_at, "
                   "updated_at) VALUES (?, '', ?, 'pending', ?, ?) ON CONFLICT (email) DO UPDATE "
                   "SET sections = excluded.sections, status = 'pending', reason = NULL, "
                   "updated_at = excluded.updated_at",
                   (email, " ".join(sections) if sections else None, stamp(now), stamp(now)))
        return _existing(db, email), True


def confirm(db: sqlite3.Connection, tokens: Tokens, token: str,
            now: dt.datetime) -> tuple[Subscriber, bool]:
    """Apply a confirmation link: a pending subscriber becomes active. Returns the
    subscriber and whether this call activated them (False: already active, a link
    clicked twice). A link for someone who has since unsubscribed does nothing: an old
    email must not sign anyone up again."""
    holder = tokens.read("confirm", token)
    with transaction(db):
        found = by_ids(db, [holder.subscriber_id]).get(holder.subscriber_id)
        if found is None or not holder.matches(found.email) or found.status == "unsubscribed":
            raise TokenInvalid("this confirmation link is no longer valid; sign up again")
        if found.status == "active":
            return found, False
        db.execute("UPDATE subscribers SET status = 'active', reason = NULL, confirmed_at = ?, "
                   "updated_at = ? WHERE id = ?", (stamp(now), stamp(now), found.id))
    return replace(found, status="active", reason=None), True


def holder_of(db: sqlite3.Connection, tokens: Tokens, purpose: Purpose,
              token: str) -> Subscriber:
    """The subscriber a preferences or unsubscribe link belongs to, or InvalidToken."""
    holder = tokens.read(purpose, token)
    found = by_ids(db, [holder.subscriber_id]).get(holder.subscriber_id)
    if found is None or not holder.matches(found.email):
        raise TokenInvalid(f"this {purpose} link is for an address that is no longer subscribed")
    return found


def change_sections(db: sqlite3.Connection, tokens: Tokens, token: str,
                    sections: tuple[str, ...] | None, now: dt.datetime) -> Subscriber:
    """Apply the preferences page: the holder of the link gets these sections."""
    with transaction(db):
        subscriber = holder_of(db, tokens, "preferences", token)
        db.execute("UPDATE subscribers SET sections = ?, updated_at = ? WHERE id = ?",
                   (" ".join(sections) if sections else None, stamp(now), subscriber.id))
    return replace(subscriber, sections=sections or None)


def _upsert(db: sqlite3.Connection, email: str, now: dt.datetime, name: str | None,
            sections: tuple[str, ...] | Literal["keep"] | None,
            resubscribe: bool) -> tuple[Subscriber, str]:
    """Add an active subscriber, or update the one with this address (see add())."""
    when = stamp(now)
    old = get(db, email)
    stored = None if sections == "keep" or sections is None else " ".join(sections)
    if old is None:
        db.execute("INSERT INTO subscribers (email, name, sections, status, created_at, "
                   "updated_at, confirmed_at) VALUES (?, ?, ?, 'active', ?, ?, ?)",
                   (email, name or "", stored, when, when, when))
        return _existing(db, email), "added"
    old_sections = None if old.sections is None else " ".join(old.sections)
    resubscribing = old.status == "unsubscribed" and resubscribe
    new_status = "active" if resubscribing else old.status
    new = (old.name if name is None else name, old_sections if sections == "keep" else stored)
    if (*new, new_status) == (old.name, old_sections, old.status):
        return old, "unchanged"
    db.execute("UPDATE subscribers SET name = ?, sections = ?, status = ?, updated_at = ?, "
               "unsubscribed_at = CASE WHEN ? = 'unsubscribed' THEN unsubscribed_at END, "
               "reason = CASE WHEN status = ? THEN reason END "
               "WHERE id = ?", (*new, new_status, when, new_status, new_status, old.id))
    return _existing(db, email), "resubscribed" if resubscribing else "updated"


def _existing(db: sqlite3.Connection, email: str) -> Subscriber:
    """A subscriber this transaction has just written."""
    found = get(db, email)
    assert found is not None
    return found


# --------------------------------------------------------------------------- CSV import


@dataclass(frozen=True)
class RowProblem:
    """Something about one row of an imported file: ``skipped`` rows were left out,
    the others (a duplicate address, merged) were imported."""

    path: str
    line: int
    message: str
    skipped: bool

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" + ("; row skipped" if self.skipped
                                                              else "")


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_unsubscribed: int = 0
    kept_suppressed: int = 0  # bounced addresses: the file does not make them active
    problems: list[RowProblem] = field(default_factory=list)
    encoding: str = "utf-8"

    @property
    def imported(self) -> int:
        return self.added + self.updated + self.unchanged

    @property
    def skipped(self) -> list[RowProblem]:
        """The rows left out (a bad address, an unknown section, a stray header)."""
        return [p for p in self.problems if p.skipped]


@dataclass
class _Row:
    line: int
    email: str
    name: str
    sections: tuple[str, ...] | None


def decode_csv(data: bytes) -> tuple[str, str]:
    """CSV bytes as text and its encoding, read as every file is (feeds.decoding): UTF-8
    (with or without a BOM, as Excel writes it) or GB18030 (what Excel on a Chinese
    Windows saves as "CSV"). Undecodable bytes are refused, not replaced: they would
    end up in a subscriber's name."""
    with contextlib.suppress(decoding.Undecodable):
        decoded = decoding.decode(data)
        if not decoded.notes:
            return decoded.text, decoded.encoding
    raise SubscriberError("the file is neither UTF-8 nor GB18030 text")


def import_csv(db: sqlite3.Connection, path: Path, known: Sequence[Section],
               now: dt.datetime) -> ImportReport:
    """Import ``email,name,sections`` rows (a header row is optional, as the first row).

    Every row is checked first; rows with a bad address or an unknown section are
    reported by line number and the valid ones are imported, all in one transaction.
    The same address twice is one subscriber with the sections of both rows.
    Existing subscribers get the file's name and sections; unsubscribed ones stay
    unsubscribed, and suppressed addresses (bounces) are left out.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SubscriberError(f"{path}: cannot read: {exc.strerror}") from None
    text, encoding = decode_csv(data)
    report = ImportReport(encoding=encoding)
    rows = _parse_rows(text, str(path), known, report)
    with transaction(db):
        for row in rows:
            existing = get(db, row.email)
            if existing is not None and existing.status == "unsubscribed":
                report.kept_unsubscribed += 1
                continue
            if suppression(db, row.email):
                report.kept_suppressed += 1
                continue
            _, outcome = _upsert(db, row.email, now, row.name or None, row.sections,
                                 resubscribe=False)
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _parse_rows(text: str, where: str, known: Sequence[Section],
                report: ImportReport) -> list[_Row]:
    merged: dict[str, _Row] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    end_of_last = 0
    at_top = True  # a header row may only be the first row with anything in it
    for cells in reader:
        line, end_of_last = end_of_last + 1, reader.line_num  # a quoted cell may span lines
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        first_row, at_top = at_top, False
        if cells[0].lower() in _HEADER:
            if not first_row:  # the header repeated further down: files pasted together
                report.problems.append(RowProblem(where, line, "a header row below the "
                                                  "first row", skipped=True))
            continue
        try:
            email = normalise_address(cells[0])
            sections = section_slugs(_SECTION_SPLIT.split(cells[2]) if len(cells) > 2
                                     else (), known)
        except SubscriberError as exc:
            report.problems.append(RowProblem(where, line, str(exc), skipped=True))
            continue
        name = cells[1] if len(cells) > 1 else ""
        key = email.lower()
        if key in merged:
            earlier = merged[key]
            report.problems.append(RowProblem(
                where, line, f"{email} is also on line {earlier.line}; merged into one "
                f"subscriber", skipped=False))
            earlier.name = earlier.name or name
            earlier.sections = (None if earlier.sections is None or sections is None
                                else section_slugs(earlier.sections + sections, known))
            continue
        merged[key] = _Row(line, email, name, sections)
    return list(merged.values())
