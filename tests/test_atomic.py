import os

import pytest

from feeds.atomic import write_if_changed


def test_writes_a_new_file_readable_by_everyone(tmp_path):
    path = tmp_path / "a" / "b.xml"
    assert write_if_changed(path, b"<x/>") is True
    assert path.read_bytes() == b"<x/>"
    assert path.stat().st_mode & 0o777 == 0o644


def test_identical_bytes_leave_the_file_untouched(tmp_path):
    path = tmp_path / "b.xml"
    write_if_changed(path, b"<x/>")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert write_if_changed(path, b"<x/>") is False
    assert path.stat().st_mtime_ns == 1_000_000_000


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "b.xml"
    write_if_changed(path, b"old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_if_changed(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["b.xml"]
