"""The loaded content as the outputs read it: a catalogue that answers without reading it all.

A build of 100,000 articles shows a few hundred of them in its feeds. So the
catalogue answers the questions a build asks (the latest entries of a section,
how many a section has, which files were skipped) from an index, and reads an
entry's text only when an output renders it (:meth:`Catalog.resolve`). Two
backends answer: one holding a fresh parse in memory (:class:`InMemory`), and
the parse cache's SQLite index (``feeds.content.cache``), which lets a rebuild
after one new page skip reading the other pages' entries at all.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import cached_property, partial
from typing import Protocol

from ..model import Entry, Listing, Section, fingerprint, sample
from .ids import unique_ids
from .results import FileReport


class Backend(Protocol):
    """Where a catalogue's listings and entries come from."""

    def listings(self) -> Sequence[Listing]:
        """Every listing, in file and page order."""

    def latest(self, section: str | None) -> Iterator[Listing]:
        """Listings of one section (None: all), by issue date, the latest first."""

    def count(self, section: str | None) -> int: ...

    def listings_of(self, path: str) -> list[Listing]:
        """One file's listings, in page order."""

    def versions(self) -> dict[str, str | None]:
        """Each readable file → the parse its entries come from (None: not known)."""

    def pages_on(self, days: Collection[dt.date]) -> list[tuple[dt.date, str, int]]:
        """(issue date, path, articles on the page) of every page of those days."""

    def sections_used(self) -> set[str]: ...

    def files(self) -> Sequence[FileReport]:
        """A report per file, in file order."""

    def skipped(self) -> list[FileReport]:
        """Reports of the files that gave nothing (an error), in file order."""

    def digests(self, path: str) -> dict[int, tuple[str, str]]:
        """Position → (fingerprint, sample) of one file's entries (see feeds.model)."""

    def entries_of(self, path: str) -> tuple[Entry, ...]:
        """One file's entries as parsed (ids of later duplicates not yet changed)."""

    def twins(self) -> list[Listing]:
        """The listings whose id another listing has too, in file and page order: the
        articles printed with one headline on one day, told apart by the catalogue."""

    def close(self) -> None: ...


class Catalog:
    """All the content: listings of the entries, the sections, a report per file.

    Backends list entries with the ids they were parsed with; the catalogue gives
    the later articles of a headline printed twice on one day their own
    (ids.unique_ids), whichever backend lists them."""

    def __init__(self, backend: Backend, sections: tuple[Section, ...]) -> None:
        self.backend = backend
        self.sections = sections
        self._renamed: Mapping[str, str] = {}
        twins = backend.twins()
        self._twins = {listing.id for listing in twins}
        self._unique = unique_ids(twins, partial(text, backend))

    def rename(self, ids: Mapping[str, str]) -> None:
        """Give entries the ids they were first published with (id as the loader mints
        it now → id on record; see feeds.published): a corrected headline keeps its id."""
        self._renamed = ids
        for name in ("listings", "entries"):
            self.__dict__.pop(name, None)

    def _minted(self, listing: Listing) -> Listing:
        """The listing with the id the loader minted: unique when its headline is not."""
        if listing.id in self._twins:
            unique = self._unique.get((listing.path, listing.position))
            if unique is not None:
                return listing._replace(id=unique)
        return listing

    def _named(self, listing: Listing) -> Listing:
        """The listing with the id it was first published with."""
        listing = self._minted(listing)
        kept = self._renamed.get(listing.id)
        return listing if kept is None else listing._replace(id=kept)

    def _named_all(self, listings: Iterable[Listing]) -> Iterator[Listing]:
        if not self._renamed and not self._unique:  # nearly always: no work per listing
            return iter(listings)
        return map(self._named, listings)

    @cached_property
    def listings(self) -> tuple[Listing, ...]:
        """Every entry's listing, in file and page order."""
        return tuple(self._named_all(self.backend.listings()))

    def listings_of(self, path: str) -> list[Listing]:
        """One file's listings in page order, with the ids the loader minted."""
        return [self._minted(x) for x in self.backend.listings_of(path)]

    def minted(self) -> dict[str, list[Listing]]:
        """Every file's listings in page order, with the ids the loader minted, in one
        pass (listings_of() for them all)."""
        by_file: dict[str, list[Listing]] = {}
        for listing in self.backend.listings():
            by_file.setdefault(listing.path, []).append(self._minted(listing))
        return by_file

    def versions(self) -> dict[str, str | None]:
        return self.backend.versions()

    def digests(self, path: str) -> dict[int, tuple[str, str]]:
        """Position → (fingerprint, sample) of one file's entries (feeds.model): what
        recording an article needs of its text. Made when the file was parsed in this
        run, in whichever process parsed it."""
        return self.backend.digests(path)

    @cached_property
    def files(self) -> tuple[FileReport, ...]:
        return tuple(self.backend.files())

    @cached_property
    def entries(self) -> tuple[Entry, ...]:
        """Every entry, in file and page order: the whole text of the content."""
        return tuple(self.resolve(listing) for listing in self.listings)

    def entries_in(self, sections: Collection[str]) -> tuple[Entry, ...]:
        """The entries of these sections (each named by its name or its slug), in file and
        page order; every entry when none is named."""
        if not sections:
            return self.entries
        wanted = {s.name for s in self.sections if s.name in sections or s.slug in sections}
        return tuple(self.resolve(x) for x in self.listings if x.section in wanted)

    def latest(self, section: str | None = None) -> Iterator[Listing]:
        """The listings of a section (by name; None: every section) by issue date, latest
        first; entries of one issue date come in no particular order."""
        return self._named_all(self.backend.latest(section))

    def count(self, section: str | None = None) -> int:
        return self.backend.count(section)

    def skipped(self) -> list[FileReport]:
        return self.backend.skipped()

    def pages_on(self, days: Collection[dt.date]) -> list[tuple[dt.date, str, int]]:
        """Every page printed on those issue dates: (issue date, path, how many articles
        it has), counted as one more than its last article's place."""
        return self.backend.pages_on(days)

    def resolve(self, listing: Listing) -> Entry:
        """The entry a listing stands for, with the listing's id (which differs from the
        parsed one for a later article with the same headline on the same day)."""
        entry = entry_at(self.backend.entries_of(listing.path), listing)
        return entry if entry.id == listing.id else replace(entry, id=listing.id)

    def close(self) -> None:
        """Release the parse cache; entries not read by now can no longer be."""
        self.backend.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __eq__(self, other: object) -> bool:
        """The same content: entries, sections and reports (however they were loaded:
        listing versions, which name the parse, are not compared)."""
        if not isinstance(other, Catalog):
            return NotImplemented
        return ((self.sections, self.files, self.entries)
                == (other.sections, other.files, other.entries)
                and [x._replace(version=None) for x in self.listings]
                == [x._replace(version=None) for x in other.listings])

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Catalog: {self.count()} entries, {len(self.sections)} sections>"


