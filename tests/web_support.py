"""A real uvicorn server on a loopback port, in a thread, for tests that talk HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve an ASGI app on 127.0.0.1 and yield its base URL, as `feeds serve` does
    (X-Forwarded-For is the application's to judge)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off",
                                           proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        threading.Event().wait(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def feeds_serve(config_file, env: dict[str, str] | None = None) -> Iterator[str]:
    """`feeds serve` itself, in its own process, on a free loopback port; yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "feeds", "--config", str(config_file), "serve",
         "--port", str(port)], env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("feeds serve did not start: "
                                       + process.stderr.read().decode()) from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def http_client(base: str, **options) -> httpx.Client:
    """An httpx client with TCP_NODELAY: without it httpx sends a POST's headers and body
    in two writes, and the server's delayed ACK holds the body for ~40 ms."""
    transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP,
                                                     socket.TCP_NODELAY, 1)])
    return httpx.Client(base_url=base, transport=transport, **options)
