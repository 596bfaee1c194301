"""A digest delivered to a real SMTP server (aiosmtpd on loopback), read back with `email`."""

from __future__ import annotations

import re
import shutil
import ssl
import subprocess
from contextlib import closing
from dataclasses import replace
from email.header import decode_header, make_header

import pytest
from digest_support import (
    NOW,
    SECRET,
    Sink,
    digest_run,
    make_site,
    no_wait,
    run_digest,
    smtp_settings,
    smtp_sink,
    subscribe,
)

from feeds.config import SmtpConfig
from feeds.database import connect, database_path
from feeds.digest.ledger import Ledger
from feeds.mail.delivery import open_transport
from feeds.mail.delivery.smtp import SMTPTransport
from feeds.rendering import SHIPPED, TemplateProblem
from feeds.subscribers import get, unsubscribe
from feeds.tokens import InvalidToken, Tokens

READERS = [("all@example.com", None), ("edu@example.com", ("education",)),
           ("culture@example.com", ("culture",))]


@pytest.fixture
def sink():
    with smtp_sink() as server:
        yield server


def deliver(tmp_path, sink, readers=READERS, **data):
    config = make_site(tmp_path, delivery=smtp_settings(sink.port, **data.pop("smtp", {})),
                       **data)
    subscribe(config, *readers)
    pace, waits = no_wait()
    transport = open_transport(config, pace=pace)
    try:
        report = run_digest(config, transport)
    finally:
        transport.close()
    return config, report, waits


def test_each_reader_gets_one_email_with_only_their_sections(tmp_path, sink):
    _, report, _ = deliver(tmp_path, sink)
    got = sink.by_recipient()
    assert set(got) == {"all@example.com", "edu@example.com"}  # culture has no news
    assert [len(v) for v in got.values()] == [1, 1]
    everything = got["all@example.com"][0].get_body(("plain",)).get_content()
    assert everything.index("【教育】") < everything.index("【经济】")  # configured order
    assert "城区中学开展科技节活动" in everything and "开发区新增企业三十家" in everything
    assert "旧闻" not in everything  # outside the look-back window
    education = got["edu@example.com"][0].get_body(("plain",)).get_content()
    assert "城区中学开展科技节活动" in education and "开发区新增企业三十家" not in education
    (edition,) = report.editions
    assert (edition.sent, edition.skipped, edition.failed) == (2, 0, 0) and report.ok


def test_headers_for_list_mail(tmp_path, sink):
    deliver(tmp_path, sink)
    message = sink.by_recipient()["edu@example.com"][0]
    assert message["From"].addresses[0].display_name == "城区新闻"
    assert message["From"].addresses[0].addr_spec == "digest@news.example.cn"
    assert message["Date"].datetime == NOW
    assert re.fullmatch(r"<digest\.2024-03-02\.[0-9a-f]{20}@news\.example\.cn>",
                        message["Message-ID"])
    assert message["List-Id"] == "城区新闻 <digest.news.example.cn>"
    https, mailto = (u.strip(" <>") for u in message["List-Unsubscribe"].split(","))
    assert https.startswith("https://news.example.cn/unsubscribe?token=")
    assert mailto.startswith("mailto:digest@news.example.cn?subject=unsubscribe%20")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_chinese_subject_is_rfc2047_encoded_and_decodes_to_the_edition(tmp_path, sink):
    deliver(tmp_path, sink)
    raw = dict(sink.received)["all@example.com"]
    subject_line = re.search(rb"^Subject: ([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", raw,
                             re.MULTILINE).group(1)
    assert subject_line.isascii() and b"=?utf-8?" in subject_line
    decoded = str(make_header(decode_header(subject_line.decode().replace("\r\n", ""))))
    assert decoded == "【城区新闻】3月2日 教育2·经济1"
    assert sink.by_recipient()["edu@example.com"][0]["Subject"] == "【城区新闻】3月2日 教育2"