class InMemory:
    """A backend over files parsed in this process (a load without the parse cache)."""

    def __init__(self, files: Sequence[tuple[FileReport, tuple[Listing, ...]]],
                 parsed: dict[str, tuple[Entry, ...]]) -> None:
        self._reports = [report for report, _ in files]
        self._parsed = parsed
        self._listings = [listing for _, of_file in files for listing in of_file]
        self._latest: dict[str | None, list[Listing]] = {}

    def listings(self) -> Sequence[Listing]:
        return self._listings

    def latest(self, section: str | None) -> Iterator[Listing]:
        if section not in self._latest:
            chosen = [x for x in self._listings if section is None or x.section == section]
            self._latest[section] = sorted(chosen, key=lambda x: x.issue_date, reverse=True)
        return iter(self._latest[section])

    def listings_of(self, path: str) -> list[Listing]:
        return [x for x in self._listings if x.path == path]

    def versions(self) -> dict[str, str | None]:
        return {report.path: None for report in self._reports}

    def count(self, section: str | None) -> int:
        if section is None:
            return len(self._listings)
        return sum(1 for x in self._listings if x.section == section)

    def pages_on(self, days: Collection[dt.date]) -> list[tuple[dt.date, str, int]]:
        return sorted_pages((x.issue_date, x.path, x.position)
                            for x in self._listings if x.issue_date in days)

    def sections_used(self) -> set[str]:
        return {x.section for x in self._listings}

    def files(self) -> Sequence[FileReport]:
        return self._reports

    def skipped(self) -> list[FileReport]:
        return [r for r in self._reports if r.skipped]

    def entries_of(self, path: str) -> tuple[Entry, ...]:
        return self._parsed[path]

    def digests(self, path: str) -> dict[int, tuple[str, str]]:
        return {e.position: (fingerprint(e), sample(e)) for e in self._parsed.get(path, ())}

    def twins(self) -> list[Listing]:
        counts = Counter(x.id for x in self._listings)
        return [x for x in self._listings if counts[x.id] > 1]

    def close(self) -> None:
        pass


def sorted_pages(places: Iterable[tuple[dt.date, str, int]]
                 ) -> list[tuple[dt.date, str, int]]:
    """(issue date, path, place of an article) → (issue date, path, articles on the page)."""
    sizes: dict[tuple[dt.date, str], int] = {}
    for day, path, position in places:
        sizes[(day, path)] = max(sizes.get((day, path), 0), position + 1)
    return sorted((day, path, size) for (day, path), size in sizes.items())


def entry_at(entries: Iterable[Entry], listing: Listing) -> Entry:
    """The entry of a file's parse that a listing stands for (with the id as parsed)."""
    for entry in entries:
        if entry.position == listing.position:
            return entry
    raise KeyError(f"{listing.source}: no such entry")


def text(backend: Backend, listing: Listing) -> str:
    """What tells apart articles printed with one headline (see ids.unique_ids)."""
    return "\n".join(entry_at(backend.entries_of(listing.path), listing).paragraphs)
