"""``feeds init``: a new site folder with a commented feeds.toml and an example page."""

from __future__ import annotations

from pathlib import Path

import click

from ..newsite import make_site
from . import cli


@cli.command("init")
@click.argument("folder", required=False, default=".",
                type=click.Path(path_type=Path, file_okay=False))
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