def test_plain_text_comes_first_and_html_has_inlined_styles(tmp_path, sink):
    deliver(tmp_path, sink)
    message = sink.by_recipient()["all@example.com"][0]
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    html = message.get_body(("html",)).get_content()
    assert re.search(r'<h2 class="section-name" style="[^"]*font-size:18px', html)
    assert "@media (prefers-color-scheme: dark)" in html  # kept: cannot be inlined
    assert '<html lang="zh-CN"' in html
    assert 'width="600"' in html
    preheader = re.search(r'<div class="preheader"[^>]*>([^&\u200c]*)', html).group(1)
    assert preheader == "城区中学开展科技节活动｜开发区新增企业三十家"
    assert html.index(">教育<") < html.index(">经济<")


def test_entry_text_with_html_and_script_is_escaped(tmp_path, sink):
    deliver(tmp_path, sink)
    html = sink.by_recipient()["all@example.com"][0].get_body(("html",)).get_content()
    assert "<script>" not in html and "<b>历史</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;历史&lt;/b&gt;" in html


def test_unsubscribe_link_round_trip(tmp_path, sink):
    config, _, _ = deliver(tmp_path, sink)
    message = sink.by_recipient()["edu@example.com"][0]
    token = re.search(r"token=([^>]+)>", message["List-Unsubscribe"]).group(1)
    footer = message.get_body(("html",)).get_content()
    assert f"unsubscribe?token={token}" in footer  # the same link in the footer
    with closing(connect(database_path(config))) as db:
        forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        with pytest.raises(InvalidToken):
            unsubscribe(db, Tokens(SECRET), forged, NOW)
        with pytest.raises(InvalidToken):
            unsubscribe(db, Tokens("another secret"), token, NOW)
        assert unsubscribe(db, Tokens(SECRET), token, NOW).email == "edu@example.com"
        assert get(db, "edu@example.com").status == "unsubscribed"


def test_running_again_sends_nothing_and_says_so(tmp_path, sink):
    config, _, _ = deliver(tmp_path, sink)
    transport = open_transport(config, pace=no_wait()[0])
    report = run_digest(config, transport)
    transport.close()
    assert report.editions == [] and report.ok
    assert report.note.startswith("nothing new")
    assert len(sink.received) == 2


def test_4xx_replies_are_retried_with_backoff_then_sent_once(tmp_path, sink):
    sink.script["edu@example.com"] = ["421 too busy", "450 mailbox busy", "250 OK"]
    config, report, waits = deliver(tmp_path, sink)
    assert [rcpt for rcpt, _ in sink.received].count("edu@example.com") == 1
    assert report.editions[0].sent == 2 and report.ok
    assert waits == [1.0, 2.0]  # 1 s then 2 s, each times (0.5 + jitter 0.5)
    with closing(connect(database_path(config))) as db:
        rows = {r["subscriber_id"]: r for r in Ledger(db).deliveries("2024-03-02")}
    assert {r["status"] for r in rows.values()} == {"sent"}


def test_550_fails_that_reader_only(tmp_path, sink):
    sink.script["all@example.com"] = ["550 no such user"]
    config, report, _ = deliver(tmp_path, sink)
    assert [rcpt for rcpt, _ in sink.received] == ["edu@example.com"]
    (edition,) = report.editions
    assert (edition.sent, edition.failed) == (1, 1) and not report.ok
    assert edition.problems == ["all@example.com: 550 no such user"]
    with closing(connect(database_path(config))) as db:
        ledger = Ledger(db)
        assert ledger.counts("2024-03-02") == {"sent": 1, "failed": 1}
        assert ledger.unfinished() == []  # a permanent failure is final: not retried


def test_a_4xx_that_outlasts_the_retries_is_deferred_to_the_next_run(tmp_path, sink):
    sink.script["edu@example.com"] = ["451 local error"] * 4
    config, report, waits = deliver(tmp_path, sink, smtp={"retries": 3})
    assert report.editions[0].deferred == 1 and not report.ok
    assert len(waits) == 3
    transport = open_transport(config, pace=no_wait()[0])
    again = run_digest(config, transport)
    transport.close()
    assert [(e.new, e.sent, e.before) for e in again.editions] == [(False, 1, 1)]
    by = sink.by_recipient()
    assert len(by["edu@example.com"]) == 1 and len(by["all@example.com"]) == 1


