"""When each entry was published, and the order every output lists entries in: print order.

Pages carry an issue date, rarely a time. Feed readers need an instant with a
zone, and they sort by it, newest first. So an entry without a time gets the
configured press time in the site's zone, minus one second per article printed
before it that day: the day's first page's lead article is the newest of the
day, and times step down through the paper in print order. Readers that sort by
time then show the lead first, as the page does. The pages of one day are in
file order (a folder's files by name, then its folders, as the loader reads
them), so ``01.txt`` comes before ``02.txt``.

An entry's time depends only on the pages of its own day, so it is the same in
every feed and page that lists it. Equal instants (times given in front matter)
fall back to print order, so the order never depends on the clock or on
dictionary order, and rebuilds are byte-identical.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from .model import Listing

Offsets = Callable[[Listing], int]  # articles printed before an entry's page that day


def file_order(path: str) -> tuple[tuple[int, str], ...]:
    """A sort key putting paths in the loader's order: in each folder its files by name,
    then its folders (so ``b.txt`` comes before ``a/x.txt``)."""
    *folders, name = path.split("/")
    return (*((1, part) for part in folders), (0, name))


def page_offsets(pages: Iterable[tuple[dt.date, str, int]]) -> dict[tuple[dt.date, str], int]:
    """(issue date, path) → how many articles that day's earlier pages print, from every
    page of the days concerned as (issue date, path, articles on the page)."""
    by_day: dict[dt.date, list[tuple[str, int]]] = {}
    for day, path, size in pages:
        by_day.setdefault(day, []).append((path, size))
    offsets = {}
    for day, found in by_day.items():
        before = 0
        for path, size in sorted(found, key=lambda page: file_order(page[0])):
            offsets[(day, path)] = before
            before += size
    return offsets


def newest_first(entries: Iterable[Listing], zone: ZoneInfo, press_time: dt.time,
                 offsets: Offsets) -> list[tuple[dt.datetime, Listing]]:
    """(published, entry) pairs, newest first; equal instants in print order. Every
    instant is time-zone aware: a time given without a zone is in the site's."""
    keyed = []
    press: dict[dt.date, tuple[dt.datetime, float]] = {}  # one zone lookup per issue date
    for entry in entries:
        if entry.time is None:
            base = press.get(entry.issue_date)
            if base is None:
                stamp = dt.datetime.combine(entry.issue_date, press_time, tzinfo=zone)
                base = press[entry.issue_date] = (stamp, stamp.timestamp())
            step = offsets(entry) + entry.position
            when = base[0] - dt.timedelta(seconds=step)
            instant = base[1] - step
        else:
            when = dt.datetime.combine(entry.issue_date, entry.time)
            when = when if when.tzinfo else when.replace(tzinfo=zone)
            instant = when.timestamp()
        keyed.append((-instant, file_order(entry.path), entry.line, when, entry))
    keyed.sort(key=lambda k: k[:3])
    return [(when, entry) for *_, when, entry in keyed]
