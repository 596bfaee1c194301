"""Jumps: an article that starts on one page and continues on another.

The paper ends the first part with （下转第N版） and starts the rest with
（上接第N版）, often under the headline repeated or shortened. In a converted
file the rest may follow at once (after the next page's header, which
furniture.py removes), or come later, after other articles. Either way the
markers leave the text and the parts become one article: a later block is a
continuation when it carries a 上接 marker or repeats, whole or shortened, the
headline of an article that jumped and was not continued yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from ..lazyre import lazy_compile
from .page import Block, Lines

_PAGE = r"第?\s*[A-Za-zＡ-Ｚ]?\s*[0-9０-９一二三四五六七八九十]{1,3}\s*版[^（）()\n]{0,12}?"
_OUT = rf"(?:下转|转)\s*{_PAGE}"
_IN = rf"(?:上接|紧接|接)\s*{_PAGE}"
# Bracketed anywhere in a line, or a whole line as printed without brackets.
JUMP = lazy_compile(rf"[（(]\s*(?:(?P<out>{_OUT})|(?P<into>{_IN}))\s*[）)]"
                  rf"|^\s*(?:(?P<out2>{_OUT})|(?P<into2>{_IN}))\s*$")
_NOT_TEXT = lazy_compile(r"[\W_]+")
# A shortened headline keeps most of its words: the longest run two headlines share
# must be this long (characters) and this part of the shorter one.
_SHARED_RUN = 4
_SHARED_PART = 0.6


@dataclass
class _Open:
    block: Block
    marker_line: int


def join(blocks: list[Block]) -> tuple[list[Block], list[tuple[int, str]]]:
    """Blocks with jump markers removed and continuations joined to their first parts,
    and a note (line, message) for each repair."""
    notes: list[tuple[int, str]] = []
    joined: list[Block] = []
    waiting: list[_Open] = []  # articles that jumped and were not continued yet
    for block in blocks:
        heading, heading_in = _without_marker(block.heading)
        body, out_line, into = _strip_body(block.body)
        if heading_in or into or waiting:
            target = _first_part(waiting, heading, bool(heading_in or into))
            if target is not None:
                target.block.body.extend(body)
                notes.append((block.line, f"joined this continuation ({heading!r}) to the "
                                          f"article at line {target.block.line}"))
                waiting.remove(target)
                if out_line is not None:  # it jumps again
                    waiting.append(_Open(target.block, out_line))
                continue
        if heading_in or into:
            notes.append((block.line, "removed a 上接 jump marker: the article's first "
                                      "part is not in this file"))
        if heading != block.heading or body is not block.body:
            block = Block(block.line, block.level, heading, block.subheading, body,
                          block.kicker, block.kicker_line)
        joined.append(block)
        if out_line is not None:
            waiting.append(_Open(block, out_line))
    for rest in waiting:
        notes.append((rest.marker_line, "removed a 下转 jump marker: the rest of the "
                                        "article is not in this file"))
    return joined, notes


def _without_marker(text: str) -> tuple[str, bool]:
    """Text without its jump markers, and whether it had a 上接 one."""
    if "版" not in text:  # every marker names a page (版); nearly no line does
        return text, False
    into = any(m.group("into") or m.group("into2") for m in JUMP.finditer(text))
    return JUMP.sub("", text).strip(), into


def _strip_body(body: Lines) -> tuple[Lines, int | None, bool]:
    """The body without markers; the line of a 下转 marker still in force at its end
    (none followed it with a 上接); and whether it had a 上接 marker before any 下转."""
    if not any("版" in t and JUMP.search(t) for _, t in body):
        return body, None, False
    kept: Lines = []
    out_line: int | None = None
    into = False
    for number, raw in body:
        match = JUMP.search(raw)
        if match is None:
            kept.append((number, raw))
            continue
        for found in JUMP.finditer(raw):
            if found.group("out") or found.group("out2"):
                out_line = number
            elif out_line is None:
                into = True
            else:
                out_line = None  # the rest follows here, after the next page's header
        rest = JUMP.sub("", raw)
        if rest.strip():
            kept.append((number, rest))
    return kept, out_line, into


def _first_part(waiting: list[_Open], heading: str, marked: bool) -> _Open | None:
    """The waiting article this block continues: the one whose headline it repeats, whole
    or shortened; with a 上接 marker and no such headline, the only one waiting."""
    for candidate in reversed(waiting):
        first = candidate.block
        if any(_same_headline(heading, h) for h in (first.heading, first.subheading,
                                                    first.kicker) if h):
            return candidate
    if marked and len(waiting) == 1:
        return waiting[0]
    return None


def _same_headline(a: str, b: str) -> bool:
    short, long = sorted((_NOT_TEXT.sub("", a), _NOT_TEXT.sub("", b)), key=len)
    if len(short) < _SHARED_RUN:
        return False
    if short in long:
        return True
    run = SequenceMatcher(None, short, long, autojunk=False).find_longest_match(
        0, len(short), 0, len(long))
    return run.size >= max(_SHARED_RUN, _SHARED_PART * len(short))
