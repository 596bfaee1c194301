"""``feeds build``: content in, site out; this module only wires the parts together."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import slugs, templates, websub
from .atomic import write_if_changed
from .config import Config
from .content.cache import load_cached
from .content.catalog import Catalog
from .content.results import FileReport
from .model import Entry
from .site import Site
from .sitewriter import Output, SiteWriter, Summary
from .syndication.outputs import FeedBuilder
from .urls import FORMATS
from .websub import PingFailure

FEED_SUFFIXES = tuple(FORMATS.values())
SLUGS_NAME = "slugs.json"
PINYIN_NAME = "pinyin.marshal"
MANIFEST_NAME = "manifest.json"
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class BuildOptions:
    content: Path | None = None
    output: Path | None = None
    state: Path | None = None
    pages: bool = True
    jobs: int | None = None


@dataclass(frozen=True)
class BuildResult:
    entries: int
    skipped: list[FileReport]  # files that gave no entries (errors), in file order
    summary: Summary
    seconds: float
    feeds_written: list[str]  # subscription feeds whose bytes changed
    ping_failures: list[PingFailure]


def build(config: Config, options: BuildOptions = BuildOptions(),
          progress: Progress | None = None) -> BuildResult:
    started = time.perf_counter()
    output = options.output or config.output_path
    state = options.state or config.state_path
    _remember_slugs(state / SLUGS_NAME)
    slugs.keep_tables_in(state / PINYIN_NAME)
    with load_cached(config, content=options.content, state=state, jobs=options.jobs,
                     progress=(lambda d, t: progress("load", d, t)) if progress else None
                     ) as catalog:
        summary, site = _write(config, catalog, output, state, options.pages, progress)
        entries, skipped = catalog.count(), catalog.skipped()
    write_if_changed(state / SLUGS_NAME, json.dumps(slugs.used(), ensure_ascii=False).encode())
    feeds_written = [p for p in summary.written
                     if p.startswith("feeds/") and p.endswith(FEED_SUFFIXES)
                     and not p.startswith("feeds/archive/")]
    failures = []
    if config.feeds.websub_hub and feeds_written:
        failures = websub.publish(config.feeds.websub_hub,
                                  [site.links.url(path) for path in feeds_written])
    return BuildResult(entries, skipped, summary, time.perf_counter() - started, feeds_written,
                       failures)


def _write(config: Config, catalog: Catalog, output: Path, state: Path, pages: bool,
           progress: Progress | None) -> tuple[Summary, Site]:
    site = Site(config, catalog)
    env = templates.environment(config)
    content = templates.load(env, "feed_content.html.j2")

    def render_content(entry: Entry, url: str) -> str:
        return templates.render(content, entry=entry, url=url)

    stylesheet = _stylesheet(env) if config.feeds.stylesheet else None
    design = templates.fingerprint(env)  # every template's source, read once
    outputs: list[Iterable[Output]] = [
        FeedBuilder(site, render_content, stylesheet, design).outputs()]
    if pages:
        from .pages import PageBuilder  # here: a feeds-only build needs none of it

        outputs.append(PageBuilder(site, env, design).outputs())
    # Without pages, pages an earlier build made are left as they are, not removed.
    keep = None if pages else (lambda path: not path.startswith("feeds/"))
    writer = SiteWriter(output, state / MANIFEST_NAME, keep=keep)
    try:
        for done, item in enumerate(o for group in outputs for o in group):
            writer.add(item)
            if progress and done % 500 == 0:
                progress("write", done, 0)
    except BaseException:
        writer.abort()
        raise
    return writer.commit(), site


def _remember_slugs(path: Path) -> None:
    known = {}
    # No file (the first build), an unreadable or damaged one: the slugs are made again.
    with contextlib.suppress(OSError, ValueError):
        known = json.loads(path.read_bytes())
    slugs.remember(known)


def _stylesheet(env: jinja2.Environment) -> bytes:
    source, _, _ = env.loader.get_source(env, "feed.xsl")
    return source.encode("utf-8")