def test_dropped_connection_mid_message_is_reopened_and_retried(tmp_path, sink):
    sink.script["all@example.com"] = ["drop"]
    _, report, waits = deliver(tmp_path, sink)
    assert report.ok and report.editions[0].sent == 2
    assert sorted(r for r, _ in sink.received) == ["all@example.com", "edu@example.com"]
    assert len(waits) == 1


def test_a_server_that_times_out_is_retried(tmp_path, sink):
    sink.script["edu@example.com"] = ["sleep 1.5"]
    _, report, _ = deliver(tmp_path, sink, smtp={"timeout": 0.5})
    assert report.ok
    assert sorted(r for r, _ in sink.received) == ["all@example.com", "edu@example.com"]


def test_refused_connection_stops_the_run_and_loses_no_reader(tmp_path):
    with smtp_sink() as server:
        port = server.port
    config = make_site(tmp_path, delivery=smtp_settings(port, retries=1))
    subscribe(config, *READERS)
    transport = open_transport(config, pace=no_wait()[0])
    report = run_digest(config, transport)
    assert "cannot connect" in report.stopped and not report.ok
    assert report.editions[0].unsent == 2
    with smtp_sink(Sink()) as server:  # the server is back, on a new port
        config = make_site(tmp_path, delivery=smtp_settings(server.port))
        transport = open_transport(config, pace=no_wait()[0])
        report = run_digest(config, transport)
        transport.close()
    assert report.ok and [(e.new, e.sent) for e in report.editions] == [(False, 2)]
    assert sorted(r for r, _ in server.received) == ["all@example.com", "edu@example.com"]


