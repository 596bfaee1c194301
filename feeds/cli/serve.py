"""``feeds serve``: the built site, sign-up and one-click unsubscribe over HTTP."""

from __future__ import annotations

import click

from . import State, cli, reports_errors


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_obj
@reports_errors
def serve_command(state: State, host: str, port: int) -> None:
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
        uvicorn --factory feeds.web:create_app --no-proxy-headers --port 8000
    """
    import uvicorn

    from ..web import create_app

    click.echo(f"serving {state.config.output_path} on http://{host}:{port}/", err=True)
    uvicorn.run(create_app(state.config), host=host, port=port, proxy_headers=False,
                log_level="warning", server_header=False)
