"""Sending faults against a real SMTP server (aiosmtpd on loopback): at most one extra
copy per reader, ever, and nothing owed left unsent once the server is back."""

from __future__ import annotations

import os
from contextlib import closing

import pytest
from digest_support import (
    NOW,
    Sink,
    count,
    make_site,
    no_wait,
    run_digest,
    smtp_settings,
    smtp_sink,
    subscribe,
)

from feeds.database import connect, database_path
from feeds.digest.ledger import Ledger
from feeds.mail.delivery import Pace, open_transport
from feeds.mail.delivery.outbox import Outbox

READERS = [("all@example.com", None), ("edu@example.com", ("education",)),
           ("eco@example.com", ("economy",))]
EDITION = "2024-03-02"


@pytest.fixture
def sink():
    with smtp_sink() as server:
        yield server


def run(config, pace=None):
    transport = open_transport(config, pace=pace or no_wait()[0])
    try:
        return run_digest(config, transport)
    finally:
        transport.close()


def site(tmp_path, port, **smtp):
    config = make_site(tmp_path, delivery=smtp_settings(port, **smtp))
    subscribe(config, *READERS)
    return config


def statuses(config):
    with closing(connect(database_path(config))) as db:
        return {row["subscriber_id"]: row["status"] for row in Ledger(db).deliveries(EDITION)}


def owed(config):
    return [s for s in statuses(config).values() if s in ("pending", "claimed", "uncertain")]


def test_a_reply_after_the_timeout_is_uncertain_and_sent_once_more_by_the_next_run(
        tmp_path, sink):
    sink.data_script["edu@example.com"] = ["late 1.0"]
    config = site(tmp_path, sink.port, timeout=0.4)
    first = run(config)
    (edition,) = first.editions
    assert (edition.sent, edition.uncertain) == (2, 1) and not first.ok
    assert count(sink, "edu@example.com") == 1  # not retried in the same run
    assert "uncertain" in edition.line()
    second = run(config)
    assert [(e.new, e.sent) for e in second.editions] == [(False, 1)] and second.ok
    assert count(sink, "edu@example.com") == 2
    assert run(config).editions == [] and count(sink, "edu@example.com") == 2
    assert owed(config) == []


def test_a_copy_uncertain_twice_is_never_sent_a_third_time(tmp_path, sink):
    sink.data_script["edu@example.com"] = ["late 1.0", "late 1.0"]
    config = site(tmp_path, sink.port, timeout=0.4)
    run(config)
    second = run(config)
    assert second.editions[0].unconfirmed == 1
    run(config)
    assert count(sink, "edu@example.com") == 2
    assert sorted(statuses(config).values()) == ["sent", "sent", "unconfirmed"]
    assert owed(config) == []


def test_a_link_dropped_before_the_reply_is_uncertain_not_retried_at_once(tmp_path, sink):
    sink.data_script["all@example.com"] = ["drop"]
    config = site(tmp_path, sink.port)
    first = run(config)
    assert first.editions[0].uncertain == 1 and count(sink, "all@example.com") == 1
    assert count(sink, "edu@example.com") == count(sink, "eco@example.com") == 1
    run(config)
    assert count(sink, "all@example.com") == 2 and owed(config) == []


def test_421_and_451_mixes_are_retried_in_the_run_and_each_reader_gets_one(tmp_path, sink):
    sink.script["all@example.com"] = ["421 too busy", "451 try later"]
    sink.data_script["edu@example.com"] = ["451 local error", "421 closing"]
    config = site(tmp_path, sink.port, retries=3)
    report = run(config)
    assert report.ok and report.editions[0].sent == 3
    assert [count(sink, r) for r, _ in READERS] == [1, 1, 1]
    assert owed(config) == []


