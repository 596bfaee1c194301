"""Human-readable reports of loaded content, for ``feeds check`` and ``feeds entries``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .content.catalog import Catalog
from .content.pdfpage import split_reference
from .model import Entry

if TYPE_CHECKING:
    from rich.console import Console

    from .build import BuildResult
    from .digest.send import RunReport


def print_check(catalog: Catalog, *, strict: bool = False, console: Console | None = None,
                content: Path | None = None) -> bool:
    """Print a table of files, every problem, then the pictures the entries name (when
    ``content``, the folder they are relative to, is given); True when the check failed."""
    from rich.console import Console  # here: builds print no tables
    from rich.table import Table

    console = console or Console(highlight=False)
    table = Table("file", "entries", "issue date", "problems", box=None, pad_edge=False)
    for report in catalog.files:
        counts = [p.severity for p in report.problems]
        summary = ", ".join(f"{counts.count(s)} {s}{'s' if counts.count(s) > 1 else ''}"
                            for s in ("error", "warning", "note") if s in counts)
        issue = (f"{report.issue_date.date} ({report.issue_date.source})"
                 if report.issue_date else "-")
        table.add_row(report.path, "skipped" if report.skipped else str(report.entries),
                      issue, summary or "ok")
    console.print(table)
    for report in catalog.files:
        for problem in report.problems:
            where = f"{report.path}:{problem.line}" if problem.line else report.path
            console.print(f"{where}: {problem.severity}: {problem.message}", soft_wrap=True)
    skipped = [r.path for r in catalog.files if r.skipped]
    warned = [r.path for r in catalog.files
              if any(p.severity == "warning" for p in r.problems)]
    missing = print_photos(catalog, content, console) if content is not None else 0
    console.print(f"{len(catalog.files)} files, {len(catalog.listings)} entries, "
                  f"{len(skipped)} skipped, {len(warned)} with warnings")
    return bool(skipped) or (strict and (bool(warned) or bool(missing)))


def print_photos(catalog: Catalog, content: Path, console: Console) -> int:
    """List every picture the entries name, then those whose file is missing and those
    with no caption (warnings). Returns how many warnings it gave. Files are only looked
    for here; `feeds build` reads them and reports any it cannot use."""
    found = [(entry, photo) for entry in catalog.entries for photo in entry.photos]
    if not found:
        return 0
    missing, bare = [], []
    console.print("images:")
    for entry, photo in found:
        where = f"{entry.source.path}:{photo.line}" if photo.line else entry.source.path
        credit = f" ({photo.credit})" if photo.credit else ""
        console.print(f"  {where}: {photo.src}: {photo.caption or '-'}{credit}", soft_wrap=True)
        if not (content / split_reference(photo.src)[0]).is_file():
            missing.append(f"{where}: warning: image {photo.src} not found")
        if not photo.caption:
            bare.append(f"{where}: warning: image {photo.src} has no caption (its alt text "
                        "will be the headline)")
    for line in missing + bare:
        console.print(line, soft_wrap=True)
    console.print(f"{len(found)} images, {len(missing)} missing, {len(bare)} without caption")
    return len(missing) + len(bare)


def print_entries(entries: Iterable[Entry], console: Console | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console(highlight=False)
    table = Table("date", "section", "title", "source", box=None, pad_edge=False)
    for entry in entries:
        date = f"{entry.date}{'~' if entry.date_approximate else ''}"
        table.add_row(date, entry.section, entry.title, str(entry.source))
    console.print(table)


def build_warnings(result: BuildResult) -> list[str]:
    """What a build must tell even a quiet run: pages it skipped, hubs that did not answer."""
    lines = []
    for report in result.skipped:
        problem = next(p for p in report.problems if p.severity == "error")
        where = f"{report.path}:{problem.line}" if problem.line else report.path
        lines.append(f"skipped {where}: {problem.message}")
    lines += [str(problem) for problem in result.photo_problems]
    lines += [f"WebSub hub was not told about {f.feed_url}: {f.reason}"
              for f in result.ping_failures]
    return lines


def digest_warnings(report: RunReport) -> list[str]:
    """What a digest run must tell even when quiet: copies that failed or were put off,
    and emails cut to fit the size limit."""
    lines = [problem for edition in report.editions for problem in edition.problems]
    lines += [f"edition {e.edition}: {e.trimmed} emails were over digest.max_html_bytes; "
              "their sections were cut to the top entries"
              for e in report.editions if e.trimmed]
    return lines
