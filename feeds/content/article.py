"""One article block → one Entry: headline, clean paragraphs, authors, dates, section."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from ..lazyre import lazy_compile
from ..model import Author, Entry, Source
from . import bylines, dates, headlines, ids
from .reflow import PLAIN, closes, reflow
from .sections import Rules

_PHOTO_CREDIT_ENDS = ("摄", "摄）", "摄)", "摄影", "摄影）", "摄影)")
_CAPTION_STARTS = frozenset("图▲△■◆上下左右")
# An editor's note (编者按：…) introduces the article: it stays in the text, but the
# lead that dates the article and becomes its summary is the paragraph after it.
_EDITORS_NOTE = lazy_compile(
    r"^(?:[【\[〔（(]\s*(?:编者按|编者的话|编前语)\s*[】\]〕）)]\s*[：:]?"
    r"|(?:编者按|编者的话|编前语)\s*[：:])")
_EDITORS_NOTE_STARTS = ("编者", "编前", "【", "[", "〔", "（", "(")
# A sub-title printed under the headline and set apart with a dash: ——新增学位三千个
_DASH_SUBTITLE = lazy_compile(r"^[—－-]{1,2}\s*\S")
_LONGEST_SUBTITLE = 40
_SHORT_LINE = 80  # longer lines are paragraphs: no credit or byline test for them


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
    style: str = PLAIN  # how the page marks paragraphs (reflow.convention)
    notes: list[tuple[int, str]] = field(default_factory=list)  # repairs made on a guess


class Skipped(Exception):
    """An article block that cannot become an entry; the file's other articles still load."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def build(page: PageContext, line: int, heading: str, subheading: str | None,
          body: list[tuple[int, str]], position: int, *, kicker: str | None = None,
          section: str | None = None) -> Entry:
    """Make the entry for the article whose heading is on ``line``. ``section`` is the
    page's section where the article stands, when it differs from the file's."""
    sorted_lines = _sort_lines(body)
    if subheading is None and sorted_lines.subtitle:
        subheading = sorted_lines.subtitle
    title, main, subtitle = _headline(heading, subheading)
    if not title:
        raise Skipped(line, "heading has no text")
    paragraphs = reflow(sorted_lines.text, page.style)
    if not paragraphs:
        raise Skipped(line, f"article {title!r} has a heading but no text")
    paragraphs = [bylines.without_source_credit(p) if p.endswith(("）", ")")) else p
                  for p in paragraphs]
    first = _lead_index(paragraphs)
    raw_lead = paragraphs[first]
    lead = bylines.split_dateline(raw_lead)
    paragraphs[first] = lead.text
    paragraphs[-1], tail = bylines.split_tail(paragraphs[-1])
    if tail is None:
        paragraphs[-1], tail = _bare_names_tail(paragraphs[-1], sorted_lines.last_line,
                                                page.notes)
    summary = paragraphs[first]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        raise Skipped(line, f"article {title!r} has only a byline, no text")
    if not summary:
        summary = next((p for p in paragraphs if not _EDITORS_NOTE.match(p)), paragraphs[0])
    credits = sorted_lines.credits
    found = [b for b in (*sorted_lines.leading, lead.byline, *credits, tail,
                         *sorted_lines.trailing) if b is not None]
    if page.author:
        found.insert(0, _front_matter_author(page.author))
    date, approximate = dates.event_date(raw_lead, page.issue_date)
    section = section or page.section
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
        authors=bylines.merged([a for b in found for a in b.authors]),
        paragraphs=tuple(paragraphs),
        captions=tuple(sorted_lines.captions),
        summary=summary,
        source=Source(page.path, line),
        position=position,
        time=page.time,
        byline=" ".join(b.text for b in found if b not in credits),
        kicker=headlines.normalise(kicker).title or None if kicker else None,
    )


