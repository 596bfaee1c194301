"""How dates are written for readers: one format per language, in this one place.

Pages, feeds' HTML and emails all call these, so a site never shows one date as
2022-09-20 in one place and 2022年9月20日 in another. Machine-readable dates
(``<time datetime>``, feeds' RFC 822 and RFC 3339 stamps) are not for reading
and keep their standard forms.
"""

from __future__ import annotations

import datetime as dt

_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def _family(language: str) -> str:
    return language.split("-")[0].lower()


def date_text(day: dt.date, language: str) -> str:
    """A full date as readers of the language write it: 2022年9月20日, September 20, 2022."""
    family = _family(language)
    if family in ("zh", "ja"):
        return f"{day.year}年{day.month}月{day.day}日"
    if family == "en":
        return f"{_EN_MONTHS[day.month - 1]} {day.day}, {day.year}"
    return day.isoformat()


def month_text(year: int, month: int, language: str) -> str:
    """A month: 2022年9月, September 2022."""
    family = _family(language)
    if family in ("zh", "ja"):
        return f"{year}年{month}月"
    if family == "en":
        return f"{_EN_MONTHS[month - 1]} {year}"
    return f"{year:04d}-{month:02d}"


def day_text(day: dt.date, language: str) -> str:
    """The day of a month, in a list of one month's days: 20日, 20."""
    return f"{day.day}日" if _family(language) in ("zh", "ja") else str(day.day)
