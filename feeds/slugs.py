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

import contextlib
import hashlib
import importlib.util
import marshal
import os
import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import ModuleType

from .atomic import write_if_changed
from .version import code_identity

MAX_SYLLABLES = 8
MAX_LENGTH = 48
_LONGEST_PHRASE = 4  # longer entries of the phrase table are idioms a slug never needs
_WORDS = re.compile(r"[A-Za-z0-9]+|[\u3400-\u9fff]+")  # Latin runs and Han runs, in order


Tables = tuple[dict[int, str], dict[str, tuple[str, ...]]]
_TABLES_FORMAT = 1
_tables_file: Path | None = None  # set by keep_tables_in()


def keep_tables_in(path: Path | None) -> None:
    """Keep a compact copy of the reading tables in a file between runs (a build keeps
    it in its state directory): 50 ms to read instead of 0.2 s to make. None: do not."""
    global _tables_file
    _tables_file = path
    _tables.cache_clear()


@cache
def _tables() -> Tables:
    """Toneless first readings: character code → syllable, phrase → syllables."""
    try:
        key = (_TABLES_FORMAT, code_identity(), _library_stamp())
    except (ImportError, OSError):
        key = None
    if _tables_file is None or key is None:
        return _compact(*_library_tables())
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        found, chars, phrases = marshal.loads(_tables_file.read_bytes())
        if found == key:
            return chars, phrases
    tables = _compact(*_library_tables())
    with contextlib.suppress(OSError):  # a read-only state directory: made again next time
        write_if_changed(_tables_file, marshal.dumps((key, *tables)))
    return tables


def _compact(chars: Mapping[int, str], phrases: Mapping[str, list[list[str]]]) -> Tables:
    return ({code: _toneless(reading.split(",", 1)[0]) for code, reading in chars.items()},
            {phrase: tuple(_toneless(r[0]) for r in readings)
             for phrase, readings in phrases.items() if len(phrase) <= _LONGEST_PHRASE})


def _library_stamp() -> list[int]:
    """Changes when another pypinyin is installed: its table modules' sizes and times."""
    folder = _library_folder()
    stamp = []
    for name in ("pinyin_dict.py", "phrases_dict.py"):
        found = os.stat(os.path.join(folder, name))
        stamp += [found.st_size, found.st_mtime_ns]
    return stamp


def _library_folder() -> str:
    found = importlib.util.find_spec("pypinyin")
    if found is None or found.origin is None:
        raise ImportError("pypinyin is not installed")
    return os.path.dirname(found.origin)


def _library_tables() -> tuple[dict[int, str], dict[str, list[list[str]]]]:
    """pypinyin's character and phrase tables.

    Read by running the two table modules on their own: importing them the usual
    way runs pypinyin's package first, whose segmenter indexes every phrase, and
    that costs 0.3 s more than the tables (measured with -X importtime).
    """
    try:
        folder = _library_folder()
        chars = _run(os.path.join(folder, "pinyin_dict.py")).pinyin_dict
        phrases = _run(os.path.join(folder, "phrases_dict.py")).phrases_dict
    except (ImportError, OSError, AttributeError):  # laid out otherwise: the usual way
        from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

        return PINYIN_DICT, PHRASES_DICT
    return chars, phrases


def _run(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_feeds_{os.path.basename(path)[:-3]}", path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # from pypinyin's own compiled copy when there is one
    return module


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
                out.extend(readings)
                i += size
                break
        else:
            out.append(chars.get(ord(run[i]), ""))
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


def section_slug(name: str) -> str:
    """教育 → jiao-yu: every syllable, for section names the configuration does not give."""
    entry = f"\x1esection\x1f{name}"  # in the same book as headlines, apart from them
    _used.add(entry)
    made = _book.get(entry)
    if made is None:
        made = _book[entry] = "-".join(s for s in syllables(name) if s)
    return made
