"""A newspaper PDF's pages → our page text: header, ``##`` headlines, paragraphs, image lines.

The layout program knew what conversion to plain text loses, and the PDF still
shows it (see pdfread for what is read):

- **Running header and footer**: the bands above the first ruled line across
  the page near its top and below the last one near its bottom (or, without
  rules, the outer strips), and any line that recurs at the same height on
  several pages of the file. The header gives the issue date and the page's
  section (第A03版 教育): it becomes the page header of the text.
- **Headlines** are set larger than the text: lines at least ``HEADLINE`` times
  the body size. Stacked headline lines are one headline; its largest lines are
  the main title, smaller ones above it the kicker (引题, which leads the title
  after an ideographic space), smaller ones below it the sub-title (``###``).
- **Columns**: lines stack into blocks while they share a column and follow at
  line spacing, with no ruled line between; whitespace and rules end a block.
  Each block, and each picture, belongs to the headline it stands under (the
  nearest one above it that it overlaps), else to the nearest headline: that
  takes L-shaped articles, stacked ones and a lead story over all columns.
  An article reads its blocks column by column, left to right.
- **Paragraphs** start at an indented line, or after a line that stops short
  of its column's edge (a paragraph's last line, a byline).
- **Captions** are the lines right under a picture (else right over it) within
  its width; a picture becomes an image line naming it inside the PDF
  (``A01.pdf#page=1&image=2``), its caption the image line's text.
- **Jumps**: an article ending in 下转第N版 takes the text of the block on page N
  of the same file that starts 上接第M版.

What comes out is the text format the loader reads, so PDF articles go
through the same rules as text pages (bylines, dates, ids), and `feeds convert`
shows an editor exactly what was read.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from . import bylines
from .pdfread import Box, PdfPageError, Picture, Run, Sheet

HEADLINE = 1.15  # a line this many times the body size or larger is headline type
_HEADER_RULE_ZONE = 0.15  # header and footer rules lie within this share of the page
_OUTER_STRIP = 0.04  # without rules, lines this close to the edge are header or footer
_EDGE = 0.07  # a line recurring this close to the top or bottom is a running head or foot
_WIDE_RULE = 0.6  # a rule across this share of the page's width bounds a band
_LABEL = r"([A-Za-z]?\s*\d{1,3}|[一二三四五六七八九十]{1,3})"  # A03, 3, 三
_JUMP_TO = re.compile(rf"[（(]?\s*下转\s*(?:第\s*)?{_LABEL}\s*版\s*[）)]?\s*$")
_JUMP_FROM = re.compile(rf"^\s*[（(]?\s*上接\s*(?:第\s*)?{_LABEL}\s*版\s*[）)]?\s*")
_PAGE_LABEL = re.compile(rf"第\s*{_LABEL}\s*版")
_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}
_DIGITS = re.compile(r"\d+")
_LATIN_END = re.compile(r"[A-Za-z0-9]$")
_LATIN_START = re.compile(r"^[A-Za-z0-9]")
_LETTERS = string.ascii_uppercase  # of page labels (A3): a jump may name the page without


@dataclass
class Line:
    text: str
    box: Box
    size: float


@dataclass
class Block:
    lines: list[Line]
    headline: bool
    box: Box = field(init=False)  # around its lines, kept as they are added

    def __post_init__(self) -> None:
        lines = self.lines
        self.box = (Box(min(li.box.x0 for li in lines), lines[0].box.top,
                        max(li.box.x1 for li in lines), lines[-1].box.bottom)
                    if lines else Box(0.0, 0.0, 0.0, 0.0))

    def add(self, line: Line) -> None:
        self.lines.append(line)
        box = self.box
        self.box = Box(min(box.x0, line.box.x0), box.top, max(box.x1, line.box.x1),
                       line.box.bottom)


@dataclass
class Figure:
    picture: Picture
    caption: str
    box: Box  # the picture with its caption


@dataclass
class Article:
    heading: Block
    blocks: list[Block] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    jump_to: str | None = None  # the page label its text goes on to
    jump_from: str | None = None  # for a continuation: the page it comes from


@dataclass
class PageText:
    number: int
    header: list[str]
    articles: list[Article]


def issue_text(name: str, sheets: Sequence[Sheet]) -> list[tuple[int, str]]:
    """(page number, text) of each page, in our text format; ``name`` is the PDF's file
    name, which image lines refer to. Jumps between the pages are followed."""
    repeated = _repeated_lines(sheets)
    pages = [_page(sheet, repeated) for sheet in sheets]
    _follow_jumps(pages)
    return [(page.number, _render(name, page)) for page in pages]


# --------------------------------------------------------------------------- lines


def _lines(runs: Iterable[Run]) -> list[Line]:
    """Runs on one baseline, in one size, next to each other → one line."""
    lines: list[Line] = []
    for run in sorted(runs, key=lambda r: (round(r.box.bottom), r.box.x0)):
        last = lines[-1] if lines else None
        if (last is not None and abs(last.box.bottom - run.box.bottom) < 0.3 * run.size
                and abs(last.size - run.size) < 0.1 * run.size
                and -0.3 * run.size < run.box.x0 - last.box.x1 < 0.6 * run.size):
            glue = " " if (_LATIN_END.search(last.text) and _LATIN_START.match(run.text)
                           and run.box.x0 - last.box.x1 > 0.15 * run.size) else ""
            last.text += glue + run.text
            last.box = Box(last.box.x0, min(last.box.top, run.box.top), run.box.x1,
                           max(last.box.bottom, run.box.bottom))
        else:
            lines.append(Line(run.text, run.box, run.size))
    return lines


def _body_size(lines: Sequence[Line]) -> float:
    weights: Counter[float] = Counter()
    for line in lines:
        weights[round(line.size, 1)] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def _shape_key(sheet: Sheet, line: Line) -> tuple[str, int]:
    return _DIGITS.sub("#", line.text.strip()), round(line.box.top / sheet.height * 50)


def _repeated_lines(sheets: Sequence[Sheet]) -> set[tuple[str, int]]:
    """Lines near the top or bottom edge found, digits aside, at the same height on more
    than one page: running heads and feet."""
    if len(sheets) < 2:
        return set()
    seen: Counter[tuple[str, int]] = Counter()
    for sheet in sheets:
        keys = set()
        lines = _lines(sheet.runs)
        size = _body_size(lines)
        for line in lines:
            if line.size < size * HEADLINE and (line.box.top < sheet.height * _EDGE
                                                or line.box.bottom > sheet.height * (1 - _EDGE)):
                keys.add(_shape_key(sheet, line))
        seen.update(keys)
    return {key for key, count in seen.items() if count > 1}


# --------------------------------------------------------------------------- a page


def _page(sheet: Sheet, repeated: set[tuple[str, int]]) -> PageText:
    lines = _lines(sheet.runs)
    top, bottom = _bands(sheet)
    header = [li for li in lines if li.box.bottom <= top or (_shape_key(sheet, li) in repeated
              and li.box.top < sheet.height * 0.1)]
    footer = [li for li in lines if li.box.top >= bottom or (_shape_key(sheet, li) in repeated
              and li.box.bottom > sheet.height * 0.9)]
    banded = {id(li) for li in header + footer}
    body = [li for li in lines if id(li) not in banded]
    size = _body_size(body)
    figures, captioned = _figures(sheet.pictures, body, size)
    body = [li for li in body if id(li) not in captioned]
    blocks = _blocks(body, sheet.rules, size)
    articles = _articles(blocks, figures, sheet.rules, size, sheet.number)
    for article in articles:
        _paragraphs(article, size)
    return PageText(sheet.number, _header_lines(header), articles)


def _bands(sheet: Sheet) -> tuple[float, float]:
    """The bottom of the header band and the top of the footer band."""
    wide = [r for r in sheet.rules if r.width >= sheet.width * _WIDE_RULE
            and r.height <= 2.5]
    upper = [r.bottom for r in wide if r.top <= sheet.height * _HEADER_RULE_ZONE]
    lower = [r.top for r in wide if r.bottom >= sheet.height * (1 - _HEADER_RULE_ZONE)]
    top = min(upper) if upper else sheet.height * _OUTER_STRIP
    bottom = max(lower) if lower else sheet.height * (1 - _OUTER_STRIP)
    return top, bottom


def _header_lines(lines: list[Line]) -> list[str]:
    """Header lines left to right, one text line per baseline."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda li: (round(li.box.bottom), li.box.x0)):
        if rows and abs(rows[-1][0].box.bottom - line.box.bottom) < 0.5 * line.size:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [" ".join(li.text.strip() for li in sorted(row, key=lambda li: li.box.x0))
            for row in rows]


