"""``feeds serve``: the built site, sign-up and one-click unsubscribe over HTTP."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import FeedsError
from . import State, cli

if TYPE_CHECKING:
    from starlette.types import ASGIApp


class CannotListen(FeedsError):
    """The address and port cannot be bound."""


@cli.command("serve")
@click.option("--host", default=None,
              help="Address to listen on (0.0.0.0: every interface). Default: [web] host, "
                   "127.0.0.1.")
@click.option("--port", default=None, type=click.IntRange(1, 65535),
              help="Port to listen on. Default: [web] port, 8000.")
@click.option("--access-log", "access_log", type=click.Path(path_type=Path, dir_okay=False),
              help="Append a line per request to FILE, in common log format. "
                   "Default: [web] access_log; none.")
@click.pass_obj
def serve_command(state: State, host: str | None, port: int | None,
                  access_log: Path | None) -> None:
    """Serve the output directory, and the digest's sign-up and unsubscribe pages.

    Feeds go out with their media types, strong ETags and 304 Not Modified, gzip
    when asked. POST /subscribe (with [web] signup = true) sends a confirmation
    email; /confirm, /unsubscribe (RFC 8058 one-click) and /preferences take the
    signed links from emails; /webhooks/postmark and /webhooks/ses take bounces and
    complaints from HTTP email APIs. Behind nginx, forward the client address in
    X-Forwarded-For and list the proxy in [web] trusted_proxies (e.g. ["127.0.0.1"]);
    from anyone else the header is ignored.

    \b
    Example:
        feeds build && feeds serve --port 8000
        feeds serve --access-log /var/log/feeds/access.log
        uvicorn --factory feeds.web:create_app --no-proxy-headers --port 8000
    """
    import uvicorn

    from ..sitewriter import is_built
    from ..web import create_app
    from ..web.accesslog import AccessLog
    from ..web.guard import ClientAddress

    config = state.config
    host = host or config.web.host
    port = port or config.web.port
    if not is_built(config.output_path):
        raise FeedsError(f"{config.output_path}: no built site to serve; "
                         "run `feeds build` first")
    if access_log is None and config.web.access_log:
        access_log = config.path(config.web.access_log)
    app: ASGIApp = create_app(config)
    if access_log is not None:
        try:
            app = AccessLog(app, access_log, ClientAddress(config.web.trusted_proxies))
        except OSError as exc:
            raise FeedsError(f"{access_log}: cannot write the access log: "
                             f"{exc.strerror}") from None
    listening = _listen(host, port)
    click.echo(f"serving {config.output_path} on http://{host}:{port}/", err=True)
    server = uvicorn.Server(uvicorn.Config(app, proxy_headers=False, log_level="warning",
                                           server_header=False, access_log=False))
    server.run(sockets=[listening])


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, or one line saying why not and what to do."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CannotListen(f"{host}: not an address to listen on ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    listening = socket.socket(family, kind, proto)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind(address)
    except OSError as exc:
        listening.close()
        if exc.errno == errno.EADDRINUSE:
            raise CannotListen(f"port {port} on {host} is already in use by another program; "
                               "choose another with --port N (or [web] port in "
                               "feeds.toml)") from None
        if exc.errno == errno.EACCES:
            raise CannotListen(f"port {port} on {host} needs privileges; choose one above "
                               "1023 with --port N and put nginx in front") from None
        raise CannotListen(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    listening.listen(2048)
    return listening
