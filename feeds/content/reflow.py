"""Rejoin paragraphs that PDF conversion broke at column and page ends.

A converted page puts a line break, often several blank lines, wherever a
column or page ended, mid-word included (始终把教 … 育事业). A break is kept
only where the text before it closes a sentence; anywhere else the pieces are
one paragraph and join with no space, as Chinese text is written. Some pages
put each paragraph on one line with no blank line between: the same rule keeps
them apart.

Pages that indent their paragraphs (two ideographic spaces, as print does) say
more: there, a line that is not indented continues the paragraph, even after
a full stop that happened to end a printed line. Each page's convention is
learnt from the page itself (:func:`convention`).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..lazyre import lazy_compile

# What a paragraph can end with: sentence ends, list separators, a colon that
# introduces what follows, and ellipses; closing quotes and brackets may follow.
_ENDS = frozenset("。！？!?；;：:…．")
_CLOSERS = "'\"’”」』）)】》〕〉"
# A new paragraph is certain when a line is indented (PDF converters keep the
# two ideographic spaces of a paragraph start) or starts a numbered point.
_INDENT = lazy_compile(r"^(?:\u3000|[ \t]{2,})")
_INDENT_STARTS = ("\u3000", " ", "\t")
_NUMBERED = lazy_compile(
    r"^(?:[一二三四五六七八九十]+[、是]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．])")
_LATIN_LETTER = lazy_compile(r"[A-Za-z]")
# How a page marks its paragraphs:
PLAIN = "plain"  # by sentence ends; an indented line starts one too
INDENTED = "indented"  # by indenting them: an unindented line continues the paragraph
UNIFORM = "uniform"  # every line is indented: indentation says nothing
# A page indents its paragraphs when at least this part of the lines that may start
# one (after a sentence end) are indented, and so are nearly all lines when uniform.
_INDENTED_STARTS = 2 / 3
_UNIFORM_LINES = 0.9
# A Markdown heading deeper than an article's (#### …) is a sub-head: a paragraph of its own.
_SUBHEAD = lazy_compile(r"^#{4,6}\s")


def convention(bodies: Iterable[list[tuple[int, str]]]) -> str:
    """How the page whose article bodies these are marks its paragraphs (PLAIN,
    INDENTED, UNIFORM)."""
    bodies = list(bodies)
    indented = sum(1 for body in bodies for _, raw in body
                   if raw.startswith(_INDENT_STARTS) and _INDENT.match(raw))
    if indented < 2:  # most pages: one pass, no more
        return PLAIN
    lines = [(n, raw) for body in bodies for n, raw in body if raw.strip()]
    if indented >= _UNIFORM_LINES * len(lines):
        return UNIFORM
    starts = starts_indented = 0
    previous = ""
    for _, raw in lines:
        if not previous or closes(previous):
            starts += 1
            starts_indented += bool(_INDENT.match(raw))
        previous = raw.rstrip()
    return INDENTED if starts_indented >= _INDENTED_STARTS * starts else PLAIN


def reflow(lines: list[tuple[int, str]], style: str = PLAIN) -> list[str]:
    """Numbered lines of an article body → paragraphs, with broken ones rejoined."""
    paragraphs: list[str] = []
    pieces: list[str] = []
    starts_new = _STARTS_NEW[style]
    for _, raw in lines:
        text = raw.strip()
        if not text:
            continue
        if pieces and starts_new(pieces[-1], raw, text):
            paragraphs.append(_join(pieces))
            pieces = []
        pieces.append(text)
    if pieces:
        paragraphs.append(_join(pieces))
    return paragraphs


def _starts_new(previous: str, raw: str, text: str) -> bool:
    return bool(closes(previous) or _INDENT.match(raw) or _NUMBERED.match(text)
                or _SUBHEAD.match(text) or _SUBHEAD.match(previous))


def _starts_new_indented(previous: str, raw: str, text: str) -> bool:
    return bool(_INDENT.match(raw) or _SUBHEAD.match(text) or _SUBHEAD.match(previous))


def _starts_new_uniform(previous: str, raw: str, text: str) -> bool:
    return bool(closes(previous) or _NUMBERED.match(text)
                or _SUBHEAD.match(text) or _SUBHEAD.match(previous))


_STARTS_NEW = {PLAIN: _starts_new, INDENTED: _starts_new_indented, UNIFORM: _starts_new_uniform}


def closes(text: str) -> bool:
    """Whether text ends a sentence (closing quotes and brackets after the mark allowed)."""
    return text.rstrip(_CLOSERS)[-1:] in _ENDS


def _join(pieces: list[str]) -> str:
    """Join broken pieces: no space between Chinese, one space between Latin words.
    A number is never split by a space (5 + G网络, 12. + 5亿元): only letters on
    both sides of the break make two words."""
    text = pieces[0]
    for piece in pieces[1:]:
        glue = " " if _LATIN_LETTER.match(text[-1]) and _LATIN_LETTER.match(piece[0]) else ""
        text += glue + piece
    return text
