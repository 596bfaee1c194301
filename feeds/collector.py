"""The cyclic garbage collector, paused while many objects that last are made.

Imported modules, pypinyin's tables and a build's catalogue of entries are made of
hundreds of thousands of small objects with no reference cycles among them, kept
for as long as they are needed and then freed by reference counting. While they
are made, the collector would only scan the growing heap again and again: a
quarter of load time at 100,000 articles (bench/load.py), 20-25 ms of the build's
imports, 50 of the 190 ms pypinyin's import takes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No collection inside the block; afterwards, what was made is left out of every
    later collection (``gc.freeze()``), and the collector runs again if it ran before."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Left as they are, the new objects would all be scanned by the first collection
        # after this (0.6 s at 100,000 articles); frozen, they never are. They are still
        # freed by reference counting when nothing refers to them any more.
        gc.freeze()
        if was_enabled:
            gc.enable()
