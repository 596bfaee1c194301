"""The ``feeds`` command: wires the loader and the outputs together, and nothing more.

Every command takes ``--config PATH`` (default: ``feeds.toml`` in the working
directory, or built-in defaults when there is none). Expected failures print
one line naming the file and line and exit non-zero; tracebacks are for bugs.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .config import Config, load_config
from .content.loader import Catalog, load
from .errors import FeedsError

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """What the group passes to its commands: the configuration, read on first use."""

    def __init__(self, config_path: Path | None) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path, required=self.config_path is not None)
        return self._config


def reports_errors(command: F) -> F:
    """Turn FeedsError into one line on stderr and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except FeedsError as exc:
            for line in str(exc).splitlines():
                click.echo(f"error: {line}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Site configuration file. Default: ./feeds.toml if present, else defaults.")
@click.version_option(package_name="feeds")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Turn newspaper pages into RSS, Atom and JSON feeds and an email digest.

    \b
    Start with:
        feeds check            is every page in content/ read correctly?
        feeds entries --json   the articles, as other tools read them
    """
    ctx.obj = State(config_path)


def _content_option(command: F) -> F:
    return click.option("--content", "content_dir",
                        type=click.Path(path_type=Path, file_okay=False),
                        help="Content directory (overrides site.content_dir).")(command)


def _load(state: State, content_dir: Path | None) -> Catalog:
    return load(state.config, content=content_dir.resolve() if content_dir else None)


@cli.command()
@_content_option
@click.option("--strict", is_flag=True, help="Also fail when any file has warnings.")
@click.pass_obj
@reports_errors
def check(state: State, content_dir: Path | None, strict: bool) -> None:
    """Load all content and report each file: entries, issue date, problems.

    Exits 1 when a file cannot be used (it is skipped by every other command).

    \b
    Example:
        feeds check
        feeds check --content archive/2024 --strict
    """
    from .report import print_check

    catalog = _load(state, content_dir)
    failed = print_check(catalog, strict=strict)
    sys.exit(1 if failed else 0)


@cli.command()
@_content_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array (for other tools).")
@click.option("--section", "sections", multiple=True, metavar="NAME",
              help="Only entries of this section (name or slug); repeat for more.")
@click.pass_obj
@reports_errors
def entries(state: State, content_dir: Path | None, as_json: bool,
            sections: tuple[str, ...]) -> None:
    """List every entry the content yields, in page order.

    With --json, print a JSON array whose objects have exactly these keys:
    id, title, section, issue_date, date, date_approximate, authors ({name, role}),
    paragraphs, captions, summary, source (path:line in the content directory).

    \b
    Example:
        feeds entries --json > entries.json
        feeds entries --section 教育
    """
    from .report import print_entries

    catalog = _load(state, content_dir)
    chosen = catalog.entries
    if sections:
        wanted = {s.name for s in catalog.sections if s.name in sections or s.slug in sections}
        chosen = tuple(e for e in chosen if e.section in wanted)
    if as_json:
        json.dump([e.to_json() for e in chosen], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_entries(chosen)


def main() -> None:
    cli(prog_name="feeds")
