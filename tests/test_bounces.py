"""Bounces and complaints: read from a Maildir and a real IMAP server (pymap on loopback),
applied to the subscriber list, honoured by the digest, sign-up and import."""

from __future__ import annotations

import datetime as dt
import imaplib
import json
import mailbox
import shutil
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from bounce_support import AUTO_REPLY, arf, dsn
from click.testing import CliRunner
from conftest import page
from digest_support import NOW, PAGES, SECRET, SITE_TOML, free_port, make_site, smtp_sink

from feeds.bounces.record import record
from feeds.bounces.reports import read_message
from feeds.cli import bounces as _bounces  # noqa: F401  (registers the command)
from feeds.cli import cli, digest  # noqa: F401
from feeds.database import connect, database_path
from feeds.subscribers import add, get, import_csv
from feeds.tokens import Tokens

BASE = "bounces@news.example.cn"
TOKENS = Tokens(SECRET)


def feeds(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_dsn_is_a_hard_bounce_for_its_recipient_with_the_servers_words():
    (report,) = read_message(dsn(BASE, "gone@example.org"), BASE)
    assert (report.kind, report.address, report.tag) == ("hard", "gone@example.org", None)
    assert report.detail == "5.1.1 smtp; 550 5.1.1 User unknown"


def test_a_verp_tag_names_the_reader_even_when_the_dsn_names_another_address():
    tag = TOKENS.bounce_tag(7, "reader@example.com")
    (report,) = read_message(dsn(f"bounces+{tag}@news.example.cn", "fwd@elsewhere.org"), BASE)
    assert report.tag == tag and report.kind == "hard"


def test_a_temporary_failure_is_soft_and_a_delay_warning_is_nothing():
    soft = dsn(BASE, "full@example.org", status="4.2.2", diagnostic="452 mailbox full")
    assert [r.kind for r in read_message(soft, BASE)] == ["soft"]
    delayed = dsn(BASE, "slow@example.org", action="delayed", status="4.4.1",
                  diagnostic="451 try later")
    assert read_message(delayed, BASE) == []


def test_an_arf_report_is_a_complaint_and_an_auto_reply_is_nothing():
    (report,) = read_message(arf("angry@example.net"), BASE)
    assert (report.kind, report.address) == ("complaint", "angry@example.net")
    assert report.detail == "complaint (abuse)"
    assert read_message(AUTO_REPLY, BASE) == []


def _db_with(tmp_path, *addresses):
    config = make_site(tmp_path, bounces={"soft_limit": 2, "soft_window_days": 10})
    db = connect(database_path(config))
    for address in addresses:
        add(db, address, NOW)
    return config, db


def test_soft_bounces_suppress_only_when_enough_arrive_within_the_window(tmp_path):
    config, db = _db_with(tmp_path, "full@example.org")
    soft = [read_message(dsn(BASE, "full@example.org", status="4.2.2",
                             diagnostic="452 full", message_id=f"<s{i}@mx>"), BASE)[0]
            for i in range(3)]
    with closing(db):
        assert record(db, TOKENS, config.bounces, soft[0], "maildir", NOW) == "counted"
        later = NOW + dt.timedelta(days=11)  # the first is out of the window by now
        assert record(db, TOKENS, config.bounces, soft[1], "maildir", later) == "counted"
        assert get(db, "full@example.org").gets_mail
        assert record(db, TOKENS, config.bounces, soft[2], "maildir", later) == "suppressed"
        assert record(db, TOKENS, config.bounces, soft[2], "maildir", later) == "seen before"
        reader = get(db, "full@example.org")
        assert reader.suppressed == "soft-bounces" and not reader.gets_mail
        assert reader.status == "active"  # the status is theirs; suppression is ours


def test_a_forged_verp_tag_falls_back_to_the_address_named(tmp_path):
    config, db = _db_with(tmp_path, "victim@example.com", "gone@example.org")
    with closing(db):
        victim = get(db, "victim@example.com")
        forged = f"bounces+{victim.id}-000000000000@news.example.cn"
        (report,) = read_message(dsn(forged, "gone@example.org"), BASE)
        record(db, TOKENS, config.bounces, report, "maildir", NOW)
        assert get(db, "victim@example.com").gets_mail
        assert get(db, "gone@example.org").suppressed == "hard-bounce"


def test_import_and_suppression(tmp_path):
    config, db = _db_with(tmp_path, "gone@example.org")
    with closing(db):
        (report,) = read_message(dsn(BASE, "gone@example.org"), BASE)
        record(db, TOKENS, config.bounces, report, "maildir", NOW)
        db.execute("DELETE FROM subscribers")  # removed; the bounce is remembered
        csv = tmp_path / "readers.csv"
        csv.write_text("gone@example.org,,\nnew@example.org,,\n", encoding="utf-8")
        result = import_csv(db, csv, (), NOW)
        assert (result.added, result.kept_suppressed) == (1, 1)
        assert get(db, "gone@example.org") is None


@pytest.fixture
def site(tmp_path, monkeypatch):
    (tmp_path / "content").mkdir()
    for name, text in PAGES.items():
        (tmp_path / "content" / name).write_text(page(text), encoding="utf-8")
    monkeypatch.setenv("FEEDS_SECRET_KEY", SECRET)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _configure(site: Path, port: int, bounces: str) -> None:
    (site / "feeds.toml").write_text(
        SITE_TOML + f"""
from_address = "digest@news.example.cn"

[delivery]
method = "smtp"

[delivery.smtp]
host = "127.0.0.1"
port = {port}
security = "none"

[bounces]
{bounces}
""", encoding="utf-8")


def _new_issue(site: Path) -> None:
    (site / "content" / "2024-03-05-c.txt").write_text(page("""\
        第02版：经济

        ## 开发区再添新企业

        本报讯 3月5日，开发区又有企业落户。
        """), encoding="utf-8")


READERS = ("bounced@example.com", "angry@example.net", "happy@example.com")


def test_a_dsn_and_an_arf_in_the_maildir_then_those_two_get_nothing(site):
    with smtp_sink() as sink:
        _configure(site, sink.port, 'maildir = "bounce-box"')
        for address in READERS:
            feeds("subscribers", "add", address)
        assert feeds("digest").exit_code == 0
        envelope = dict(zip((r for r, _ in sink.received), sink.envelopes, strict=True))
        assert all(e.startswith("bounces+") and e.endswith("@news.example.cn")
                   for e in envelope.values())
        box = mailbox.Maildir(site / "bounce-box", create=True)
        box.add(dsn(envelope["bounced@example.com"], "bounced@example.com"))
        box.add(arf("angry@example.net"))
        box.add(AUTO_REPLY)
        result = feeds("bounces")
        assert result.exit_code == 0, result.output
        assert "3 messages read: 1 not a bounce, 1 suppressed, 1 unsubscribed" in result.output
        assert feeds("bounces").output.endswith("0 messages read: nothing\n")  # read once
        _new_issue(site)
        sink.received.clear()
        assert feeds("digest").exit_code == 0
        assert [r for r, _ in sink.received] == ["happy@example.com"]
    listing = feeds("subscribers", "list").output.splitlines()
    assert "suppressed (hard-bounce: 5.1.1 smtp; 550 5.1.1 User unknown)" in listing[0]
    assert "unsubscribed (complaint (abuse))" in listing[1]
    assert "\tactive\t" in listing[2]
    exported = json.loads(feeds("subscribers", "list", "--json").output)
    assert [p["status"] for p in exported] == ["active", "unsubscribed", "active"]
    assert exported[0]["suppressed"]["reason"] == "hard-bounce"


def test_unsubscribe_by_command_keeps_the_history(site):
    with smtp_sink() as sink:
        _configure(site, sink.port, 'maildir = "bounce-box"')
        feeds("subscribers", "add", "a@example.com")
        feeds("digest")
    result = feeds("subscribers", "unsubscribe", "A@example.com", "--reason", "asked by phone")
    assert result.exit_code == 0
    assert "unsubscribed (asked by phone)" in feeds("subscribers", "list").output
    with closing(connect(site / "state" / "feeds.sqlite")) as db:
        assert db.execute("SELECT count(*) FROM deliveries").fetchone()[0] == 1
    assert feeds("subscribers", "unsubscribe", "nobody@example.com").exit_code == 2


@pytest.fixture
def imap_server():
    """pymap, a small IMAP server, on a loopback port with its demo user."""
    pymap = shutil.which("pymap", path=str(Path(sys.executable).parent))
    assert pymap, "pymap is in the test extra"
    port = free_port()
    process = subprocess.Popen([pymap, "--host", "127.0.0.1", "--port", str(port), "dict",
                                "--demo-data"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("pymap did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_bounces_read_over_imap_are_applied_and_flagged_seen(site, imap_server, monkeypatch):
    with smtp_sink() as sink:
        _configure(site, sink.port, f"""imap_host = "127.0.0.1"
imap_port = {imap_server}
imap_security = "none"
imap_username = "demouser"
""")
        for address in READERS:
            feeds("subscribers", "add", address)
        feeds("digest")
        envelope = dict(zip((r for r, _ in sink.received), sink.envelopes, strict=True))
    client = imaplib.IMAP4("127.0.0.1", imap_server)
    client.login("demouser", "demopass")
    client.append("INBOX", None, None, dsn(envelope["bounced@example.com"],
                                           "bounced@example.com"))
    client.append("INBOX", None, None, arf("angry@example.net"))
    client.logout()
    monkeypatch.setenv("FEEDS_IMAP_PASSWORD", "demopass")
    result = feeds("bounces")
    assert result.exit_code == 0, result.output
    assert "1 suppressed, 1 unsubscribed" in result.output
    assert "0 messages read" in feeds("bounces").output
    with closing(connect(site / "state" / "feeds.sqlite")) as db:
        assert get(db, "bounced@example.com").suppressed == "hard-bounce"
        assert get(db, "angry@example.net").status == "unsubscribed"
        assert get(db, "happy@example.com").gets_mail
    monkeypatch.setenv("FEEDS_IMAP_PASSWORD", "wrong")
    refused = feeds("bounces")
    assert refused.exit_code != 0 and "imap 127.0.0.1" in refused.output
