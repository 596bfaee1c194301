"""Headlines as printed, with the spaces PDF conversion added taken out.

A printed headline spans lines; conversion joins them with an ASCII space, so
``城区举办 “全民阅读日”活动`` carries a space the paper never printed.
A space between a headline and its sub-title is real, though, and so is one
inside a quoted slogan. We keep a space when both sides are long enough to be
lines of their own and drop it when one side is a short fragment; an
ideographic space (U+3000) is always typography and stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..lazyre import lazy_compile

# The shortest headline line papers set: a piece shorter than this between
# spaces is a wrapped fragment, not a title line.
MIN_LINE = 7

_SPACES = lazy_compile(r"[ \t\u00a0]+")
_LATIN = lazy_compile(r"[A-Za-z0-9]")
_OPENERS = "“‘「『《（(【〔"
_CLOSERS = "”’」』》）)】〕"


@dataclass(frozen=True, slots=True)
class Headline:
    title: str  # the whole headline, normalised
    main: str
    subtitle: str | None


def normalise(raw: str) -> Headline:
    """Clean a heading line's text and split off a sub-title when that is safe."""
    text = _SPACES.sub(" ", raw.strip())
    pieces, inside_quotes = _pieces(text)
    kept: list[str] = [pieces[0]] if pieces else []
    separators: list[int] = []  # indexes in `kept` after which a real space stands
    for i, piece in enumerate(pieces[1:], start=1):
        left = kept[-1]
        if inside_quotes[i - 1] or _LATIN.match(left[-1]) or _LATIN.match(piece[0]):
            kept.append(piece)  # inside a quoted slogan, or next to Latin words: as typed
        elif len(pieces[i - 1]) >= MIN_LINE and len(piece) >= MIN_LINE:
            separators.append(len(kept))  # two lines of their own: a real boundary
            kept.append(piece)
        else:
            kept[-1] = left + piece  # a wrapped fragment: the space was never printed
    title = " ".join(kept)
    if len(separators) == 1:  # exactly one headline/sub-title boundary: split there
        cut = separators[0]
        return Headline(title, " ".join(kept[:cut]), " ".join(kept[cut:]))
    # with two or more, which one divides headline from sub-title is a guess: don't
    return Headline(title, title, None)


def _pieces(text: str) -> tuple[list[str], list[bool]]:
    """Split on spaces; for each space, note whether it lies inside quotes or brackets."""
    pieces = text.split(" ")
    inside: list[bool] = []
    depth = 0
    for piece in pieces[:-1]:
        for char in piece:
            if char in _OPENERS:
                depth += 1
            elif char in _CLOSERS and depth:
                depth -= 1
        inside.append(depth > 0)
    return pieces, inside

