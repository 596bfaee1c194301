"""Sections: where an article belongs, and the ordered list of sections a site has.

An article's section is, in order: front matter ``section`` (final: an editor
chose it), else the page header's section name, else the folder name when
``folder_sections`` is on, else the default section. Keyword rules from
``feeds.toml`` may then move a page's article into a topical section: the
section whose keywords occur most in the article wins, headline hits counting
three times, when it reaches ``min_keyword_score``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..config import RESERVED_SCOPES, Config, is_reserved
from ..model import Section
from ..slugs import section_slug

_HEADLINE_WEIGHT = 3


@dataclass(frozen=True)
class Rules:
    """The part of the configuration that decides sections; picklable for workers."""

    default: str
    folder_sections: bool
    min_score: int
    keywords: tuple[tuple[str, tuple[str, ...]], ...]  # (section name, its keywords)
    aliases: tuple[tuple[str, str], ...]  # slug → name, so content may name either

    @classmethod
    def from_config(cls, config: Config) -> Rules:
        return cls(
            default=config.site.default_section,
            folder_sections=config.site.folder_sections,
            min_score=config.site.min_keyword_score,
            keywords=tuple((s.name, s.keywords) for s in config.sections if s.keywords),
            aliases=tuple((s.slug, s.name) for s in config.sections),
        )

    def canonical(self, name: str) -> str:
        return dict(self.aliases).get(name, name)

    def classify(self, base: str, title: str, paragraphs: Iterable[str]) -> str:
        """Move an article to the best-scoring topical section, or leave it in ``base``."""
        if not self.keywords:
            return base
        body = "\n".join(paragraphs)
        best, best_score = base, self.min_score - 1
        for name, words in self.keywords:
            score = sum(_HEADLINE_WEIGHT * title.count(w) + body.count(w) for w in words)
            if score > best_score:
                best, best_score = name, score
        return best


def unreserved(name: str) -> str:
    """A name from the content that is not one the URLs keep (``all``): as it is, or
    with 栏目 ("section") added, which makes both name and slug free."""
    # Only a name of Latin letters alone can have a slug the URLs keep (Han characters
    # always add pinyin syllables), and such a name needs no pinyin to tell.
    if is_reserved(name) or (name.isascii() and is_reserved("".join(filter(str.isalnum, name)))):
        return f"{name}栏目"
    return name


def catalogue(config: Config, used: Iterable[str]) -> tuple[Section, ...]:
    """Configured sections in their order, then those only the content names, by slug."""
    configured = sorted(enumerate(config.sections),
                        key=lambda item: (item[1].order if item[1].order is not None
                                          else item[0], item[0]))
    sections = [Section(s.name, s.slug, rank) for rank, (_, s) in enumerate(configured)]
    taken = {s.slug for s in sections} | RESERVED_SCOPES
    known = {s.name for s in sections}
    extra = []
    for name in sorted(set(used) - known):
        slug = unique_slug(section_slug(name) or "section", taken)
        taken.add(slug)
        extra.append((slug, name))
    sections.extend(Section(name, slug, len(sections) + i, configured=False)
                    for i, (slug, name) in enumerate(sorted(extra)))
    return tuple(sections)


def unique_slug(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate
