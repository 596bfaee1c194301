"""ASCII slugs from Chinese headlines: pinyin, shortened, stable.

pypinyin's ``lazy_pinyin`` gives the right readings (银行 is yin-hang, not
yin-xing) but costs about 100 µs a headline in its segmenter and per-syllable
style machinery: 5 s for 50,000 articles, more than the rest of a build. A slug
needs only the first few syllables, so we look them up in pypinyin's own phrase
and character tables, longest phrase first as its segmenter does, and strip the
tone marks ourselves; tests/test_slugs.py checks the readings agree with
``lazy_pinyin``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from functools import cache

MAX_SYLLABLES = 8
MAX_LENGTH = 48
_LONGEST_PHRASE = 4  # longer entries of the phrase table are idioms a slug never needs
_WORDS = re.compile(r"[A-Za-z0-9]+|[\u3400-\u9fff]+")  # Latin runs and Han runs, in order


@cache
def _tables() -> tuple[dict[int, str], dict[str, list[list[str]]]]:
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

    return PINYIN_DICT, PHRASES_DICT


@cache
def _toneless(reading: str) -> str:
    """zhōng → zhong; ü becomes v, as pypinyin's NORMAL style writes it."""
    reading = reading.translate(_U_WITH_MARKS)
    return unicodedata.normalize("NFD", reading).encode("ascii", "ignore").decode()


_U_WITH_MARKS = str.maketrans("üǖǘǚǜ", "vvvvv")


def han_pinyin(run: str, limit: int | None = None) -> list[str]:
    """Toneless pinyin of a run of Han characters, one syllable per character."""
    chars, phrases = _tables()
    out: list[str] = []
    i = 0
    end = len(run) if limit is None else min(len(run), limit + _LONGEST_PHRASE)
    while i < end:
        for size in range(min(_LONGEST_PHRASE, len(run) - i), 1, -1):
            readings = phrases.get(run[i:i + size])
            if readings:
                out.extend(_toneless(r[0]) for r in readings)
                i += size
                break
        else:
            reading = chars.get(ord(run[i]))
            out.append(_toneless(reading.split(",", 1)[0]) if reading else "")
            i += 1
    return out


def syllables(text: str, limit: int | None = None) -> list[str]:
    """Pinyin syllables and lowercase Latin words of text, in order."""
    out: list[str] = []
    for word in _WORDS.findall(text):
        left = None if limit is None else limit - len(out)
        out.extend(han_pinyin(word, left) if word[0] >= "\u3400" else [word.lower()])
        if limit is not None and len(out) >= limit:
            return out[:limit]
    return out


# Slugs made in this process or by earlier builds (remember()), by "<key>\x1f<title>":
# every output asks for the same entries' slugs, and a rebuild of an unchanged site
# should not load pypinyin's tables (0.3 s) to make them all again.
_book: dict[str, str] = {}
_used: set[str] = set()


def slug(title: str, key: str) -> str:
    """A readable slug for a headline, made unique by four hex digits of ``key`` (the
    entry id), so two articles with one headline on one day never share a URL and no
    slug depends on what else was published."""
    entry = f"{key}\x1f{title}"
    _used.add(entry)
    made = _book.get(entry)
    if made is None:
        text = "-".join(s for s in syllables(title[:MAX_SYLLABLES * 3], MAX_SYLLABLES) if s)
        text = text[:MAX_LENGTH].strip("-")
        suffix = hashlib.sha1(key.encode()).hexdigest()[:4]
        made = _book[entry] = f"{text}-{suffix}" if text else suffix
    return made


def remember(known: Mapping[str, str]) -> None:
    """Start a build: take the slugs an earlier one made (the same the rules would give)
    and begin a new record of the slugs used()."""
    _book.update(known)
    _used.clear()


def used() -> dict[str, str]:
    """The slugs asked for since remember(), to remember() in the next build."""
    return {entry: _book[entry] for entry in sorted(_used)}


def section_slug(name: str) -> str:
    """教育 → jiao-yu: every syllable, for section names the configuration does not give."""
    return "-".join(s for s in syllables(name) if s)
