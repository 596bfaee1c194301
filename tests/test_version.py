"""The version: declared once in pyproject.toml, shown as the installed package says."""

from importlib import metadata

import pytest
from click.testing import CliRunner

import feeds
from feeds.cli import cli


def test_the_version_shown_is_the_installed_one():
    installed = metadata.version("feeds")
    assert feeds.__version__ == installed
    shown = CliRunner().invoke(cli, ["--version"], catch_exceptions=False)
    assert shown.exit_code == 0 and installed in shown.output


def test_a_name_the_package_does_not_have_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        feeds.no_such_name  # noqa: B018
