"""Optional YAML front matter between ``---`` lines at the top of a content file."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import yaml

from ..errors import ContentError
from ..lazyre import lazy_compile
from .dates import PLAUSIBLE_YEARS, full_date

try:  # libyaml's loader is many times faster; PyYAML's pure one gives the same data
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

KNOWN_KEYS = ("date", "section", "title", "author", "id", "image")
_YEAR = lazy_compile(r"(?<!\d)\d{4}(?!\d)")
_TIME = lazy_compile(r"\d{1,2}:\d{2}")
# YAML's escapes ("\0", "\x07") put control characters that the decoder removed from
# the file back into a value; they would end up in feeds, which XML forbids.
_CONTROLS = lazy_compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


@dataclass(frozen=True)
class FrontMatter:
    date: dt.date | None = None
    time: dt.time | None = None
    section: str | None = None
    title: str | None = None
    author: str | None = None  # as a byline: "记者 张三 通讯员 李四" or "张三"
    id: str | None = None
    image: str | None = None  # a single article's picture, relative to the file
    line: int = 0  # line of the opening ---, 0 when there is none


@dataclass(frozen=True)
class Split:
    meta: FrontMatter
    body: str  # the text after the front matter
    first_line: int  # line number of the body's first line in the file
    notes: tuple[tuple[int, str], ...] = ()


_FENCE = lazy_compile(r"^---[ \t]*$", re.MULTILINE)
_CLOSE = lazy_compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def split_front_matter(text: str, path: str) -> Split:
    """Separate front matter from the body. Blank lines may precede the opening ---."""
    body = text.lstrip()
    start = text.count("\n", 0, len(text) - len(body))  # blank lines before it
    opening = _FENCE.match(body)
    if opening is None:
        return Split(FrontMatter(), text, 1)
    closing = _CLOSE.search(body, opening.end())
    if closing is None:
        raise ContentError(path, start + 1, "front matter opened with --- is never closed "
                                            "(add a line with --- after it)")
    source = body[opening.end():closing.start()]
    try:
        data = yaml.load(source, Loader=_Loader) if source.strip() else {}
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date such as 2024-13-45
        mark = getattr(exc, "problem_mark", None)
        # the YAML source starts on the opening --- line, so its line 0 is that line
        line = start + 1 + mark.line if mark is not None else start + 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContentError(path, line, f"front matter is not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise ContentError(path, start + 1, "front matter must be `key: value` lines")
    meta, notes = _read(data, path, start + 1)
    first_line = start + 1 + body.count("\n", 0, closing.end()) + 1
    return Split(meta, body[closing.end() + 1:], first_line, notes)


def _read(data: dict, path: str, line: int) -> tuple[FrontMatter, tuple[tuple[int, str], ...]]:
    notes = [(line, f"front matter key {key!r} is not used (known keys: {', '.join(KNOWN_KEYS)})")
             for key in data if key not in KNOWN_KEYS]
    day, time = _date(data.get("date"), path, line)
    values = {key: _author(data.get(key), path, line) if key == "author"
              else _text(data, key, path, line)
              for key in ("section", "title", "author", "id", "image")}  # in that order
    return FrontMatter(date=day, time=time, line=line, **values), tuple(notes)


def _text(data: dict, key: str, path: str, line: int) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise ContentError(path, line, f"front matter {key!r} must be text")
    text = _CONTROLS.sub("", str(value)).strip()
    return text or None


def _author(value: object, path: str, line: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return _CONTROLS.sub("", " ".join(v.strip() for v in value)).strip() or None
    if isinstance(value, str):
        return _CONTROLS.sub("", value).strip() or None
    raise ContentError(path, line, "front matter 'author' must be a name or a list of names")


def _date(value: object, path: str, line: int) -> tuple[dt.date | None, dt.time | None]:
    day, time = _date_and_time(value, path, line)
    if day is not None and day.year not in PLAUSIBLE_YEARS:
        raise ContentError(path, line, f"front matter date {day} is not a plausible issue "
                                       f"date (years {PLAUSIBLE_YEARS.start}–"
                                       f"{PLAUSIBLE_YEARS.stop - 1})")
    return day, time


def _date_and_time(value: object, path: str, line: int
                   ) -> tuple[dt.date | None, dt.time | None]:
    if value is None:
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), value.timetz() if value.tzinfo else value.time()
    if isinstance(value, dt.date):
        return value, None
    text = str(value).strip()
    chinese = full_date(text)  # 2024年1月2日, which no date parser reads
    if chinese is not None:
        return chinese, None
    # python-dateutil reads the other ways people write dates: 2024/1/2, 2024.01.02 8:00
    # here: most front matter dates are ISO, which YAML reads
    import dateutil.parser

    try:
        stamp = dateutil.parser.parse(text, yearfirst=True, dayfirst=False,
                                      default=dt.datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        message = f"front matter date {text!r} is not a date like 2024-01-02"
        raise ContentError(path, line, message) from None
    if not _YEAR.search(text):  # dateutil fills a missing year from its default
        raise ContentError(path, line, f"front matter date {text!r} has no year")
    has_time = bool(_TIME.search(text))
    return stamp.date(), (stamp.timetz() if has_time else None)