def _figures(pictures: Sequence[Picture], lines: Sequence[Line], size: float
             ) -> tuple[list[Figure], set[int]]:
    """Each picture with the caption right under it (else right over it); the ids of the
    lines taken as captions."""
    taken: set[int] = set()
    figures = []
    for picture in pictures:
        box = picture.box
        if box.width < 2 * size or box.height < 2 * size:
            continue  # a rule, a bullet or a logo, not a photo
        # within its width: the right end is the less certain (a glyph's box may overhang)
        inside = [li for li in lines if id(li) not in taken and li.size < size * HEADLINE
                  and box.x0 - size <= li.box.x0 and (li.box.x0 + li.box.x1) / 2 <= box.x1]
        caption = _follow(box.bottom, sorted(inside, key=lambda li: li.box.top), size, down=True)
        if not caption:
            caption = _follow(box.top, sorted(inside, key=lambda li: -li.box.bottom), size,
                              down=False)[::-1]
        taken.update(id(li) for li in caption)
        text = _join(li.text.strip() for li in caption)
        whole = box
        for li in caption:
            whole = Box(min(whole.x0, li.box.x0), min(whole.top, li.box.top),
                        max(whole.x1, li.box.x1), max(whole.bottom, li.box.bottom))
        figures.append(Figure(picture, text, whole))
    return figures, taken


