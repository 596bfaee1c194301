"""Sign-up with double opt-in, one-click unsubscribe and preferences, over HTTP.

    POST /subscribe              email, section…: sends a confirmation email
    GET  /confirm?token=         activates the subscriber
    GET  /unsubscribe?token=     a page with one button
    POST /unsubscribe?token=     List-Unsubscribe=One-Click: unsubscribes at once (RFC 8058:
                                 no cookies, no redirect, 200)
    GET  /preferences?token=     the reader's sections, to change
    POST /preferences?token=     saves them

Every answer is a short page; the sign-up answers the same whether or not the
address is known, so the form reveals nothing about other readers. Tokens are
signed for one purpose (feeds.tokens); confirmation links expire. Bodies over
16 KB are refused before they are read whole.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from typing import TypeVar
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import notices, templates
from ..config import Config
from ..content.sections import catalogue
from ..database import connect, database_path
from ..digest.delivery import TransportUnavailable
from ..errors import FeedsError
from ..model import Section
from ..subscribers import (
    Subscriber,
    SubscriberError,
    change_sections,
    confirm,
    holder_of,
    request_signup,
    section_slugs,
    unsubscribe,
)
from ..tokens import InvalidToken, Purpose, Tokens, secret_key
from .ratelimit import RateLimit

log = logging.getLogger("feeds.web")
MAX_BODY = 16 * 1024
T = TypeVar("T")
ONE_CLICK = ("List-Unsubscribe", "One-Click")


class TooLarge(Exception):
    pass


class Subscriptions:
    def __init__(self, config: Config,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.config = config
        self.clock = clock
        with closing(connect(database_path(config))) as db:
            self.tokens = Tokens(secret_key(db))
        self.env = templates.environment(config)
        self.limit = RateLimit(config.web.signups_per_hour)
        known = catalogue(config, [config.site.default_section])
        # What a reader may choose: the configured sections (all of them when none are).
        self.sections: tuple[Section, ...] = tuple(s for s in known if s.configured) or known

    # ------------------------------------------------------------------ endpoints
    async def subscribe(self, request: Request) -> Response:
        if request.method != "POST":  # routed here for every method, so that GET is 405
            return self._page("请用表单订阅", "请在首页的表单中订阅。", 405, {"Allow": "POST"})
        if not self.config.web.signup:
            return self._page("订阅未开放", "本站没有开放网页订阅。", 404)
        wait = self.limit.allow(request.client.host if request.client else "?")
        if wait is not None:
            return self._page("请稍后再试", "这个网络地址的订阅请求太多了，请稍后再试。", 429,
                              {"Retry-After": str(int(wait) + 1)})
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        try:
            slugs = section_slugs(form.get("section", []), self.sections)
            address = (form.get("email") or [""])[0]
            await run_in_threadpool(self._signup, address, slugs)
        except SubscriberError as exc:
            return self._page("无法订阅", str(exc), 400)
        except TransportUnavailable as exc:
            log.error("sign-up: could not send the confirmation: %s", exc)
            return self._page("暂时无法发送邮件", "确认邮件暂时发不出去，请稍后再试。", 503)
        return self._page("请查收确认邮件",
                          "我们已向这个地址发送了一封确认邮件。点击邮件中的按钮即可完成订阅；"
                          "如果几分钟内没有收到，请检查垃圾邮件。", 200)

    async def confirm(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        try:
            subscriber, activated = await run_in_threadpool(self._in_db, confirm, token)
        except InvalidToken as exc:
            return self._token_problem(exc)
        if activated:
            return self._page("订阅成功", f"下一期新闻摘要将发到 {subscriber.email}。", 200)
        return self._page("订阅成功", f"{subscriber.email} 已经确认过了，无需再次确认。", 200)

    async def unsubscribe(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        if request.method == "GET":
            try:
                subscriber = await run_in_threadpool(self._holder, "unsubscribe", token)
            except InvalidToken as exc:
                return self._token_problem(exc)
            return self._render("web_unsubscribe.html.j2", 200, email=subscriber.email,
                                one_click=ONE_CLICK)
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        if form.get(ONE_CLICK[0]) != [ONE_CLICK[1]]:
            return self._page("无法退订", "请求缺少 List-Unsubscribe=One-Click。", 400)
        try:
            subscriber = await run_in_threadpool(self._in_db, unsubscribe, token)
        except InvalidToken as exc:
            return self._token_problem(exc)
        return self._page("已退订", f"{subscriber.email} 不会再收到新闻摘要。", 200)

    async def preferences(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        saved = False
        try:
            if request.method == "POST":
                form = await self._form(request)
                if isinstance(form, Response):
                    return form
                slugs = section_slugs(form.get("section", []), self.sections)
                subscriber = await run_in_threadpool(self._in_db, change_sections, token, slugs)
                saved = True
            else:
                subscriber = await run_in_threadpool(self._holder, "preferences", token)
        except InvalidToken as exc:
            return self._token_problem(exc)
        except SubscriberError as exc:
            return self._page("无法保存", str(exc), 400)
        return self._render("web_preferences.html.j2", 200, email=subscriber.email,
                            sections=self.sections, chosen=subscriber.sections, saved=saved,
                            subscribed=subscriber.status == "active")

    # ------------------------------------------------------------------ work
    def _signup(self, address: str, slugs: tuple[str, ...] | None) -> None:
        with self._db() as db:
            subscriber, needs_confirming = request_signup(db, address, slugs, self.clock())
        notice = (notices.confirmation if needs_confirming else notices.already_subscribed)(
            self.config, subscriber, self.tokens)
        mail = notices.letter(self.config, self.env, notice, subscriber, self.tokens,
                              self.clock())
        outcome = notices.send(self.config, mail)
        if outcome.status != "sent":
            log.warning("sign-up: %s: %s", subscriber.email, outcome.detail)

    def _in_db(self, apply: Callable[..., T], token: str, *more: object) -> T:
        """apply(db, tokens, token, *more, now): the subscriber functions' shape."""
        with self._db() as db:
            return apply(db, self.tokens, token, *more, self.clock())

    def _holder(self, purpose: Purpose, token: str) -> Subscriber:
        with self._db() as db:
            return holder_of(db, self.tokens, purpose, token)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(connect(database_path(self.config))) as db:
            yield db

    # ------------------------------------------------------------------ answers
    async def _form(self, request: Request) -> dict[str, list[str]] | Response:
        """The urlencoded body, read no further than MAX_BODY."""
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in ("application/x-www-form-urlencoded", ""):
            return self._page("无法处理", "请用表单提交。", 415)
        try:
            body = await _read_limited(request)
        except TooLarge:
            return self._page("内容太大", "请求内容过大。", 413)
        try:
            return parse_qs(body.decode("utf-8"), keep_blank_values=True,
                            max_num_fields=100)
        except (UnicodeDecodeError, ValueError):
            return self._page("无法处理", "请求内容无法读取。", 400)

    def _token_problem(self, exc: FeedsError) -> Response:
        expired = "expired" in str(exc)
        return self._page("链接已失效" if expired else "链接无效",
                          "这个链接已过期，请重新订阅。" if expired
                          else "这个链接无效或已被修改。请使用邮件中的原始链接。",
                          410 if expired else 400)

    def _page(self, title: str, text: str, status: int,
              headers: dict[str, str] | None = None) -> Response:
        return self._render("web_message.html.j2", status, headers, title=title, text=text)

    def _render(self, name: str, status: int, headers: dict[str, str] | None = None,
                **context: object) -> Response:
        page = templates.render(templates.load(self.env, name), site=self.config.site,
                                **context)
        # RFC 8058 one-click: no cookies, no redirects; nothing here sets either.
        return HTMLResponse(page, status_code=status,
                            headers={"Cache-Control": "no-store", **(headers or {})})


async def _read_limited(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise TooLarge
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise TooLarge
    return body
