"""``feeds build``: content in, site out; this module only wires the parts together."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import ahead, photos, rendering, slugs, websub
from .atomic import write_if_changed
from .config import CACHE_FOLDER, Config
from .content.cache import CacheDamaged, cache_file, drop
from .content.catalog import Catalog
from .content.listing import Inventory
from .content.loader import load_cached
from .content.results import FileReport
from .database import DATABASE_NAME, checkpointing, connect, database_path, large_writes
from .errors import FeedsError
from .formats import SUFFIXES as FEED_SUFFIXES
from .model import Entry
from .published import Limits, Record, Settlement, authority
from .site import Site
from .sitewriter import MANIFEST_NAME, Output, SiteWriter, Summary
from .storage import storage_errors
from .syndication.outputs import FeedBuilder
from .urls import ALL, SUBSCRIBE_PAGE_PATH, new_permalink, prepare_permalinks
from .version import code_identity
from .websub import PingFailure

SLUGS_NAME = "slugs.json"
log = logging.getLogger("feeds.state")
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class BuildOptions:
    content: Path | None = None
    output: Path | None = None
    state: Path | None = None
    pages: bool = True
    jobs: int | None = None
    allow_removals: bool = False  # withdraw any number of published articles
    now: dt.datetime | None = None  # when the build runs (default: the clock)


@dataclass(frozen=True)
class BuildResult:
    entries: int
    skipped: list[FileReport]  # files that gave no entries (errors), in file order
    summary: Summary
    seconds: float
    feeds_written: list[str]  # subscription feeds whose bytes changed
    ping_failures: list[PingFailure]
    settlement: Settlement  # articles new, corrected, updated and withdrawn
    photo_problems: list[photos.Problem]  # pictures left out, each with its file and line


class NothingToPublish(FeedsError):
    """The content gave no entry at all: publishing would empty the site."""


def build(config: Config, options: BuildOptions = BuildOptions(),
          progress: Progress | None = None,
          inventory: Callable[[], Inventory | None] | None = None) -> BuildResult:
    """``inventory`` gives the content folder's inventory, taken in feeds.ahead's second
    process while the command imported this module; by default this process takes it."""
    started = time.perf_counter()
    output = options.output or config.output_path
    state = options.state or config.state_path
    # Without pages, pages (and pictures) an earlier build made are left as they are;
    # the digest's web copies are `feeds digest`'s to publish, never a build's to remove.
    keep = (lambda path: path.startswith("digests/")) if options.pages else (
        lambda path: not path.startswith("feeds/") or path == SUBSCRIBE_PAGE_PATH)

    def writer() -> SiteWriter:
        return SiteWriter(output, state / MANIFEST_NAME, keep=keep)

    # First of all: finish or forget what a killed build left (see sitewriter).
    writers = [writer()]
    try:
        # Slugs are made in a second process, started now if not yet (feeds.ahead).
        with storage_errors(state), ahead.working_ahead():
            ahead.submit(slugs.warm_up)  # at once, if the command did not already
            cache = state / CACHE_FOLDER
            _remember_slugs(cache / SLUGS_NAME)
            database = state / DATABASE_NAME if options.state else database_path(config)
            site = config.site
            limits = None if options.allow_removals else Limits(site.max_removals,
                                                                 site.max_removal_share)
            now = options.now or dt.datetime.now(dt.UTC)
            with closing(connect(database)) as db:
                large_writes(db)
                domain = authority(db, site.domain)
                for attempt in (1, 2):
                    try:
                        with load_cached(config, content=options.content, state=state,
                                         jobs=options.jobs, id_domain=domain,
                                         inventory=inventory,
                                         progress=(lambda d, t: progress("load", d, t))
                                         if progress else None) as catalog:
                            _refuse_an_empty_site(catalog,
                                                  options.content or config.content_path)
                            record = Record(db, new_permalink, batch=True)
                            # A digest passes no limits; a build with --allow-removals,
                            # none that bind.
                            settlement = record.settle(catalog, now,
                                                       limits or Limits(10**9, 1.0), domain)
                            large = settlement.new + settlement.updated > 1000
                            with checkpointing(db, database, large):
                                gallery = photos.Gallery(
                                    options.content or config.content_path, state)
                                summary, made = _write(config, catalog, record, gallery,
                                                       writers[-1], options.pages, progress)
                                gallery.save()
                            entries, skipped = catalog.count(), catalog.skipped()
                        break
                    except CacheDamaged as exc:  # found reading entries back: none published
                        if attempt == 2:
                            raise
                        drop(cache_file(state), exc)
                        writers[-1].abort()
                        writers.append(writer())
            _keep_slugs(cache / SLUGS_NAME)
    except BaseException:
        writers[-1].abort()
        raise
    feeds_written = [p for p in summary.written
                     if p.startswith("feeds/") and p.endswith(FEED_SUFFIXES)
                     and not p.startswith("feeds/archive/")]
    failures = []
    if config.feeds.websub_hub and feeds_written:
        failures = websub.publish(config.feeds.websub_hub,
                                  [made.links.url(path) for path in feeds_written])
    return BuildResult(entries, skipped, summary, time.perf_counter() - started, feeds_written,
                       failures, settlement, gallery.problems)


def _refuse_an_empty_site(catalog: Catalog, content: Path) -> None:
    """An empty or missing share, a mistyped --content, every page unreadable: publishing
    that would replace the site with one whose feeds are empty and say 1970."""
    if catalog.count():
        return
    files, skipped = len(catalog.files), len(catalog.skipped())
    if not files:
        why = "it holds no .txt or .md page"
    else:
        why = f"all {files} pages were skipped (`feeds check` says why)" if skipped == files \
            else f"its {files} pages hold no article"
    raise NothingToPublish(f"{content}: nothing to publish: {why}; 0 entries, {files} files, "
                           f"{skipped} skipped; the published site is unchanged")


def _write(config: Config, catalog: Catalog, record: Record, gallery: photos.Gallery,
           writer: SiteWriter, pages: bool, progress: Progress | None
           ) -> tuple[Summary, Site]:
    site = Site(config, catalog, record, gallery)
    env = rendering.environment(config)
    content = rendering.load(env, "feed_content.html.j2")

    def render_content(entry: Entry, url: str) -> str:
        shown = photos.figures(gallery.pictures(entry), site.links.url, entry.headline)
        return rendering.render(content, entry=entry, url=url, figures=shown)

    # The pictures of every entry an output shows: pages and archives show them all.
    if pages or config.feeds.archives:
        shown = [listing for _, listing in site.timeline]
    else:
        scopes = [ALL, *(s.slug for s in site.sections)]
        shown = list({x.id: x for slug in scopes
                      for _, x in site.recent(slug, config.feeds.limit)}.values())
    gallery.prepare(shown)
    prepare_permalinks(record.without_permalink(shown))

    stylesheet = _stylesheet(env) if config.feeds.stylesheet else None
    # Every template's source, read once, and the code that renders them: after an
    # upgrade every output is rendered again (unchanged bytes are still not rewritten).
    design = f"{code_identity()}:{rendering.fingerprint(env)}"
    outputs: list[Iterable[Output]] = [
        gallery.outputs(shown), FeedBuilder(site, render_content, stylesheet, design).outputs()]
    if pages:
        from .pages import PageBuilder  # here: a feeds-only build needs none of it

        outputs.append(PageBuilder(site, env, design).outputs())
    for done, item in enumerate(o for group in outputs for o in group):
        writer.add(item)
        if progress and done % 500 == 0:
            progress("write", done, 0)
    record.save()  # the permalinks this build shows for the first time, before they are
    return writer.commit(), site


def _remember_slugs(path: Path) -> None:
    """Take the slugs an earlier build of this code made: a cache, so no file, a
    damaged one, or one of another shape or another version only means making them."""
    known: dict[str, str] = {}
    with contextlib.suppress(OSError, ValueError):
        found = json.loads(path.read_bytes())
        if (isinstance(found, dict) and found.get("code") == code_identity()
                and isinstance(found.get("slugs"), dict)):
            known = {k: v for k, v in found["slugs"].items()
                     if isinstance(k, str) and isinstance(v, str) and slugs.is_slug(v)}
        elif path.exists():
            log.warning("%s: a slug cache of another version or shape; made again", path)
    slugs.remember(known)


def _keep_slugs(path: Path) -> None:
    data = {"code": code_identity(), "slugs": slugs.used()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_if_changed(path, json.dumps(data, ensure_ascii=False).encode())
    except OSError as exc:  # a cache: the next build makes the slugs again
        log.warning("%s: cannot keep the slug cache (%s)", path, exc.strerror)


def _stylesheet(env: jinja2.Environment) -> bytes:
    return rendering.source(env, "feed.xsl").encode("utf-8")