def _follow(edge: float, lines: Sequence[Line], size: float, *, down: bool) -> list[Line]:
    """The lines that follow one another from ``edge`` at line spacing."""
    found: list[Line] = []
    for line in lines:
        gap = (line.box.top - edge) if down else (edge - line.box.bottom)
        if gap < -0.2 * size:
            continue
        if gap > 1.2 * size:
            break
        found.append(line)
        edge = line.box.bottom if down else line.box.top
    return found


def _blocks(lines: Sequence[Line], rules: Sequence[Box], size: float) -> list[Block]:
    """Stack lines into column blocks: a line joins the block whose last line is right
    above it in the same column, of the same kind, with no rule between."""
    blocks: list[Block] = []
    for line in sorted(lines, key=lambda li: (li.box.top, li.box.x0)):
        heading = line.size >= size * HEADLINE
        best: Block | None = None
        for block in blocks:
            last = block.lines[-1]
            if block.headline != heading:
                continue
            gap = line.box.top - last.box.bottom
            limit = (1.0 if heading else 0.9) * min(line.size, last.size)
            if not -0.3 * size < gap < limit:
                continue
            if not _same_column(block.box, line.box, heading):
                continue
            if _rule_between(rules, last.box, line.box):
                continue
            if best is None or last.box.bottom > best.lines[-1].box.bottom:
                best = block
        if best is None:
            blocks.append(Block([line], heading))
        else:
            best.add(line)
    return blocks


def _same_column(block: Box, line: Box, heading: bool) -> bool:
    overlap = min(block.x1, line.x1) - max(block.x0, line.x0)
    if heading:
        return overlap > 0
    size = line.height
    return overlap > 0 and (-size < line.x0 - block.x0 < 3 * size
                            or overlap >= 0.6 * min(block.width, line.width))


def _rule_between(rules: Sequence[Box], upper: Box, lower: Box) -> bool:
    return any(r.height <= 2.5 and upper.bottom - 1 <= r.top <= lower.top + 1
               and min(r.x1, upper.x1, lower.x1) - max(r.x0, upper.x0, lower.x0) > 0
               for r in rules)


def _articles(blocks: list[Block], figures: list[Figure], rules: Sequence[Box], size: float,
              number: int) -> list[Article]:
    heads = _rows(sorted((b for b in blocks if b.headline), key=lambda b: b.box.top), size)
    articles = [Article(h) for h in heads]
    texts = [b for b in blocks if not b.headline]
    if not articles:
        if texts:
            raise PdfPageError(number, f"page {number}: no headline found (no line is set "
                                       "larger than the text), so its articles cannot be "
                                       "told apart")
        return []
    continuations: list[Article] = []
    for block in texts:
        if _JUMP_FROM.match(block.lines[0].text):
            # A continuation from another page: an article of its own until jumps are followed.
            owner = _owner(articles, block.box, rules)
            if owner is not None and not owner.blocks and owner.heading.box.bottom < block.box.top:
                owner.blocks.append(block)  # a jump headline with its text
                continue
            continuations.append(Article(Block([], True), [block]))
            continue
        owner = _owner(articles, block.box, rules)
        if owner is not None:
            owner.blocks.append(block)
    for figure in figures:
        owner = _owner(articles, figure.box, rules)
        if owner is not None:
            owner.figures.append(figure)
    columns = _columns(texts)
    for article in articles + continuations:
        article.blocks.sort(key=lambda b: (columns(b.box), b.box.top))
        article.figures.sort(key=lambda f: (f.box.top, f.box.x0))
    return articles + continuations


