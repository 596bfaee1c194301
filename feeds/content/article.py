"""One article block → one Entry: headline, clean paragraphs, authors, dates, section."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model import Author, Entry, Source
from . import bylines, dates, headlines, ids
from .reflow import reflow
from .sections import Rules

_PHOTO_CREDIT_ENDS = ("摄", "摄）", "摄)", "摄影", "摄影）", "摄影)")
_CAPTION_STARTS = frozenset("图▲△■◆上下左右")


@dataclass(frozen=True)
class PageContext:
    """What every article of one file shares."""

    path: str
    domain: str
    issue_date: dt.date
    section: str
    section_is_final: bool  # front matter named it: keyword rules must not move it
    rules: Rules
    time: dt.time | None = None
    author: str | None = None  # front matter author, for single-article files
    id: str | None = None  # front matter id, for single-article files


class Skipped(Exception):
    """An article block that cannot become an entry; the file's other articles still load."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def build(page: PageContext, line: int, heading: str, subheading: str | None,
          body: list[tuple[int, str]], position: int) -> Entry:
    """Make the entry for the article whose heading is on ``line``."""
    title, main, subtitle = _headline(heading, subheading)
    if not title:
        raise Skipped(line, "heading has no text")
    text_lines, captions, credits, leading, trailing = _sort_lines(body)
    paragraphs = reflow(text_lines)
    if not paragraphs:
        raise Skipped(line, f"article {title!r} has a heading but no text")
    raw_lead = paragraphs[0]
    lead = bylines.split_dateline(raw_lead)
    paragraphs[0] = lead.text
    paragraphs[-1], tail = bylines.split_tail(paragraphs[-1])
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        raise Skipped(line, f"article {title!r} has only a byline, no text")
    found = [b for b in (lead.byline, *leading, *credits, tail, *trailing) if b is not None]
    if page.author:
        found.insert(0, _front_matter_author(page.author))
    date, approximate = dates.event_date(raw_lead, page.issue_date)
    section = page.section
    if not page.section_is_final:
        section = page.rules.classify(section, title, paragraphs)
    return Entry(
        id=ids.mint(page.domain, page.issue_date, title, page.id),
        title=title,
        headline=main,
        subtitle=subtitle,
        section=section,
        issue_date=page.issue_date,
        date=date,
        date_approximate=approximate,
        authors=tuple(dict.fromkeys(a for b in found for a in b.authors)),
        paragraphs=tuple(paragraphs),
        captions=tuple(captions),
        summary=paragraphs[0],
        source=Source(page.path, line),
        position=position,
        time=page.time,
        byline=" ".join(b.text for b in found if b not in credits),
    )


def _headline(heading: str, subheading: str | None) -> tuple[str, str, str | None]:
    head = headlines.normalise(heading)
    if subheading is None:
        return head.title, head.main, head.subtitle
    sub = headlines.normalise(subheading).title
    if not sub:
        return head.title, head.title, None
    return f"{head.title} {sub}", head.title, sub


def _sort_lines(body: list[tuple[int, str]]) -> tuple[
        list[tuple[int, str]], list[str], list[bylines.Byline],
        list[bylines.Byline], list[bylines.Byline]]:
    """Separate text lines from captions and byline lines, in one pass.

    Captions may stand anywhere (conversion puts them where the photo was, even
    inside a broken paragraph, which then rejoins around them). A byline on a
    line of its own is taken from the first or last line, or anywhere when it is
    bracketed; unbracketed elsewhere it could be a short sentence, so it stays.
    """
    last = len(body) - 1  # body holds only non-blank lines (page.split_page)
    text_lines, captions, credits, leading, trailing = [], [], [], [], []
    for i, (number, raw) in enumerate(body):
        text = raw.strip()
        if text[0] in _CAPTION_STARTS or text.endswith(_PHOTO_CREDIT_ENDS):
            found = bylines.caption(text)
            if found is not None:
                if found.text:
                    captions.append(text)
                if found.byline:
                    credits.append(found.byline)
                continue
        if i == 0 or i == last or text[0] in "（(":
            byline = bylines.parse(text)
            if byline is not None:
                (trailing if i == last and i else leading).append(byline)
                continue
        text_lines.append((number, raw))
    return text_lines, captions, credits, leading, trailing


def _front_matter_author(text: str) -> bylines.Byline:
    parsed = bylines.parse(text)
    if parsed is not None:
        return parsed
    return bylines.Byline(tuple(Author(name) for name in text.split()), text)
