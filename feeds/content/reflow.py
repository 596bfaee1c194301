"""Rejoin paragraphs that PDF conversion broke at column and page ends.

A converted page puts a line break, often several blank lines, wherever a
column or page ended, mid-word included (始终把教 … 育事业). A break is kept
only where the text before it closes a sentence; anywhere else the pieces are
one paragraph and join with no space, as Chinese text is written. Some pages
put each paragraph on one line with no blank line between: the same rule keeps
them apart.
"""

from __future__ import annotations

import re

# What a paragraph can end with: sentence ends, list separators, a colon that
# introduces what follows, and ellipses; closing quotes and brackets may follow.
_ENDS = frozenset("。！？!?；;：:…．")
_CLOSERS = "'\"’”」』）)】》〕〉"
# A new paragraph is certain when a line is indented (PDF converters keep the
# two ideographic spaces of a paragraph start) or starts a numbered point.
_INDENT = re.compile(r"^(?:\u3000|[ \t]{2,})")
_NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十]+[、是]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．])")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
# A Markdown heading deeper than an article's (#### …) is a sub-head: a paragraph of its own.
_SUBHEAD = re.compile(r"^#{4,6}\s")


def reflow(lines: list[tuple[int, str]]) -> list[str]:
    """Numbered lines of an article body → paragraphs, with broken ones rejoined."""
    return [text for text, _ in reflow_numbered(lines)]


def reflow_numbered(lines: list[tuple[int, str]]) -> list[tuple[str, int]]:
    """Like reflow, with the line each paragraph starts on."""
    paragraphs: list[tuple[str, int]] = []
    pieces: list[str] = []
    start = 0
    for number, raw in lines:
        text = raw.strip()
        if not text:
            continue
        if pieces and _starts_new(pieces[-1], raw, text):
            paragraphs.append((_join(pieces), start))
            pieces = []
        if not pieces:
            start = number
        pieces.append(text)
    if pieces:
        paragraphs.append((_join(pieces), start))
    return paragraphs


def _starts_new(previous: str, raw: str, text: str) -> bool:
    return bool(closes(previous) or _INDENT.match(raw) or _NUMBERED.match(text)
                or _SUBHEAD.match(text) or _SUBHEAD.match(previous))


def closes(text: str) -> bool:
    """Whether text ends a sentence (closing quotes and brackets after the mark allowed)."""
    return text.rstrip(_CLOSERS)[-1:] in _ENDS


def _join(pieces: list[str]) -> str:
    """Join broken pieces: no space between Chinese, one space between Latin words."""
    text = pieces[0]
    for piece in pieces[1:]:
        glue = " " if _ASCII_WORD.match(text[-1]) and _ASCII_WORD.match(piece[0]) else ""
        text += glue + piece
    return text
