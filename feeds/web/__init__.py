"""``feeds serve``: the site over HTTP, with digest sign-up, one-click unsubscribe and
the bounce webhooks of HTTP email APIs. Every answer forbids framing (feeds.web.guard).

An ASGI application (Starlette). Run it with ``feeds serve``, or with any ASGI
server: ``uvicorn --factory feeds.web:create_app`` (reads ``$FEEDS_CONFIG`` or
the nearest feeds.toml), or ``feeds.web:app``, the same application made on first use. Run
uvicorn with ``--no-proxy-headers``: which X-Forwarded-For to believe is decided
here, from ``[web] trusted_proxies``.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route

from ..bounces.webhooks import WebhookRefused
from ..config import Config, load_config
from ..tokens import InvalidToken
from .guard import FrameGuard
from .static import StaticSite
from .subscriptions import Subscriptions
from .webhooks import Webhooks, refused


def create_app(config: Config | None = None) -> Starlette:
    if config is None:
        path = os.environ.get("FEEDS_CONFIG")
        config = load_config(Path(path) if path else None, required=True)
    subscriptions = Subscriptions(config)
    webhooks = Webhooks(config, subscriptions.tokens, subscriptions.clock)
    routes = [
        Route("/subscribe", subscriptions.subscribe,
              methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/webhooks/postmark", webhooks.postmark, methods=["POST"]),
        Route("/webhooks/ses", webhooks.ses, methods=["POST"]),
        Route("/confirm", subscriptions.confirm, methods=["GET"]),
        Route("/unsubscribe", subscriptions.unsubscribe, methods=["GET", "POST"]),
        Route("/preferences", subscriptions.preferences, methods=["GET", "POST"]),
        Mount("/", app=StaticSite(config.output_path, {
            404: subscriptions.page_html("not_found"),
            405: subscriptions.page_html("method_not_allowed")})),
    ]
    return Starlette(routes=routes, middleware=[Middleware(FrameGuard)],
                     exception_handlers={500: subscriptions.server_error,
                                         InvalidToken: subscriptions.token_problem,
                                         WebhookRefused: refused})


app: Starlette  # declared, not assigned: __getattr__ below makes it on first use


def __getattr__(name: str) -> object:
    if name == "app":  # made on first use, so importing feeds.web reads no files
        global app
        app = create_app()
        return app
    raise AttributeError(name)
