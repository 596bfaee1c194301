"""The sign-up form cannot be abused: forwarded addresses are not believed unless the
proxy is trusted, each recipient gets a capped number of mails, cross-site POSTs are
refused and no page can be framed. Over real HTTP (uvicorn) with aiosmtpd catching mail."""

from __future__ import annotations

import json
from contextlib import closing

import pytest
from digest_support import NOW, SITE_TOML, make_site, smtp_settings, smtp_sink
from lxml import html
from web_support import feeds_serve, http_client

from feeds.build import build
from feeds.config import load_config
from feeds.database import connect, database_path
from feeds.web.limits import allow


def site(tmp_path, sink, **web):
    """A built site with sign-up on, mailing through ``sink``; its feeds.toml is written
    so that `feeds serve` reads the same configuration."""
    config = make_site(tmp_path, delivery=smtp_settings(sink.port),
                       web={"signup": True, **web})
    lines = [f"{key} = {json.dumps(value)}" for key, value in {"signup": True, **web}.items()]
    (tmp_path / "feeds.toml").write_text(SITE_TOML + f"""
from_address = "digest@news.example.cn"

[[sections]]
name = "文化"
slug = "culture"

[delivery]
method = "smtp"

[delivery.smtp]
host = "127.0.0.1"
port = {sink.port}
security = "none"

[web]
""" + "\n".join(lines) + "\n", encoding="utf-8")
    assert load_config(tmp_path / "feeds.toml").web == config.web
    build(config)
    return config


def served(tmp_path):
    return feeds_serve(tmp_path / "feeds.toml")


def token(client, headers=None) -> str:
    page = html.fromstring(client.get("/subscribe", headers=headers).content)
    return page.find(".//input[@name='csrf']").get("value")


@pytest.mark.parametrize("trusted", [(), ("127.0.0.1",)])
def test_200_sign_ups_for_one_address_from_varied_forwarded_addresses_send_one_mail(
        tmp_path, trusted):
    """Behind no trusted proxy, X-Forwarded-For is ignored (one client, one form token);
    behind one, each forwarded address is its own client with its own token. Either way
    the recipient gets one mail (an hour)."""
    with smtp_sink() as sink:
        site(tmp_path, sink, trusted_proxies=list(trusted), signups_per_hour=1000)
        with served(tmp_path) as base, http_client(base) as client:
            shared = token(client)

            def attempt(n):
                headers = {"Origin": base, "X-Forwarded-For": f"198.51.{n // 250}.{n % 250 + 1}"}
                csrf = token(client, headers) if trusted else shared
                return client.post("/subscribe", headers=headers, data={
                    "email": "victim@example.com", "csrf": csrf}).status_code

            answers = [attempt(n) for n in range(200)]
    assert answers == [200] * 200  # the form says the same whatever happened
    assert [rcpt for rcpt, _ in sink.received] == ["victim@example.com"]


def test_forwarded_addresses_count_per_client_only_behind_a_trusted_proxy(tmp_path):
    with smtp_sink() as sink:
        site(tmp_path, sink, trusted_proxies=["127.0.0.0/8"], signups_per_hour=2)
        with served(tmp_path) as base, \
                http_client(base, headers={"Origin": base}) as client:
            def post(n, forwarded):
                headers = {"X-Forwarded-For": forwarded}
                page = html.fromstring(client.get("/subscribe", headers=headers).content)
                csrf = page.find(".//input[@name='csrf']").get("value")
                return client.post("/subscribe", headers=headers, data={
                    "email": f"r{n}@example.com", "csrf": csrf}).status_code

            office = [post(n, "203.0.113.9") for n in range(3)]
            # a client cannot escape its limit by writing its own X-Forwarded-For first
            spoofed = post(3, "192.0.2.77, 203.0.113.9")
            other = post(4, "203.0.113.10")
    assert office == [200, 200, 429] and spoofed == 429 and other == 200


def test_mails_to_one_recipient_are_capped_per_hour_and_per_day(tmp_path):
    config = make_site(tmp_path)
    hour, day = 3600.0, 86400.0
    windows = [(1, hour), (3, day)]
    with closing(connect(database_path(config))) as db:
        sent = [t for t in (0, 10, hour + 1, 2 * hour + 2, 3 * hour + 3, 4 * hour + 4,
                            day + 5)
                if allow(db, "mail", "victim@example.com", windows, t) is None]
        assert sent == [0, hour + 1, 2 * hour + 2, day + 5]
        assert allow(db, "mail", "other@example.com", windows, 20) is None


