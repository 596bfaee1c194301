"""One run of ``feeds digest``: finish unfinished editions, make the new one, deliver it.

Every side effect is passed in: the database, the transport, the instant ``now``
(the Date header and the ledger's timestamps) and a progress callback. Only
one run at a time: callers hold the ``digest`` job lock (feeds.schedule.locks),
the one scheduled runs take too, so two runs never claim the same reader's copy.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from email.utils import make_msgid

from ..bounces.verp import return_path
from ..config import Config
from ..content.catalog import Catalog
from ..mail.delivery import Outgoing, Transport, TransportUnavailable
from ..mail.dkim import DkimSigner
from ..mail.message import Letter, Sender, to_bytes, unsubscribe_mailto
from ..mail.retries import RetryQueue
from ..published import Record
from ..schedule.locks import JobBusy, job_lock, lock_folder
from ..sitewriter import MANIFEST_NAME, Output, SiteWriter
from ..subscribers import Subscriber, by_ids, each_subscriber
from ..tokens import Tokens
from ..urls import Links, new_permalink
from . import edition as editions
from .edition import Edition, Group
from .ledger import UNFINISHED, Claim, Ledger, message_id
from .render import Recipient, Renderer, sections_text

Progress = Callable[[int, int], None]  # (done, total) for one edition
Publish = Callable[[str, bytes], None]  # (path in the output folder, bytes)
BUILD_LOCK_WAIT = 600  # seconds a web copy waits for a build to finish


@dataclass
class EditionReport:
    edition: str
    new: bool
    entries: int
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    deferred: int = 0
    uncertain: int = 0  # no reply after the message went: the next run sends it once more
    unconfirmed: int = 0  # uncertain twice: may have arrived, never sent again
    unsent: int = 0  # left for the next run because the transport became unavailable
    trimmed: int = 0  # emails whose sections were cut to fit max_html_bytes
    before: int = 0  # copies an earlier run already sent (resumed editions)
    problems: list[str] = field(default_factory=list)  # "address: reason"

    @property
    def ok(self) -> bool:
        return not (self.failed or self.deferred or self.uncertain or self.unsent)

    def line(self) -> str:
        shown_if_any = ((self.deferred, "deferred to the next run"),
                        (self.uncertain, "uncertain (sent once more by the next run)"),
                        (self.unconfirmed, "unconfirmed (may have arrived; not sent again)"),
                        (self.unsent, "not sent yet"))
        parts = [f"{self.sent} sent", *([f"{self.before} sent before"] if self.before else []),
                 f"{self.skipped} skipped", f"{self.failed} failed",
                 *(f"{n} {what}" for n, what in shown_if_any if n)]
        kind = "new" if self.new else "resumed"
        return (f"edition {self.edition} ({kind}, {self.entries} entries): "
                + ", ".join(parts))


@dataclass
class RunReport:
    editions: list[EditionReport] = field(default_factory=list)
    note: str | None = None  # why no new edition was made
    stopped: str | None = None  # why delivery stopped early

    @property
    def ok(self) -> bool:
        return self.stopped is None and all(e.ok for e in self.editions)


@dataclass(frozen=True)
class Share:
    """What one reader gets of an edition (for --dry-run)."""

    subscriber: Subscriber
    groups: tuple[Group, ...]
    subject: str


def send_digest(config: Config, catalog: Catalog, *, now: dt.datetime | None = None,
                progress: Progress | None = None) -> RunReport:
    """A real run with what the configuration names: the state database, the signing
    key and the delivery transport. The caller holds the digest job lock."""
    from ..database import connect, database_path
    from ..mail.delivery import open_transport
    from ..published import authority
    from ..tokens import secret_key

    now = now or dt.datetime.now(dt.UTC)
    with closing(connect(database_path(config))) as db:
        # What this edition mails is published from now on: its ids and permalinks go
        # on record, and a corrected article keeps the id an earlier edition carried.
        Record(db).settle(catalog, now, authority=authority(db, config.site.domain))
        run = DigestRun(config, catalog, db, Tokens(secret_key(db)), now)
        with closing(open_transport(config)) as transport:
            return run.run(transport, progress)


def publish(config: Config) -> Publish:
    """Put a file into the output folder the way a build does: through the site writer,
    which stages it and records it in the manifest (so that a build keeps it). Builds
    share the writer's staging folder and manifest, so this waits for the build lock."""
    def put(path: str, data: bytes) -> None:
        with ExitStack() as held:
            for waited in range(BUILD_LOCK_WAIT + 1):
                try:
                    held.enter_context(job_lock(lock_folder(config), "build"))
                    break
                except JobBusy:
                    if waited == BUILD_LOCK_WAIT:
                        raise
                    time.sleep(1)
            writer = SiteWriter(config.output_path, config.state_path / MANIFEST_NAME,
                                keep=lambda _: True)  # the rest of the site stays as it is
            try:
                writer.add(Output(path, lambda: data))
                writer.commit()
            except BaseException:
                writer.abort()
                raise
    return put


