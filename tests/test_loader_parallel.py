"""Parallel loading: this process parses chunks from the back while workers take the front."""

import tempfile

from test_loader import many_pages as _pages

from feeds.content.loader import load


def test_three_processes_give_the_same_catalog_as_one(content_dir, make_config):
    _pages(content_dir, 150)
    config = make_config()
    assert load(config, jobs=3) == load(config, jobs=1)


def test_progress_counts_every_file_once_up_to_the_total(content_dir, make_config):
    _pages(content_dir, 150)
    seen = []
    load(make_config(), jobs=2, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 150) and seen[-1] == (150, 150)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_workers_results_pass_through_files_that_are_removed(content_dir, make_config,
                                                             tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    _pages(content_dir, 150)
    config = make_config()
    assert load(config, jobs=2) == load(config, jobs=1)
    assert list(scratch.iterdir()) == []


def test_with_the_parse_cache_files_parsed_by_workers_read_back_as_parsed_here(
        content_dir, make_config, tmp_path):
    from feeds.content.loader import load_cached

    _pages(content_dir, 150)
    config = make_config()
    with (load_cached(config, state=tmp_path / "two", jobs=2) as two,
          load_cached(config, state=tmp_path / "one", jobs=1) as one):
        assert two.entries == one.entries
        assert two.files == one.files
        paths = sorted({e.source.path for e in one.entries})
        digests = [one.digests(path) for path in paths]
        assert [two.digests(path) for path in paths] == digests
        assert sum(map(len, digests)) == len(one.entries)
        entries = one.entries
    with load_cached(config, state=tmp_path / "two", jobs=2) as again:  # nothing parsed
        assert again.entries == entries
        assert [again.digests(path) for path in paths] == digests
