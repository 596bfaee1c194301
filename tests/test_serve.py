"""`feeds serve` as an operator runs it: a real process on a loopback port."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from conftest import SITE_PAGES

CONFIG = """\
[site]
title = "城区新闻"
base_url = "https://news.example.cn/"
content_dir = "content"
output_dir = "public"
state_dir = "state"
"""
CLF = re.compile(r'^(\S+) - - \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] '
                 r'"([^"]*)" (\d{3}) (\d+|-)$')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def feeds(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "feeds", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


@contextmanager
def running(*args: str, cwd: Path):
    """`feeds serve ARGS` in its own process until the block ends; yields its base URL."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "feeds", "serve", "--port", str(port),
                                *args], cwd=cwd, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(base + "/", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"feeds serve did not start: {process.stderr.read()}")
            time.sleep(0.05)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def site(build_site, tmp_path):
    build_site(SITE_PAGES)
    (tmp_path / "feeds.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def test_serve_refuses_to_start_without_a_built_site(tmp_path):
    (tmp_path / "feeds.toml").write_text(CONFIG, encoding="utf-8")
    done = feeds("serve", "--port", str(free_port()), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == (f"error: {tmp_path / 'public'}: no built site to serve; "
                           "run `feeds build` first\n")


def test_a_taken_port_is_one_line_saying_how_to_choose_another(site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = feeds("serve", "--port", str(port), cwd=site)
    assert done.returncode == 1
    assert done.stderr == (f"error: port {port} on 127.0.0.1 is already in use by another "
                           "program; choose another with --port N (or [web] port in "
                           "feeds.toml)\n")


def test_the_access_log_has_a_common_log_format_line_per_request(site):
    (site / "feeds.toml").write_text(CONFIG + '\n[web]\ntrusted_proxies = ["127.0.0.1"]\n',
                                     encoding="utf-8")
    log = site / "logs" / "access.log"
    with running("--access-log", str(log), cwd=site) as base:
        feed = httpx.get(base + "/feeds/all.rss.xml")
        missing = httpx.get(base + "/no-such-page.html")
        httpx.get(base + "/unsubscribe?token=secret.value&x=1")
        httpx.get(base + "/index.html", headers={"X-Forwarded-For": "203.0.113.9"})
    lines = log.read_text(encoding="utf-8").splitlines()[1:]  # after the start-up probe
    parsed = [CLF.match(line) for line in lines]
    assert all(parsed), lines
    requests = [(m.group(1), m.group(3), m.group(4), m.group(5)) for m in parsed]
    assert requests == [
        ("127.0.0.1", "GET /feeds/all.rss.xml HTTP/1.1", "200", feed.headers["content-length"]),
        ("127.0.0.1", "GET /no-such-page.html HTTP/1.1", "404",
         missing.headers["content-length"]),
        ("127.0.0.1", "GET /unsubscribe?token=[redacted]&x=1 HTTP/1.1", "400",
         requests[2][3]),
        ("203.0.113.9", "GET /index.html HTTP/1.1", "200", requests[3][3]),
    ]
    assert "secret" not in log.read_text(encoding="utf-8")


def test_the_access_log_can_come_from_the_configuration(site):
    (site / "feeds.toml").write_text(CONFIG + '\n[web]\naccess_log = "access.log"\n',
                                     encoding="utf-8")
    with running(cwd=site) as base:
        httpx.get(base + "/index.html")
    assert '"GET /index.html HTTP/1.1" 200' in (site / "access.log").read_text()


def test_systemd_units_include_the_serve_service(site):
    units = site / "units"
    done = feeds("schedule", "systemd", "--write", str(units), cwd=site)
    assert done.returncode == 0, done.stderr
    service = (units / "feeds-serve.service").read_text()
    assert f"ExecStart={sys.executable} -m feeds --config {site / 'feeds.toml'} serve" in \
        service.splitlines()
    assert "Restart=on-failure" in service and "WantedBy=multi-user.target" in service
    assert f"WorkingDirectory={site}" in service


def test_serve_keeps_running_under_the_address_the_configuration_names(site):
    port = free_port()
    (site / "feeds.toml").write_text(CONFIG + f'\n[web]\nport = {port}\n', encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "feeds", "serve"], cwd=site,
                               stderr=subprocess.PIPE, text=True, env=os.environ)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/feeds/all.atom.xml", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    finally:
        process.terminate()
        process.wait(timeout=30)