def _rows(heads: list[Block], size: float) -> list[Block]:
    """Headlines in reading order: by rows (tops within two lines of each other, as
    headlines of different sizes set side by side), left to right in a row."""
    rows: list[list[Block]] = []
    for head in heads:
        if rows and head.box.top - rows[-1][0].box.top < 2 * size:
            rows[-1].append(head)
        else:
            rows.append([head])
    return [head for row in rows for head in sorted(row, key=lambda b: b.box.x0)]


def _owner(articles: Sequence[Article], box: Box, rules: Sequence[Box]) -> Article | None:
    """The article whose headline ``box`` stands under: the closest one above it, a
    sideways step counting thrice a step down (a short headline is centred over its
    columns), none across a ruled line; else the nearest headline."""
    best: Article | None = None
    best_score = 0.0
    for article in articles:
        head = article.heading.box
        if head.bottom > box.top + 2:
            continue
        dx = max(0.0, head.x0 - box.x1, box.x0 - head.x1)
        if any(r.height <= 2.5 and head.bottom - 1 <= r.top <= box.top + 1
               and r.x0 <= min(head.x1, box.x1) and r.x1 >= max(head.x0, box.x0)
               for r in rules):
            continue
        score = box.top - head.bottom + 3 * dx
        if best is None or score < best_score:
            best, best_score = article, score
    if best is not None:
        return best

    def distance(article: Article) -> float:
        head = article.heading.box
        dx = max(0.0, head.x0 - box.x1, box.x0 - head.x1)
        dy = max(0.0, head.top - box.bottom, box.top - head.bottom)
        return dx + dy

    return min(articles, key=distance, default=None)


def _columns(blocks: Sequence[Block]) -> Callable[[Box], float]:
    """A function giving a box's column: the page's columns are the spans of its blocks of
    two lines or more merged where they overlap (a short last line or a byline flush right
    does not show where its column begins); a box belongs to the one it overlaps most."""
    spans: list[list[float]] = []
    for x0, x1 in sorted((b.box.x0, b.box.x1) for b in blocks if len(b.lines) > 1):
        if spans and x0 < spans[-1][1] - 1:
            spans[-1][1] = max(spans[-1][1], x1)
        else:
            spans.append([x0, x1])

    def index(box: Box) -> float:
        overlaps = [min(x1, box.x1) - max(x0, box.x0) for x0, x1 in spans]
        if not overlaps or max(overlaps) <= 0:
            return sum(1 for x0, _ in spans if x0 <= box.x0) - 0.5
        return float(overlaps.index(max(overlaps)))

    return index


# --------------------------------------------------------------------------- text


