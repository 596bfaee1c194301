"""Looking at a digest before it goes: the plan of a run, a preview, a test copy.

What ``feeds digest --dry-run``, ``--preview`` and ``--to`` show, as results the command
prints. None of them records anything: no ledger row, no edition, no token.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_if_changed
from ..errors import FeedsError
from ..mail.delivery import open_transport
from ..mail.message import Letter
from ..subscribers import Subscriber
from .edition import Edition
from .ledger import UNFINISHED
from .send import DigestRun

PREVIEW_READER = "reader@example.com"  # whose links a preview shows, without --to


@dataclass(frozen=True)
class Planned:
    """An edition a run would send: to whom (address, subject), and, for one an earlier
    run left unfinished, how many copies it still has to send."""

    edition: Edition
    unfinished: bool
    recipients: list[tuple[str, str]]
    still_to_send: int = 0


@dataclass(frozen=True)
class Plan:
    editions: list[Planned]
    why: str  # why no new edition would be made, when none would


def plan(run: DigestRun) -> Plan:
    """The editions a run would send now, and to whom."""
    planned = []
    for edition in run.unfinished():
        left = {r["subscriber_id"] for r in run.ledger.deliveries(edition.id)
                if r["status"] in UNFINISHED}
        planned.append(Planned(edition, True, [(s.subscriber.email, s.subject)
                                               for s in run.shares(edition)
                                               if s.subscriber.id in left], len(left)))
    upcoming, why = run.next_edition()
    if upcoming is not None:
        planned.append(Planned(upcoming, False, [(s.subscriber.email, s.subject)
                                                 for s in run.shares(upcoming)]))
    return Plan(planned, why)


def shown(run: DigestRun, planned: Plan | None = None) -> Edition:
    """The edition a preview or a test copy shows: the one a run would send first (of
    ``planned``, when the plan is made already), or else the latest sent."""
    if planned is None:  # without the plan's recipients: only its editions
        upcoming, why = run.next_edition()
        first = [*run.unfinished(), *([upcoming] if upcoming else [])]
    else:
        first, why = [p.edition for p in planned.editions], planned.why
    if first:
        return first[0]
    latest = run.ledger.latest()
    if latest:
        return run.rebuild(latest)
    raise FeedsError(f"no edition to show: {why}")


def preview(run: DigestRun, edition: Edition, path: Path, to: str | None) -> Letter:
    """Write the HTML of the edition as ``to`` (or an example reader) would get it."""
    reader = Subscriber(0, to or PREVIEW_READER, "", None, "active", "")
    letter, _ = run.letter(edition, reader, edition.groups, "<preview@localhost>")
    write_if_changed(path, letter.html.encode())
    return letter


def send_test_copy(run: DigestRun, edition: Edition, to: str) -> str:
    """Send one copy of the edition to ``to`` by the configured delivery; record nothing.
    Returns the name of the transport it went by."""
    with closing(open_transport(run.config)) as transport:
        outcome = next(iter(transport.send([run.test_copy(edition, to)])))
    if outcome.status != "sent":
        raise FeedsError(f"test copy to {to} {outcome.status}: {outcome.detail}")
    return transport.name
