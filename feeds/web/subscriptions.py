"""Sign-up with double opt-in, one-click unsubscribe and preferences, over HTTP.

    GET  /subscribe              the sign-up form (the home page's form and the digest's
                                 "subscribe" link lead here, with the address filled in)
    POST /subscribe              email, section…, csrf: sends a confirmation email
    GET  /confirm?token=         activates the subscriber
    GET  /unsubscribe?token=     a page with one button
    POST /unsubscribe?token=     List-Unsubscribe=One-Click: unsubscribes at once (RFC 8058:
                                 no cookies, no redirect, 200)
    GET  /preferences?token=     the reader's sections, to change
    POST /preferences?token=     saves them, or (action=resubscribe) signs up again

Every answer is a short page in the site's language (feeds.wording); the sign-up
answers the same whether or not the address is known, suppressed or over its
limit, so the form reveals nothing about other readers. Forms are checked
against cross-site use (feeds.web.guard); the one-click unsubscribe POST comes
from mail providers' servers with no Origin and no form token, so there the
signed unsubscribe token is the credential. Bodies over 16 KB are refused
before they are read whole.

Limits (feeds.web.limits, [web] in feeds.toml): sign-ups per client address
(only well-formed requests count), and confirmation or notice emails per
recipient, whoever asks.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from typing import TypeVar
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import notices, rendering, subscribers
from ..config import Config
from ..database import connect, database_path
from ..errors import ContentError
from ..mail.delivery import TransportUnavailable
from ..model import Section
from ..subscribers import InvalidAddress, Subscriber, UnknownSection, section_slugs
from ..tokens import Purpose, TokenExpired, Tokens, secret_key
from ..wording import wording
from . import limits
from .guard import ClientAddress, Csrf, read_body, same_origin

log = logging.getLogger("feeds.web")
MAX_BODY = 16 * 1024
SECTIONS_TTL = 300.0  # seconds before the sections are read from the content again
T = TypeVar("T")
ONE_CLICK = ("List-Unsubscribe", "One-Click")
Form = dict[str, list[str]]


class Subscriptions:
    def __init__(self, config: Config,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.config = config
        self.clock = clock
        with closing(connect(database_path(config))) as db:
            secret = secret_key(db)
        self.tokens = Tokens(secret)
        self.csrf = Csrf(secret)
        self.client = ClientAddress(config.web.trusted_proxies)
        self.env = rendering.environment(config)
        self._sections: tuple[float, tuple[Section, ...]] | None = None
        self._sections_lock = threading.Lock()
        self._connections = threading.local()

    # ------------------------------------------------------------------ endpoints
    async def subscribe(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD", "POST"):
            return self._say("not_a_form", 405, {"Allow": "GET, POST"})
        if not self.config.web.signup:
            return self._say("signup_off", 404)
        client = self.client(request)
        sections = await run_in_threadpool(self.sections)
        if request.method != "POST":
            query = request.query_params
            return self._signup_form(client, sections, query.get("email", ""),
                                     query.getlist("section"), 200)
        form = await self._posted(request, required=True)
        if isinstance(form, Response):
            return form
        address = _first(form, "email")
        chosen = form.get("section", [])
        if not self.csrf.valid(_first(form, "csrf"), "subscribe", client):
            return self._signup_form(client, sections, address, chosen, 403, expired=True)
        try:
            email = subscribers.normalise_address(address)
            slugs = section_slugs(chosen, sections)
        except (InvalidAddress, UnknownSection) as exc:
            return self._problem(exc, sections)
        web = self.config.web
        wait = await run_in_threadpool(self._allow, "signup", client, web.signups_per_hour,
                                       web.signups_per_day)
        if wait is not None:
            return self._say("too_many", 429, {"Retry-After": str(int(wait) + 1)})
        try:
            await run_in_threadpool(self._signup, email, slugs)
        except TransportUnavailable as exc:
            log.error("sign-up: could not send the confirmation: %s", exc)
            return self._say("mail_unavailable", 503)
        return self._say("check_email", 200)

    async def confirm(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        subscriber, activated = await run_in_threadpool(self._in_db, subscribers.confirm, token)
        return self._say("confirmed" if activated else "confirmed_before", 200,
                         email=subscriber.email)

    async def unsubscribe(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        if request.method == "GET":
            subscriber = await run_in_threadpool(self._holder, "unsubscribe", token)
            return self._render("web_unsubscribe.html.j2", 200, email=subscriber.email,
                                one_click=ONE_CLICK)
        form = await self._posted(request, required=False)
        if isinstance(form, Response):
            return form
        if form.get(ONE_CLICK[0]) != [ONE_CLICK[1]]:
            return self._say("one_click_missing", 400)
        subscriber = await run_in_threadpool(self._in_db, subscribers.unsubscribe, token)
        return self._say("unsubscribed", 200, email=subscriber.email)

    async def preferences(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        client = self.client(request)
        sections = await run_in_threadpool(self.sections)
        subscriber = await run_in_threadpool(self._holder, "preferences", token)
        if request.method != "POST":
            return self._preferences(subscriber, sections, client, None, 200)
        form = await self._posted(request, required=True)
        if isinstance(form, Response):
            return form
        if not self.csrf.valid(_first(form, "csrf"), "preferences", client):
            return self._preferences(subscriber, sections, client, "expired", 403)
        try:
            slugs = section_slugs(form.get("section", []), sections)
        except UnknownSection as exc:
            return self._problem(exc, sections)
        if _first(form, "action") == "resubscribe" and subscriber.status == "unsubscribed":
            try:
                await run_in_threadpool(self._signup, subscriber.email, slugs)
            except TransportUnavailable:
                return self._say("mail_unavailable", 503)
            return self._say("check_email", 200)
        subscriber = await run_in_threadpool(self._in_db, subscribers.change_sections, token,
                                             slugs)
        return self._preferences(subscriber, sections, client, "saved", 200)

    # ------------------------------------------------------------------ work
    def sections(self) -> tuple[Section, ...]:
        """Every section a reader can see on the site: the configured ones and those
        only the content names, read again every few minutes as content arrives."""
        with self._sections_lock:
            now = time.monotonic()
            if self._sections is None or now - self._sections[0] > SECTIONS_TTL:
                self._sections = (now, self._read_sections())
            return self._sections[1]

    def _read_sections(self) -> tuple[Section, ...]:
        from ..content.loader import load_cached
        from ..content.sections import catalogue

        try:
            with load_cached(self.config, jobs=1) as catalog:
                # as feeds.site.Site.sections: configured, or named by some entry
                used = catalog.backend.sections_used()
                return tuple(s for s in catalog.sections if s.configured or s.name in used)
        except ContentError:
            return catalogue(self.config, [])

    def _allow(self, kind: str, subject: str, per_hour: int, per_day: int) -> float | None:
        """Count one event of this kind (feeds.web.limits); None, or the seconds to wait."""
        return limits.allow(self._db(), kind, subject, [(per_hour, 3600), (per_day, limits.DAY)],
                            self.clock().timestamp())

    def _signup(self, email: str, slugs: tuple[str, ...] | None) -> None:
        """Record the sign-up and mail the address, unless it is suppressed (it bounced)
        or has had its share of mail from this form lately."""
        web = self.config.web
        subscriber, needs_confirming = subscribers.request_signup(self._db(), email, slugs,
                                                                  self.clock())
        if subscriber.suppressed:
            log.info("sign-up: %s is suppressed (%s): no mail", email, subscriber.suppressed)
            return
        if self._allow("mail", subscriber.email, web.mails_per_hour,
                       web.mails_per_day) is not None:
            log.info("sign-up: %s has had its share of mail; none sent", subscriber.email)
            return
        notice = (notices.confirmation if needs_confirming else notices.already_subscribed)(
            self.config, subscriber, self.tokens)
        mail = notices.letter(self.config, self.env, notice, subscriber, self.tokens,
                              self.clock())
        outcome = notices.send(self.config, mail)
        if outcome.status != "sent":
            log.warning("sign-up: %s: %s", subscriber.email, outcome.detail)

    def _in_db(self, apply: Callable[..., T], token: str, *more: object) -> T:
        """apply(db, tokens, token, *more, now): the subscriber functions' shape."""
        return apply(self._db(), self.tokens, token, *more, self.clock())

    def _holder(self, purpose: Purpose, token: str) -> Subscriber:
        return subscribers.holder_of(self._db(), self.tokens, purpose, token)

    def _db(self) -> sqlite3.Connection:
        """This worker thread's connection, kept open: closing the last connection to a
        WAL database checkpoints it with an fsync, which made every request wait ~30 ms."""
        db: sqlite3.Connection | None = getattr(self._connections, "db", None)
        if db is None:
            db = self._connections.db = connect(database_path(self.config))
        return db

    # ------------------------------------------------------------------ answers
    async def _posted(self, request: Request, *, required: bool) -> Form | Response:
        """The urlencoded body, read no further than MAX_BODY, of a form POSTed from one of
        our pages; else the refusal. Posted from another site's page, or when required
        from no page at all, it is refused unread."""
        ours = same_origin(request, self.config.site.base_url)
        if ours is False or (ours is None and required):
            return self._say("cross_origin", 403)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in ("application/x-www-form-urlencoded", ""):
            return self._say("not_a_form", 415)
        body = await read_body(request, MAX_BODY)
        if body is None:
            return self._say("too_large", 413)
        try:
            return parse_qs(body.decode("utf-8"), keep_blank_values=True,
                            max_num_fields=100)
        except (UnicodeDecodeError, ValueError):
            return self._say("unreadable", 400)

    def _problem(self, exc: InvalidAddress | UnknownSection,
                 sections: tuple[Section, ...]) -> Response:
        if isinstance(exc, InvalidAddress):
            return self._say("invalid_address", 400, email=exc.address)
        names = wording(self.config).word("list_separator").join(s.name for s in sections)
        return self._say("unknown_section", 400, name=exc.name, sections=names)

    async def token_problem(self, request: Request, exc: Exception) -> Response:
        """A link that cannot be used, whichever endpoint read it (InvalidToken)."""
        expired = isinstance(exc, TokenExpired)
        return self._say("link_expired" if expired else "link_invalid",
                         410 if expired else 400)

    def _signup_form(self, client: str, sections: tuple[Section, ...], email: str,
                     chosen: list[str], status: int, *, expired: bool = False) -> Response:
        return self._render("web_signup.html.j2", status, email=email, chosen=chosen,
                            sections=sections, csrf=self.csrf.make("subscribe", client),
                            expired=expired)

    def _preferences(self, subscriber: Subscriber, sections: tuple[Section, ...],
                     client: str, note: str | None, status: int) -> Response:
        return self._render("web_preferences.html.j2", status, email=subscriber.email,
                            sections=sections, chosen=subscriber.sections, note=note,
                            subscribed=subscriber.status != "unsubscribed",
                            csrf=self.csrf.make("preferences", client))

    def page_html(self, key: str) -> str:
        """An answer page as HTML, for the static site's own errors."""
        title, text = wording(self.config).page(key)
        return rendering.render(rendering.load(self.env, "web_message.html.j2"),
                                site=self.config.site, title=title, text=text)

    async def server_error(self, request: Request, exc: Exception) -> Response:
        """A bug: logged with its traceback by the server; the reader gets a page in the
        site's language instead of Starlette's English one."""
        return self._say("server_error", 500)

    def _say(self, key: str, status: int, headers: dict[str, str] | None = None,
             **values: object) -> Response:
        title, text = wording(self.config).page(key, **values)
        return self._render("web_message.html.j2", status, headers, title=title, text=text)

    def _render(self, name: str, status: int, headers: dict[str, str] | None = None,
                **context: object) -> Response:
        page = rendering.render(rendering.load(self.env, name), site=self.config.site,
                                **context)
        # RFC 8058 one-click: no cookies, no redirects; nothing here sets either.
        return HTMLResponse(page, status_code=status,
                            headers={"Cache-Control": "no-store", **(headers or {})})


def _first(form: Form, name: str) -> str:
    return (form.get(name) or [""])[0]

