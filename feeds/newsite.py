"""A new site folder, copied from the starter files: a commented feeds.toml and an
example page. ``feeds init`` prints what this makes."""

from __future__ import annotations

import shutil
from pathlib import Path

from .config import CONFIG_NAME
from .errors import FeedsError

STARTER = Path(__file__).resolve().parent / "starter"


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
