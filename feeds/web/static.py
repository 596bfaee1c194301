"""The built site over HTTP, as a careful production server would serve it.

- the media type readers expect, with ``charset=utf-8``, for every file we write
  (feeds.media, shared with ``feeds deploy``);
- a strong ETag from the file's bytes, and Last-Modified; ``If-None-Match``
  (which wins over ``If-Modified-Since``, RFC 9110 §13.2.2) answered with 304;
- gzip when the client asks, as its own representation with its own ETag;
- a short ``Cache-Control`` for feeds, so readers poll cheaply but see news soon;
- no directory listings, no hidden files (the build's staging folder), and no
  path outside the output directory, whether by ``..``, its percent-encoded
  forms or a symlink pointing out;
- a miss gets the site's own ``404.html`` (in the site's language and style) with
  status 404; a site without one gets the page the app was given for 404, or a line.

Files are read once and kept with their hash and compressed form until their
size, mtime or inode changes, so a conditional GET costs one stat(2).
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from functools import cached_property
from pathlib import Path
from stat import S_ISREG

from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from ..media import cache_control, media_type

NOT_FOUND_PAGE = "404.html"  # feeds.urls.NOT_FOUND_PATH
_MIN_GZIP = 512  # bytes; smaller bodies do not pay for the header


@dataclass
class _File:
    key: tuple[int, int, int]  # size, mtime_ns, inode: when any changes, read again
    body: bytes
    etag: str
    last_modified: str
    mtime: float
    media_type: str
    caching: str  # Cache-Control

    @cached_property
    def gzipped(self) -> bytes:
        # mtime=0: the same bytes every time, so the gzip ETag is stable too
        return gzip.compress(self.body, compresslevel=6, mtime=0)


class StaticSite:
    """An ASGI app serving a folder; everything else in feeds.web mounts around it."""

    def __init__(self, root: Path, pages: dict[int, str] | None = None) -> None:
        self.root = Path(os.path.realpath(root))
        self._files: dict[str, _File] = {}
        # HTML for 404 and 405 in the site's language; plain text when not given
        self.pages = pages or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await self._error(send, 405, "method not allowed\n", [(b"allow", b"GET, HEAD")])
            return
        found = self._lookup(scope["path"])
        if found is None:
            await self._not_found(method == "HEAD", send)
        else:
            await self._respond(found, Headers(scope=scope), method == "HEAD", send)

    async def _error(self, send: Send, status: int, text: str,
                     extra: Iterable[tuple[bytes, bytes]] = ()) -> None:
        page = self.pages.get(status)
        kind = b"text/plain; charset=utf-8" if page is None else b"text/html; charset=utf-8"
        await _reply(send, status, [(b"content-type", kind), *extra], (page or text).encode())

    # ------------------------------------------------------------- locating
    def _lookup(self, url_path: str) -> _File | None:
        """The file for a decoded URL path, or None for anything we must not serve."""
        parts = url_path.split("/")
        if any(p.startswith(".") or "\\" in p or "\x00" in p for p in parts if p):
            return None  # .., hidden files and folders, Windows separators, NUL
        relative = "/".join(p for p in parts if p)
        path = os.path.join(self.root, relative) if relative else str(self.root)
        real = os.path.realpath(path)
        if real != str(self.root) and not real.startswith(str(self.root) + os.sep):
            return None  # a symlink pointing outside the site
        if os.path.isdir(real):
            real = os.path.join(real, "index.html")  # never a listing
        return self._read(real)

    def _read(self, path: str) -> _File | None:
        try:
            stat = os.stat(path)
            if not S_ISREG(stat.st_mode):
                return None
            key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            cached = self._files.get(path)
            if cached is not None and cached.key == key:
                return cached
            body = Path(path).read_bytes()
        except OSError:
            return None
        found = _File(key, body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
                      formatdate(stat.st_mtime, usegmt=True), stat.st_mtime,
                      media_type(path), cache_control(path))
        self._files[path] = found
        return found

    # -------------------------------------------------------------- replying
    async def _not_found(self, head: bool, send: Send) -> None:
        page = self._read(os.path.join(self.root, NOT_FOUND_PAGE))
        if page is None:  # a site built before it had one
            await self._error(send, 404, "not found\n")
        else:
            await _reply(send, 404, [(b"content-type", page.media_type.encode()),
                                     (b"cache-control", page.caching.encode())], page.body, head)

    async def _respond(self, found: _File, request: Headers, head: bool, send: Send) -> None:
        zipped = _accepts_gzip(request) and _compressible(found)
        etag = found.etag[:-1] + '-gzip"' if zipped else found.etag
        headers = [(b"etag", etag.encode()), (b"last-modified", found.last_modified.encode()),
                   (b"cache-control", found.caching.encode()), (b"vary", b"Accept-Encoding")]
        if _not_modified(request, found):
            await _reply(send, 304, headers)
            return
        headers.append((b"content-type", found.media_type.encode()))
        if zipped:
            headers.append((b"content-encoding", b"gzip"))
        await _reply(send, 200, headers, found.gzipped if zipped else found.body, head)


def _accepts_gzip(request: Headers) -> bool:
    for coding in request.get("accept-encoding", "").split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip().lower() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _compressible(found: _File) -> bool:
    return len(found.body) >= _MIN_GZIP and (found.media_type.startswith("text/")
                                            or "xml" in found.media_type
                                            or "json" in found.media_type)


def _not_modified(request: Headers, found: _File) -> bool:
    if_none_match = request.get("if-none-match")
    if if_none_match is not None:  # when present it alone decides (RFC 9110 §13.2.2)
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        base = found.etag.strip('"')
        return "*" in tags or bool(tags & {f'"{base}"', f'"{base}-gzip"'})
    since = request.get("if-modified-since")
    if since is None:
        return False
    try:
        return int(found.mtime) <= parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as the RFC says


async def _reply(send: Send, status: int, headers: list[tuple[bytes, bytes]],
                 body: bytes = b"", head: bool = False) -> None:
    """An answer; its Content-Length is the body's, also for HEAD (none on a 304)."""
    if status != 304:
        headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})
