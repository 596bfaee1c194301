"""When each entry was published, and the newest-first order every output lists them in.

Pages carry an issue date, rarely a time. Feed readers need an instant with a
zone, and they sort by it: an entry without a time gets the configured press
time in the site's zone, minus one second per place on its page, so a page's
articles keep their printed order however a reader sorts. Ties between pages
of one day fall back to file order, so the order never depends on the clock or
on dictionary order, and rebuilds are byte-identical.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from .model import Entry


def published(entry: Entry, zone: ZoneInfo, press_time: dt.time) -> dt.datetime:
    """The publication instant of an entry, always time-zone aware."""
    if entry.time is not None:
        stamp = dt.datetime.combine(entry.issue_date, entry.time)
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=zone)
    stamp = dt.datetime.combine(entry.issue_date, press_time, tzinfo=zone)
    return stamp - dt.timedelta(seconds=entry.position)


def newest_first(entries: Iterable[Entry], zone: ZoneInfo,
                 press_time: dt.time) -> list[tuple[dt.datetime, Entry]]:
    """(published, entry) pairs, newest first; ties keep file and page order."""
    timed = [(published(e, zone, press_time), e) for e in entries]
    timed.sort(key=lambda pair: (-pair[0].timestamp(), pair[1].source.path,
                                 pair[1].source.line))
    return timed
