"""``feeds deploy``: the output folder, copied to an S3-compatible bucket so that readers
never meet a missing page.

Deciding and doing are apart. :func:`make_plan` is a pure function of the local files
and the bucket's listing: a file is uploaded when its MD5 differs from the stored one
(not when its modification time does, so a rebuilt site uploads only what changed and a
second deploy uploads nothing); an object with no local file is deleted. :func:`execute`
then uploads the new files, then the changed ones, then deletes: a page is in place
before the feed or section page that starts linking to it, and nothing is removed until
everything that replaces it is up. Within each step, images and other files go before
pages, deeper pages (articles) before the pages that list them, and feeds last.

A deploy that fails midway leaves the bucket a mix of old and new files that all exist;
the next run finds the rest by hash and finishes.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from . import media, purge
from .bucket import Bucket, RemoteObject
from .config import CACHE_FOLDER, Config, DeployRule
from .errors import FeedsError
from .filehashes import NAME as HASHES_NAME
from .filehashes import FileHashes
from .sitewriter import is_built


class DeployError(FeedsError):
    """The deploy cannot go ahead, or stopped; what was deployed stays consistent."""


class TooManyDeletes(DeployError):
    """More deletes than deploy.max_deletes: probably a wrong prefix or an unbuilt site."""


@dataclass(frozen=True)
class LocalFile:
    path: str  # relative to the output folder, with /
    size: int
    md5: str  # hex


@dataclass(frozen=True)
class Upload:
    path: str
    size: int
    content_type: str
    cache_control: str


@dataclass(frozen=True)
class Plan:
    new: tuple[Upload, ...]
    changed: tuple[Upload, ...]
    deletes: tuple[str, ...]
    unchanged: int

    def lines(self) -> list[str]:
        """The plan as ``--dry-run`` prints it, in the order it would run."""
        return [f"upload ({kind}) {u.path}  [{u.content_type}; {u.cache_control}]"
                for kind, group in (("new", self.new), ("changed", self.changed))
                for u in group] + [f"delete {path}" for path in self.deletes]

    def summary(self, done: bool = False) -> str:
        return (f"{len(self.new)} new, {len(self.changed)} changed, {len(self.deletes)} "
                f"{'deleted' if done else 'to delete'}, {self.unchanged} unchanged")


@dataclass
class Report:
    plan: Plan
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    purged: int = 0  # URLs the CDN was told about

    @property
    def changed_paths(self) -> list[str]:
        """What readers may have cached in its old form: replaced and deleted files.
        (New files had no old form, but a CDN may hold a "not found" for them.)"""
        return [*self.uploaded, *self.deleted]


# ------------------------------------------------------------------------ deciding
def headers(path: str, rules: Iterable[DeployRule]) -> tuple[str, str]:
    """(Content-Type, Cache-Control) of a file: the first matching rule's, else the
    built-in ones that ``feeds serve`` sends too."""
    content_type, cache_control = None, None
    for rule in rules:
        if re.search(rule.pattern, path):
            content_type = content_type or rule.content_type
            cache_control = cache_control or rule.cache_control
            if content_type and cache_control:
                break
    return content_type or media.media_type(path), cache_control or media.cache_control(path)


def make_plan(local: Mapping[str, LocalFile], remote: Mapping[str, RemoteObject],
              rules: tuple[DeployRule, ...], force: bool) -> Plan:
    """What to upload and delete so that the bucket holds exactly the local files."""
    new: list[Upload] = []
    changed: list[Upload] = []
    unchanged = 0
    for path in sorted(local, key=_order):
        file, stored = local[path], remote.get(path)
        if stored is not None and not force and stored.md5 == file.md5 \
                and stored.size == file.size:
            unchanged += 1
            continue
        upload = Upload(path, file.size, *headers(path, rules))
        (new if stored is None else changed).append(upload)
    deletes = tuple(sorted((p for p in remote if p not in local), key=_order))
    return Plan(tuple(new), tuple(changed), deletes, unchanged)


def _order(path: str) -> tuple[int, int, str]:
    """Files others link to first: assets, then pages from the deepest, then feeds."""
    name = path.lower()
    kind = 2 if name.endswith(media.FEED_SUFFIXES) else 1 if name.endswith(".html") else 0
    return kind, -path.count("/"), path


# ------------------------------------------------------------------------- looking
def local_files(output: Path, hashes: FileHashes) -> dict[str, LocalFile]:
    """Every file of the built site: hidden files and folders (the build's staging
    folder) are not part of it, as ``feeds serve`` does not serve them. ``hashes``
    remembers MD5s between deploys, so only files that changed are read."""
    found: dict[str, LocalFile] = {}
    for folder, dirs, files in os.walk(output):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = Path(folder)
        for name in files:
            if name.startswith("."):
                continue
            path = base / name
            relative = path.relative_to(output).as_posix()
            try:
                size, md5 = hashes.md5(path, relative)
            except OSError as exc:
                raise DeployError(f"{path}: cannot read: {exc.strerror}") from None
            found[relative] = LocalFile(relative, size, md5)
    return found


# --------------------------------------------------------------------------- doing
Progress = Callable[[str, str], None]  # (action, path): after each upload or delete


def execute(plan: Plan, output: Path, bucket: Bucket, workers: int = 8,
            progress: Progress | None = None) -> Report:
    """Carry out a plan: new files, then changed ones, then deletes, each step finished
    before the next begins. The first failure stops the deploy (uploads in flight
    finish) and nothing is deleted."""
    report = Report(plan)
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for group in (plan.new, plan.changed):
                for tier in range(3):
                    batch = [u for u in group if _order(u.path)[0] == tier]
                    _upload_all(batch, output, bucket, pool, report, progress)
        if plan.deletes:
            bucket.delete(plan.deletes)
    except FeedsError as exc:
        raise DeployError(f"{exc}\nthe deploy stopped after {len(report.uploaded)} of "
                          f"{len(plan.new) + len(plan.changed)} uploads; run it again "
                          "to finish") from None
    report.deleted.extend(plan.deletes)
    if progress:
        for path in plan.deletes:
            progress("delete", path)
    return report


def _upload_all(batch: list[Upload], output: Path, bucket: Bucket, pool: ThreadPoolExecutor,
                report: Report, progress: Progress | None) -> None:
    def one(upload: Upload) -> None:
        try:
            body = (output / upload.path).read_bytes()
        except OSError as exc:
            raise DeployError(f"{output / upload.path}: cannot read: {exc.strerror}") from None
        bucket.put(upload.path, body, hashlib.md5(body).digest(), upload.content_type,
                   upload.cache_control)
        report.uploaded.append(upload.path)  # list.append is atomic under the GIL
        if progress:
            progress("upload", upload.path)

    futures = [pool.submit(one, u) for u in batch]
    _, pending = wait(futures, return_when=FIRST_EXCEPTION)
    for future in pending:
        future.cancel()
    wait(futures)
    for future in futures:
        if not future.cancelled() and (failure := future.exception()) is not None:
            raise failure


# --------------------------------------------------------------------------- wiring
def deploy(config: Config, bucket: Bucket, *, dry_run: bool = False,
           allow_deletes: bool = False, force: bool = False,
           progress: Progress | None = None) -> Report:
    """Plan against the bucket's listing, check the delete cap, execute, then purge."""
    output = config.output_path
    if not is_built(output):
        raise DeployError(f"{output}: no built site to deploy; run `feeds build` first")
    settings = config.deploy
    hashes = FileHashes(config.state_path / CACHE_FOLDER / HASHES_NAME)
    local = local_files(output, hashes)
    hashes.save()
    plan = make_plan(local, bucket.listing(), settings.rules, force=force)
    if dry_run:
        return Report(plan)
    if len(plan.deletes) > settings.max_deletes and not allow_deletes:
        raise TooManyDeletes(
            f"the deploy would delete {len(plan.deletes)} objects, more than "
            f"deploy.max_deletes ({settings.max_deletes}); nothing was changed. Check the "
            "output folder and deploy.prefix, then run again with --allow-deletes (or "
            "--dry-run to see the plan)")
    report = execute(plan, output, bucket, settings.workers, progress)
    changed = report.changed_paths
    if changed and (settings.purge_command or settings.purge_url):
        urls = purge.urls(config.site.base_url, changed)
        if settings.purge_command:
            purge.run_command(settings.purge_command, urls)
        if settings.purge_url:
            purge.post(settings.purge_url, urls, purge.urls("/", changed))
        report.purged = len(urls)
    return report
