"""A content file's layout: page header, then one block per Markdown heading.

A page is several articles, each starting at a ``#``, ``##`` or ``###`` line;
what comes before the first heading is the page header (issue date, page
number and name). A heading followed at once by a deeper one, with no text
between, is a headline with its sub-title: that is the one split a page makes
certain, so we take it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# ATX headings of level 1 to 3; a closing run of #s is decoration. Converted pages
# rarely put a space after the #s, so it is optional (deeper levels stay body text).
_HEADING = re.compile(r"^ {0,3}(#{1,3})(?!#)[ \t]*(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_PAGE = re.compile(
    r"(?:第\s*)?([A-Za-z]?\s*\d{1,3})\s*版(?:\s*[：:·・|｜\-—/]\s*|\s+)"
    r"([^\s\d：:·・|｜/,，。]{1,16})"
)

Lines = list[tuple[int, str]]  # (line number in the file, text), blank lines left out


@dataclass
class Block:
    line: int  # the heading's line in the file
    level: int
    heading: str
    subheading: str | None = None
    body: Lines = field(default_factory=list)


@dataclass(frozen=True)
class Layout:
    header: Lines
    blocks: list[Block]


def split_page(text: str, first_line: int) -> Layout:
    """Cut text, whose first line is ``first_line`` of the file, into header and blocks.

    Headings are found with one multi-line search instead of a look at every line:
    pages are mostly body text, and this is the loader's widest loop.
    """
    header: Lines = []
    blocks: list[Block] = []
    pos, line = 0, first_line
    for match in _HEADING.finditer(text):
        segment = text[pos:match.start()]
        lines = numbered(segment, line)
        if blocks:
            blocks[-1].body = lines
        else:
            header = lines
        line += segment.count("\n")
        pos = match.end() + 1
        level, heading = len(match.group(1)), match.group(2)
        current = blocks[-1] if blocks else None
        if (current is not None and current.subheading is None and level > current.level
                and not current.body):
            current.subheading = heading
        else:
            blocks.append(Block(line, level, heading))
        line += 1
    rest = numbered(text[pos:], line)
    if blocks:
        blocks[-1].body = rest
    else:
        header = rest
    return Layout(header, blocks)


def numbered(text: str, first_line: int) -> Lines:
    """The non-blank lines of text with their line numbers."""
    return [(n, t) for n, t in enumerate(text.split("\n"), first_line) if t and not t.isspace()]


def page_section(header: str) -> str | None:
    """The section name of a page header such as 第B03版 经济 or 第05版：城区新闻."""
    match = _PAGE.search(header)
    return match.group(2) if match else None
