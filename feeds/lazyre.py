"""Regular expressions compiled when first used, not when their module is imported.

The page parser's patterns name the ranges of Chinese characters (``[\\u3400-\\u9fff]``)
again and again, and :mod:`re` fills a table of 65,536 entries, one character at a
time, for each such range it compiles: its 58 patterns cost 30-40 ms, which every
command paid on import. A rebuild after one new page uses about a quarter of them
(bench/README.md, "A rebuild after one new article"), a command that finds every page
in the parse cache none. Django defers its own patterns for the same reason
(``django.utils.regex_helper``).
"""

from __future__ import annotations

import re
from typing import Any, cast


class _Lazy:
    """Stands for a compiled pattern: the first use of a method compiles it (re keeps
    compiled patterns), and the method is then kept on this object, so that later
    calls cost what they cost on the pattern itself."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)

    @property
    def pattern(self) -> str:
        return self._source[0]

    def __getattr__(self, name: str) -> Any:  # only for names not found on this object
        if name.startswith("_"):  # copy and pickle ask for such names; none is re's
            raise AttributeError(name)
        value = getattr(re.compile(*self._source), name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[0]!r})"


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, done the first time the pattern is used."""
    return cast("re.Pattern[str]", _Lazy(pattern, flags))
