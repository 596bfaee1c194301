"""ASCII slugs from Chinese headlines: pinyin, shortened, stable.

Readings come from pypinyin's ``lazy_pinyin``, whose phrase tables give the
reading a character has in its word (银行 is yin-hang, not yin-xing).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

from . import ahead, collector

MAX_SYLLABLES = 8
MAX_LENGTH = 48
_WORDS = re.compile(r"[A-Za-z0-9]+|[\u3400-\u9fff]+")  # Latin runs and Han runs, in order
# Characters read after the last syllable a slug keeps: the reading of a character can
# depend on the word it starts (行 alone is xing, in 行长 hang), and pypinyin's phrases
# that matter for a slug are four characters or fewer.
_CONTEXT = 4


def han_pinyin(run: str) -> list[str]:
    """Toneless pinyin of a run of Han characters, one syllable per character (a
    character pypinyin has no reading for is left out)."""
    # Imported here, not at the top: the first slug made in a process takes 0.19-0.23 s,
    # nearly all of it `import pypinyin` (as much again as `import feeds.cli`, 0.15-0.28 s),
    # and only a headline never slugged before needs it. Earlier slugs come from the
    # book (remember()), so a rebuild with no new article never imports it. Then
    # lazy_pinyin costs about 125 µs for a whole headline, 85 µs for the start of one
    # that slug() reads (measured on 3,000 headlines of 12-24 characters).
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(run, style=Style.NORMAL, errors="ignore")


def syllables(text: str, limit: int | None = None) -> list[str]:
    """Pinyin syllables and lowercase Latin words of text, in order (the first
    ``limit`` of them, when it is given)."""
    out: list[str] = []
    for word in _WORDS.findall(text):
        if word[0] < "\u3400":
            out.append(word.lower())
        elif limit is None:
            out.extend(han_pinyin(word))
        else:
            left = limit - len(out)
            out.extend(han_pinyin(word[:left + _CONTEXT])[:left])
        if limit is not None and len(out) >= limit:
            return out[:limit]
    return out


# Slugs made in this process or by earlier builds (remember()), by "<key>\x1f<title>":
# every output asks for the same entries' slugs, and a rebuild of an unchanged site
# should not import pypinyin (see han_pinyin) to make them all again.
_book: dict[str, str] = {}
_used: set[str] = set()


def slug(title: str, key: str) -> str:
    """A readable slug for a headline, made unique by four hex digits of ``key`` (the
    entry id), so two articles with one headline on one day never share a URL and no
    slug depends on what else was published."""
    entry = _page(title, key)
    _used.add(entry)
    made = _book.get(entry)
    if made is None:
        made = _book[entry] = _make(title, key)
    return made


def _page(title: str, key: str) -> str:
    """A headline's place in the book of slugs."""
    return f"{key}\x1f{title}"


def _make(title: str, key: str) -> str:
    text = "-".join(s for s in syllables(title[:MAX_SYLLABLES * 3], MAX_SYLLABLES) if s)
    text = text[:MAX_LENGTH].strip("-")
    suffix = hashlib.sha1(key.encode()).hexdigest()[:4]
    return f"{text}-{suffix}" if text else suffix


_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def is_slug(text: str) -> bool:
    """Lowercase ASCII words joined by single hyphens: safe in any path."""
    return _SLUG.fullmatch(text) is not None


def remember(known: Mapping[str, str]) -> None:
    """Start a build: take the slugs an earlier one made (the same the rules would give)
    and begin a new record of the slugs used()."""
    _book.update(known)
    _used.clear()


def used() -> dict[str, str]:
    """The slugs asked for since remember(), to remember() in the next build."""
    return {entry: _book[entry] for entry in sorted(_used)}


def warm_up() -> None:
    """Import pypinyin (see han_pinyin): sent to feeds.ahead's second process at the start
    of a build, so that a build that shows new headlines never waits for it."""
    with collector.paused():  # its tables last as long as the process
        import pypinyin  # noqa: F401


def prepare(headlines: Iterable[tuple[str, str]]) -> None:
    """Make the slugs of these (title, key) pairs that are not made yet, in one go:
    slug() then finds them made."""
    wanted = list(dict.fromkeys(p for p in headlines if _page(*p) not in _book))
    if wanted:
        made = ahead.submit(_make_all, wanted).result()  # see warm_up
        if made is None:
            made = _make_all(wanted)
        _book.update((_page(title, key), text)
                     for (title, key), text in zip(wanted, made, strict=True))


def section_slug(name: str) -> str:
    """教育 → jiao-yu: every syllable, for section names the configuration does not give."""
    entry = f"\x1esection\x1f{name}"  # in the same book as headlines, apart from them
    _used.add(entry)
    made = _book.get(entry)
    if made is None:
        made = _book[entry] = ahead.submit(_section, name).result() or _section(name)
    return made


def _make_all(pairs: list[tuple[str, str]]) -> list[str]:
    return [_make(title, key) for title, key in pairs]


def _section(name: str) -> str:
    return "-".join(s for s in syllables(name) if s)
