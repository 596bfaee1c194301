"""Patterns compiled on first use behave as the compiled patterns they stand for."""

from __future__ import annotations

import copy
import pickle
import re

import pytest

from feeds.lazyre import lazy_compile


def test_a_lazy_pattern_matches_as_the_compiled_one_does() -> None:
    source = r"(?P<name>[\u3400-\u9fff]{2,4})\s*摄$"
    lazy, compiled = lazy_compile(source), re.compile(source)
    for text in ("记者 张三 摄", "张三摄", "摄", "不是署名"):
        found, expected = lazy.search(text), compiled.search(text)
        assert (found and found.groupdict()) == (expected and expected.groupdict())
    assert lazy.sub("", "图 李四 摄") == compiled.sub("", "图 李四 摄")
    assert lazy.pattern == source


def test_flags_are_kept() -> None:
    assert lazy_compile(r"^photo\.JPG$", re.IGNORECASE).match("PHOTO.jpg")
    assert not lazy_compile(r"^photo\.JPG$").match("PHOTO.jpg")


def test_a_bad_pattern_fails_where_it_is_first_used() -> None:
    broken = lazy_compile(r"[unclosed")
    with pytest.raises(re.error):
        broken.search("x")


def test_copies_and_pickles_still_match() -> None:
    lazy = lazy_compile(r"\d+年")
    lazy.search("2024年")  # compiled: methods kept on the object
    for other in (copy.copy(lazy), copy.deepcopy(lazy), pickle.loads(pickle.dumps(lazy))):
        assert other.search("二〇二四年 2024年").group() == "2024年"
