"""``feeds init``: a new site folder with a commented feeds.toml and an example page."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from ..config import CONFIG_NAME
from ..errors import FeedsError
from . import cli, reports_errors

STARTER = Path(__file__).resolve().parent.parent / "starter"


class FolderTaken(FeedsError):
    """The folder already holds a site; init never overwrites one."""


def make_site(folder: Path) -> list[Path]:
    """Copy the starter site into ``folder`` (made if missing); the files written."""
    config = folder / CONFIG_NAME
    if config.exists():
        raise FolderTaken(f"{config}: already exists; feeds init never overwrites a site "
                          "(edit that file, or choose another folder)")
    content = folder / "content"
    if content.is_dir() and any(content.iterdir()):
        raise FolderTaken(f"{content}: already has files; put feeds.toml beside it by hand, "
                          "or choose another folder")
    written = []
    for source in sorted(STARTER.rglob("*")):
        if source.is_file():
            target = folder / source.relative_to(STARTER)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            written.append(target)
    return written


@cli.command("init")
@click.argument("folder", required=False, default=".",
                type=click.Path(path_type=Path, file_okay=False))
@reports_errors
def init_command(folder: Path) -> None:
    """Make a new site in FOLDER (default: here): a commented feeds.toml and
    content/ with an example page. Never overwrites an existing site.

    \b
    Example:
        feeds init news && cd news && feeds build && feeds serve
    """
    for path in make_site(folder):
        click.echo(f"wrote {path}")
    steps = [] if folder == Path(".") else [f"cd {folder}"]
    steps += ["edit feeds.toml: the site's title, base_url and sections",
              "put your pages in content/: one .txt or .md file per newspaper page, each "
              "article starting at a '## ' headline (see the example there)",
              "feeds check      how every page is read",
              "feeds build      write the site into public/",
              "feeds serve      look at it on http://127.0.0.1:8000/"]
    click.echo("\nNext steps:")
    for number, step in enumerate(steps, start=1):
        click.echo(f"  {number}. {step}")
