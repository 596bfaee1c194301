"""Which pictures an article shows, with their captions and credits.

A page names its pictures in three ways:

    ![图为调研现场。记者 吴迪 摄](photos/a01-1.jpg)   a Markdown image line, the path
                                                  relative to the page; its text is
                                                  the caption
    image: photos/lead.jpg                        front matter of a single article
    A01.txt beside A01-1.jpg, A01-2.jpg           files sharing the page's name

Files beside a page (and a front matter image) carry no caption of their own:
the page's captions (图为…, lines ending in a 摄 credit), in page order, go to
them in number order, each to the article that prints it. A caption that got
its picture leaves the article's list of bare captions. The credit is the
caption's own (记者 吴迪 摄), else the article's photographers (摄, 文/图).

Only names are recorded here: whether a file exists and can be read is for
feeds.photos, which reports it; parsing stays a function of the page's bytes
and the names of the files beside it (the parse cache is keyed on both).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace
from urllib.parse import unquote

from ..lazyre import lazy_compile
from ..model import Entry, Photo
from . import bylines
from .page import Block

# ![alt](path) or ![alt](<path with spaces> "title"), alone on its line
_MARKDOWN = lazy_compile(r"^\s*!\[([^\]]*)\]\(\s*(<[^>]+>|\S+)(?:\s+[\"'(][^)]*)?\)\s*$")
_BESIDE = lazy_compile(r"^(.+)-(\d{1,3})\.(?:jpe?g|png|webp|heic|heif)$", re.IGNORECASE)
_TEXT_AND_PICTURE = lazy_compile(r"文\s*[/／]\s*图|图\s*[/／]\s*文|文图|图文")

Note = tuple[int | None, str]  # (line, message): a warning for the file's report


@dataclass(frozen=True)
class Marked:
    """A Markdown image line taken out of an article's text."""

    line: int
    alt: str
    src: str


def beside(pages: list[tuple[str, str]], images: dict[str, list[str]]
           ) -> dict[str, tuple[str, ...]]:
    """Page (relative path) → the images beside it that share its name (``A01.txt`` →
    ``A01-1.jpg``, ``A01-2.jpg``), in number order; pages with none are left out.
    ``images`` maps a folder prefix (``""``, ``"2024/"``) to its image file names."""
    found: dict[str, tuple[str, ...]] = {}
    for rel, _ in pages:
        prefix, _, name = rel.rpartition("/")
        names = images.get(prefix + "/" if prefix else "")
        if not names:
            continue
        stem = name.rsplit(".", 1)[0].lower()
        numbered = [(int(match.group(2)), image) for image in names
                    if (match := _BESIDE.match(image)) and match.group(1).lower() == stem]
        if numbered:
            found[rel] = tuple(f"{prefix}/{n}" if prefix else n for _, n in sorted(numbered))
    return found


def take_markdown(blocks: list[Block]) -> dict[int, list[Marked]]:
    """Remove Markdown image lines from the blocks' text; block index → its images."""
    marked: dict[int, list[Marked]] = {}
    for index, block in enumerate(blocks):
        if not any("![" in text for _, text in block.body):
            continue
        kept = []
        for number, text in block.body:
            match = _MARKDOWN.match(text) if "![" in text else None
            if match is None:
                kept.append((number, text))
                continue
            src = match.group(2)
            if src.startswith("<"):
                src = src[1:-1]
            marked.setdefault(index, []).append(Marked(number, match.group(1).strip(), src))
        block.body[:] = kept
    return marked


def attach(path: str, entries: list[Entry], marked: dict[int, list[Marked]],
           front: tuple[int, str] | None, besides: tuple[str, ...]
           ) -> tuple[list[Entry], list[Note]]:
    """The entries with their photos; notes for references that cannot be used.

    ``entries`` are the page's articles (their ``position`` is their block's index),
    ``front`` the line and value of a front matter ``image``, ``besides`` the images
    sharing the page's name.
    """
    notes: list[Note] = []
    captions = [list(e.captions) for e in entries]
    placed: dict[int, list[Photo]] = {}  # by index in ``entries``: front matter, beside
    written: dict[int, list[Photo]] = {}  # Markdown images, as the text has them
    # Front matter and beside images, in that order, take the page's captions in order.
    uncaptioned: list[tuple[int, str]] = []
    if front is not None:
        src = _resolve(path, front[1])
        if src is None:
            notes.append((front[0], f"front matter image {front[1]!r} is not a path inside "
                                    "the content directory; ignored"))
        else:
            uncaptioned.append((front[0], src))
    uncaptioned += [(0, src) for src in besides]
    queue = [(i, c) for i, of_entry in enumerate(captions) for c in of_entry]
    used: set[tuple[int, str]] = set()
    for number, (line, src) in enumerate(uncaptioned):
        if number < len(queue):
            index, printed = queue[number]
            used.add((index, printed))
        elif len(entries) == 1:
            index, printed = 0, ""
        else:
            notes.append((line or None, f"image {src} has no caption on the page to place "
                                        "it by; not shown"))
            continue
        placed.setdefault(index, []).append(
            _photo(src, printed, entries[index], line or entries[index].source.line))
    by_block = {e.position: i for i, e in enumerate(entries)}
    for block, found in marked.items():
        if block not in by_block:  # the article was skipped
            continue
        index = by_block[block]
        for image in found:
            src = _resolve(path, image.src)
            if src is None:
                notes.append((image.line, f"image {image.src!r} is not a path inside the "
                                          "content directory; not shown"))
                continue
            written.setdefault(index, []).append(
                _photo(src, image.alt, entries[index], image.line))
    # A front matter image leads its article; otherwise the pictures in the text come first.
    lead_placed = front is not None and bool(uncaptioned) and uncaptioned[0][0] == front[0]
    photos = {i: placed.get(i, []) + written.get(i, []) if lead_placed
              else written.get(i, []) + placed.get(i, [])
              for i in set(placed) | set(written)}
    return [replace(entry, photos=tuple(photos[i]),
                    captions=tuple(c for c in captions[i] if (i, c) not in used))
            if i in photos else entry for i, entry in enumerate(entries)], notes


def _photo(src: str, printed: str, entry: Entry, line: int) -> Photo:
    """A photo with the caption as printed split from its credit (记者 吴迪 摄)."""
    found = bylines.caption(printed) if printed else None
    if found is not None and found.byline is not None:
        return Photo(src, found.text, found.byline.text, line)
    return Photo(src, printed, _article_credit(entry), line)


def _article_credit(entry: Entry) -> str:
    """Who took the article's pictures: its photographers (摄), else a 文/图 byline."""
    takers = [a.name for a in entry.authors if a.role == "摄"]
    if takers:
        return " ".join(takers) + " 摄"
    if _TEXT_AND_PICTURE.search(entry.byline):
        return entry.byline
    return ""


def _resolve(page: str, src: str) -> str | None:
    """A reference relative to the page → relative to the content directory; None for
    what is not a local path inside it (a URL, an absolute path, ../ out of it)."""
    src = unquote(src.strip())
    if not src or "://" in src or src.startswith(("/", "data:", "\\")) or ":" in src[:3]:
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), src))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined
