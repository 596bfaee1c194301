"""The ``feeds`` command: wires the loader and the outputs together, and nothing more.

Every command takes ``--config PATH`` (default: the nearest ``feeds.toml``, in
the working directory or a folder above it). Commands that keep state refuse to
run without one (exit 2); ``check``, ``entries`` and ``convert``, which keep no
state, use the defaults instead. Expected failures print one line naming the file and line
and exit non-zero; tracebacks are for bugs.

Each area's commands live in a module of this package and attach themselves to
the ``cli`` group, which imports a module only when one of its commands is run
or listed: ``feeds build`` does not pay for the imports of the digest, the
scheduler and the web server.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import FeedsError

if TYPE_CHECKING:
    from ..config import Config


class State:
    """What the group passes to its commands: the configuration, read on first use."""

    def __init__(self, config_path: Path | None) -> None:
        self.config_path = config_path
        # A command's --state, set before it reads the configuration: all state goes there.
        self.state_dir: Path | None = None
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        """The project's configuration; without a feeds.toml found or given, exit 2."""
        return self._load(required=True)

    @property
    def config_or_defaults(self) -> Config:
        """For commands that keep no state: the defaults when there is no project."""
        return self._load(required=False)

    @property
    def config_file(self) -> Path:
        """The configuration file in use, as an absolute path, for commands that run
        later from elsewhere (cron starts them in the home directory); without a
        feeds.toml found or given, exit 2."""
        from ..config import ProjectNotFound, find_config

        path = self.config_path or find_config()
        if path is None:
            raise ProjectNotFound(Path.cwd())
        return path.resolve()

    def _load(self, required: bool) -> Config:
        # Imported when a command first asks, not at the top: pydantic takes 0.1 s to
        # import, and `feeds build` starts its second process before that (cli.build).
        from ..config import load_config

        if self._config is None:
            self._config = load_config(self.config_path, required=required,
                                       state_dir=self.state_dir)
        return self._config


content_option = click.option("--content", "content_dir",
                              type=click.Path(path_type=Path, file_okay=False),
                              help="Content directory (overrides site.content_dir).")


# command → the module of this package that defines it
COMMANDS = {"build": "build", "check": "content", "entries": "content", "convert": "content",
            "digest": "digest",
            "subscribers": "digest", "unsubscribe": "digest", "run": "schedule",
            "schedule": "schedule", "serve": "serve", "state": "state",
            "bounces": "bounces", "deploy": "deploy", "init": "init"}


class Commands(click.Group):
    """A group whose commands are imported on first use (click's lazy-loading pattern),
    and whose commands' FeedsError becomes one line on stderr and its exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS:
            importlib.import_module(f"{__name__}.{COMMANDS[name]}")
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FeedsError as exc:
            for line in str(exc).splitlines():
                click.echo(f"error: {line}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=Commands,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Site configuration file. Default: feeds.toml in the working directory or "
                   "the nearest folder above it.")
@click.version_option(package_name="feeds")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Turn newspaper pages into RSS, Atom and JSON feeds and an email digest.

    \b
    Start with:
        feeds init news        a new site in news/, with an example page
        feeds check            is every page in content/ read correctly?
        feeds entries --json   the articles, as other tools read them
    """
    ctx.obj = State(config_path)


def main() -> None:
    _show_state_notices()
    # feeds.toml is checked with pydantic, whose plugins (observers of validation, found
    # through package metadata) have nothing to observe in it; looking for them reads
    # the entry points of every installed package: 5-10 ms of each command with a
    # hundred packages installed. This turns that look off, as pydantic documents
    # (PYDANTIC_DISABLE_PLUGINS), unless the environment already says otherwise.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    cli(prog_name="feeds")


def _show_state_notices() -> None:
    """What happens to state on the side is said on stderr, one line each: a damaged
    cache dropped always; a database made only to a person at a terminal (cron mails
    whatever a job prints, and a run that went well prints nothing)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("feeds: %(message)s"))
    logger = logging.getLogger("feeds.state")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if sys.stderr.isatty() else logging.WARNING)
    logger.propagate = False
