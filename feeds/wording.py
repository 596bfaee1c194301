"""The reader's wording: the texts of short answers and notice emails, from a catalogue.

``messages.toml`` sits with the templates (feeds.rendering.folders: a site's own
copy in site.templates_dir wins), so that every word a reader sees is in the
site's language and none comes from Python code or a library's English.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .config import Config
from .errors import FeedsError
from .rendering import folders

CATALOGUE = "messages.toml"


class WordingError(FeedsError):
    pass


@dataclass(frozen=True)
class Wording:
    data: dict[str, Any]
    where: str

    def page(self, key: str, **values: object) -> tuple[str, str]:
        """The (title, text) of an answer page."""
        title, text = self._get("pages", key)
        return title.format(**values), text.format(**values)

    def notice(self, key: str, **values: object) -> dict[str, str]:
        table = self._get("notices", key)
        return {name: str(text).format(**values) for name, text in table.items()}

    def word(self, key: str) -> str:
        return str(self._get("words", key))

    def _get(self, table: str, key: str) -> Any:
        try:
            return self.data[table][key]
        except KeyError:
            raise WordingError(f"{self.where}: no [{table}] {key}") from None


def wording(config: Config) -> Wording:
    for folder in folders(config):
        path = folder / CATALOGUE
        if path.is_file():
            return _read(path, path.stat().st_mtime_ns)
    raise WordingError(f"{CATALOGUE} not found in the template folders")


@cache
def _read(path: Path, _mtime: int) -> Wording:
    try:
        return Wording(tomllib.loads(path.read_text(encoding="utf-8")), str(path))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise WordingError(f"{path}: {exc}") from None