def test_550_and_554_fail_those_readers_for_good(tmp_path, sink):
    sink.script["all@example.com"] = ["550 no such user"]
    sink.data_script["edu@example.com"] = ["554 rejected as spam"]
    config = site(tmp_path, sink.port)
    report = run(config)
    assert report.editions[0].failed == 2 and count(sink, "eco@example.com") == 1
    run(config)
    assert count(sink, "all@example.com") == count(sink, "edu@example.com") == 0
    assert sorted(statuses(config).values()) == ["failed", "failed", "sent"]


def test_an_outage_uses_up_no_attempt_and_recovery_sends_everything_owed(tmp_path):
    with smtp_sink() as gone:
        port = gone.port  # closed again: nothing listens there
    config = make_site(tmp_path, delivery=smtp_settings(port, retries=0),
                       digest={"max_attempts": 2})
    subscribe(config, *READERS)
    for _ in range(3):
        assert "cannot connect" in run(config).stopped
    with closing(connect(database_path(config))) as db:
        assert {r["attempts"] for r in Ledger(db).deliveries(EDITION)} == {0}
    with smtp_sink(Sink()) as back:
        back.script["edu@example.com"] = ["451 still warming up"]
        config = make_site(tmp_path, delivery=smtp_settings(back.port, retries=0),
                           digest={"max_attempts": 2})
        first = run(config)  # the first refusal after the outage is the first attempt
        assert first.editions[0].deferred == 1
        second = run(config)
        assert second.ok
    assert [count(back, r) for r, _ in READERS] == [1, 1, 1]
    assert owed(config) == []


def test_one_readers_backoff_does_not_hold_up_the_others(tmp_path, sink):
    clock = [0.0]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        clock[0] += seconds

    many = [(f"r{i:02d}@example.com", None) for i in range(12)]
    sink.script["r00@example.com"] = ["451 greylisted", "451 greylisted"]
    config = make_site(tmp_path, delivery=smtp_settings(sink.port, retries=3))
    subscribe(config, *many)
    transport = open_transport(config, pace=Pace(sleep, lambda: clock[0], lambda: 0.5))
    transport.batch_size = 4  # the refused reader's retries interleave with later batches
    report = run_digest(config, transport)
    transport.close()
    assert report.ok
    order = [rcpt for rcpt, _ in sink.received]
    assert order[-1] == "r00@example.com" and len(order) == 12
    assert waits == [1.0, 2.0]  # waited only once nothing else was left


def test_a_run_killed_mid_send_leaves_claims_that_are_sent_once_more_at_most(tmp_path):
    with smtp_sink() as gone:
        port = gone.port
    config = site(tmp_path, port, retries=0)
    run(config)  # the edition is made; nothing could go
    with closing(connect(database_path(config))) as db:  # a run claims, then dies
        Ledger(db).claim(EDITION, 0, 10, NOW)
    with smtp_sink(Sink()) as back:
        config = site(tmp_path, back.port)
        assert run(config).ok
        assert [count(back, r) for r, _ in READERS] == [1, 1, 1]
        with closing(connect(database_path(config))) as db:  # sent, yet killed before
            db.execute("UPDATE deliveries SET status = 'claimed'")  # the ledger knew
            db.execute("UPDATE editions SET finished_at = NULL")
        run(config)  # each was uncertain once already: not sent a third time
        assert [count(back, r) for r, _ in READERS] == [1, 1, 1]
    assert sorted(statuses(config).values()) == ["unconfirmed"] * 3


def test_temporary_outbox_files_of_killed_runs_are_removed(tmp_path):
    folder = tmp_path / "outbox"
    Outbox(folder)
    dead = folder / "tmp" / "feeds-0123456789abcdef01234567.999999999"
    mine = folder / "tmp" / f"feeds-aaaaaaaaaaaaaaaaaaaaaaaa.{os.getpid()}"
    old = folder / "tmp" / f"feeds-bbbbbbbbbbbbbbbbbbbbbbbb.{os.getpid()}"
    for path in (dead, mine, old):
        path.write_bytes(b"half a message")
    os.utime(old, (0, 0))
    Outbox(folder)
    assert not dead.exists() and not old.exists()
    assert mine.exists()  # may be another thread of this process writing it
