"""ASCII slugs from Chinese headlines: pinyin, shortened, stable.

Readings come from pypinyin's ``lazy_pinyin``, whose phrase tables give the
reading a character has in its word (银行 is yin-hang, not yin-xing).
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from multiprocessing.connection import Connection

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


# ---------------------------------------------------------------- readings ahead
# A build that shows new headlines spends about 0.2 s importing pypinyin (see
# han_pinyin): after one new article, as long as the rest of the rebuild. A second
# process imports it while this one reads the content, then makes the slugs a build
# asks for, in batches (prepare(); section_slug()); the second core is idle then.


class _Ahead:
    """The second process, and the pipe to it. Forked, so it starts at once with this
    process's modules; it imports only pypinyin (a dependency like any other: this
    moves its import, it does not replace it). No thread here, so processes forked
    later (the loader's) are forked from a process with one thread."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.owner = os.getpid()
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, self.conn), daemon=True)
        self.process.start()
        theirs.close()

    def ask(self, kind: str, items: list[tuple[str, str]]) -> list[str] | None:
        """Slugs made there, or None when that process is gone (made here, then)."""
        if os.getpid() != self.owner:  # a process forked from this one: not its pipe
            return None
        try:
            self.conn.send((kind, items))
            made: list[str] = self.conn.recv()
        except (OSError, EOFError):
            return None
        return made

    def close(self) -> None:
        # Killed, not asked to stop: when no slug was needed it may still be importing
        # pypinyin, and waiting for that would give back what it saved. It writes nothing.
        self.conn.close()
        self.process.kill()
        self.process.join()


def _serve(conn: Connection, theirs: Connection) -> None:
    theirs.close()  # the other end, inherited: this process only answers
    import pypinyin  # noqa: F401  # first, while nothing is asked yet

    while True:
        try:
            kind, items = conn.recv()
        except EOFError:
            return
        conn.send([_make(title, key) if kind == "headline" else _section(title)
                   for title, key in items])


_ahead: _Ahead | None = None


@contextlib.contextmanager
def readings_ahead() -> Iterator[None]:
    """While in this block, slugs not made yet are made in a second process that
    imports pypinyin from the start. Where processes cannot be forked, nothing changes."""
    global _ahead
    if "fork" not in multiprocessing.get_all_start_methods() or _ahead is not None:
        yield
        return
    _ahead = _Ahead()
    try:
        yield
    finally:
        ahead, _ahead = _ahead, None
        ahead.close()


def prepare(headlines: Iterable[tuple[str, str]]) -> None:
    """Make the slugs of these (title, key) pairs that are not made yet, in one go:
    slug() then finds them made."""
    wanted = list(dict.fromkeys(p for p in headlines if _page(*p) not in _book))
    if wanted:
        made = _ahead.ask("headline", wanted) if _ahead is not None else None
        if made is None:
            made = [_make(title, key) for title, key in wanted]
        _book.update((_page(title, key), text)
                     for (title, key), text in zip(wanted, made, strict=True))


def section_slug(name: str) -> str:
    """教育 → jiao-yu: every syllable, for section names the configuration does not give."""
    entry = f"\x1esection\x1f{name}"  # in the same book as headlines, apart from them
    _used.add(entry)
    made = _book.get(entry)
    if made is None:
        found = _ahead.ask("section", [(name, "")]) if _ahead is not None else None
        made = _book[entry] = found[0] if found else _section(name)
    return made


def _section(name: str) -> str:
    return "-".join(s for s in syllables(name) if s)
