"""A PDF page (or a whole issue in one PDF) as content: read, laid out, parsed like text.

Each page of the PDF is turned into our text format (pdflayout), and that text
goes through the loader's own parser, so an article reads the same from its PDF
as from a correct text file. The text of all pages, one after another with a
form feed line between (the running header only of the first), is what
`feeds convert` writes; the line numbers of entries and problems refer to it.

A page that cannot be read (a scan without text layer, fonts without Unicode)
is left out with a warning naming it; when no page can be read, the file is
skipped with that error. A text file beside the PDF with the same name (``A01.txt``
beside ``A01.pdf``) is read instead of it (see content.listing), so a correction sticks.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import replace

from ..errors import ContentError
from ..model import Entry
from .listing import is_pdf
from .results import FileReport, FileResult, Problem

# pdfread and pdflayout are imported where a PDF is read: importing pypdfium2 takes 0.15 s,
# which every command would pay on content without PDFs.

PAGE_BREAK = "\f"  # the line between two pages in converted text

TextParser = Callable[[str, bytes, tuple[str, ...]], FileResult]


def pages(path: str, data: bytes) -> tuple[list[tuple[int, str]], list[Problem]]:
    """(page number, text) of every readable page; a warning for each page left out.
    Raises ContentError when the file is no PDF or no page can be read."""
    from .pdflayout import issue_text
    from .pdfread import PdfPageError, Sheet, sheets

    try:
        read = list(sheets(data))
    except PdfPageError as exc:
        raise ContentError(path, None, exc.message) from None
    good = [s for s in read if isinstance(s, Sheet)]
    bad = [s for s in read if isinstance(s, PdfPageError)]
    try:
        texts = issue_text(posixpath.basename(path), good)
    except PdfPageError as exc:  # a page without headlines: the issue is not laid out
        bad.append(exc)
        good = [s for s in good if s.number != exc.page]
        texts = issue_text(posixpath.basename(path), good)
    if not texts:
        message = "; ".join(e.message for e in bad) or "the PDF has no pages"
        raise ContentError(path, None, f"{message}; the file is skipped")
    return texts, [Problem(None, f"{e.message}; the page is skipped") for e in bad]


def convert(path: str, data: bytes) -> str:
    """The PDF as one text in our format, pages separated by a form feed line."""
    texts, _ = pages(path, data)
    return _joined([text for _, text in texts])[0]


def _joined(texts: list[str]) -> tuple[str, list[int]]:
    """Page texts as one text, and for each page what to add to a line number of its text
    to get that line's number in the whole. The header of every page but the first is
    left out: in one text it would be read as the end of the article before it. (Each
    page's header still gives its own section when the PDF itself is loaded.)"""
    kept: list[str] = []
    offsets: list[int] = []
    start = 1  # the line the next page's text starts on
    for number, text in enumerate(texts):
        lines = text.split("\n")
        skip = 0
        if number:
            skip = next((i for i, line in enumerate(lines) if line.startswith("#")), 0)
        offsets.append(start - 1 - skip)
        piece = "\n".join(lines[skip:])
        kept.append(piece)
        start += piece.count("\n") + 1  # and the form feed line
    return f"{PAGE_BREAK}\n".join(kept), offsets


def parse(path: str, data: bytes, beside: tuple[str, ...], parse_text: TextParser
          ) -> FileResult:
    """Parse a PDF with ``parse_text`` (the loader's parser for text, given the path, the
    text's bytes and the images beside the file) page by page, and join the results."""
    texts, problems = pages(path, data)
    entries: list[Entry] = []
    report: FileReport | None = None
    _, offsets = _joined([text for _, text in texts])
    for number, ((_, text), offset) in enumerate(zip(texts, offsets, strict=True)):
        result = parse_text(path, text.encode(), beside if number == 0 else ())
        for entry in result.entries:
            source = replace(entry.source, line=entry.source.line + offset)
            photos = tuple(replace(p, line=p.line + offset) if p.line else p
                           for p in entry.photos)
            entries.append(replace(entry, source=source, photos=photos,
                                   position=len(entries)))
        problems += [replace(p, line=p.line + offset if p.line + offset > 0 else None)
                     if p.line else p
                     for p in result.report.problems if p.severity != "error"]
        problems += [replace(p, severity="warning", message=f"{p.message}; the page is "
                                                           "skipped")
                     for p in result.report.problems if p.severity == "error"]
        report = report or (result.report if result.entries else None)
    if not entries:
        raise ContentError(path, None, "no page gave an article: "
                           + "; ".join(p.message for p in problems))
    first = report or FileReport(path, 0, None)
    return FileResult(tuple(entries), FileReport(path, len(entries), first.issue_date,
                                                  tuple(problems), "pdf"))


def split_reference(src: str) -> tuple[str, str]:
    """An image reference → (file, fragment): ``A01.pdf#page=1&image=2`` names a picture
    inside a PDF; any other reference is a file of its own (fragment "")."""
    file, mark, fragment = src.partition("#")
    if mark and is_pdf(file):
        return file, fragment
    return src, ""


def picture(data: bytes, fragment: str) -> bytes:
    """The stored bytes of the picture a fragment (``page=1&image=2``) names in the PDF
    ``data``. Raises ValueError when the fragment or the picture cannot be used."""
    from .pdfread import PdfPageError, embedded

    fields = dict(part.partition("=")[::2] for part in fragment.split("&"))
    try:
        page, image = int(fields["page"]), int(fields["image"])
    except (KeyError, ValueError):
        raise ValueError(f"#{fragment} does not name a picture (#page=N&image=M)") from None
    try:
        return embedded(data, page, image)
    except (LookupError, PdfPageError) as exc:
        raise ValueError(str(exc)) from None
