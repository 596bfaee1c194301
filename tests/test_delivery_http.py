"""The http transport against a real local HTTP server shaped like Postmark's batch API."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from digest_support import make_site, no_wait, run_digest, subscribe

from feeds.database import connect, database_path
from feeds.digest.ledger import Ledger
from feeds.errors import ConfigError
from feeds.mail.delivery import open_transport

READERS = [("a@example.com", None), ("b@example.com", None), ("c@example.com", ("economy",))]
TOKEN = "server-token-123"


class FakeAPI:
    """Answers each POST from a script: an int is that HTTP status for the whole batch,
    a dict maps addresses to Postmark ErrorCodes (others 0), "slow" accepts the batch
    but answers after a second; when the script runs out, everything is accepted."""

    def __init__(self) -> None:
        self.script: list[int | dict[str, int]] = []
        self.requests: list[tuple[dict[str, str], list[dict]]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                api.requests.append((dict(self.headers), body))
                step = api.script.pop(0) if api.script else {}
                if step == "slow":  # takes the batch, answers after the client gave up
                    time.sleep(1.0)
                    step = {}
                if isinstance(step, int):
                    self._reply(step, {"ErrorCode": 10, "Message": "no"})
                    return
                self._reply(200, [{"ErrorCode": step.get(m["To"], 0), "To": m["To"],
                                   "Message": "OK" if m["To"] not in step else "Inactive",
                                   "MessageID": f"id-{m['To']}"} for m in body])

            def _reply(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError):  # the client gave up ("slow")
                    self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/email/batch"
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def sent_to(self) -> list[str]:
        return [m["To"] for _, body in self.requests for m in body]


@pytest.fixture
def api():
    fake = FakeAPI()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def deliver(tmp_path, api, token=TOKEN, **http):
    config = make_site(tmp_path, delivery={"method": "http",
                                           "http": {"endpoint": api.url, **http}})
    subscribe(config, *READERS)
    pace, waits = no_wait()
    transport = open_transport(config, pace=pace, environ={"FEEDS_HTTP_TOKEN": token})
    try:
        return config, run_digest(config, transport), waits
    finally:
        transport.close()


def test_messages_go_in_batches_with_the_token_header(tmp_path, api):
    _, report, _ = deliver(tmp_path, api, batch_size=2)
    assert report.ok and report.editions[0].sent == 3
    assert [len(body) for _, body in api.requests] == [2, 1]
    headers, body = api.requests[0]
    assert headers["X-Postmark-Server-Token"] == TOKEN
    message = body[0]
    assert message["From"] == "=?utf-8?b?5Z+O5Yy65paw6Ze7?= <digest@news.example.cn>"
    assert message["Subject"] == "【城区新闻】3月2日 教育2·经济1"
    assert message["MessageStream"] == "broadcast"
    assert "城区中学开展科技节活动" in message["TextBody"]
    assert 'style="' in message["HtmlBody"]
    names = {h["Name"]: h["Value"] for h in message["Headers"]}
    assert names["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert names["List-Unsubscribe"].startswith("<https://news.example.cn/unsubscribe?token=")
    assert names["Message-ID"].startswith("<digest.2024-03-02.")


def test_a_5xx_answer_is_retried_with_backoff(tmp_path, api):
    api.script = [503, 500]
    _, report, waits = deliver(tmp_path, api)
    assert report.ok and report.editions[0].sent == 3
    assert waits == [1.0, 2.0]
    assert sorted(api.sent_to()) == sorted([r for r, _ in READERS] * 3)  # the same batch x3


def test_an_inactive_recipient_fails_alone(tmp_path, api):
    api.script = [{"b@example.com": 406}]
    _, report, _ = deliver(tmp_path, api)
    (edition,) = report.editions
    assert (edition.sent, edition.failed) == (2, 1) and not report.ok
    assert edition.problems == ["b@example.com: error 406: Inactive"]
    assert api.sent_to().count("b@example.com") == 1  # final: not retried


def test_a_rate_limited_message_is_retried_alone(tmp_path, api):
    api.script = [{"c@example.com": 429}]
    _, report, waits = deliver(tmp_path, api)
    assert report.ok and report.editions[0].sent == 3
    assert api.sent_to() == ["a@example.com", "b@example.com", "c@example.com",
                             "c@example.com"]
    assert waits == [1.0]


def test_a_refused_token_stops_the_run_and_the_next_run_sends(tmp_path, api):
    api.script = [401]
    config, report, _ = deliver(tmp_path, api, token="wrong")
    assert "refused the token in FEEDS_HTTP_TOKEN" in report.stopped
    with closing(connect(database_path(config))) as db:
        assert Ledger(db).counts("2024-03-02") == {"pending": 3}
    transport = open_transport(config, pace=no_wait()[0], environ={"FEEDS_HTTP_TOKEN": TOKEN})
    again = run_digest(config, transport)
    assert again.ok and again.editions[0].sent == 3


def test_an_unreachable_api_stops_the_run(tmp_path, api):
    api.server.shutdown()
    api.server.server_close()
    _, report, waits = deliver(tmp_path, api, retries=2)
    assert "cannot reach the email API" in report.stopped and len(waits) == 2
    assert report.editions[0].unsent == 3


def test_the_token_must_be_in_the_environment(tmp_path, api):
    config = make_site(tmp_path, delivery={"method": "http", "http": {"endpoint": api.url}})
    with pytest.raises(ConfigError, match="FEEDS_HTTP_TOKEN"):
        open_transport(config, environ={})


def test_http_delivery_needs_an_endpoint(tmp_path):
    with pytest.raises(ConfigError, match=r"delivery\.http\.endpoint: required"):
        make_site(tmp_path, delivery={"method": "http"})


def test_a_batch_with_no_answer_is_uncertain_and_posted_once_more_by_the_next_run(
        tmp_path, api):
    api.script = ["slow"]
    config, report, _ = deliver(tmp_path, api, timeout=0.3)
    assert report.editions[0].uncertain == 3 and not report.ok
    assert len(api.requests) == 1  # not posted again in the same run
    transport = open_transport(config, pace=no_wait()[0],
                               environ={"FEEDS_HTTP_TOKEN": TOKEN})
    again = run_digest(config, transport)
    transport.close()
    assert again.ok and again.editions[0].sent == 3
    assert sorted(api.sent_to()) == sorted([r for r, _ in READERS] * 2)
    assert run_digest(config, open_transport(
        config, pace=no_wait()[0], environ={"FEEDS_HTTP_TOKEN": TOKEN})).editions == []
