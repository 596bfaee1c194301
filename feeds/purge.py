"""Telling a CDN which files changed, so it stops serving its old copies.

Every CDN has its own API, so this speaks to none of them: ``deploy.purge_command`` is
any program (a vendor's CLI, a script) that reads the changed URLs on stdin, one a
line; ``deploy.purge_url`` receives them as JSON. Both get the directory URL too for an
``index.html``, since readers ask for ``/news/``, not ``/news/index.html``.
"""

from __future__ import annotations

import shlex
import subprocess

from .errors import FeedsError


class PurgeError(FeedsError):
    """The CDN was not told: its copies may be stale until they expire."""


def urls(base_url: str, paths: list[str]) -> list[str]:
    out = []
    for path in paths:
        out.append(base_url + path)
        if path == "index.html" or path.endswith("/index.html"):
            out.append(base_url + path.removesuffix("index.html"))
    return out


def run_command(command: str, changed: list[str], timeout: float = 300) -> None:
    try:
        done = subprocess.run(shlex.split(command), input="".join(u + "\n" for u in changed),
                              text=True, capture_output=True, timeout=timeout)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise PurgeError(f"purge command {command!r} failed: {exc}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise PurgeError(f"purge command {command!r} exited {done.returncode}: {last}")


def post(endpoint: str, changed: list[str], paths: list[str], timeout: float = 60) -> None:
    import httpx

    try:
        answer = httpx.post(endpoint, json={"urls": changed, "paths": paths}, timeout=timeout)
    except httpx.HTTPError as exc:
        raise PurgeError(f"purge URL {endpoint}: {exc}") from None
    if answer.status_code >= 300:
        raise PurgeError(f"purge URL {endpoint} answered {answer.status_code}")
