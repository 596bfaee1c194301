"""Commands about content: ``feeds check`` and ``feeds entries``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..content.catalog import Catalog
from ..content.loader import load
from . import State, cli, content_option


def _load(state: State, content_dir: Path | None) -> Catalog:
    """The content with the ids readers were given, when the site has published (read
    from the state database, never written: these commands change no state)."""
    from contextlib import closing

    from ..database import connect, database_path
    from ..published import Record, authority

    config = state.config_or_defaults
    content = content_dir.resolve() if content_dir else None
    if not database_path(config).exists():
        return load(config, content=content)
    with closing(connect(database_path(config))) as db:
        catalog = load(config, content=content, id_domain=authority(db, config.site.domain))
        catalog.rename(Record(db).renamed())
    return catalog


@cli.command()
@content_option
@click.option("--strict", is_flag=True, help="Also fail when any file has warnings.")
@click.pass_obj
def check(state: State, content_dir: Path | None, strict: bool) -> None:
    """Load all content and report each file: entries, issue date, problems; then every
    image the articles name, the ones missing and the ones with no caption.

    Exits 1 when a file cannot be used (it is skipped by every other command).

    \b
    Example:
        feeds check
        feeds check --content archive/2024 --strict
    """
    from ..report import print_check

    catalog = _load(state, content_dir)
    root = content_dir.resolve() if content_dir else state.config_or_defaults.content_path
    sys.exit(1 if print_check(catalog, strict=strict, content=root) else 0)


@cli.command()
@content_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array (for other tools).")
@click.option("--section", "sections", multiple=True, metavar="NAME",
              help="Only entries of this section (name or slug); repeat for more.")
@click.pass_obj
def entries(state: State, content_dir: Path | None, as_json: bool,
            sections: tuple[str, ...]) -> None:
    """List every entry the content yields, in page order.

    With --json, print a JSON array whose objects have exactly these keys:
    id, kicker (the line above the headline, or null), title, section, issue_date,
    date, date_approximate, authors ({name, role}), paragraphs, captions, photos ({src,
    caption, credit}), summary, source (path:line in the content directory).

    \b
    Example:
        feeds entries --json > entries.json
        feeds entries --section 教育
    """
    from ..report import print_entries

    chosen = _load(state, content_dir).entries_in(sections)
    if as_json:
        json.dump([e.to_json() for e in chosen], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_entries(chosen)


@cli.command()
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of beside the PDF ('-': standard output).")
@click.option("--force", is_flag=True, help="Replace a text file that is already there.")
@click.pass_obj
def convert(state: State, pdf: Path, output: Path | None, force: bool) -> None:
    """Write a PDF page in the text format, to check or correct it.

    The text (A01.txt beside A01.pdf) has a page header, `##` headlines, `###`
    sub-titles, paragraphs and image lines naming the PDF's pictures. A text file
    beside a PDF of the same name is loaded instead of the PDF, so a correction
    made in it sticks. Pages of one PDF are separated by a form feed line.

    \b
    Example:
        feeds convert content/A01.pdf
        feeds convert content/A01.pdf -o - | less
    """
    from ..content import pdfpage
    from ..errors import ContentError

    if not pdfpage.is_pdf(pdf.name):
        raise ContentError(pdf, None, "not a .pdf file")
    text = pdfpage.convert(pdf.name, pdf.read_bytes())
    if output is not None and str(output) == "-":
        sys.stdout.write(text)
        return
    target = output or pdf.with_suffix(".txt")
    if target.exists() and not force:
        raise ContentError(target, None, "already exists (it may hold corrections): "
                                         "use --force to replace it, or -o another file")
    target.write_text(text, encoding="utf-8")
    click.echo(f"{target}: written from {pdf.name}; it is loaded instead of the PDF")
