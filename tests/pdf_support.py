"""Newspaper pages made with reportlab for the PDF tests, the demo and bench/pdf.py.

A page is a grid of columns; each story is placed with its headline over some
columns and its text flowing down a list of column boxes (which makes L-shapes,
stacks and a lead story over all columns), with first-line indents, a byline set
flush right under the text, a photo with its caption, and a running header and
footer between ruled lines, as layout programs set them.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from reportlab.lib.pagesizes import A3
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

CID = "STSong-Light"  # reportlab's built-in Adobe CID font: no font file needed
FONT_FILE = Path(__file__).parent / "fonts" / "cjk-subset.ttf"
TTF = "CJKSubset"
pdfmetrics.registerFont(UnicodeCIDFont(CID))

BODY = 10.0
LEADING = 14.0
MARGIN = 36.0
GUTTER = 12.0


def use_truetype() -> str:
    """Register the TrueType CJK font shipped with the tests (embedded when used)."""
    if TTF not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(TTF, str(FONT_FILE)))
    return TTF


@dataclass
class Photo:
    caption: str
    height: float = 150.0
    colour: tuple[int, int, int] = (40, 120, 200)
    kind: str = "JPEG"


@dataclass
class Story:
    title: str
    paragraphs: list[str]
    byline: str = ""
    kicker: str = ""
    subtitle: str = ""
    photo: Photo | None = None
    jump: str = ""  # 下转第2版: set after the text
    from_page: str = ""  # 上接第1版: set before the text


@dataclass
class Place:
    story: Story
    head: tuple[int, int]  # the columns the headline spans: first, last (from 0)
    top: float  # the headline's top, points from the page's top
    flow: list[tuple[int, float, float]]  # (column, top, bottom) boxes the text fills
    title_size: float = 26.0
    headless: bool = False  # a continuation set without a headline


@dataclass
class Page:
    places: list[Place]
    header: tuple[str, str] = ("", "")  # left and right of the running header
    footer: str = ""
    columns: int = 6
    size: tuple[float, float] = A3
    rules: list[tuple[float, float, float]] = field(default_factory=list)  # (x0, x1, y)
    header_at: float = 30.0  # the running header's baseline, points from the top
    header_rule: bool = True  # a rule under the running header


def column_box(page: Page, column: int) -> tuple[float, float]:
    width = (page.size[0] - 2 * MARGIN - (page.columns - 1) * GUTTER) / page.columns
    x0 = MARGIN + column * (width + GUTTER)
    return x0, x0 + width


def render(pages: list[Page], font: str = CID) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=pages[0].size, invariant=1)
    for page in pages:
        _page(canvas, page, font)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _y(page: Page, top: float) -> float:
    return page.size[1] - top


def _page(canvas: Canvas, page: Page, font: str) -> None:
    width, height = page.size
    left, right = page.header
    canvas.setFont(font, 9)
    if left or right:
        canvas.drawString(MARGIN, height - page.header_at, left)
        canvas.drawRightString(width - MARGIN, height - page.header_at, right)
        if page.header_rule:
            canvas.setLineWidth(1)
            canvas.line(MARGIN, height - page.header_at - 8, width - MARGIN,
                        height - page.header_at - 8)
    if page.footer:
        canvas.line(MARGIN, 40, width - MARGIN, 40)
        canvas.drawString(MARGIN, 26, page.footer)
    for x0, x1, y in page.rules:
        canvas.setLineWidth(0.8)
        canvas.line(x0, _y(page, y), x1, _y(page, y))
    for place in page.places:
        _story(canvas, page, place, font)


def _story(canvas: Canvas, page: Page, place: Place, font: str) -> None:
    story = place.story
    x0 = column_box(page, place.head[0])[0]
    x1 = column_box(page, place.head[1])[1]
    top = place.top
    if not place.headless:
        parts = []
        if story.kicker:
            parts.append((story.kicker, place.title_size * 0.6))
        parts.append((story.title, place.title_size))
        if story.subtitle:
            parts.append((story.subtitle, place.title_size * 0.6))
        for text, wanted in parts:
            # as a layout artist would: smaller type rather than a broken headline
            size = min(wanted, 0.92 * (x1 - x0) / pdfmetrics.stringWidth(text, font, 1.0))
            for line in _wrap(text, font, size, x1 - x0):
                top += size * 1.2
                canvas.setFont(font, size)
                canvas.drawCentredString((x0 + x1) / 2, _y(page, top), line)
    lines: list[tuple[str, bool, str]] = []  # text, indented, alignment
    if story.from_page:
        lines.append((f"（上接{story.from_page}）", False, "left"))
    for number, paragraph in enumerate(story.paragraphs):
        last = number == len(story.paragraphs) - 1 and story.jump
        text = paragraph + (f"（下转{story.jump}）" if last else "")
        found = _paragraph_lines(text, font, place, page)
        lines += [(t, ind, "justify") for t, ind, _ in found[:-1]] + found[-1:]
    if story.byline:
        lines.append((story.byline, False, "right"))
    boxes = list(place.flow)
    photo = story.photo
    column, box_top, box_bottom = boxes.pop(0)
    y = box_top
    if photo is not None:
        y = _photo(canvas, page, place, photo, font, y)
    canvas.setFont(font, BODY)
    for text, indented, align in lines:
        if y + LEADING > box_bottom:
            if not boxes:
                raise ValueError(f"{story.title}: the text does not fit its columns")
            column, y, box_bottom = boxes.pop(0)
        y += LEADING
        cx0, cx1 = column_box(page, column)
        if align == "right":  # a byline: in smaller type when it is wider than the column
            fitted = min(BODY, (cx1 - cx0) / pdfmetrics.stringWidth(text, font, 1.0))
            canvas.setFont(font, fitted)
            canvas.drawRightString(cx1, _y(page, y), text)
            canvas.setFont(font, BODY)
        elif align == "justify" and len(text) > 1:
            start = cx0 + (2 * BODY if indented else 0)
            spare = cx1 - start - pdfmetrics.stringWidth(text, font, BODY)
            writer = canvas.beginText(start, _y(page, y))
            writer.setFont(font, BODY)
            writer.setCharSpace(spare / (len(text) - 1))
            writer.textOut(text)
            canvas.drawText(writer)
        else:
            canvas.drawString(cx0 + (2 * BODY if indented else 0), _y(page, y), text)


def _photo(canvas: Canvas, page: Page, place: Place, photo: Photo, font: str,
           y: float) -> float:
    column = place.flow[0][0]
    x0, x1 = column_box(page, column)
    image = Image.new("RGB", (int((x1 - x0) * 2), int(photo.height * 2)), photo.colour)
    with tempfile.TemporaryDirectory() as folder:
        # From a file, reportlab stores a JPEG as it is (DCTDecode), as layout programs do.
        path = Path(folder) / f"photo.{photo.kind.lower()}"
        image.save(path, photo.kind)
        canvas.drawImage(str(path), x0, _y(page, y + photo.height + 4), x1 - x0,
                         photo.height)
    y += photo.height + 4
    canvas.setFont(font, 8.5)
    for line in _wrap(photo.caption, font, 8.5, x1 - x0):
        y += 11
        canvas.drawString(x0, _y(page, y), line)
    return y + 14


def _paragraph_lines(text: str, font: str, place: Place, page: Page
                     ) -> list[tuple[str, bool, str]]:
    column = place.flow[0][0]
    x0, x1 = column_box(page, column)
    width = x1 - x0
    out = []
    first = True
    rest = text
    while rest:
        room = width - (2 * BODY if first else 0)
        line = _fit(rest, font, BODY, room)
        out.append((line, first, "left"))
        rest = rest[len(line):]
        first = False
    return out


_NO_LINE_START = set("。，、；：！？）”’》」")


def _fit(text: str, font: str, size: float, width: float) -> str:
    """As much of text as fits the width; punctuation never starts the next line."""
    end = 1
    while end < len(text) and pdfmetrics.stringWidth(text[:end + 1], font, size) <= width:
        end += 1
    while 1 < end < len(text) and text[end] in _NO_LINE_START:
        end -= 1
    return text[:end]


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    out = []
    while text:
        line = _fit(text, font, size, width)
        out.append(line)
        text = text[len(line):]
    return out


def as_text(stories: list[Story], header: str, pdf_name: str = "") -> str:
    """The stories as a correct text page: what their PDF must read as."""
    out = [header]
    for story in stories:
        out += ["", "## " + "\u3000".join(p for p in (story.kicker, story.title) if p)]
        if story.subtitle:
            out.append("### " + story.subtitle)
        out.append("")
        if story.photo is not None:
            out += [f"![{story.photo.caption}]({pdf_name}#page=1&image=1)", ""]
        for paragraph in story.paragraphs:
            out += [paragraph, ""]
        if story.byline:
            out.append(story.byline)
    return "\n".join(out) + "\n"
