"""The outbox (a Maildir folder), and exactly-once delivery across a killed run."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing

from digest_support import (
    SECRET,
    SITE_TOML,
    Sink,
    maildir_messages,
    make_site,
    run_digest,
    smtp_sink,
    subscribe,
)

from feeds.database import connect, database_path
from feeds.digest.ledger import Ledger
from feeds.mail.delivery import open_transport
from feeds.mail.delivery.outbox import Outbox

CONFIG = SITE_TOML + """
[delivery]
method = "{method}"

[delivery.smtp]
host = "127.0.0.1"
port = {port}
security = "none"
"""


def readers(count):
    return [(f"reader{i:04d}@example.com", None if i % 3 else ("economy",))
            for i in range(count)]


def test_each_reader_gets_one_file_that_a_mail_client_can_read(tmp_path):
    config = make_site(tmp_path)
    subscribe(config, ("a@example.com", None), ("b@example.com", ("economy",)))
    report = run_digest(config, open_transport(config))
    assert report.ok and report.editions[0].sent == 2
    import mailbox

    box = mailbox.Maildir(tmp_path / "outbox", create=False)
    assert len(box) == 2
    subjects = sorted(m["Subject"] for m in maildir_messages(tmp_path / "outbox"))
    assert subjects == ["【城区新闻】3月2日 教育2·经济1", "【城区新闻】3月2日 经济1"]
    assert (tmp_path / "public" / "digests" / "2024-03-02.html").exists()


def test_the_outbox_writes_a_message_id_once_even_after_a_client_read_it(tmp_path):
    config = make_site(tmp_path)
    subscribe(config, ("a@example.com", None))
    run_digest(config, open_transport(config))
    for path in list((tmp_path / "outbox" / "new").iterdir()):  # a mail client reads it
        path.rename(tmp_path / "outbox" / "cur" / (path.name + ":2,S"))
    with closing(connect(database_path(config))) as db:  # as if the ledger had lost it
        db.execute("UPDATE deliveries SET status = 'claimed'")
        db.execute("UPDATE editions SET finished_at = NULL")
    report = run_digest(config, Outbox(tmp_path / "outbox"))
    assert report.editions[0].sent == 1  # recorded as sent …
    assert len(maildir_messages(tmp_path / "outbox")) == 1  # … without a second copy


def start_digest(tmp_path, method, port=25):
    (tmp_path / "feeds.toml").write_text(CONFIG.format(method=method, port=port),
                                         encoding="utf-8")
    env = {**os.environ, "FEEDS_SECRET_KEY": SECRET}
    return subprocess.Popen([sys.executable, "-m", "feeds", "--config",
                             str(tmp_path / "feeds.toml"), "digest"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_run_killed_mid_send_then_run_again_fills_the_outbox_exactly_once(tmp_path):
    config = make_site(tmp_path)
    subscribe(config, *readers(400))
    new = tmp_path / "outbox" / "new"
    process = start_digest(tmp_path, "outbox")
    deadline = time.monotonic() + 60
    while not (new.is_dir() and len(os.listdir(new)) >= 40) and time.monotonic() < deadline:
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    written = len(os.listdir(new))
    assert process.returncode == -signal.SIGKILL and 40 <= written < 400  # killed mid-send

    rerun = start_digest(tmp_path, "outbox")
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err.decode()
    assert "(resumed, 3 entries)" in out.decode()
    per_reader = Counter(m["To"] for m in maildir_messages(tmp_path / "outbox"))
    assert len(per_reader) == 400 and set(per_reader.values()) == {1}
    with closing(connect(database_path(config))) as db:
        assert Ledger(db).counts("2024-03-02") == {"sent": 400}


def test_a_run_killed_before_the_server_answered_resends_that_copy_with_its_message_id(tmp_path):
    """SMTP cannot be exactly-once at the wire: a message the server took just before the
    kill goes again on the next run. It goes with the same Message-ID, so the reader's
    mail store shows one; every other reader gets exactly one copy."""
    killed_at = 25
    process = None

    class Killer(Sink):
        async def handle_DATA(self, server, session, envelope):
            reply = await super().handle_DATA(server, session, envelope)
            if len(self.received) == killed_at:
                process.send_signal(signal.SIGKILL)  # before the client hears 250
                await asyncio.sleep(0.3)
            return reply

    config = make_site(tmp_path)
    subscribe(config, *readers(80))
    with smtp_sink(Killer()) as sink:
        process = start_digest(tmp_path, "smtp", sink.port)
        process.wait(timeout=60)
        assert process.returncode == -signal.SIGKILL and len(sink.received) == killed_at
        rerun = start_digest(tmp_path, "smtp", sink.port)
        _, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err.decode()
    ids: dict[str, set[str]] = {}
    for rcpt, message in zip([r for r, _ in sink.received], sink.messages(), strict=True):
        ids.setdefault(rcpt, set()).add(message["Message-ID"])
    assert len(ids) == 80 and all(len(v) == 1 for v in ids.values())
    copies = Counter(r for r, _ in sink.received)
    assert sorted(copies.values()) == [1] * 79 + [2]  # only the copy in flight went twice
