"""Sign-up → confirm → digest → one-click unsubscribe, over real HTTP (uvicorn) with a real
SMTP server (aiosmtpd) catching the mail."""

import re
import time
from contextlib import closing
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import page
from digest_support import make_site, smtp_settings, smtp_sink
from lxml import html
from web_support import serving

from feeds.build import build
from feeds.content.loader import load
from feeds.database import connect, database_path
from feeds.digest.send import send_digest
from feeds.subscribers import get
from feeds.tokens import Tokens, secret_key
from feeds.web import create_app

NEWS = """\
    第02版：经济

    ## 开发区再添新企业

    本报讯 3月5日，开发区又有企业落户。
    """


COMMUNITY = """\
    第04版：社区

    ## 社区开展义诊

    本报讯 3月2日，社区卫生服务中心开展义诊。
    """


@pytest.fixture
def web(tmp_path):
    """A built site with sign-up on, served by uvicorn, mailing through aiosmtpd. The
    browser-like client sends our own Origin, as browsers do on a form POST."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "2024-03-02-d.txt").write_text(page(COMMUNITY), encoding="utf-8")
    with smtp_sink() as sink:
        config = make_site(tmp_path, delivery=smtp_settings(sink.port),
                           web={"signup": True, "signups_per_hour": 5, "mails_per_day": 50,
                                "mails_per_hour": 50})
        build(config)
        with serving(create_app(config)) as base, \
                httpx.Client(base_url=base, headers={"Origin": base}) as client:
            yield config, client, sink


def sign_up(client, email, sections=(), **headers):
    """Fill in the sign-up form as a reader would: fetch it, then post it."""
    form = html.fromstring(client.get("/subscribe").content).find(".//form")
    csrf = form.find(".//input[@name='csrf']").get("value")
    return client.post("/subscribe", data={"email": email, "section": list(sections),
                                           "csrf": csrf}, headers=headers)


def form_token(page) -> str:
    return html.fromstring(page.content).find(".//input[@name='csrf']").get("value")


def link(message, pattern: str) -> str:
    text = message.get_body(("plain",)).get_content()
    url = re.search(pattern, text).group(0)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def key_of(config):
    with closing(connect(database_path(config))) as db:
        return secret_key(db)


def status_of(config, email):
    with closing(connect(database_path(config))) as db:
        return get(db, email)


def confirmed_link(web, email: str, purpose: str) -> str:
    """Sign up and confirm through the web, then a signed link of the given purpose."""
    config, client, sink = web
    sign_up(client, email)
    client.get(link(sink.messages()[-1], r"https://\S+/confirm\?token=\S+"))
    subscriber = status_of(config, email)
    token = Tokens(key_of(config)).make(purpose, subscriber.id, subscriber.email)
    return f"/{purpose}?token={token}"


def test_sign_up_confirm_digest_and_one_click_unsubscribe(web, tmp_path):
    config, client, sink = web
    home = html.fromstring(client.get("/").content)
    form = home.find(".//form[@class='signup']")
    assert form.get("action") == "subscribe" and form.get("method") == "get"
    assert [i.get("value") for i in form.iterfind(".//input[@name='section']")] == [
        "education", "economy", "culture", "she-qu"]
    filled = client.get("/subscribe", params={"email": "Reader@Example.com",
                                              "section": "economy"})
    page = html.fromstring(filled.content)
    assert page.find(".//input[@name='email']").get("value") == "Reader@Example.com"
    assert [i.get("value") for i in page.iterfind(".//input[@checked]")] == ["economy"]
    answer = client.post("/subscribe", data={"email": "Reader@Example.com", "section": "economy",
                                             "csrf": form_token(filled)})
    assert answer.status_code == 200 and "请查收确认邮件" in answer.text
    (confirmation,) = sink.messages()
    assert confirmation["To"] == "Reader@example.com"  # the domain is normalised, not the local part
    assert "请确认订阅" in confirmation["Subject"]
    assert status_of(config, "reader@example.com").status == "pending"

    confirmed = client.get(link(confirmation, r"https://\S+/confirm\?token=\S+"))
    assert confirmed.status_code == 200 and "订阅成功" in confirmed.text
    assert status_of(config, "reader@example.com").status == "active"

    report = send_digest(config, load(config))
    assert report.ok
    web_copy = html.fromstring(client.get(f"/digests/{report.editions[0].edition}.html").content)
    (subscribe_link,) = [a.get("href") for a in web_copy.iter("a")
                         if a.get("href", "").endswith("/subscribe")]
    landing = client.get(urlsplit(subscribe_link).path)  # the site's own address, here
    assert landing.status_code == 200
    assert html.fromstring(landing.content).find(".//form[@method='post']") is not None
    digest = sink.messages()[-1]
    assert "经济" in digest["Subject"] and "教育" not in digest["Subject"]  # only the chosen section
    unsubscribe_url = re.search(r"<(https://[^>]+)>", digest["List-Unsubscribe"]).group(1)
    parts = urlsplit(unsubscribe_url)
    one_click = client.post(f"{parts.path}?{parts.query}",
                            content=b"List-Unsubscribe=One-Click",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert one_click.status_code == 200
    assert "set-cookie" not in one_click.headers and not one_click.is_redirect
    assert status_of(config, "reader@example.com").status == "unsubscribed"

    (tmp_path / "content" / "2024-03-05-c.txt").write_text(NEWS, encoding="utf-8")
    before = len(sink.received)
    send_digest(config, load(config))
    assert len(sink.received) == before  # gone means gone


def test_the_answer_is_the_same_for_known_and_unknown_addresses(web):
    config, client, sink = web
    first = sign_up(client, "a@example.com")
    client.get(link(sink.messages()[0], r"https://\S+/confirm\?token=\S+"))
    again = sign_up(client, "a@example.com", ["culture"])
    stranger = sign_up(client, "b@example.com")
    assert first.text == again.text == stranger.text and again.status_code == 200
    owner_mail = sink.messages()[1]
    assert "您已订阅" in owner_mail["Subject"]  # the owner learns; the form shows nothing
    subscriber = status_of(config, "a@example.com")
    assert (subscriber.status, subscriber.sections) == ("active", None)  # not changed by a stranger


def test_tokens_that_are_forged_altered_expired_or_replayed(web):
    config, client, sink = web
    sign_up(client, "c@example.com")
    confirm_path = link(sink.messages()[0], r"https://\S+/confirm\?token=\S+")
    assert client.get(confirm_path[:-3] + "abc").status_code == 400
    assert client.get("/confirm?token=not-a-token").status_code == 400
    assert client.get("/confirm").status_code == 400
    assert client.get(confirm_path).status_code == 200
    replay = client.get(confirm_path)
    assert replay.status_code == 200 and "已经确认过了" in replay.text
    subscriber = status_of(config, "c@example.com")
    old = Tokens(key_of(config), clock=lambda: time.time() - 8 * 86400)
    expired = client.get(f"/confirm?token={old.make('confirm', subscriber.id, subscriber.email)}")
    assert expired.status_code == 410
    unsubscribe = Tokens(key_of(config)).make("unsubscribe", subscriber.id,
                                                             subscriber.email)
    assert client.get(f"/unsubscribe?token={confirm_path.split('=', 1)[1]}").status_code == 400
    client.post(f"/unsubscribe?token={unsubscribe}", data={"List-Unsubscribe": "One-Click"})
    late = client.get(confirm_path)  # an old confirmation must not sign them up again
    assert late.status_code == 400
    assert status_of(config, "c@example.com").status == "unsubscribed"


def test_unsubscribe_page_has_one_button_that_posts_one_click(web):
    config, client, _ = web
    url = confirmed_link(web, "d@example.com", "unsubscribe")
    page = client.get(url)
    assert page.status_code == 200
    form = html.fromstring(page.content).find(".//form")
    assert form.get("method") == "post" and len(form.findall(".//button")) == 1
    fields = {i.get("name"): i.get("value") for i in form.iterfind(".//input")}
    assert fields == {"List-Unsubscribe": "One-Click"}
    assert status_of(config, "d@example.com").status == "active"  # GET changes nothing
    missing = client.post(url, data={})
    assert missing.status_code == 400
    done = client.post(url, data=fields)
    assert done.status_code == 200
    assert client.post(url, data=fields).status_code == 200  # a mail client retried


def test_preferences_change_sections_including_those_only_the_content_names(web):
    config, client, _ = web
    url = confirmed_link(web, "e@example.com", "preferences")
    shown = client.get(url)
    page = html.fromstring(shown.content)
    assert [i.get("value") for i in page.iterfind(".//input[@name='section']")] == [
        "education", "economy", "culture", "she-qu"]
    saved = client.post(url, data={"section": ["she-qu", "education"],
                                   "csrf": form_token(shown)})
    assert saved.status_code == 200 and "已保存" in saved.text
    assert status_of(config, "e@example.com").sections == ("education", "she-qu")
    unknown = client.post(url, data={"section": "sports", "csrf": form_token(shown)})
    assert unknown.status_code == 400 and "没有“sports”栏目" in unknown.text
    assert client.get("/preferences?token=forged").status_code == 400


def test_saving_preferences_while_unsubscribed_says_so_and_offers_to_resubscribe(web):
    config, client, sink = web
    url = confirmed_link(web, "u@example.com", "preferences")
    subscriber = status_of(config, "u@example.com")
    gone = Tokens(key_of(config)).make("unsubscribe", subscriber.id,
                                                      subscriber.email)
    client.post(f"/unsubscribe?token={gone}", data={"List-Unsubscribe": "One-Click"})
    shown = client.get(url)
    assert "已退订" in shown.text
    saved = client.post(url, data={"section": "culture", "action": "save",
                                   "csrf": form_token(shown)})
    assert "已保存。" not in saved.text and "目前已退订，不会收到新闻摘要" in saved.text
    assert status_of(config, "u@example.com").status == "unsubscribed"
    before = len(sink.received)
    again = client.post(url, data={"section": "culture", "action": "resubscribe",
                                   "csrf": form_token(shown)})
    assert again.status_code == 200 and "请查收确认邮件" in again.text
    assert len(sink.received) == before + 1
    client.get(link(sink.messages()[-1], r"https://\S+/confirm\?token=\S+"))
    back = status_of(config, "u@example.com")
    assert (back.status, back.sections) == ("active", ("culture",))


def test_bad_sign_ups_change_nothing_and_are_answered_in_chinese(web):
    config, client, sink = web
    markup = sign_up(client, "<script>alert(1)</script>@x")
    assert markup.status_code == 400 and "<script>alert" not in markup.text
    assert "邮箱地址有误" in markup.text and not english(markup.text)
    typo = sign_up(client, "reader@example")
    assert typo.status_code == 400 and "不是有效的邮箱地址" in typo.text and not english(typo.text)
    sports = sign_up(client, "f@example.com", ["sports"])
    assert sports.status_code == 400 and "没有“sports”栏目" in sports.text
    assert not english(sports.text)
    huge = client.post("/subscribe", content=b"email=" + b"x" * 20_000,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert huge.status_code == 413
    json_body = client.post("/subscribe", json={"email": "g@example.com"})
    assert json_body.status_code == 415
    assert client.put("/subscribe").status_code == 405
    assert sink.received == []
    assert status_of(config, "f@example.com") is None and status_of(config, "g@example.com") is None


def test_sign_ups_are_limited_per_client_and_only_well_formed_ones_count(web):
    _, client, sink = web
    for n in range(8):
        assert sign_up(client, f"typo{n}@example").status_code == 400
    answers = [sign_up(client, f"r{n}@example.com").status_code for n in range(6)]
    assert answers == [200] * 5 + [429]
    limited = sign_up(client, "r9@example.com")
    assert int(limited.headers["retry-after"]) > 0 and "请稍后再试" in limited.text
    assert len(sink.received) == 5


def test_sign_up_is_off_unless_configured(tmp_path):
    config = make_site(tmp_path)
    build(config)
    with serving(create_app(config)) as base:
        assert httpx.post(base + "/subscribe", data={"email": "a@example.com"},
                          headers={"Origin": base}).status_code == 404
    home = html.fromstring((config.output_path / "index.html").read_bytes())
    assert home.find(".//form") is None


def english(text: str) -> bool:
    """Whether a page shows English words to the reader (beyond addresses and URLs)."""
    visible = " ".join(html.fromstring(text).find(".//body").itertext())
    visible = re.sub(r"\S+@\S+|https?://\S+|<[^>]*>", " ", visible)
    return bool(re.search(r"[A-Za-z]{2,}(\s+[A-Za-z]{2,})+", visible))


def test_error_pages_speak_the_sites_language(web):
    _, client, _ = web
    missing = client.get("/no/such/page.html")
    wrong = client.post("/index.html", data={"x": "1"})
    for answer, status in ((missing, 404), (wrong, 405)):
        assert answer.status_code == status and "text/html" in answer.headers["content-type"]
        assert re.search(r"[\u4e00-\u9fff]", answer.text) and not english(answer.text)