def _lead_index(paragraphs: list[str]) -> int:
    """The first paragraph that is not an editor's note (the last one if all are)."""
    for i, paragraph in enumerate(paragraphs):
        if not (paragraph.startswith(_EDITORS_NOTE_STARTS) and _EDITORS_NOTE.match(paragraph)):
            return i
    return len(paragraphs) - 1


def _bare_names_tail(paragraph: str, line: int, notes: list[tuple[int, str]]
                     ) -> tuple[str, bylines.Byline | None]:
    """A brief closed by a bracketed name with no title: …圆满结束。（林晓）"""
    if not paragraph.endswith(("）", ")")):
        return paragraph, None
    cut = max(paragraph.rfind("（"), paragraph.rfind("("))
    if cut < 0 or (cut and not closes(paragraph[:cut])):
        return paragraph, None
    found = bylines.bare_names(paragraph[cut:])
    if found is None:
        return paragraph, None
    notes.append((line, f"read “{paragraph[cut:]}” closing the article as its author's name"))
    return paragraph[:cut].rstrip(), found


def _headline(heading: str, subheading: str | None) -> tuple[str, str, str | None]:
    head = headlines.normalise(heading)
    if subheading is None:
        return head.title, head.main, head.subtitle
    sub = headlines.normalise(subheading).title
    if not sub:
        return head.title, head.title, None
    return f"{head.title} {sub}", head.title, sub


class _Sorted(NamedTuple):
    text: list[tuple[int, str]]
    captions: list[str]
    credits: list[bylines.Byline]  # from photo captions
    leading: list[bylines.Byline]
    trailing: list[bylines.Byline]
    subtitle: str | None  # a ——sub-title under the headline
    last_line: int


def _sort_lines(body: list[tuple[int, str]]) -> _Sorted:
    """Separate text lines from captions, credits and byline lines, in one pass.

    Captions may stand anywhere (conversion puts them where the photo was, even
    inside a broken paragraph, which then rejoins around them). Bylines stand at
    the top, right under the headline, as many lines of them as there are (a
    marker such as ■ may lead them), or on the last line; a bracketed one
    anywhere. Unbracketed elsewhere a byline-like line could be a short
    sentence, so it stays. This loop sees every line of every article: the
    common line, a paragraph, costs a few tests of its first and last characters.
    """
    last = len(body) - 1  # body holds only non-blank lines (page.split_page)
    text_lines: list[tuple[int, str]] = []
    captions: list[str] = []
    credits: list[bylines.Byline] = []
    leading: list[bylines.Byline] = []
    trailing: list[bylines.Byline] = []
    subtitle = None
    top = True  # nothing but bylines, captions and credits so far
    markers = bylines.MARKERS
    for i, (number, raw) in enumerate(body):
        text = raw.strip()
        first = text[0]
        if len(text) <= _SHORT_LINE and bylines.is_source_credit(text):
            continue
        if first in markers:
            byline = bylines.parse(text)
            if byline is not None:
                (trailing if i == last and not top else leading).append(byline)
                continue
        if first in _CAPTION_STARTS or text.endswith(_PHOTO_CREDIT_ENDS):
            found = bylines.caption(text)
            if found is not None:
                if found.text:
                    captions.append(bylines.without_source_credit(text))
                if found.byline:
                    credits.append(found.byline)
                continue
        if top or i == last or first in "（(":
            if top and i == 0 and first in "—－-" and _is_dash_subtitle(text):
                subtitle = text.lstrip("—－-").strip()
                continue
            byline = bylines.parse(text)
            if byline is not None:
                (trailing if i == last and not top else leading).append(byline)
                continue
        top = False
        text_lines.append((number, raw))
    return _Sorted(text_lines, captions, credits, leading, trailing, subtitle,
                   body[-1][0] if body else 0)


def _is_dash_subtitle(text: str) -> bool:
    return (bool(_DASH_SUBTITLE.match(text)) and len(text) <= _LONGEST_SUBTITLE
            and not closes(text))


def _front_matter_author(text: str) -> bylines.Byline:
    return bylines.parse(text) or bylines.Byline(tuple(map(Author, text.split())), text)