class DigestRun:
    def __init__(self, config: Config, catalog: Catalog, db: sqlite3.Connection,
                 tokens: Tokens, now: dt.datetime, publish_file: Publish | None = None) -> None:
        """``publish_file`` puts the edition's web copy on the site (default: through
        the site writer, see :func:`publish`)."""
        self.config = config
        self.publish_file = publish_file or publish(config)
        self.catalog = catalog
        self.ledger = Ledger(db)
        self.db = db
        self.tokens = tokens
        self.now = now
        record = Record(db, new_permalink)  # an article first shown here: fixed at once
        self.renderer = Renderer(config, link=lambda entry, section: record.link(
            self.links, entry, section))
        self.sender = Sender.from_config(config)
        self.signer = DkimSigner.from_config(config, self.sender)
        self.links = Links(config.site.base_url, config.feeds.article_url)

    # ------------------------------------------------------------------ editions
    def unfinished(self) -> list[Edition]:
        return [self.rebuild(e) for e in self.ledger.unfinished()]

    def rebuild(self, edition_id: str) -> Edition:
        """An edition made by an earlier run, from the entries it recorded. An entry
        since removed from the content is left out; the rest read as before."""
        wanted = set(self.ledger.entries_of(edition_id))
        entries = [self.catalog.resolve(x) for x in self.catalog.listings if x.id in wanted]
        date = dt.date.fromisoformat(edition_id[:10])
        return Edition(edition_id, date, editions.group(entries, self.catalog.sections))

    def next_edition(self) -> tuple[Edition | None, str]:
        """The edition of entries no edition carried yet, not recorded; or None and why."""
        look_back = self.config.digest.look_back_days
        listings = self.catalog.listings  # the text is read only for the new entries
        new = editions.new_entries(listings, self.ledger.carried_entries(), look_back)
        if not new:
            if not listings:
                return None, "nothing to send: the content has no entries"
            newest = max(x.issue_date for x in listings)
            return None, (f"nothing new: every entry issued since "
                          f"{newest - dt.timedelta(days=look_back - 1)} (look-back "
                          f"{look_back} days from the newest issue, {newest}) was in an "
                          f"earlier edition")
        entries = [self.catalog.resolve(x) for x in new]
        return editions.make(entries, self.catalog.sections, self.ledger.edition_ids()), ""

    def shares(self, edition: Edition) -> Iterator[Share]:
        """Who gets what of an edition: active subscribers with news in their sections."""
        for subscriber in each_subscriber(self.db, "active"):
            if subscriber.suppressed:
                continue
            groups = edition.share(subscriber.sections)
            if groups:
                yield Share(subscriber, groups, self.renderer.subject(edition, groups))

    # ------------------------------------------------------------------ the run
    def run(self, transport: Transport, progress: Progress | None = None) -> RunReport:
        report = RunReport()
        try:
            for unfinished in self.unfinished():
                report.editions.append(self.deliver(unfinished, transport, new=False,
                                                    progress=progress))
            edition, why = self.next_edition()
            if edition is None:
                report.note = why
                return report
            if next(each_subscriber(self.db, "active"), None) is None:
                # Making the edition would use up its entries with nobody to read them.
                report.note = ("no active subscribers: add one with "
                               "`feeds subscribers add EMAIL`")
                return report
            self.ledger.create(edition.id, [e.id for e in edition.entries],
                               ((s.subscriber.id, self.message_id(edition, s.subscriber))
                                for s in self.shares(edition)), self.now)
            report.editions.append(self.deliver(edition, transport, new=True,
                                                progress=progress))
        except _Stopped as stop:
            report.editions.append(stop.report)
            report.stopped = str(stop)
        return report

    def deliver(self, edition: Edition, transport: Transport, *, new: bool,
                progress: Progress | None = None) -> EditionReport:
        """Send every unfinished copy of an edition, recording each outcome as it comes.

        Copies refused for now wait in a RetryQueue, ordered by when they may go
        again, while the others are sent; the run waits only when nothing else is left.
        """
        self.publish_file(Links.digest_path(edition.id), self.renderer.web_copy(edition).encode())
        counts = self.ledger.counts(edition.id)
        report = EditionReport(edition.id, new, len(edition.entries), before=counts["sent"])
        delivery = _Delivery(self, edition, transport, report, progress,
                             total=sum(counts[s] for s in UNFINISHED))
        after = 0
        try:
            while True:
                claims = self.ledger.claim(edition.id, after, transport.batch_size, self.now)
                if claims:
                    after = claims[-1].subscriber_id
                    delivery.send(delivery.prepare(claims))
                    delivery.send(delivery.queue.due())
                elif delivery.queue:
                    delivery.send(delivery.queue.wait())
                else:
                    break
        except TransportUnavailable as exc:
            delivery.give_back(str(exc))
            raise _Stopped(report, exc) from None
        if progress:
            progress(delivery.done, delivery.total)
        self.ledger.finish_if_done(edition.id, self.now)
        return report

    # ------------------------------------------------------------------ one letter
    def letter(self, edition: Edition, subscriber: Subscriber, groups: Sequence[Group],
               message_id: str) -> tuple[Letter, bool]:
        """One reader's letter, and whether its sections were trimmed to fit."""
        unsubscribe = self.tokens.make("unsubscribe", subscriber.id, subscriber.email)
        preferences = self.tokens.make("preferences", subscriber.id, subscriber.email)
        chosen = [s.name for s in self.catalog.sections if s.slug in (subscriber.sections or ())]
        recipient = Recipient(subscriber.email, self.links.unsubscribe(unsubscribe),
                              self.links.preferences(preferences), sections_text(chosen))
        rendered = self.renderer.email(edition, groups, recipient)
        letter = Letter(self.sender, subscriber.email, rendered.subject, rendered.text,
                        rendered.html, message_id, self.now.astimezone(self.config.site.zone),
                        recipient.unsubscribe_url,
                        unsubscribe_mailto(self.sender.unsubscribe_address, unsubscribe),
                        return_path(self.config, self.tokens, subscriber.id, subscriber.email))
        return letter, rendered.trimmed

    def test_copy(self, edition: Edition, address: str) -> Outgoing:
        """A copy of the whole edition for ``--to``: a fresh Message-ID, links that
        unsubscribe nobody, and nothing recorded."""
        stranger = Subscriber(0, address, "", None, "active", "")
        mid = make_msgid("digest-test", domain=self.sender.domain)
        letter, _ = self.letter(edition, stranger, edition.groups, mid)
        return Outgoing(0, letter, to_bytes(letter, self.signer))

    def message_id(self, edition: Edition, subscriber: Subscriber) -> str:
        return message_id(edition.id, subscriber.id, subscriber.email, self.sender.domain)



