"""``feeds build``: load the content and write the site (feeds, pages) into the output directory."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import ahead, collector, slugs
from ..content import listing
from . import State, cli, content_option


@cli.command("build")
@content_option
@click.option("--output", "output_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Output directory (overrides site.output_dir).")
@click.option("--state", "state_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where all state lives: records, caches, locks (overrides site.state_dir).")
@click.option("--no-pages", is_flag=True, help="Write the feeds only, no HTML pages.")
@click.option("--jobs", type=click.IntRange(min=1), help="Processes that parse pages, this "
              "one included (default: one per core).")
@click.option("--allow-removals", is_flag=True, help="Withdraw published articles that "
              "left the content, however many (past site.max_removals).")
@click.option("-q", "--quiet", is_flag=True, help="Print only warnings and errors.")
@click.pass_obj
def build_command(state: State, content_dir: Path | None, output_dir: Path | None,
                  state_dir: Path | None, no_pages: bool, jobs: int | None,
                  allow_removals: bool, quiet: bool) -> None:
    """Build the site: feeds for everything and for each section, and the HTML pages.

    Writes feeds/all.rss.xml, all.atom.xml, all.json and the same per section,
    monthly archives, feeds/index.opml, and the pages: home, sections and their
    archive pages, one page per issue, 往期, articles, the subscribe page
    (feeds/index.html), 404.html, sitemap.xml and robots.txt.
    Only files whose bytes change are rewritten, each atomically; a failed build
    leaves the published site as it was, a killed one is finished or undone by the
    next build, and a build that finds no article at all changes nothing and exits 1.
    A rebuild re-reads only changed pages.
    Articles keep the id and permalink they were first published with, also when
    their headline is corrected. A build that would withdraw more than
    site.max_removals published articles, and more than site.max_removal_share of
    them, changes nothing and exits 1 unless given --allow-removals.
    Takes the same lock as scheduled builds: exits 75 if one is running.

    \b
    Example:
        feeds build
        feeds build --content pages --output /var/www/news --no-pages
    """
    # A second process starts first (feeds.ahead): it lists the content folder and
    # imports pypinyin while this one imports the rest (0.3 s), instead of after. The
    # listing first when the folder is known now; else it waits for feeds.toml.
    with ahead.working_ahead():
        state.state_dir = state_dir  # all state there: locks, caches, records
        if content_dir is None:
            ahead.submit(slugs.warm_up)
        content = content_dir.resolve() if content_dir else state.config.content_path
        inventory = ahead.submit(listing.packed_survey, str(content))
        ahead.submit(slugs.warm_up)  # at once, unless it is imported already

        with collector.paused():  # what these imports make lives as long as the process
            from ..build import BuildOptions, build
            from ..progress import ProgressBars
            from ..report import build_warnings
            from ..schedule.locks import job_lock, lock_folder

        chatty = not quiet and sys.stderr.isatty()
        options = BuildOptions(
            content=content if content_dir else None,
            output=output_dir.resolve() if output_dir else None,
            state=state_dir.resolve() if state_dir else None,
            pages=not no_pages, jobs=jobs, allow_removals=allow_removals)
        with job_lock(lock_folder(state.config), "build"), ProgressBars(enabled=chatty) as progress:
            result = build(state.config, options, progress=progress.update,
                           inventory=lambda: listing.unpack(inventory.result()))
        for line in build_warnings(result):
            click.echo(f"warning: {line}", err=True)
        if chatty:
            summary = result.summary
            click.echo(f"{result.entries} entries, {len(result.feeds_written)} feeds "
                       f"written; {len(summary.written)} files written, "
                       f"{summary.unchanged + summary.skipped} unchanged, "
                       f"{len(summary.removed)} removed in {result.seconds:.1f} s", err=True)