def test_login_uses_the_password_from_the_environment(tmp_path):
    from aiosmtpd.smtp import AuthResult

    from feeds.errors import ConfigError

    seen = []

    def check(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        ok = auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd replies 535

    with smtp_sink(authenticator=check, auth_require_tls=False) as server:
        settings = smtp_settings(server.port, username="feeds", password_env="TEST_SMTP_PW")
        config = make_site(tmp_path, delivery=settings)
        subscribe(config, *READERS)
        with pytest.raises(ConfigError, match="set the environment variable TEST_SMTP_PW"):
            open_transport(config, environ={})
        wrong = open_transport(config, pace=no_wait()[0], environ={"TEST_SMTP_PW": "nope"})
        refused = run_digest(config, wrong)
        assert "login as feeds refused" in refused.stopped
        assert "check TEST_SMTP_PW" in refused.stopped
        transport = open_transport(config, pace=no_wait()[0],
                                   environ={"TEST_SMTP_PW": "s3cret"})
        report = run_digest(config, transport)
        transport.close()
    assert report.ok and len(server.received) == 2
    assert (b"feeds", b"s3cret") in seen


def test_sending_rate_is_paced(tmp_path, sink):
    from feeds.mail.delivery import Pace

    clock = [0.0]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        clock[0] += seconds

    config = make_site(tmp_path, delivery=smtp_settings(sink.port, rate=4))
    subscribe(config, *READERS[:2], ("eco@example.com", ("economy",)))
    transport = open_transport(config, pace=Pace(sleep, lambda: clock[0], lambda: 0.5))
    run_digest(config, transport)
    transport.close()
    assert len(sink.received) == 3
    assert waits == [0.25, 0.25]  # 4 a second: the 2nd and 3rd wait a quarter second


def test_several_connections_share_the_work_and_each_reader_still_gets_one(tmp_path, sink):
    many = [(f"reader{i:02d}@example.com", None) for i in range(40)]
    sink.script["reader07@example.com"] = ["550 no such user"]
    sink.script["reader21@example.com"] = ["450 busy", "250 OK"]
    config, report, _ = deliver(tmp_path, sink, readers=many, smtp={"connections": 3})
    (edition,) = report.editions
    assert (edition.sent, edition.failed) == (39, 1)
    got = [r for r, _ in sink.received]
    assert len(got) == len(set(got)) == 39 and "reader07@example.com" not in got
    assert len(sink.peers) == 3
    with closing(connect(database_path(config))) as db:
        assert Ledger(db).counts("2024-03-02") == {"sent": 39, "failed": 1}


def test_a_copy_that_cannot_be_made_stops_the_run_and_nobody_gets_two(tmp_path, sink):
    # A template that fails for one reader stops the run; whatever went before it is
    # on record, so the next run (template fixed) sends each reader who has no copy
    # yet, and nobody a second.
    folder = tmp_path / "templates"
    folder.mkdir()
    text = (SHIPPED / "digest.txt.j2").read_text(encoding="utf-8")
    (folder / "digest.txt.j2").write_text(
        '{% if recipient and recipient.email == "reader30@example.com" %}{{ missing }}'
        "{% endif %}" + text, encoding="utf-8")
    many = [(f"reader{i:02d}@example.com", None) for i in range(40)]
    with pytest.raises(TemplateProblem, match="missing"):
        deliver(tmp_path, sink, readers=many, smtp={"connections": 3})
    assert len(sink.received) <= 30
    (folder / "digest.txt.j2").write_text(text, encoding="utf-8")
    config = make_site(tmp_path, delivery=smtp_settings(sink.port, connections=3))
    transport = open_transport(config, pace=no_wait()[0])
    run_digest(config, transport)
    transport.close()
    got = [r for r, _ in sink.received]
    assert sorted(got) == sorted(set(got)) == [r for r, _ in many]


def test_with_several_connections_a_refused_server_still_stops_cleanly(tmp_path):
    with smtp_sink() as server:
        port = server.port
    config = make_site(tmp_path, delivery=smtp_settings(port, retries=0, connections=2))
    subscribe(config, *[(f"r{i}@example.com", None) for i in range(5)])
    transport = open_transport(config, pace=no_wait()[0])
    report = run_digest(config, transport)
    transport.close()
    assert "cannot connect" in report.stopped and report.editions[0].unsent == 5
    with closing(connect(database_path(config))) as db:
        assert Ledger(db).counts("2024-03-02") == {"pending": 5}


def test_a_line_starting_with_a_dot_still_arrives_intact(tmp_path, sink):
    config = make_site(tmp_path, delivery=smtp_settings(sink.port))
    subscribe(config, ("a@example.com", None))
    with closing(connect(database_path(config))) as db:
        run = digest_run(config, db)
        edition, _ = run.next_edition()
        plain = run.test_copy(edition, "a@example.com")
    dotted = replace(plain, key=1, raw=plain.raw.replace(
        b"\r\n\r\n", b"\r\n\r\n.starts with a dot\r\n..and two\r\n", 1))
    transport = SMTPTransport(SmtpConfig(**smtp_settings(sink.port)["smtp"]), None,
                              no_wait()[0])
    outcomes = list(transport.send([plain, dotted]))
    transport.close()
    assert [o.status for o in outcomes] == ["sent", "sent"]
    assert [raw for _, raw in sink.received] == [plain.raw, dotted.raw]  # dots unquoted


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the certificate")
def test_starttls_then_login_over_the_encrypted_channel(tmp_path):
    from aiosmtpd.smtp import AuthResult

    from feeds.mail.delivery.smtp import SMTPTransport

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins = []

    def check(server, session, envelope, mechanism, auth_data):
        logins.append(session.ssl is not None)  # only after STARTTLS
        return AuthResult(success=auth_data.password == b"pw", handled=False)

    with smtp_sink(tls_context=server_tls, require_starttls=True, authenticator=check) as sink:
        settings = smtp_settings(sink.port, security="starttls", username="feeds")
        config = make_site(tmp_path, delivery=settings)
        subscribe(config, *READERS)
        transport = SMTPTransport(config.delivery.smtp, "pw", no_wait()[0],
                                  tls=ssl.create_default_context(cafile=str(cert)))
        report = run_digest(config, transport)
        transport.close()
    assert report.ok and len(sink.received) == 2 and logins == [True]


def test_a_second_digest_run_is_refused_while_one_holds_the_lock(tmp_path):
    from feeds.schedule.locks import JobBusy, job_lock, lock_folder

    config = make_site(tmp_path)
    with job_lock(lock_folder(config), "digest"), pytest.raises(JobBusy, match="another"), \
            job_lock(lock_folder(config), "digest"):
        pass
    with job_lock(lock_folder(config), "digest"):  # free again
        pass