def _paragraphs(article: Article, size: float) -> None:
    """Join each article's lines into paragraphs, and find its jump markers."""
    paragraphs: list[str] = []
    pieces: list[str] = []
    for number, block in enumerate(article.blocks):
        left = min(li.box.x0 for li in block.lines)
        # The column's edge: where most lines end (a byline may stick out, short lines end
        # paragraphs).
        ends = sorted(li.box.x1 for li in block.lines)
        right = ends[len(ends) // 2] if len(ends) > 2 else ends[-1]
        for i, line in enumerate(block.lines):
            text = line.text
            if number == 0 and i == 0 and article.jump_from is None:
                found = _JUMP_FROM.match(text)
                if found:
                    article.jump_from = _label(found.group(1))
                    text = text[found.end():]
                    if not text.strip():
                        continue
            indented = (line.box.x0 - left >= 0.8 * line.size
                        or text.startswith(("\u3000", "  ")))
            if pieces and indented:
                paragraphs.append(_join(pieces))
                pieces = []
            if pieces and i == len(block.lines) - 1 and bylines.parse(text.strip()):
                paragraphs.append(_join(pieces))  # a byline under the text
                pieces = []
            # A space at a line's end is printed (全民 | 阅读日); indents are not text.
            pieces.append(text if pieces else text.lstrip())
            if line.box.x1 < right - 1.5 * line.size:  # stops short: the paragraph ends
                paragraphs.append(_join(pieces))
                pieces = []
    if pieces:
        paragraphs.append(_join(pieces))
    paragraphs = [p.strip() for p in paragraphs if p.strip()]
    if paragraphs:
        found = _JUMP_TO.search(paragraphs[-1])
        if found:
            article.jump_to = _label(found.group(1))
            paragraphs[-1] = paragraphs[-1][:found.start()].rstrip()
            if not paragraphs[-1]:
                paragraphs.pop()
    article.paragraphs = paragraphs


def _join(pieces: Iterable[str]) -> str:
    """Lines of one paragraph: no space between Chinese, one between Latin words; a
    number broken at a line end (202|2年) is one number."""
    text = ""
    for piece in pieces:
        if not piece:
            continue
        if text.endswith(" ") or piece.startswith(" "):
            text += piece
            continue
        glue = " " if (text and _LATIN_END.search(text) and _LATIN_START.match(piece)
                       and not (text[-1].isdigit() and piece[0].isdigit())) else ""
        text += glue + piece
    return text


def _label(raw: str) -> str:
    """A page label to compare: 第A03版 → A3, 第3版 and 第三版 → 3."""
    raw = raw.replace(" ", "").upper()
    if raw and raw[0] in _NUMERALS:
        if raw == "十":
            return "10"
        if raw.startswith("十"):
            return str(10 + _NUMERALS[raw[1]])
        if len(raw) > 1 and raw[1] == "十":
            return str(_NUMERALS[raw[0]] * 10 + (_NUMERALS[raw[2]] if len(raw) > 2 else 0))
        return str(_NUMERALS[raw[0]])
    letter = raw[0] if raw[:1].isalpha() else ""
    return letter + str(int(raw[len(letter):]))


def _page_label(page: PageText) -> str:
    for line in page.header:
        found = _PAGE_LABEL.search(line)
        if found:
            return _label(found.group(1))
    return str(page.number)


def _follow_jumps(pages: list[PageText]) -> None:
    """Move each continuation's text to the article it continues (下转 → 上接)."""
    labels = {_page_label(page): page for page in pages}
    for page in pages:
        for article in page.articles:
            if article.jump_to is None:
                continue
            target = labels.get(article.jump_to) or labels.get(article.jump_to.lstrip(_LETTERS))
            if target is None:
                continue
            here = _page_label(page).lstrip(_LETTERS)
            for other in target.articles:
                if other.jump_from is not None and other.jump_from.lstrip(_LETTERS) == here:
                    article.paragraphs += other.paragraphs
                    article.figures += other.figures
                    target.articles.remove(other)
                    break


def _render(name: str, page: PageText) -> str:
    out = list(page.header)
    for article in page.articles:
        if not article.paragraphs and not article.figures:
            continue
        kicker, main, sub = _headline_parts(article.heading)
        out += ["", "## " + ("\u3000".join(p for p in (kicker, main) if p) or "（无题）")]
        if sub:
            out.append("### " + sub)
        out.append("")
        for figure in article.figures:
            caption = figure.caption.replace("[", "［").replace("]", "］")
            out += [f"![{caption}]({name}#page={page.number}&image={figure.picture.index})",
                    ""]
        for paragraph in article.paragraphs:
            styled = paragraph if bylines.parse(paragraph) else "\u3000\u3000" + paragraph
            out += [styled, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _headline_parts(block: Block) -> tuple[str, str, str]:
    """Kicker, main title and sub-title of a headline block, by type size."""
    if not block.lines:
        return "", "", ""
    biggest = max(li.size for li in block.lines)
    main_at = [i for i, li in enumerate(block.lines) if li.size >= biggest * 0.95]
    first, last = main_at[0], main_at[-1]
    kicker = _join(li.text.strip() for li in block.lines[:first])
    main = _join(li.text.strip() for li in block.lines[first:last + 1])
    sub = _join(li.text.strip() for li in block.lines[last + 1:])
    return kicker, main, sub
