from pathlib import Path

import pytest

from feeds.config import load_config, parse_config
from feeds.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_apply_with_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert (config.site.language, config.site.timezone) == ("zh-CN", "Asia/Shanghai")
    assert config.content_path == tmp_path / "content"


def test_paths_are_relative_to_the_file_not_the_working_directory(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    path = write(site, '[site]\ncontent_dir = "pages"\n')
    monkeypatch.chdir(tmp_path)
    assert load_config(path).content_path == site / "pages"


def test_every_mistake_is_reported_with_its_key_path(tmp_path):
    path = write(tmp_path, """
[site]
timezone = "Asia/Shangai"
base_url = "ftp://example.cn"
titel = "x"

[[sections]]
name = "教育"
slug = "Edu"

[[sections]]
slug = "economy"

[[sections]]
name = "教育"
slug = "economy"
""")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    keys = {key for key, _ in caught.value.problems}
    assert keys >= {"site.timezone", "site.base_url", "site.titel", "sections[1].slug",
                    "sections[2].name"}
    message = str(caught.value)
    assert "Asia/Shangai" in message and "unknown key" in message
    assert str(path) in message


def test_duplicate_names_and_slugs_are_reported(tmp_path):
    with pytest.raises(ConfigError) as caught:
        parse_config({"sections": [{"name": "甲", "slug": "a"}, {"name": "甲", "slug": "a"}]},
                     root=tmp_path)
    assert [k for k, _ in caught.value.problems] == ["sections[2].name", "sections[2].slug"]


def test_invalid_toml_names_the_line(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "[site]\ntitle = \n"))
    assert "line 2" in str(caught.value)


def test_missing_file_given_explicitly(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.toml")
    assert "not found" in str(caught.value)


def test_base_url_gets_a_trailing_slash_and_gives_the_domain(tmp_path):
    config = parse_config({"site": {"base_url": "https://news.example.cn/paper"}}, root=tmp_path)
    assert config.site.base_url == "https://news.example.cn/paper/"
    assert config.site.domain == "news.example.cn"


def test_the_demo_configuration_is_valid():
    config = load_config(Path(__file__).parent.parent / "feeds.toml")
    assert [s.slug for s in config.sections][:2] == ["news", "education"]


def test_the_site_wide_feed_slug_is_reserved(tmp_path):
    with pytest.raises(ConfigError) as caught:
        parse_config({"sections": [{"name": "全部", "slug": "all"}]}, root=tmp_path)
    assert caught.value.problems[0][0] == "sections[1].slug"


@pytest.mark.parametrize(("pattern", "complaint"), [
    ("https://paper.example.cn/{date}/{slug}.html", "unknown field {date}"),
    ("https://paper.example.cn/{issue_date}.html", "must contain {slug}"),
    ("https://paper.example.cn/{slug.html", "not a valid pattern"),
    ("paper/{slug}.html", "not an absolute http(s) URL"),
])
def test_article_url_patterns_are_checked(tmp_path, pattern, complaint):
    with pytest.raises(ConfigError) as caught:
        parse_config({"feeds": {"article_url": pattern}}, root=tmp_path)
    assert caught.value.problems[0][0] == "feeds.article_url"
    assert complaint in caught.value.problems[0][1]


def test_a_checked_file_is_remembered_in_the_state_directory(tmp_path, monkeypatch):
    import feeds.config

    path = write(tmp_path, '[site]\nstate_dir = "state"\ntitle = "城区新闻"\n'
                           '[[sections]]\nname = "教育"\nslug = "education"\nkeywords = ["学校"]\n')
    load_config(path)
    assert not (tmp_path / "state").exists()  # reading a configuration makes no folder
    (tmp_path / "state").mkdir()  # as the first build does
    first = load_config(path)
    assert (tmp_path / "state" / "cache" / "config.json").is_file()
    with monkeypatch.context() as patched:  # not checked again: recalled
        patched.setattr(feeds.config, "_adapter", lambda: pytest.fail("checked again"))
        assert load_config(path) == first
    path.write_text(path.read_text(encoding="utf-8").replace("education", "Edu!"),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sections\[1\]\.slug"):  # edited: checked again
        load_config(path)


def test_a_damaged_record_of_the_check_is_ignored(tmp_path):
    path = write(tmp_path, '[site]\ntitle = "城区新闻"\n')
    (tmp_path / ".feeds" / "cache").mkdir(parents=True)
    (tmp_path / ".feeds" / "cache" / "config.json").write_bytes(b'{"key": "damaged')
    assert load_config(path).site.title == "城区新闻"
    assert load_config(path).site.title == "城区新闻"  # from the record written again


def test_a_record_edited_under_the_right_key_never_overrides_the_file(tmp_path):
    import json

    path = write(tmp_path, '[site]\ntitle = "城区新闻"\n')
    (tmp_path / ".feeds").mkdir()
    load_config(path)
    record_path = tmp_path / ".feeds" / "cache" / "config.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record["config"]["site"]["title"] = "别的标题"
    record_path.write_text(json.dumps(record), encoding="utf-8")
    assert load_config(path).site.title == "城区新闻"


def test_the_record_reads_back_as_the_configuration_it_remembers():
    import dataclasses
    import json

    from feeds.config import _revive

    config = load_config(Path(__file__).resolve().parent.parent / "feeds.toml")
    assert config.sections and any(s.keywords for s in config.sections)
    assert _revive(json.loads(json.dumps(dataclasses.asdict(config)))) == config
