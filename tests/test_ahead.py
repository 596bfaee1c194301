"""Work sent to the second process comes back as if done here, or not at all."""

import multiprocessing
import os

from feeds import ahead
from feeds.content.listing import packed_survey, survey, unpack


def _fail(message: str) -> None:
    raise ValueError(message)


def test_the_content_listed_there_is_the_content_listed_here(tmp_path):
    for rel in ("2024-03-06/A01.txt", "2024-03-06/A01.pdf", "2024-03-06/A01-1.jpg",
                "2024-03-07/b.md", ".hidden/c.txt", "notes.doc"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    os.mkfifo(tmp_path / "pipe.txt")
    with ahead.working_ahead():
        there = unpack(ahead.submit(packed_survey, str(tmp_path)).result())
    here = survey(tmp_path, stats=True)
    assert there == here
    assert [rel for rel, _ in here.pages] == ["2024-03-06/A01.txt", "2024-03-07/b.md"]
    assert here.odd == ["pipe.txt"] and here.pictures == {"2024-03-06/": ["A01-1.jpg"]}
    assert set(here.stats or {}) == {"2024-03-06/A01.txt", "2024-03-07/b.md"}


def test_answers_come_in_the_order_asked_whichever_is_read_first():
    with ahead.working_ahead():
        first = ahead.submit(str.upper, "first")
        second = ahead.submit(str.upper, "second")
        assert second.result() == "SECOND"
        assert first.result() == "FIRST"


def test_work_that_fails_there_answers_none_and_the_process_goes_on():
    with ahead.working_ahead():
        assert ahead.submit(_fail, "bad input").result() is None
        assert ahead.submit(str.upper, "still here").result() == "STILL HERE"


def test_without_a_second_process_every_answer_is_none():
    assert ahead.submit(str.upper, "nobody").result() is None
    with ahead.working_ahead():
        (child,) = multiprocessing.active_children()
        child.kill()  # gone: died, or killed by someone
        child.join()
        assert ahead.submit(str.upper, "gone").result() is None


def test_a_killed_asker_leaves_the_second_process_to_end_quietly():
    import signal
    import subprocess
    import sys

    killed = subprocess.run([sys.executable, "-c", """
import os, signal, time
from feeds import ahead
with ahead.working_ahead():
    ahead.submit(str.upper, "answered, never read")
    time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGKILL)  # unread: the pipe is reset, not just closed
"""], capture_output=True, text=True, timeout=60)  # output ends when both processes do
    assert killed.returncode == -signal.SIGKILL
    assert killed.stderr == ""
