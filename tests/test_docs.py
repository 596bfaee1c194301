"""The documentation keeps up with the code: every configuration key and every command."""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing

import click
from conftest import ROOT

from feeds import config
from feeds.cli import cli

CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
COMMANDS = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")


def keys(table: type, prefix: str = "") -> dict[str, object]:
    """Every key of a config table, as `table.key` (`sections[].name` in arrays of
    tables), with its default (dataclasses.MISSING when required)."""
    found: dict[str, object] = {}
    hints = typing.get_type_hints(table)
    for field in dataclasses.fields(table):
        if field.name == "root":  # where the file was read from; not a key
            continue
        path = prefix + field.name
        kind = hints[field.name]
        inner = [a for a in typing.get_args(kind) if dataclasses.is_dataclass(a)]
        if dataclasses.is_dataclass(kind):
            found |= keys(kind, path + ".")
            continue
        if field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        else:
            default = field.default
        if inner:  # an array of tables
            if table is not config.Config:  # sections is a key of the top level, no row
                found[path] = default
            found |= keys(inner[0], path + "[].")
            continue
        found[path] = default
    return found


def documented() -> dict[str, str]:
    """key -> its default column, from the tables of docs/configuration.md."""
    rows = re.findall(r"^\| `([a-z_.\[\]]+)` \| ([^|]+) \|", CONFIGURATION, re.MULTILINE)
    return {key: default.strip() for key, default in rows}


def shown(default: object) -> set[str]:
    """How a default may be written in the table."""
    if default is dataclasses.MISSING:
        return {"required"}
    if isinstance(default, bool):
        return {"`true`" if default else "`false`"}
    if isinstance(default, tuple):
        return {"`[]`"} if not default else set()
    if isinstance(default, str) and not default:
        return {'`""`'}
    return {f"`{default}`"}


def test_every_configuration_key_is_documented_with_its_default():
    table = documented()
    for key, default in keys(config.Config).items():
        assert key in table, f"docs/configuration.md has no row for {key}"
        if default is None:
            assert table[key], f"{key}: say what an unset value means"
        else:
            assert table[key] in shown(default), f"{key}: documented default {table[key]}"


def test_documentation_names_no_key_the_code_does_not_have():
    assert not set(documented()) - set(keys(config.Config)) - {"sections"}


def test_the_complete_example_is_a_valid_configuration(tmp_path):
    example = re.search(r"## A complete example\n\n```toml\n(.*?)```", CONFIGURATION,
                        re.DOTALL).group(1)
    config.parse_config(tomllib.loads(example), root=tmp_path)


def commands(group: click.Group, ctx: click.Context, prefix: str = "feeds"):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from commands(command, ctx, f"{prefix} {name}")


def test_every_command_and_subcommand_is_documented_with_an_example():
    ctx = click.Context(cli)
    for name, command in commands(cli, ctx):
        heading = f"\n### `{name}"
        assert heading in COMMANDS, f"docs/commands.md has no section for {name}"
        if isinstance(command, click.Group) and command.list_commands(ctx):
            continue  # its subcommands carry the examples
        section = COMMANDS.split(heading, 1)[1].split("\n### ", 1)[0]
        examples = [line.strip() for line in section.splitlines()
                    if line.startswith("    ") and line.strip().startswith(name)]
        assert examples, f"docs/commands.md: no example of {name}"


def test_readme_dependency_tables_name_exactly_what_pyproject_installs():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]

    def name(requirement: str) -> str:
        return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Dependencies", 1)[1].split("\n## ", 1)[0]
    listed = {part.strip(" `").lower()
              for row in re.findall(r"^\| ([^|]+) \|", section, re.MULTILINE)
              for part in row.split(",")} - {"package", "---"}
    assert listed == {name(r) for r in wanted}
