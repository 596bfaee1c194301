"""A content file's layout: page header, then one block per Markdown heading.

A page is several articles, each starting at a ``#``, ``##`` or ``###`` line;
what comes before the first heading is the page header (issue date, page
number and name). A heading followed at once by a deeper one, with no text
between, is a headline with its sub-title: that is the one split a page makes
certain, so we take it. A heading followed at once by a shallower one is the
kicker (引题) printed above that headline in smaller type; followed at once by
one of its own level, it is most likely a kicker too (converters give every
headline line the same level), and the block says that this was a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..lazyre import lazy_compile

# ATX headings of level 1 to 3; a closing run of #s is decoration. Converted pages
# rarely put a space after the #s, so it is optional (deeper levels stay body text).
_HEADING = lazy_compile(r"^ {0,3}(#{1,3})(?!#)[ \t]*(.*?)(?:[ \t]+#+)?[ \t]*$")
_PAGE = lazy_compile(
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
    kicker: str | None = None
    kicker_line: int | None = None  # set when the kicker was a guess (same level)


@dataclass(frozen=True)
class Layout:
    header: Lines
    blocks: list[Block]


def split_page(text: str, first_line: int) -> Layout:
    """Cut text, whose first line is ``first_line`` of the file, into header and blocks.

    One pass over the lines both finds the headings and keeps the non-blank lines
    with their numbers: this is the loader's widest loop. Only a line with a # in
    its first four characters can be a heading, so the pattern runs on those alone;
    a multi-line search of the whole page for headings, then a second pass to number
    the lines between them, cost twice as much (bench/README.md).
    """
    header: Lines = []
    blocks: list[Block] = []
    body = header  # where the next non-blank line goes
    for number, line in enumerate(text.split("\n"), first_line):
        if not line or line.isspace():
            continue
        match = _HEADING.match(line) if "#" in line[:4] else None
        if match is None:
            body.append((number, line))
            continue
        level, heading = len(match.group(1)), match.group(2)
        current = blocks[-1] if blocks else None
        if (current is not None and current.subheading is None and level > current.level
                and not current.body):
            current.subheading = heading
        elif (current is not None and current.subheading is None and not current.body
              and current.kicker is None and current.heading.strip() and heading.strip()):
            blocks[-1] = Block(number, level, heading, kicker=current.heading,
                               kicker_line=current.line if level == current.level else None)
            body = blocks[-1].body
        else:
            blocks.append(Block(number, level, heading))
            body = blocks[-1].body
    return Layout(header, blocks)


def page_section(header: str) -> str | None:
    """The section name of a page header such as 第B03版 经济 or 第05版：城区新闻."""
    match = _PAGE.search(header)
    return match.group(2) if match else None