def test_limits_outlive_a_restart_of_the_server(tmp_path):
    with smtp_sink() as sink:
        site(tmp_path, sink, signups_per_hour=1)
        for expected in (200, 429):
            with served(tmp_path) as base, \
                    http_client(base, headers={"Origin": base}) as client:
                answer = client.post("/subscribe", data={"email": "a@example.com",
                                                         "csrf": token(client)})
                assert answer.status_code == expected


@pytest.fixture(scope="module")
def shared_site(tmp_path_factory):
    """One site with the default [web] limits, served once for the tests below."""
    root = tmp_path_factory.mktemp("shared")
    with smtp_sink() as sink:
        config = site(root, sink)
        with served(root) as base:
            yield config, base, sink


def test_cross_origin_and_tokenless_posts_are_refused(shared_site):
    _, base, sink = shared_site
    with http_client(base) as client:
        csrf = token(client)
        data = {"email": "a@example.com", "csrf": csrf}
        evil = client.post("/subscribe", data=data, headers={"Origin": "https://evil.example"})
        bare = client.post("/subscribe", data=data)
        referer = client.post("/subscribe", data=data,
                              headers={"Referer": "https://evil.example/page"})
        tokenless = client.post("/subscribe", data={"email": "a@example.com"},
                                headers={"Origin": base})
        ours = client.post("/subscribe", data=data, headers={"Referer": base + "/"})
        site_origin = client.post("/subscribe", data={"email": "b@example.com",
                                                      "csrf": csrf},
                                  headers={"Origin": "https://news.example.cn"})
    assert [evil.status_code, bare.status_code, referer.status_code] == [403, 403, 403]
    assert "不是从本站的页面提交的" in evil.text
    assert tokenless.status_code == 403 and "表单已过期" in tokenless.text
    assert html.fromstring(tokenless.content).find(".//input[@name='email']").get(
        "value") == "a@example.com"  # the form again, filled in, with a fresh token
    assert ours.status_code == 200 and site_origin.status_code == 200
    assert sorted(r for r, _ in sink.received if r in ("a@example.com", "b@example.com")) == [
        "a@example.com", "b@example.com"]


def test_preferences_refuse_a_post_from_another_site(shared_site):
    from feeds.subscribers import add, get
    from feeds.tokens import Tokens, secret_key

    config, base, _ = shared_site
    with closing(connect(database_path(config))) as db:
        reader, _ = add(db, "p@example.com", NOW)
        key = secret_key(db)
    link = Tokens(key).make("preferences", reader.id, reader.email)
    with http_client(base) as client:
        page = client.get(f"/preferences?token={link}")
        csrf = html.fromstring(page.content).find(".//input[@name='csrf']").get("value")
        forged = client.post(f"/preferences?token={link}", data={
            "section": "culture", "csrf": csrf}, headers={"Origin": "https://evil.example"})
        no_token = client.post(f"/preferences?token={link}", data={"section": "culture"},
                               headers={"Origin": base})
        # a one-click unsubscribe from another site's page is refused too
        gone = Tokens(key).make("unsubscribe", reader.id, reader.email)
        framed = client.post(f"/unsubscribe?token={gone}",
                             data={"List-Unsubscribe": "One-Click"},
                             headers={"Origin": "https://evil.example"})
    assert (forged.status_code, no_token.status_code, framed.status_code) == (403, 403, 403)
    with closing(connect(database_path(config))) as db:
        assert get(db, "p@example.com").sections is None
        assert get(db, "p@example.com").status == "active"


def test_every_answer_forbids_framing(shared_site):
    _, base, _ = shared_site
    with http_client(base, headers={"Origin": base}) as client:
        answers = [client.get(path) for path in (
            "/", "/feeds/all.rss.xml", "/subscribe", "/confirm?token=x", "/unsubscribe",
            "/preferences?token=x", "/no/such/page")]
        answers.append(client.post("/subscribe", data={"email": "x"}))
        answers.append(client.post("/webhooks/postmark", json={}))
    assert {a.status_code for a in answers} >= {200, 400, 404}
    for answer in answers:
        assert answer.headers["x-frame-options"] == "DENY", answer.url
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
