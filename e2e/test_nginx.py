"""A new site run as README.md says, with Debian's nginx in front of `feeds serve`:
a reader signs up, confirms, receives a digest and unsubscribes with one click.

Needs the `nginx` binary (Debian package nginx), which .ci/run installs; the rest of
the suite does not. Run it with `.venv/bin/pytest e2e`.
"""

from __future__ import annotations

import mailbox
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from contextlib import contextmanager
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx
import pytest
import trustme
from lxml import html

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DEMO = ROOT / "content"


def readme_nginx() -> str:
    """The nginx site the README gives, exactly as printed."""
    serving = README.split("\n## Serving", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```nginx\n(.*?)```", serving, re.DOTALL).group(1)


def substitute(text: str, old: str, new: str) -> str:
    """Replace a line's text; fail loudly if the README no longer has it."""
    assert old in text, f"README's nginx site has no {old!r}"
    return text.replace(old, new)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, **client) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url, timeout=1, **client)
            return
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{process.args[0]} did not start") from None
            time.sleep(0.05)


@contextmanager
def started(command: list[str], url: str, cwd: Path, **client):
    process = subprocess.Popen(command, cwd=cwd)
    try:
        wait_until_up(url, process, **client)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def feeds(*args: str, cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "feeds", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def messages(outbox: Path, to: str) -> list:
    box = mailbox.Maildir(outbox, factory=None, create=False)
    parse = BytesParser(policy=policy.default).parsebytes
    found = [parse(box.get_bytes(key)) for key in box.iterkeys()]
    return sorted((m for m in found if m["To"] and to in m["To"]), key=lambda m: m["Date"])


def submit(browser: httpx.Client, page: httpx.Response, email: str) -> httpx.Response:
    """Fill in the page's sign-up form as a browser would: every field it carries (hidden
    ones too), the address typed in, sent to its action with the page's Origin."""
    form = next(f for f in html.fromstring(page.text).forms
                if f.xpath(".//input[@type='email']"))
    fields = {name: value for name, value in form.form_values() if name}
    fields[form.xpath(".//input[@type='email']/@name")[0]] = email
    target = str(page.url.join(form.action or ""))
    if (form.method or "GET").upper() == "GET":
        return browser.get(target, params=fields)
    origin = f"{page.url.scheme}://{page.url.host}:{page.url.port}"
    return browser.post(target, data=fields,
                        headers={"Origin": origin, "Referer": str(page.url)})


def has_email_form(page: httpx.Response) -> bool:
    return bool(page.text.strip()) and bool(
        html.fromstring(page.text).xpath("//form//input[@type='email']"))


@pytest.fixture
def site(tmp_path):
    """The demo content with sign-up on, built; nginx and `feeds serve` as the README runs
    them, nginx on HTTPS with a certificate from a test authority."""
    if shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin") is None:
        pytest.fail("nginx is not installed: apt-get install nginx (.ci/run does)")
    https, plain, backend = free_port(), free_port(), free_port()
    base = f"https://localhost:{https}/"
    shutil.copytree(DEMO, tmp_path / "content")
    (tmp_path / "feeds.toml").write_text(f"""
[site]
title = "新闻"
base_url = "{base}"

[web]
signup = true
trusted_proxies = ["127.0.0.1"]
port = {backend}
""", encoding="utf-8")
    feeds("build", cwd=tmp_path)

    authority = trustme.CA()
    certificate = authority.issue_cert("localhost")
    certificate.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "site.pem"))
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    server = readme_nginx()
    for old, new in [
        ("listen 80;", f"listen 127.0.0.1:{plain};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;"),
        ("server_name news.example.cn;", "server_name localhost;"),
        ("/etc/letsencrypt/live/news.example.cn/fullchain.pem", str(tmp_path / "site.pem")),
        ("/etc/letsencrypt/live/news.example.cn/privkey.pem", str(tmp_path / "site.pem")),
        ("root /srv/news/public;", f"root {tmp_path / 'public'};"),
        ("http://127.0.0.1:8000", f"http://127.0.0.1:{backend}"),
    ]:
        server = substitute(server, old, new)
    logs = tmp_path / "nginx"
    logs.mkdir()
    temp = "\n".join(f"{kind}_temp_path {logs / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (logs / "nginx.conf").write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
error_log {logs / "error.log"};
pid {logs / "nginx.pid"};
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {logs / "access.log"};
    {temp}
    {server}
}}
""", encoding="utf-8")
    nginx = shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin")
    client = {"verify": ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))}
    with started([sys.executable, "-m", "feeds", "serve"], f"http://127.0.0.1:{backend}/",
                 tmp_path), \
         started([nginx, "-p", str(logs), "-c", str(logs / "nginx.conf"),
                  "-g", "daemon off;"], base, tmp_path, **client), \
         httpx.Client(base_url=base, **client) as browser:
        yield tmp_path, browser, base, plain


def test_a_reader_signs_up_confirms_gets_the_digest_and_unsubscribes_in_one_click(site):
    folder, browser, base, plain = site
    reader = "reader@example.com"

    home = browser.get("/")
    assert home.status_code == 200 and 'class="signup"' in home.text
    feed = browser.get("/feeds/all.rss.xml")
    assert feed.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert feed.headers["cache-control"] == "max-age=300"
    assert feed.headers["strict-transport-security"] == "max-age=31536000"
    assert home.headers["cache-control"] == "max-age=60"
    redirect = httpx.get(f"http://localhost:{plain}/index.html")
    assert redirect.status_code == 301
    assert redirect.headers["location"] == "https://localhost/index.html"

    signed_up = submit(browser, home, reader)
    for _ in range(2):  # a form that leads to another form (a fresh one, or a step more)
        if not has_email_form(signed_up):
            break
        signed_up = submit(browser, signed_up, reader)
    assert signed_up.status_code == 200, signed_up.text
    (confirmation,) = messages(folder / "outbox", reader)
    text = confirmation.get_body(("plain",)).get_content()
    confirm = re.search(re.escape(base) + r"confirm\?token=\S+", text).group(0)
    confirmed = browser.get(confirm)
    assert confirmed.status_code == 200 and "订阅成功" in confirmed.text

    feeds("digest", cwd=folder)
    digest = messages(folder / "outbox", reader)[-1]
    assert digest is not confirmation
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = re.search(r"<(https://[^>]+)>", digest["List-Unsubscribe"]).group(1)
    assert one_click.startswith(base + "unsubscribe?token=")

    # What a mail client does for RFC 8058: a POST with this body, no cookies.
    mail_client = httpx.Client(verify=ssl.create_default_context(cafile=str(folder / "ca.pem")))
    with mail_client:
        gone = mail_client.post(one_click, content=b"List-Unsubscribe=One-Click", headers={
            "Content-Type": "application/x-www-form-urlencoded"})
    assert gone.status_code == 200 and "已退订" in gone.text
    (row,) = [line.split("\t") for line in feeds("subscribers", "list", cwd=folder).splitlines()
              if line.startswith(reader)]
    assert row[3].split()[0] == "unsubscribed"
    access = (folder / "nginx" / "access.log").read_text()
    assert '"POST /unsubscribe?token=' in access
