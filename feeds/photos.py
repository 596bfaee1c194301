"""Web copies of the pictures articles show: read once, made safe and small, kept in the cache.

Every picture an entry names (``Entry.photos``, see feeds.content.images) is
read with Pillow and made into the files readers download:

- turned upright by its EXIF orientation, then stripped of every piece of
  metadata (EXIF with its GPS position, XMP, comments, the ICC profile): a
  news photo must not tell where a photographer's phone was;
- converted to sRGB with the profile it embeds, since browsers and mail
  clients that ignore profiles show everything as sRGB;
- scaled to ``imaging.WIDTHS`` (never up: a narrow picture keeps its width) and saved
  as JPEG and WebP, named by the hash of their own bytes, so that a server may
  let them be cached forever and a changed picture gets new names.

Encoding is deterministic (same bytes, same Pillow, same settings: same files),
so the cache under ``<state_dir>/cache/images/`` is only a saving: deleting it
changes no output byte. It is keyed on the source of feeds.imaging, which converts,
and Pillow's version; an index in it remembers each source file by size and mtime, so a
rebuild with unchanged pictures reads none of them.

A picture that cannot be used (missing, not an image, truncated, a decompression
bomb, a format we do not publish) is reported with the content file and line
that names it, and the article is published without it. This module never
writes into the output folder: it gives the site writer Outputs (``outputs``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass, field
from pathlib import Path

from PIL import __version__ as PILLOW_VERSION

from .atomic import write_if_changed
from .config import CACHE_FOLDER as STATE_CACHE
from .content import pdfpage
from .errors import ImageError
from .model import Entry, Listing, Photo
from .sitewriter import Output

FOLDER = "images"  # in the output directory
CACHE_FOLDER = Path(STATE_CACHE) / "images"  # in the state directory
_INDEX = "index.json"
log = logging.getLogger("feeds.state")


@dataclass(frozen=True, slots=True)
class Variant:
    path: str  # in the output directory: images/<hash of the bytes>-<width>.jpg
    width: int
    height: int
    type: str  # image/jpeg or image/webp
    length: int  # bytes

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2]


@dataclass(frozen=True)
class Picture:
    """A photo with its web copies, widest first within each type."""

    photo: Photo
    variants: tuple[Variant, ...]

    @property
    def jpeg(self) -> tuple[Variant, ...]:
        return tuple(v for v in self.variants if v.type == "image/jpeg")

    @property
    def webp(self) -> tuple[Variant, ...]:
        return tuple(v for v in self.variants if v.type == "image/webp")

    @property
    def large(self) -> Variant:
        """The widest JPEG: for og:image, enclosures and Media RSS content."""
        return self.jpeg[0]

    @property
    def medium(self) -> Variant:
        """The JPEG an <img> falls back to: the widest at most 800 px (else the narrowest)."""
        return next((v for v in self.jpeg if v.width <= 800), self.jpeg[-1])

    @property
    def thumbnail(self) -> Variant:
        return self.jpeg[-1]


@dataclass(frozen=True)
class Problem:
    path: str  # the content file that names the picture
    line: int  # 0 when unknown
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class _Index:
    """What the cache knows: source file → (size, mtime, hash of its bytes); hash → its
    variants as lists, or the reason it cannot be used."""

    sources: dict[str, list] = field(default_factory=dict)
    images: dict[str, dict] = field(default_factory=dict)


@functools.cache
def settings_key() -> str:
    """Names the cache: whatever changes the bytes of a web copy is in it. The code that
    converts, widths and qualities included, is feeds.imaging, so its source stands for
    it: an upgrade that leaves it as it was does not convert every picture again
    (version.code_identity would)."""
    key = (hashlib.sha256(Path(__file__).with_name("imaging.py").read_bytes()).hexdigest(),
           PILLOW_VERSION, importlib.util.find_spec("pillow_heif") is not None)
    return hashlib.sha1(repr(key).encode()).hexdigest()[:16]


class Gallery:
    """The pictures of one build (or digest run), made or found in the cache.

    ``content`` is the content directory photos are relative to; ``state`` the state
    directory (None: no cache, every picture is read and converted when asked for).
    """

    def __init__(self, content: Path, state: Path | None) -> None:
        self.content = content
        self.cache = state / CACHE_FOLDER / settings_key() if state is not None else None
        self.problems: list[Problem] = []
        self._reported: set[tuple[str, int, str]] = set()
        self._lock = threading.Lock()
        self._index = self._read_index()
        self._changed = False  # the index learnt something this run: save() writes it
        self._root = str(content)
        self._memory: dict[str, bytes] = {}  # variant name → bytes, when there is no cache
        self._pictures: dict[str, tuple[Variant, ...] | str] = {}  # src → variants or error
        self._shown: dict[tuple[str, tuple[Photo, ...]], tuple[Picture, ...]] = {}
        self._keys: dict[tuple[str, tuple[Photo, ...]], str] = {}

    # ----------------------------------------------------------------- reading
    def pictures(self, owner: Listing | Entry) -> tuple[Picture, ...]:
        """The usable pictures of an entry (given by its listing or itself); the others
        are reported once, with the entry's file and the line that names them."""
        path = owner.path if isinstance(owner, Listing) else owner.source.path
        memo = (path, owner.photos)  # feeds and pages ask for the same entry many times
        known = self._shown.get(memo)
        if known is None:
            found = []
            for photo in owner.photos:
                made = self._made(photo.src)
                if isinstance(made, str):
                    self._problem(path, photo, made)
                else:
                    found.append(Picture(photo, made))
            known = self._shown[memo] = tuple(found)
        return known

    def key(self, owner: Listing | Entry) -> str:
        """What an output showing this entry's pictures depends on: their files' names
        (which carry the hash of their bytes) and captions; "" when it has none."""
        if not owner.photos:
            return ""
        memo = (owner.path if isinstance(owner, Listing) else owner.source.path, owner.photos)
        known = self._keys.get(memo)
        if known is None:
            known = self._keys[memo] = "\x1d".join(
                f"{p.photo}\x1c{p.large.path}" for p in self.pictures(owner))
        return known

    def prepare(self, owners: Iterable[Listing], threads: int | None = None) -> None:
        """Find every picture in the cache, and convert those not there, several at a time
        (Pillow lets go of the interpreter lock while it decodes, scales and encodes)."""
        todo = [src for src in dict.fromkeys(p.src for o in owners for p in o.photos)
                if src not in self._pictures and not self._known(src)]
        if len(todo) < 2:
            for src in todo:
                self._made(src)
            return
        with ThreadPoolExecutor(threads or min(os.cpu_count() or 1, 8)) as pool:
            list(pool.map(self._made, todo))

    def outputs(self, owners: Iterable[Listing]) -> Iterator[Output]:
        """The web copies of every usable picture of these entries, for the site writer.
        Named by their bytes, so a file already published is never rendered again."""
        seen: set[str] = set()
        for owner in owners:
            for picture in self.pictures(owner):
                for variant in picture.variants:
                    if variant.path not in seen:
                        seen.add(variant.path)
                        read = functools.partial(self._read, picture.photo.src, variant)
                        yield Output(variant.path, read, f"{variant.path}:{variant.length}")

    def save(self) -> None:
        """Write the cache's index if this run learnt something."""
        if self.cache is None:
            return
        with self._lock:
            if not self._changed:
                return
            data = json.dumps(self._index.__dict__, sort_keys=True)
            self._changed = False
        with contextlib.suppress(OSError):  # a cache that cannot be written costs time only
            write_if_changed(self.cache / _INDEX, data.encode())

    # ----------------------------------------------------------------- making
    def _known(self, src: str) -> bool:
        """Whether the cache answers for this file as it is now (no need to read it);
        if so, its answer is remembered."""
        try:  # a string path: a rebuild asks this for every picture of the site
            stat = os.stat(os.path.join(self._root, pdfpage.split_reference(src)[0]))
        except OSError:
            return False
        with self._lock:
            seen = self._index.sources.get(src)
        if not seen or seen[:2] != [stat.st_size, stat.st_mtime_ns]:
            return False
        cached = self._cached(src, seen[2])
        if cached is None:
            return False
        self._remember(src, cached)
        return True

    def _made(self, src: str) -> tuple[Variant, ...] | str:
        """The variants of one source file, or why it cannot be used."""
        known = self._pictures.get(src)
        if known is not None:
            return known
        if self._known(src):
            return self._pictures[src]
        file, fragment = pdfpage.split_reference(src)  # A01.pdf#page=1&image=2: inside a PDF
        path = self.content / file
        try:
            stat = path.stat()
        except OSError:
            return self._remember(src, f"image {src} not found")
        if not path.is_file():
            return self._remember(src, f"image {src} is not a file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            return self._remember(src, f"image {src} cannot be read: {exc.strerror}")
        if fragment:
            try:
                data = pdfpage.picture(data, fragment)
            except ValueError as exc:
                return self._remember(src, _refused(src, str(exc)))
        digest = hashlib.sha256(data).hexdigest()
        self._learn(self._index.sources, src, [stat.st_size, stat.st_mtime_ns, digest])
        cached = self._cached(src, digest)
        if cached is not None:
            return self._remember(src, cached)
        # Imported only now, when a picture is converted: a rebuild that finds every
        # picture in the cache never needs Pillow's modules (13 ms to import).
        from .imaging import convert

        try:
            variants = tuple(self._keep(*made) for made in convert(data))
        except ImageError as exc:
            self._learn(self._index.images, digest, {"error": str(exc)})
            return self._remember(src, _refused(src, str(exc)))
        self._learn(self._index.images, digest, {"variants": [astuple(v) for v in variants]})
        return self._remember(src, variants)

    def _learn(self, table: dict, key: str, value: object) -> None:
        """Put what this run found out in the cache's index, for save() to write."""
        with self._lock:
            table[key] = value
            self._changed = True

    def _cached(self, src: str, digest: str) -> tuple[Variant, ...] | str | None:
        """What the cache knows of these bytes: their web copies, why they cannot be used,
        or None."""
        with self._lock:
            record = self._index.images.get(digest)
        if record is None:
            return None
        if "error" in record:
            return _refused(src, str(record["error"]))
        # Files removed from the cache meanwhile are made again when read (_read).
        return tuple(Variant(*fields) for fields in record["variants"])

    def _keep(self, width: int, height: int, kind: str, data: bytes) -> Variant:
        suffix = "jpg" if kind == "image/jpeg" else "webp"
        name = f"{hashlib.sha256(data).hexdigest()[:20]}-{width}.{suffix}"
        if self.cache is None:
            self._memory[name] = data
        else:
            try:
                write_if_changed(self.cache / name, data)
            except OSError:
                self._memory[name] = data
        return Variant(f"{FOLDER}/{name}", width, height, kind, len(data))

    def _read(self, src: str, variant: Variant) -> bytes:
        data = self._memory.get(variant.name)
        if data is None and self.cache is not None:
            with contextlib.suppress(OSError):
                data = (self.cache / variant.name).read_bytes()
        if data is None:  # the cache went away during the build: make it again
            self._pictures.pop(src, None)
            with self._lock:
                seen = self._index.sources.pop(src, None)
                if seen:
                    self._index.images.pop(seen[2], None)
            self._made(src)
            data = self._memory.get(variant.name)
            if data is None and self.cache is not None:
                data = (self.cache / variant.name).read_bytes()
        if data is None:
            raise ImageError(f"{src}: its web copy {variant.name} could not be made again")
        return data

    def _remember(self, src: str, made: tuple[Variant, ...] | str) -> tuple[Variant, ...] | str:
        self._pictures[src] = made
        return made

    def _problem(self, path: str, photo: Photo, message: str) -> None:
        key = (path, photo.line, message)
        with self._lock:
            if key in self._reported:
                return
            self._reported.add(key)
        problem = Problem(path, photo.line, f"{message}; the article is published without it")
        self.problems.append(problem)

    # ----------------------------------------------------------------- cache
    def _read_index(self) -> _Index:
        if self.cache is None:
            return _Index()
        path = self.cache / _INDEX
        try:
            data = json.loads(path.read_bytes())
            return _Index(dict(data["sources"]), dict(data["images"]))
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("%s: the image cache's index is damaged (%s); it is made again",
                        path, exc)
        return _Index()


def _refused(src: str, reason: str) -> str:
    return f"image {src}: {reason}"


# --------------------------------------------------------------------------- showing


@dataclass(frozen=True)
class Figure:
    """A picture as a page or a feed item shows it, its URLs made by the output."""

    src: str  # the medium JPEG, for <img src>
    srcset: str  # every JPEG, "url 1600w, url 800w, …"
    webp_srcset: str  # every WebP, for <source type="image/webp">
    width: int  # of the medium JPEG, so the page keeps its place while it loads
    height: int
    alt: str
    caption: str
    credit: str


def figures(pictures: Iterable[Picture], url: Callable[[str], str],
            headline: str) -> list[Figure]:
    """``url`` turns an output path into the link the output uses (relative on pages,
    absolute in feeds). A picture with no caption is described by the headline."""
    return [Figure(src=url(picture.medium.path),
                   srcset=", ".join(f"{url(v.path)} {v.width}w" for v in picture.jpeg),
                   webp_srcset=", ".join(f"{url(v.path)} {v.width}w" for v in picture.webp),
                   width=picture.medium.width, height=picture.medium.height,
                   alt=picture.photo.caption or headline,
                   caption=picture.photo.caption, credit=picture.photo.credit)
            for picture in pictures]
