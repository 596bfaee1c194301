"""When each entry was published, and the newest-first order every output lists them in.

Pages carry an issue date, rarely a time. Feed readers need an instant with a
zone, and they sort by it: an entry without a time gets the configured press
time in the site's zone, plus one second per place on its page, so a page's
articles keep their printed order in time and an article appended to a page
later counts as the newer one. Ties between pages of one day fall back to file
order, so the order never depends on the clock or on dictionary order, and
rebuilds are byte-identical.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from .model import Listing


def published(entry: Listing, zone: ZoneInfo, press_time: dt.time) -> dt.datetime:
    """The publication instant of an entry, always time-zone aware."""
    if entry.time is not None:
        stamp = dt.datetime.combine(entry.issue_date, entry.time)
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=zone)
    stamp = dt.datetime.combine(entry.issue_date, press_time, tzinfo=zone)
    return stamp + dt.timedelta(seconds=entry.position)


def newest_first(entries: Iterable[Listing], zone: ZoneInfo,
                 press_time: dt.time) -> list[tuple[dt.datetime, Listing]]:
    """(published, entry) pairs, newest first; ties go by file, the later file first."""
    keyed = []
    press: dict[dt.date, tuple[dt.datetime, float]] = {}  # one zone lookup per issue date
    for entry in entries:
        if entry.time is None:
            base = press.get(entry.issue_date)
            if base is None:
                stamp = dt.datetime.combine(entry.issue_date, press_time, tzinfo=zone)
                base = press[entry.issue_date] = (stamp, stamp.timestamp())
            when = base[0] + dt.timedelta(seconds=entry.position)
            instant = base[1] + entry.position
        else:
            when = published(entry, zone, press_time)
            instant = when.timestamp()
        keyed.append((instant, entry.path, entry.line, when, entry))
    keyed.sort(reverse=True, key=lambda k: k[:3])
    return [(when, entry) for *_, when, entry in keyed]
