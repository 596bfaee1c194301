"""What a PDF page holds for us: runs of text with their place and size, pictures, rules.

Read with pypdfium2 (PDFium, BSD/Apache licensed). Every character comes with its
origin and font size; consecutive characters on one baseline, in one size and
without a gap wider than a character, make a run: the piece of a line that a
layout program set in one go. Runs, the pictures' boxes and thin ruled lines
are all that page segmentation (pdflayout) needs. Coordinates are turned to
reading ones: points from the top left corner, y growing downwards.

A page is refused, not guessed at, when it has no text layer (a scan: it needs
OCR first) or when its fonts map characters to no Unicode (``(cid:…)``,
private-use code points): publishing that would be publishing garbage.
"""

from __future__ import annotations

import ctypes
import io
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as raw  # type: ignore[import-untyped]

# A character PDFium could not map: no code point, the replacement character, or one
# from a private-use area (fonts whose ToUnicode table is missing or made up).
_UNMAPPED_LIMIT = 0.01  # a share of the page's characters that makes it unreadable
_RULE_THICKNESS = 2.5  # points: thicker paths are boxes or shading, not rules
_RULE_LENGTH = 24.0


class PdfPageError(Exception):
    """A page that cannot be read; ``page`` counts from 1."""

    def __init__(self, page: int, message: str) -> None:
        super().__init__(message)
        self.page = page
        self.message = message


@dataclass(frozen=True, slots=True)
class Box:
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True, slots=True)
class Run:
    text: str
    box: Box
    size: float  # the font size in points, as set (em size)


@dataclass(frozen=True, slots=True)
class Picture:
    index: int  # its place among the page's images, from 1: names it (see embedded)
    box: Box


@dataclass(frozen=True)
class Sheet:
    """One page of the PDF, as read."""

    number: int  # from 1
    width: float
    height: float
    runs: tuple[Run, ...]
    pictures: tuple[Picture, ...]
    rules: tuple[Box, ...]  # thin horizontal and vertical lines


def _document(data: bytes) -> closing[pdfium.PdfDocument]:
    try:
        return closing(pdfium.PdfDocument(data))
    except pdfium.PdfiumError as exc:
        raise PdfPageError(0, f"not a PDF PDFium can open ({exc})") from None


def sheets(data: bytes) -> Iterator[Sheet | PdfPageError]:
    """Every page of the PDF in ``data``, read; a page that cannot be read gives the error
    instead (the others are still read). A file that is no PDF raises PdfPageError."""
    with _document(data) as document:
        for index in range(len(document)):
            with closing(document[index]) as page:
                try:
                    yield _sheet(page, index + 1)
                except PdfPageError as exc:
                    yield exc


def embedded(data: bytes, page: int, image: int) -> bytes:
    """The bytes of picture ``image`` of page ``page`` (both from 1): a JPEG as it is stored
    in the PDF, anything else decoded and saved as PNG (lossless). Raises LookupError
    when there is no such picture, ValueError when it cannot be decoded."""
    with _document(data) as document:
        if not 1 <= page <= len(document):
            raise LookupError(f"the PDF has no page {page}")
        with closing(document[page - 1]) as sheet:
            found = list(sheet.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,)))
            if not 1 <= image <= len(found):
                raise LookupError(f"page {page} has no picture {image}")
            picture = found[image - 1]
            filters = picture.get_filters()
            if (filters and filters[-1] == "DCTDecode"
                    and all(f in pdfium.PdfImage.SIMPLE_FILTERS for f in filters[:-1])):
                # a JPEG under ASCII85 or Flate at most: those undone, the JPEG as stored
                return bytes(picture.get_data(decode_simple=True))
            try:
                buffer = io.BytesIO()
                picture.get_bitmap().to_pil().save(buffer, "PNG")
            except (pdfium.PdfiumError, ValueError, OSError) as exc:
                raise ValueError(f"picture {image} of page {page} cannot be decoded "
                                 f"({exc})") from None
            return buffer.getvalue()


