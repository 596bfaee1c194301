"""A second process that works ahead of this one, on the second core.

`feeds build` spends its first 0.3 s importing what it needs; only then does it list
the content folder, and later make the slugs of new headlines, for which pypinyin's
import takes 0.2 s more. A process forked at the very start does those meanwhile,
taking the work it is sent in order: the content folder's inventory as soon as the
command knows the folder, pypinyin's import, then the slugs. After one new
article that is a third of the rebuild no longer done one part after the other
(bench/README.md, "Add one article").

Work is a function and its arguments, pickled by name as multiprocessing pickles them;
the process was forked from this one, so it runs the same code. Whatever goes wrong
there (the process is gone, the work raised, processes cannot be forked), an answer
is None, and the caller does the work itself: it then meets any error where it would
have without this module. No thread here: processes forked later (the loader's
workers) are forked from a process with one thread.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Answer(Generic[T]):
    """The result of one piece of work sent ahead, received when first asked for."""

    def __init__(self, process: _Process | None = None) -> None:
        self._process = process
        self._value: T | None = None

    def result(self) -> T | None:
        """The result, once the process has given it; None when it could not."""
        while self._process is not None:
            self._process.receive()
        return self._value


class _Process:
    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.owner = os.getpid()
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, self.conn), daemon=True)
        self.process.start()
        theirs.close()
        self.waiting: deque[Answer[Any]] = deque()  # sent, in order, not received yet
        self.broken = False

    def submit(self, work: Callable[..., T], args: tuple[Any, ...]) -> Answer[T]:
        if os.getpid() != self.owner or self.broken:  # forked from this one: not its pipe
            return Answer()
        try:
            self.conn.send((work, args))  # pickled whole before anything is written
        except (pickle.PicklingError, AttributeError, TypeError):  # a local function, say
            return Answer()
        except OSError:  # gone: what it answered already can still be received
            self.broken = True
            return Answer()
        answer: Answer[T] = Answer(self)
        self.waiting.append(answer)
        return answer

    def receive(self) -> None:
        """The next answer in the order the work was sent."""
        answer = self.waiting.popleft()
        with contextlib.suppress(OSError, EOFError):
            answer._value = self.conn.recv()
        answer._process = None

    def close(self) -> None:
        # Killed, not asked to stop: it may still be doing work nobody waits for (an
        # import), and waiting for that would give back what it saved. It writes nothing.
        # Killed before its pipe closes, or it may wake to a broken pipe and say so.
        self.process.kill()
        self.process.join()
        self.conn.close()


def _serve(conn: Connection, theirs: Connection) -> None:
    theirs.close()  # the other end, inherited: this process only answers
    while True:
        try:
            work, args = conn.recv()
        except (EOFError, OSError):  # the asker is gone (killed, it resets the pipe)
            return
        try:
            result = work(*args)
        except Exception:  # the asker does the work itself and meets the error there
            result = None
        try:
            conn.send(result)
        except OSError:  # the asker is gone
            return


_process: _Process | None = None


@contextlib.contextmanager
def working_ahead() -> Iterator[None]:
    """While in this block, work can be sent to a second process (submit). Inside
    another such block, or where processes cannot be forked, this changes nothing."""
    global _process
    if "fork" not in multiprocessing.get_all_start_methods() or _process is not None:
        yield
        return
    _process = _Process()
    try:
        yield
    finally:
        process, _process = _process, None
        process.close()


def submit(work: Callable[..., T], *args: Any) -> Answer[T]:
    """Send ``work(*args)`` to the second process; outside working_ahead() the answer is
    None at once. An answer larger than the pipe holds (a few hundred KB) keeps the
    process waiting until it is received: send such work after the rest."""
    return _process.submit(work, args) if _process is not None else Answer()