class _Delivery:
    """One edition's copies on their way: what each reader is owed, how many tries
    each had in this run, and the queue of those waiting to try again."""

    def __init__(self, run: DigestRun, edition: Edition, transport: Transport,
                 report: EditionReport, progress: Progress | None, total: int) -> None:
        self.run = run
        self.edition = edition
        self.transport = transport
        self.report = report
        self.progress = progress
        self.total = total
        self.done = 0
        self.queue = RetryQueue(transport.pace.monotonic, transport.pace.sleep)
        self.claims: dict[int, Claim] = {}
        self.tries: dict[int, int] = {}
        self.in_flight: set[int] = set()

    def prepare(self, claims: Sequence[Claim]) -> list[Outgoing]:
        """The readers' copies; a copy is skipped when its reader unsubscribed or was
        suppressed (a bounce) since the edition was made, or their sections have nothing
        in it."""
        run, report, edition = self.run, self.report, self.edition
        readers = by_ids(run.db, [c.subscriber_id for c in claims])
        batch = []
        for claim in claims:
            reader = readers.get(claim.subscriber_id)
            groups = edition.share(reader.sections) if reader and reader.gets_mail else ()
            if reader is None or not groups:
                run.ledger.mark(edition.id, claim.subscriber_id, "skipped", run.now,
                                reached=False)
                report.skipped += 1
                self.done += 1
                continue
            letter, trimmed = run.letter(edition, reader, groups, claim.message_id)
            report.trimmed += trimmed
            self.claims[claim.subscriber_id] = claim
            batch.append(Outgoing(reader.id, letter, to_bytes(letter, run.signer)
                                  if self.transport.needs_mime else b""))
        return batch

    def send(self, batch: Sequence[Outgoing]) -> None:
        if not batch:
            return
        run, report, ledger = self.run, self.report, self.run.ledger
        waiting = {item.key: item for item in batch}
        self.in_flight = set(waiting)
        for outcome in self.transport.send(batch):
            self.in_flight.discard(outcome.key)
            key, detail = outcome.key, outcome.detail
            status: str = outcome.status
            if status == "deferred":
                self.tries[key] = self.tries.get(key, 0) + 1
                if self.tries[key] <= self.transport.retries:
                    self.queue.put(waiting[key], self.transport.pace.backoff(self.tries[key]))
                    continue
                limit = run.config.digest.max_attempts
                if self.claims[key].attempts + 1 >= limit:
                    status, detail = "failed", f"gave up after {limit} attempts: {detail}"
            recorded = ledger.mark(self.edition.id, key,
                                   "pending" if status == "deferred" else status,
                                   run.now, detail or None)
            if recorded == "unconfirmed":
                status = "unconfirmed"
            setattr(report, status, getattr(report, status) + 1)
            if status != "sent":
                report.problems.append(f"{waiting[key].letter.to}: {detail}")
            self.done += 1
            if self.progress:
                self.progress(self.done, self.total)
        self.in_flight = set()

    def give_back(self, why: str) -> None:
        """The transport stopped: copies not yet answered go back to pending, and this
        run does not count as an attempt for them (it never reached a server)."""
        for key in self.in_flight | {item.key for item in self.queue.drain()}:
            self.run.ledger.mark(self.edition.id, key, "pending", self.run.now, why,
                                 reached=False)
        self.report.unsent = self.total - self.done


class _Stopped(TransportUnavailable):
    """Carries the report of the edition delivery stopped in."""

    def __init__(self, report: EditionReport, cause: TransportUnavailable) -> None:
        super().__init__(str(cause))
        self.report = report
