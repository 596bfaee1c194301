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


def test_a_bad_cron_expression_is_refused_when_the_file_is_read(tmp_path):
    path = write(tmp_path, '[schedule]\nbuild = "0 7 * * 8"\ndigest = ""\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert [key for key, _ in caught.value.problems] == ["schedule.build"]
    assert "day of week" in caught.value.problems[0][1]
    assert str(caught.value).startswith(f"{path}: schedule.build: ")


def test_a_wrong_type_and_a_value_out_of_range_name_the_file_and_the_key(tmp_path):
    path = write(tmp_path, '[feeds]\nlimit = 0\n[web]\nport = "eighty"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert [key for key, _ in caught.value.problems] == ["feeds.limit", "web.port"]
    assert all(line.startswith(f"{path}: ") for line in str(caught.value).splitlines())


def test_an_unknown_key_in_a_nested_table_and_an_array_of_tables(tmp_path):
    path = write(tmp_path, '[delivery.smtp]\nhots = "mail"\n'
                           '[[deploy.rules]]\npattern = "^a"\ncache = "no"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [("delivery.smtp.hots", "unknown key (check its spelling)"),
                                     ("deploy.rules[1].cache", "unknown key (check its spelling)")]


def test_every_read_checks_the_file_as_it_is_now(tmp_path):
    path = write(tmp_path, '[[sections]]\nname = "教育"\nslug = "education"\n')
    (tmp_path / ".feeds").mkdir()  # as the first build makes it
    assert load_config(path).sections[0].slug == "education"
    path.write_text(path.read_text(encoding="utf-8").replace("education", "Edu!"),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sections\[1\]\.slug"):
        load_config(path)
    assert not (tmp_path / ".feeds" / "cache").exists()  # reading writes nothing


def test_the_state_option_moves_the_database_and_locks_with_it(tmp_path):
    path = write(tmp_path, '[digest]\ndatabase = "db/x.sqlite"\n[schedule]\nlock_dir = "l"\n')
    config = load_config(path, state_dir=tmp_path / "elsewhere")
    assert config.state_path == tmp_path / "elsewhere"
    assert (config.digest.database, config.schedule.lock_dir) == (None, None)


def test_a_table_or_array_of_the_wrong_shape_is_named_in_toml_terms(tmp_path):
    path = write(tmp_path, 'site = "东区新闻"\nsections = "要闻"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [("site", "should be a table"),
                                     ("sections", "should be an array")]


def test_the_configuration_is_the_bottom_layer():
    """Everything reads the configuration, so it imports none of what reads it: only the
    errors it raises and the cron grammar it checks expressions with."""
    import ast

    import feeds.config

    def local_imports(name: str) -> set[str]:
        source = Path(feeds.config.__file__).with_name(name).read_text(encoding="utf-8")
        return {node.module or alias.name for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.ImportFrom) and node.level for alias in node.names}

    assert local_imports("config.py") == {"errors", "crontab"}
    assert local_imports("crontab.py") == set()
