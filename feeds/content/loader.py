"""Content files → entries, with a report per file.

Each file is parsed on its own by :func:`parse_file`, a pure function of the
file's bytes and the settings, so results can be cached and computed in worker
processes. The loader owns the parse cache (:func:`load_cached`): it asks the
cache which files changed, stores what it parsed and reads the rest through
it; the cache knows records and SQLite, nothing of parsing. What needs all
files at once (the list of sections; ids of duplicate headlines, given by the
catalogue) is done afterwards in :func:`load`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .. import collector
from ..config import Config
from ..errors import ContentError
from ..model import Listing
from ..version import code_identity
from . import article, furniture, images, issuedate, jumps, pdfpage, records, reflow, sections
from .cache import CacheDamaged, ParseCache, Stored, cache_file, drop
from .catalog import Backend, Catalog, InMemory
from .dates import full_date
from .decoding import decode
from .frontmatter import FrontMatter, split_front_matter
from .issuedate import IssueDate
from .listing import Inventory, is_pdf, survey
from .page import Block, Layout, Lines, page_section, split_page
from .results import FileReport, FileResult, Problem
from .sections import Rules

if TYPE_CHECKING:  # imported where used: a rebuild seldom parses in parallel
    from concurrent.futures import Future

MAX_FILE_BYTES = 64 * 1024 * 1024
# Below this many files to parse, starting worker processes costs more than it saves.
_PARALLEL_FROM = 48
# Chunks of files per parsing process: enough that the processes finish close
# together (a worker holds two chunks when the two ends meet), few enough that
# handing them out costs little (3-4 ms each).
_CHUNKS_PER_PROCESS = 64


@dataclass(frozen=True)
class Settings:
    """Everything parsing depends on besides the bytes; its fingerprint keys the cache."""

    domain: str
    rules: Rules

    @classmethod
    def from_config(cls, config: Config, id_domain: str | None = None) -> Settings:
        """``id_domain``: the domain ids are minted from, when the site has one on record
        (feeds.published); else the domain of ``site.base_url``."""
        return cls(id_domain or config.site.domain, Rules.from_config(config))

    @cached_property
    def fingerprint(self) -> str:
        key = (code_identity(), self.domain, self.rules)  # other code may parse otherwise
        return hashlib.sha1(repr(key).encode()).hexdigest()


Besides = dict[str, tuple[str, ...]]  # page → the images sharing its name (images.beside)


def parse_file(path: str, data: bytes, settings: Settings,
               beside: tuple[str, ...] = ()) -> FileResult:
    """Parse one file; a file that cannot be used gives no entries and an error problem.
    ``beside`` names the images sharing the file's name (see content.images). Whatever
    goes wrong stays with the file: a bug met on one page must not stop the others."""
    def parse_text(path: str, data: bytes, beside: tuple[str, ...]) -> FileResult:
        return _guarded(path, lambda: _parse(path, data, settings, beside))

    if not is_pdf(path):
        return parse_text(path, data, beside)
    # each page laid out as text, then parsed as text is (content.pdfpage)
    return _guarded(path, lambda: pdfpage.parse(path, data, beside, parse_text))


def _guarded(path: str, parse: Callable[[], FileResult]) -> FileResult:
    try:
        return parse()
    except ContentError as exc:
        problem = Problem(exc.line, exc.message, "error")
    except Exception as exc:  # a bug: reported with the file, as the other files load
        line = exc.line if isinstance(exc, _ArticleFailed) else None
        cause = exc.__cause__ if isinstance(exc, _ArticleFailed) else exc
        problem = Problem(line, f"could not be read ({type(cause).__name__}: {cause}); "
                                "please report this as a bug with the file", "error")
    return _failed(path, problem)


class _ArticleFailed(Exception):
    """An unexpected error while building the article at ``line``."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _parse(path: str, data: bytes, settings: Settings, beside: tuple[str, ...]) -> FileResult:
    if not data.strip():
        raise ContentError(path, None, "file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise ContentError(path, None, f"file is {len(data) // 2**20} MB; pages larger than "
                                       f"{MAX_FILE_BYTES // 2**20} MB are not read")
    decoded = decode(data, path)
    problems = [Problem(line, msg) for line, msg in decoded.notes]
    split = split_front_matter(decoded.text, path)
    problems += [Problem(line, msg) for line, msg in split.notes]
    layout = split_page(split.body, split.first_line)
    meta = split.meta
    blocks = layout.blocks
    if not blocks:
        if not meta.title:
            raise ContentError(path, None, "no article found: start each article with a "
                                           "# heading line, or give a single article a "
                                           "`title:` in front matter")
        blocks = [Block(_title_line(meta), 1, meta.title, body=layout.header)]
        header: Lines = []
    else:
        header = layout.header
        if meta.title:
            problems.append(Problem(meta.line, "front matter `title` is ignored: the file has "
                                               "headings, so each heading is an article"))
    stripped = furniture.strip(Layout(header, blocks))
    problems += [Problem(r.line, f"removed “{r.text}” as a {r.why}", "note")
                 for r in stripped.removed]
    blocks = stripped.blocks
    if "版" in split.body:  # every jump marker names a page (版): most pages have none
        blocks, joins = jumps.join(blocks)
        problems += [Problem(line, message, "note") for line, message in joins]
    problems += [Problem(b.kicker_line, f"read the heading “{b.kicker}” as the kicker (引题) "
                                        "of the headline after it", "note")
                 for b in blocks if b.kicker_line is not None]
    issue = _issue_date(path, meta, header, Layout(header, blocks))
    if issue.note:
        problems.append(Problem(issue.line, issue.note, "warning"))
    single = len(blocks) == 1
    if (meta.id or meta.author) and not single:
        problems.append(Problem(meta.line, "front matter `id` and `author` apply only to "
                                           "single-article files; ignored"))
    base = (settings.rules.canonical(meta.section) if meta.section
            else _base_section(path, header, settings.rules))
    page = article.PageContext(
        path=path,
        domain=settings.domain,
        issue_date=issue.date,
        section=_unreserved(base, meta.line if meta.section else None, problems),
        section_is_final=meta.section is not None,
        rules=settings.rules,
        time=meta.time,
        author=meta.author if single else None,
        id=meta.id if single else None,
        style=reflow.convention(b.body for b in blocks),
    )
    marked = images.take_markdown(blocks)
    later_sections = [] if meta.section else [
        (line, _unreserved(settings.rules.canonical(name), line, problems))
        for line, name in stripped.sections]
    entries = []
    for position, block in enumerate(blocks):
        section = next((name for line, name in reversed(later_sections) if line < block.line),
                       None) if later_sections else None
        try:
            entries.append(article.build(page, block.line, block.heading, block.subheading,
                                         block.body, position, kicker=block.kicker,
                                         section=section))
        except article.Skipped as skip:
            problems.append(Problem(skip.line, skip.message))
        except Exception as exc:
            raise _ArticleFailed(block.line) from exc
    problems += [Problem(line, message, "note") for line, message in page.notes]
    if not entries:
        raise ContentError(path, blocks[0].line, "no article has any text")
    front = (meta.line, meta.image) if meta.image else None
    if front and not single:
        problems.append(Problem(meta.line, "front matter `image` applies only to "
                                           "single-article files; ignored"))
        front = None
    entries, notes = images.attach(path, entries, marked, front, beside)
    problems += [Problem(line, message) for line, message in notes]
    problems.sort(key=lambda p: p.line or 0)
    report = FileReport(path, len(entries), issue, tuple(problems), decoded.encoding)
    return FileResult(tuple(entries), report)


def _title_line(meta: FrontMatter) -> int:
    return meta.line + 1 if meta.line else 1


def _issue_date(path: str, meta: FrontMatter, header: Lines, layout: Layout) -> IssueDate:
    if meta.date:
        return IssueDate(meta.date, "front matter")
    from_path = issuedate.from_path(path)
    if from_path:
        return IssueDate(from_path, "path")
    from_header = next((d for d in (full_date(t) for _, t in header) if d), None)
    if from_header:
        return IssueDate(from_header, "page header")
    # Only now every line of the page: most pages state their date, and this list is big.
    inferred = issuedate.infer(layout.header + [x for b in layout.blocks for x in b.body])
    if inferred:
        return inferred
    raise ContentError(path, None, "no issue date: add `date: YYYY-MM-DD` front matter, put "
                                   "the date in the file name (2024-01-02-page.txt) or in "
                                   "the page header (2024年1月2日)")


def _unreserved(name: str, line: int | None, problems: list[Problem]) -> str:
    """A section name the content gives, renamed when the site's URLs keep it for
    themselves (feeds/all.rss.xml is the whole site's feed)."""
    renamed = sections.unreserved(name)
    if renamed != name:
        problems.append(Problem(line, f"section name {name!r} is kept for the whole site's "
                                      f"feeds; its articles go to {renamed!r}"))
    return renamed


def _base_section(path: str, header: Lines, rules: Rules) -> str:
    for _, text in header:
        name = page_section(text)
        if name:
            return rules.canonical(name)
    if rules.folder_sections:
        folder = Path(path).parent.name
        if folder and not issuedate.from_path(folder):
            return rules.canonical(folder)
    return rules.default


# --------------------------------------------------------------------------- load


ProgressFn = Callable[[int, int], None]
Taken = Callable[[], Inventory | None]  # an inventory another process took, or None


def load(config: Config, *, content: Path | None = None, cache: ParseCache | None = None,
         jobs: int | None = None, progress: ProgressFn | None = None,
         id_domain: str | None = None, inventory: Taken | None = None) -> Catalog:
    """Load every content file under the content directory into a Catalog.

    ``jobs`` processes parse, this one included (default: one per core, at most 8).
    ``id_domain`` overrides the domain in ids (see Settings.from_config).
    ``inventory`` gives the content folder's inventory when another process took it
    (feeds.ahead); one without stats when there is a cache, or of another folder, or
    none, and it is taken here.
    """
    root = content or config.content_path
    if not root.is_dir():
        raise ContentError(root, None, "content directory not found")
    with collector.paused():  # the catalogue's entries
        found = inventory() if inventory else None
        if found is None or found.root != str(root) or (cache and found.stats is None):
            found = survey(root, stats=cache is not None)
        return _load(config, found, cache, jobs, progress, id_domain)


def load_cached(config: Config, *, content: Path | None = None, state: Path | None = None,
                jobs: int | None = None, progress: ProgressFn | None = None,
                id_domain: str | None = None, inventory: Taken | None = None) -> Catalog:
    """load() with the parse cache in the state directory, as builds and digests use it.
    The catalog holds the cache open until it is closed (it is a context manager).
    A damaged cache is dropped, with a warning, and made again."""
    path = cache_file(state or config.state_path)
    for attempt in (1, 2):
        cache = ParseCache(path)
        try:
            return load(config, content=content, cache=cache, jobs=jobs, progress=progress,
                        id_domain=id_domain, inventory=inventory)
        except CacheDamaged as exc:
            cache.close()
            if attempt == 2:
                raise
            drop(path, exc)
        except BaseException:
            cache.close()
            raise
    raise AssertionError("unreachable")


def _load(config: Config, inventory: Inventory, cache: ParseCache | None, jobs: int | None,
          progress: ProgressFn | None, id_domain: str | None) -> Catalog:
    settings = Settings.from_config(config, id_domain)
    files, odd = inventory.pages, inventory.odd
    beside = images.beside(files, inventory.pictures)
    todo = cache.changed(files, inventory.stats or {}, settings.fingerprint, beside) \
        if cache else files
    fresh: dict[str, FileResult] = {}  # held in memory: parsed here, or not stored
    digests: dict[str, dict[int, tuple[str, str]]] = {}  # of the files stored
    for rel, parsed in _parse_all(todo, settings, beside, jobs, progress,
                                  len(files) - len(todo), len(files)):
        if cache is None:
            fresh[rel] = parsed if isinstance(parsed, FileResult) else records.loads(
                parsed.result)
            continue
        item = parsed if isinstance(parsed, Stored) else Stored.of(parsed)
        if cache.put(rel, item):
            digests[rel] = item.digests
            if isinstance(parsed, FileResult):
                fresh[rel] = parsed
        else:  # gone since it was listed: reported now, never stored
            fresh[rel] = records.loads(item.result)
    fresh.update((rel, _not_a_file(rel)) for rel in odd)  # reported, never stored
    backend: Backend
    if cache:
        cache.store(settings.fingerprint, keep={rel for rel, _ in files})
        backend = cache.backend([rel for rel, _ in files] + odd, fresh, settings.fingerprint,
                                digests)
    else:
        backend = InMemory(
            [(fresh[rel].report, tuple(Listing.of(e) for e in fresh[rel].entries))
             for rel in [rel for rel, _ in files] + odd],
            {rel: result.entries for rel, result in fresh.items()})
    used = backend.sections_used() | {config.site.default_section}
    return Catalog(backend, sections.catalogue(config, used))


# A file parsed here, or in a worker process (then in the form the parse cache stores)
Parsed = tuple[str, FileResult | Stored]


def _parse_all(todo: list[tuple[str, str]], settings: Settings, beside: Besides,
               jobs: int | None, progress: ProgressFn | None, done: int, total: int
               ) -> Iterator[Parsed]:
    processes = min(jobs or os.cpu_count() or 1, 8)  # this one included
    if progress:
        progress(done, total)
    if processes < 2 or len(todo) < _PARALLEL_FROM:
        for rel, path in todo:
            yield rel, _read_and_parse(rel, path, settings, beside.get(rel, ()))
            done += 1
            if progress:
                progress(done, total)
        return
    for parsed in _parse_in_parallel(todo, settings, beside, processes):
        yield parsed
        done += 1
        if progress and (done % 64 == 0 or done == total):
            progress(done, total)


def _parse_in_parallel(todo: list[tuple[str, str]], settings: Settings, beside: Besides,
                       processes: int) -> Iterator[Parsed]:
    """Parse in ``processes - 1`` worker processes and in this one, in any order.

    The workers take chunks of files from the front and this process takes them
    from the back, cancelling each before a worker starts it, until the two ends
    meet; between its chunks it unpacks what the workers sent. What this process
    parses is never sent: packing, pickling, unpickling and unpacking a worker's
    result costs a fifth as much as parsing it (bench/README.md).
    """
    from concurrent.futures import ProcessPoolExecutor  # here: a rebuild seldom needs it
    from multiprocessing import get_all_start_methods, get_context

    size = -(-len(todo) // (processes * _CHUNKS_PER_PROCESS))
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    # fork: workers inherit the imported modules instead of importing them again
    context = get_context("fork") if "fork" in get_all_start_methods() else None
    with (tempfile.TemporaryDirectory(prefix="feeds-load-") as folder,
          ProcessPoolExecutor(processes - 1, mp_context=context) as pool):
        futures = [pool.submit(_work, chunk, settings, folder,
                               {rel: beside[rel] for rel, _ in chunk if rel in beside})
                   for chunk in chunks]
        front = 0  # the futures before this one are collected
        for back in reversed(range(len(chunks))):
            if not futures[back].cancel():  # a worker has started it: the ends have met
                break
            for rel, path in chunks[back]:
                yield rel, _read_and_parse(rel, path, settings, beside.get(rel, ()))
            while front < back and futures[front].done():
                yield from _unpacked(futures[front])
                front += 1
        for future in futures[front:]:
            if not future.cancelled():
                yield from _unpacked(future)


def _unpacked(future: Future[str]) -> Iterator[Parsed]:
    """The results a worker left in a file (see _work), which is then removed."""
    path = future.result()
    with open(path, "rb") as file:
        packed: list[tuple[str, Stored]] = pickle.load(file)
    os.remove(path)
    yield from packed


def _work(chunk: list[tuple[str, str]], settings: Settings, folder: str,
          beside: Besides) -> str:
    """In a worker process: parse a chunk of files and leave them packed (see records)
    in a new file in ``folder``; return its path.

    A file, not the pool's pipe: a thread of the loading process reads the pipe
    64 KB at a time, taking the interpreter lock from that process's own parsing
    for every read, and a worker waited for its result to be read for a fifth
    to a half of the time it spent parsing. It writes a file at once, and the
    loading process reads it in one call (bench/README.md).
    """
    # Each file as the parse cache stores it: made here, beside the loading process's own
    # parsing, not by that process after it; nor does it read the entries back.
    packed = [(rel, Stored.of(_read_and_parse(rel, path, settings, beside.get(rel, ()))))
              for rel, path in chunk]
    handle, path = tempfile.mkstemp(dir=folder)
    with os.fdopen(handle, "wb") as file:
        pickle.dump(packed, file, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _read_and_parse(rel: str, path: str, settings: Settings,
                    beside: tuple[str, ...]) -> FileResult:
    try:
        # Non-blocking, in case the file became a FIFO since it was listed: then the
        # open returns at once and the check below refuses it.
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return _not_a_file(rel)
            data = file.read()
    except OSError as exc:
        return _failed(rel, Problem(None, f"cannot read: {exc.strerror}", "error"))
    return parse_file(rel, data, settings, beside)


def _not_a_file(rel: str) -> FileResult:
    return _failed(rel, Problem(None, "not a regular file (a FIFO, socket or device); "
                                      "skipped without opening it"))


def _failed(path: str, problem: Problem) -> FileResult:
    """A file that gave no entries, and why."""
    return FileResult((), FileReport(path, 0, None, (problem,)))