def _sheet(page: pdfium.PdfPage, number: int) -> Sheet:
    width, height = page.get_size()
    pictures, rules = _shapes(page, number, height)
    with closing(page.get_textpage()) as textpage:
        runs, unmapped, counted = _read_runs(textpage, height)
    if not counted:
        if pictures:
            raise PdfPageError(number, f"page {number} has no text layer, only pictures "
                                       "(a scan?): run OCR on it first (ocrmypdf adds a "
                                       "text layer), then add it again")
        raise PdfPageError(number, f"page {number} has no text")
    if unmapped > max(2, counted * _UNMAPPED_LIMIT):
        raise PdfPageError(number, f"page {number}: {unmapped} of {counted} characters map "
                                   "to no Unicode (a font without a usable ToUnicode table, "
                                   "text would read as (cid:…) or private-use characters); "
                                   "export the PDF with fonts that carry their Unicode, or "
                                   "convert the page to text by other means")
    return Sheet(number, width, height, tuple(runs), tuple(pictures), tuple(rules))


def _shapes(page: pdfium.PdfPage, number: int, height: float
            ) -> tuple[list[Picture], list[Box]]:
    pictures: list[Picture] = []
    rules: list[Box] = []
    for shape in page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_PATH)):
        left, bottom, right, top = shape.get_bounds()
        box = Box(left, height - top, right, height - bottom)
        if shape.type == raw.FPDF_PAGEOBJ_IMAGE:
            pictures.append(Picture(len(pictures) + 1, box))
        elif ((box.height <= _RULE_THICKNESS and box.width >= _RULE_LENGTH)
              or (box.width <= _RULE_THICKNESS and box.height >= _RULE_LENGTH)):
            rules.append(box)
    return pictures, rules


def _read_runs(textpage: pdfium.PdfTextPage, height: float) -> tuple[list[Run], int, int]:
    """The page's runs, and how many of its characters are unmapped, out of how many."""
    count = textpage.count_chars()
    handle = textpage.raw
    x, y = ctypes.c_double(), ctypes.c_double()
    px, py = ctypes.byref(x), ctypes.byref(y)
    left, right, low, high = (ctypes.c_double() for _ in range(4))
    box_args = (ctypes.byref(left), ctypes.byref(right), ctypes.byref(low), ctypes.byref(high))
    unicode, origin, font_size = (raw.FPDFText_GetUnicode, raw.FPDFText_GetCharOrigin,
                                  raw.FPDFText_GetFontSize)
    runs: list[Run] = []
    chars: list[str] = []
    start_x = last_x = last_step = base = size = 0.0
    last_index = -1
    unmapped = counted = 0

    def close() -> None:
        text = "".join(chars)
        if text.strip():
            raw.FPDFText_GetCharBox(handle, last_index, *box_args)
            end = max(right.value, last_x + size * 0.5)
            runs.append(Run(text, Box(start_x, height - base - size * 0.88, end,
                                      height - base + size * 0.12), size))
        chars.clear()

    # The text in one call, when it has one UTF-16 unit a character (no surrogate pairs):
    # a call for each character's code costs as much as the rest of this loop.
    text = textpage.get_text_range(0, count) if count else ""
    codes = ([ord(c) for c in text] if len(text) == count
             else [unicode(handle, i) for i in range(count)])
    for index, code in enumerate(codes):
        if code in (10, 13) or (code == 32 and raw.FPDFText_IsGenerated(handle, index)):
            if chars:
                close()
            continue
        origin(handle, index, px, py)
        at, on = x.value, y.value
        if chars:
            step = at - last_x
            moved = abs(on - base) > 0.3 * size or step > 1.8 * size or step < -0.5 * size
            # The size is asked only where the advance changes: in a run of one size
            # (Chinese text, a justified line) it does not, and the call costs as much as
            # everything else done for a character.
            if moved or (abs(step - last_step) > 0.2 * size
                         and abs(font_size(handle, index) - size) > 0.05 * size):
                close()
            last_step = step
        if not chars:
            start_x, base, size = at, on, font_size(handle, index)
            last_step = -size  # the next character's step is always checked
        last_x, last_index = at, index
        if code > 32 or code == 0:  # 0: PDFium found no Unicode at all
            counted += 1
            if _unmapped(code):
                unmapped += 1
        chars.append(chr(code) if code else "\ufffd")
    if chars:
        close()
    return runs, unmapped, counted


def _unmapped(code: int) -> bool:
    return (code in (0, 0xFFFD, 0xFFFE, 0xFFFF) or 0xE000 <= code <= 0xF8FF
            or code >= 0xF0000)
