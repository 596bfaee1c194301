"""The digest email's words: subject, preheader, HTML and plain text, from the templates.

Python decides what goes in (which entries, their links, when to trim); the
templates ``digest.html.j2``, ``digest_sections.html.j2``, ``digest.css.j2`` and
``digest.txt.j2`` decide how it looks.

Each reader's email is rendered from the templates with that reader's values.
What readers of the same sections share is worked out once per choice of
sections: the section blocks (entries, links, thumbnails), whether they must be
trimmed to fit ``max_html_bytes``, and their HTML with its styles inlined by
css-inline (``digest_sections.html.j2`` with ``digest.css.j2``). The document
around them carries its own inline styles, so no reader's email needs inlining:
css-inline on the whole email took 0.5 ms of a message's 3 ms, and rendering the
section blocks for each reader about as much again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import css_inline
from markupsafe import Markup

from .. import rendering
from ..config import Config
from ..dateformat import date_text
from ..model import Entry, Section
from ..photos import Gallery
from ..urls import Links
from .edition import Edition, Group

SUMMARY_CHARS = 140  # a digest teases; the article is one click away
PREHEADER_CHARS = 110  # what inbox lists show after the subject
TRIM_STEPS = (10, 5, 3, 2, 1)  # entries per section tried, in turn, when the HTML is too big
# Room kept below max_html_bytes for one reader's address and links (each appears at
# most three times), so that the decision to trim is the same for every reader.
READER_MARGIN = 2048
THUMBNAIL_WIDTH = 120  # px as shown; the file is the site's narrowest copy (400 px)


@dataclass(frozen=True)
class Thumbnail:
    """An article's lead picture as the email shows it: on the site, never attached
    (attachments would multiply the message's size); sized in the markup for Outlook,
    which ignores CSS sizes."""

    url: str  # absolute
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class Item:
    headline: str
    subtitle: str | None
    summary: str
    url: str
    thumbnail: Thumbnail | None = None


@dataclass(frozen=True)
class Block:
    """A section as the templates show it."""

    name: str
    slug: str
    url: str
    items: tuple[Item, ...]
    hidden: int = 0  # entries left out to keep the email small; the link leads to them


@dataclass(frozen=True)
class Recipient:
    email: str
    unsubscribe_url: str
    preferences_url: str
    sections_text: str  # "教育、经济栏目" or "全部栏目"


@dataclass(frozen=True)
class _Fitted:
    """The sections one choice of sections shows, shared by all its readers."""

    blocks: list[Block]
    html: Markup  # digest_sections.html.j2, its styles inlined
    trimmed: bool  # cut to fit max_html_bytes


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str
    trimmed: bool  # sections were cut to fit max_html_bytes


class Renderer:
    def __init__(self, config: Config,
                 link: Callable[[Entry, Section], str] | None = None,
                 gallery: Gallery | None = None) -> None:
        """``link`` gives an article's URL (its permalink on record); by default, the
        one the URL rules make. ``gallery`` gives the entries' pictures (default: those
        of the configured content, with the build's image cache)."""
        self.config = config
        self.gallery = gallery or Gallery(config.content_path, config.state_path)
        self.links = Links(config.site.base_url, config.feeds.article_url)
        self.link = link or self.links.article
        env = rendering.environment(config)
        self.html_template = rendering.load(env, "digest.html.j2")
        self.sections_template = rendering.load(env, "digest_sections.html.j2")
        self.css = rendering.render(rendering.load(env, "digest.css.j2"))
        self.text_template = rendering.load(env, "digest.txt.j2")
        self.inliner = css_inline.CSSInliner(minify_css=True, load_remote_stylesheets=False)
        self.max_html_bytes = config.digest.max_html_bytes
        self._blocks: dict[tuple[str, str], Block] = {}
        # (edition, section slugs) → the sections as they fit max_html_bytes (READER_MARGIN
        # makes that the same for every reader).
        self._fitted: dict[tuple[str, tuple[str, ...]], _Fitted] = {}

    # ------------------------------------------------------------------ decisions
    def subject(self, edition: Edition, groups: Sequence[Group]) -> str:
        """【城区新闻】9月20日 教育1·经济2: the site, the edition's day, what is in it."""
        counts = "·".join(f"{g.section.name}{len(g.entries)}" for g in groups)
        return f"【{self.config.site.title}】{edition.date.month}月{edition.date.day}日 {counts}"

    def preheader(self, groups: Sequence[Group]) -> str:
        """The lead headline of each section, as far as an inbox list shows them."""
        text = "｜".join(g.entries[0].headline for g in groups if g.entries)
        return _shorten(text, PREHEADER_CHARS)

    def block(self, edition: Edition, group: Group) -> Block:
        key = (edition.id, group.section.slug)
        if key not in self._blocks:
            self._blocks[key] = Block(group.section.name, group.section.slug,
                                      self.links.url(Links.section_path(group.section.slug)),
                                      tuple(self._item(e, group) for e in group.entries))
        return self._blocks[key]

    def _item(self, entry: Entry, group: Group) -> Item:
        return Item(entry.headline, entry.subtitle, _shorten(entry.summary, SUMMARY_CHARS),
                    self.link(entry, group.section), self._thumbnail(entry))

    def _thumbnail(self, entry: Entry) -> Thumbnail | None:
        pictures = self.gallery.pictures(entry) if entry.photos else ()
        if not pictures:
            return None
        small = pictures[0].thumbnail
        width = min(THUMBNAIL_WIDTH, small.width)
        return Thumbnail(self.links.url(small.path), width,
                         max(1, round(small.height * width / small.width)),
                         pictures[0].photo.caption or entry.headline)

    # ------------------------------------------------------------------ output
    def email(self, edition: Edition, groups: Sequence[Group], recipient: Recipient) -> Rendered:
        """The email for one reader; sections trimmed to their top entries when the
        HTML would pass max_html_bytes (Gmail clips longer messages)."""
        subject = self.subject(edition, groups)
        context = self._context(edition, subject, groups, recipient)
        key = (edition.id, tuple(g.section.slug for g in groups))
        fitted = self._fitted.get(key)
        if fitted is None:
            fitted = self._fitted[key] = self._fit(edition, groups, context)
        html = self._html(fitted, context)
        text = rendering.render(self.text_template, groups=fitted.blocks, **context)
        return Rendered(subject, html, text, fitted.trimmed)

    def web_copy(self, edition: Edition) -> str:
        """The edition as a web page: every section, no reader's links."""
        blocks = [self.block(edition, g) for g in edition.groups]
        context = self._context(edition, self.subject(edition, edition.groups),
                                edition.groups, None)
        return self._html(self._sections(blocks, trimmed=False), context | {"web": True})

    def _fit(self, edition: Edition, groups: Sequence[Group],
             context: dict[str, object]) -> _Fitted:
        """The sections of one choice, cut down until this reader's email fits (the
        margin leaves room for any other reader's address and links)."""
        fitted = self._sections([self.block(edition, g) for g in groups], trimmed=False)
        for keep in TRIM_STEPS:
            if len(self._html(fitted, context).encode()) + READER_MARGIN <= self.max_html_bytes:
                break
            fitted = self._sections([_trim(b, keep) for b in fitted.blocks], trimmed=True)
        return fitted

    def _sections(self, blocks: Sequence[Block], *, trimmed: bool) -> _Fitted:
        html = rendering.render(self.sections_template, groups=blocks)
        return _Fitted(list(blocks), Markup(self.inliner.inline_fragment(html, self.css)),
                       trimmed)

    def _html(self, fitted: _Fitted, context: dict[str, object]) -> str:
        return rendering.render(self.html_template, sections=fitted.html,
                                groups=fitted.blocks, **context)

    def _context(self, edition: Edition, subject: str, groups: Sequence[Group],
                 recipient: Recipient | None) -> dict[str, object]:
        site = self.config.site
        return {"site": site, "subject": subject, "preheader": self.preheader(groups),
                "recipient": recipient, "web": False,
                "edition": {"id": edition.id, "date": edition.date,
                            "date_text": date_text(edition.date, site.language)},
                "links": {"web_url": self.links.url(Links.digest_path(edition.id)),
                          "subscribe_url": self.links.subscribe()}}


def sections_text(groups_chosen: Sequence[str] | None) -> str:
    return "全部栏目" if not groups_chosen else "、".join(groups_chosen) + "栏目"


def _trim(block: Block, keep: int) -> Block:
    if len(block.items) <= keep:
        return block
    return replace(block, items=block.items[:keep], hidden=len(block.items) + block.hidden - keep)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
