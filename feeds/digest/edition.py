"""An edition: the entries no earlier edition carried, grouped by section.

Which entries are new is decided by the content, never by the clock: an edition
takes entries issued within ``look_back_days`` of the newest entry's issue date
that no earlier edition carried. So the first edition of an old demo page still
has its articles, and importing years of archive mails only its last days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..model import Entry, Listing, Section

Dated = TypeVar("Dated", Entry, Listing)  # entries, or their listings (no text read)


@dataclass(frozen=True)
class Group:
    """One section's entries in an edition, in reading order."""

    section: Section
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Edition:
    id: str  # the issue date of its newest entry, with -2, -3 … when that is taken
    date: dt.date
    groups: tuple[Group, ...]  # in the configured order of sections

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for g in self.groups for e in g.entries)

    def share(self, sections: Collection[str] | None) -> tuple[Group, ...]:
        """The groups a subscriber of these section slugs gets (None: all of them)."""
        if sections is None:
            return self.groups
        return tuple(g for g in self.groups if g.section.slug in sections)


def new_entries(entries: Sequence[Dated], carried: Collection[str],
                look_back_days: int) -> list[Dated]:
    """Entries within the look-back window of the newest issue date, minus those
    an earlier edition ``carried`` (by id)."""
    if not entries:
        return []
    newest = max(e.issue_date for e in entries)
    oldest = newest - dt.timedelta(days=look_back_days - 1)
    return [e for e in entries if e.issue_date >= oldest and e.id not in carried]


def group(entries: Iterable[Entry], sections: Sequence[Section]) -> tuple[Group, ...]:
    """Entries by section in the sections' order; newest issue first within a section,
    then in page order (the paper's lead article first)."""
    by_name = {s.name: s for s in sections}
    buckets: dict[str, list[Entry]] = {}
    for entry in entries:
        buckets.setdefault(entry.section, []).append(entry)
    groups = [Group(by_name.get(name) or Section(name, name, len(sections), configured=False),
                    tuple(sorted(items, key=lambda e: e.issue_date, reverse=True)))  # stable
              for name, items in buckets.items()]
    return tuple(sorted(groups, key=lambda g: g.section.order))


def make(entries: Sequence[Entry], sections: Sequence[Section],
         taken: Collection[str]) -> Edition:
    """An edition of these entries, named for its newest issue date."""
    date = max(e.issue_date for e in entries)
    return Edition(edition_id(date, taken), date, group(entries, sections))


def edition_id(date: dt.date, taken: Collection[str]) -> str:
    name, n = date.isoformat(), 2
    while name in taken:
        name, n = f"{date.isoformat()}-{n}", n + 1
    return name
