"""Page furniture: running heads, folios and staff lines that PDF conversion drops into the text.

A printed page repeats the paper's name, the date, the weekday, the page
number (第N版) and its name at the top or bottom, and often lists the page's
editors (责任编辑：…, 校对：…, 美编：…). Converted to text, these lines land
wherever the page or column ended, often in the middle of a sentence, and a
lone page number may stand between two halves of a word. They are found by
their shape, and by repetition (the same short line, digits aside, that the
page header holds too, or that stands three times in the file); removed, they
let the broken sentence join again.

A page header met after the first article (a file that holds several pages)
also names the page that follows: :func:`strip` returns the section it names
with its line, so the articles after it take that section.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..lazyre import lazy_compile
from . import bylines
from .jumps import JUMP
from .page import Block, Layout, Lines, page_section

# Furniture is short: a line longer than this is text.
_LONGEST = 60
# The same short line on every page is furniture: a line met three times, or twice if
# once in the page header (which counts twice). Twice in the text alone is too little:
# the same fragment of a sentence may be cut off twice.
_REPEATS = 3
_MAY_REPEAT = "may repeat"
_BYLINE_WORDS = lazy_compile("记者|通讯员|实习生|摄|[文图][/／]")
_FOLIO_STARTS = frozenset("-—–－_·•第0123456789０１２３４５６７８９")
_FOLIO = lazy_compile(r"^[-—–－_·•\s]*(?:第\s*)?[0-9０-９]{1,3}(?:\s*[页版])?[-—–－_·•\s]*$")
_PAGE_NUMBER = lazy_compile(r"第\s*[A-Za-zＡ-Ｚ]?\s*[0-9０-９一二三四五六七八九十]{1,3}\s*版")
_STAFF = lazy_compile(r"^[（(]?\s*(?:本版)?(?:责任编辑|责编|编辑|校对|美编|版式|组版|审读|审校"
                    r"|值班编辑|版面设计|排版|制图)\s*[：:]")
_WEEKDAY = lazy_compile(r"(?:星期|周|礼拜)[一二三四五六日天]")
_FULL_DATE = lazy_compile(r"[0-9０-９〇○零一二三四五六七八九]{4}\s*年"
                        r"\s*[0-9０-９一二三四五六七八九十]{1,2}\s*月\s*[0-9０-９一二三四五六七八九十]{1,3}\s*日")
_SENTENCE_END = lazy_compile(r"[。！？!?；;，,“”\"]")
_KEY_TABLE = str.maketrans({**dict.fromkeys("0123456789０１２３４５６７８９", "0"),
                            **dict.fromkeys(" \t\u3000\xa0")})
# Units and counters, and the marks of decimals and ranges, that follow a number.
_AFTER_NUMBERS = frozenset("年月日号时点分秒个名人位家户所项件次届岁天周元万亿千百米吨亩"
                           "%％.．:：-—～~")


@dataclass(frozen=True)
class Removed:
    line: int
    text: str
    why: str  # what the line was taken for, in the words of a `feeds check` note


@dataclass(frozen=True)
class Stripped:
    blocks: list[Block]
    removed: list[Removed]
    sections: list[tuple[int, str]]  # (line, section name) of page headers after the first


def strip(layout: Layout) -> Stripped:
    """Remove running heads, folios and staff lines from the articles' bodies."""
    # Furniture is short: the paragraphs, nearly all of a page, cost a length test.
    short = [(b, i, raw) for b, block in enumerate(layout.blocks)
             for i, (_, raw) in enumerate(block.body) if len(raw) <= _LONGEST]
    found: dict[int, list[tuple[int, str]]] = {}  # block → (line index, why)
    repeats: list[tuple[int, int, str]] = []  # lines furniture only if they repeat
    numbers: list[tuple[int, int]] = []  # lone numbers: see _counts_what_follows
    for b, i, raw in short:
        text = raw.strip()
        why = _shape(text)
        if why == _MAY_REPEAT:
            repeats.append((b, i, text))
        elif why == "page number":
            numbers.append((b, i))
        elif why is not None:
            found.setdefault(b, []).append((i, why))
    if repeats:
        # A line of the page header counts twice: see _REPEATS. A plain dict: a Counter
        # made for a few lines costs more than the counting.
        counts: dict[str, int] = {}
        heads = [_key(t) for _, t in layout.header if len(t) <= _LONGEST]
        for key in heads * 2 + [_key(text) for _, _, text in repeats]:
            counts[key] = counts.get(key, 0) + 1
        for b, i, text in repeats:
            key = _key(text)
            if (counts[key] >= _REPEATS and len(key) > 1 and bylines.parse(text) is None
                    and (key in heads or not _opens_the_text(layout.blocks[b].body, i))):
                found.setdefault(b, []).append((i, "running header"))
    if numbers:
        furniture = {(b, i) for b, lines in found.items() for i, _ in lines} | set(numbers)
        for b, i in numbers:
            if not _counts_what_follows(layout.blocks[b].body, i, b, furniture):
                found.setdefault(b, []).append((i, "page number"))
    if not found:
        return Stripped(layout.blocks, [], [])
    removed: list[Removed] = []
    sections: list[tuple[int, str]] = []
    blocks = list(layout.blocks)
    for b, lines in found.items():
        block = blocks[b]
        for i, why in lines:
            number, raw = block.body[i]
            removed.append(Removed(number, raw.strip(), why))
            name = page_section(raw) if why == "page header" else None
            if name:
                sections.append((number, name))
        dropped = {i for i, _ in lines}
        kept = [line for i, line in enumerate(block.body) if i not in dropped]
        blocks[b] = Block(block.line, block.level, block.heading, block.subheading, kept,
                          block.kicker, block.kicker_line)
    return Stripped(blocks, removed, sections)


def _opens_the_text(body: Lines, i: int) -> bool:
    """Whether line ``i`` is where an article's text begins (after its byline lines, if
    any). Articles of one page open alike (本报讯 3月1日), and column breaks cutting
    openings at the same place repeat the same fragment; a line seen only in the text
    (not in the page header) is not taken for a running head there."""
    return all(bylines.parse(raw.strip()) is not None for _, raw in body[:i])


def _counts_what_follows(body: Lines, i: int, b: int, furniture: set[tuple[int, int]]
                         ) -> bool:
    """Whether a lone number is part of the text after all: the next line of text (of
    block ``b``, past other furniture) starts with what only follows a number (3 + 月1日,
    12 + 个街道), where a page number never falls by chance but a column break can."""
    for j in range(i + 1, len(body)):
        if (b, j) not in furniture:
            return body[j][1].lstrip()[:1] in _AFTER_NUMBERS
    return False


def _key(text: str) -> str:
    """What repeats from page to page: the line with its digits (date, page) generalised
    and its spaces taken out (str.translate: one pass in C)."""
    return text.translate(_KEY_TABLE)


def _shape(text: str) -> str | None:
    """Why this body line is page furniture by its shape alone; _MAY_REPEAT when it is
    furniture only if it repeats (see strip); None when it is text. Each shape is looked
    for only when a character it cannot lack is there: most short lines are bylines."""
    if len(text) > _LONGEST or text.startswith("#") or ("版" in text and JUMP.search(text)):
        return None  # a jump marker (下转第2版) names a page too, but jumps.py needs it
    if text[0] in _FOLIO_STARTS and _FOLIO.match(text):
        return "page number"
    if ("：" in text or ":" in text) and _STAFF.match(text):
        return "staff line"
    if _SENTENCE_END.search(text):
        return None
    if ("版" in text and _PAGE_NUMBER.search(text)) or (
            "年" in text and _FULL_DATE.search(text) and _WEEKDAY.search(text)):
        return "page header"
    if _BYLINE_WORDS.search(text):
        return None  # a byline: the same reporters sign article after article
    return _MAY_REPEAT
