"""Webhooks of HTTP email APIs: bounces and complaints, believed only when signed.

    POST /webhooks/postmark   HTTP basic auth with the secret in [bounces] webhook_secret_env
    POST /webhooks/ses        an Amazon SNS message, its signature checked

Both answer 403 to a request whose credentials or signature are wrong, and 404
when the secret is not set (Postmark) so that an unconfigured site offers
nothing. The reports go through feeds.bounces.record like those of `feeds bounces`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable
from contextlib import closing
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..bounces import webhooks as hooks
from ..bounces.record import Outcome, record_all
from ..bounces.reports import Report
from ..bounces.webhooks import WebhookRefused
from ..config import Config
from ..database import connect, database_path
from ..tokens import Tokens
from .guard import read_body

log = logging.getLogger("feeds.web")
MAX_WEBHOOK = 256 * 1024


class Webhooks:
    def __init__(self, config: Config, tokens: Tokens,
                 clock: Callable[[], dt.datetime]) -> None:
        self.config = config
        self.tokens = tokens
        self.clock = clock
        self.secret = os.environ.get(config.bounces.webhook_secret_env, "")
        self.sns = hooks.SnsVerifier(config.bounces, _fetch)

    async def postmark(self, request: Request) -> Response:
        if not self.secret:
            return JSONResponse({"error": "webhooks are off"}, 404)
        hooks.check_basic_auth(request.headers.get("authorization"), self.secret)
        return await self._apply(hooks.postmark_reports(await _json(request)), "postmark")

    async def ses(self, request: Request) -> Response:
        envelope = await run_in_threadpool(self.sns.check, await _json(request))
        if envelope["Type"] == "SubscriptionConfirmation":
            await run_in_threadpool(self._confirm, envelope)
            return JSONResponse({"confirmed": envelope.get("TopicArn")})
        if envelope["Type"] != "Notification":
            return JSONResponse({"applied": 0})
        return await self._apply(hooks.ses_reports(envelope), "ses")

    def _confirm(self, envelope: dict[str, Any]) -> None:
        """Visit SubscribeURL, which must be on the host that signed the message."""
        url = str(envelope.get("SubscribeURL", ""))
        signer = urlsplit(str(envelope["SigningCertURL"]))
        target = urlsplit(url)
        if (target.scheme, target.netloc) != (signer.scheme, signer.netloc):
            raise WebhookRefused(f"SubscribeURL not on the signing host: {url!r}")
        httpx.get(url, timeout=10).raise_for_status()

    async def _apply(self, reports: list[Report], source: str) -> Response:
        def apply() -> dict[Outcome, int]:
            with closing(connect(database_path(self.config))) as db:
                return dict(record_all(db, self.tokens, self.config.bounces, reports, source,
                                       self.clock()))

        return JSONResponse({"applied": len(reports), "outcomes": await run_in_threadpool(apply)})


async def _json(request: Request) -> Any:
    body = await read_body(request, MAX_WEBHOOK)
    if body is None:
        raise WebhookRefused("body too large")
    try:
        return json.loads(body)
    except ValueError:
        raise WebhookRefused("the body is not JSON") from None


async def refused(request: Request, exc: Exception) -> Response:
    """A webhook not believed (WebhookRefused), whichever step refused it."""
    log.warning("webhook %s refused from %s: %s", request.url.path,
                request.client.host if request.client else "?", exc)
    return JSONResponse({"error": str(exc)}, 403)


def _fetch(url: str) -> bytes:
    try:
        response = httpx.get(url, timeout=10)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise WebhookRefused(f"cannot fetch the SNS certificate: {exc}") from None
    return response.content
