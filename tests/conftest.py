"""Shared fixtures: small pages written for each case, loaded through the real loader."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from feeds.config import Config, parse_config
from feeds.content.loader import Catalog, load

ROOT = Path(__file__).resolve().parent.parent
DEMO_PAGE = ROOT / "content" / "000_20e2c56e6a147bfe.txt"


def page(text: str) -> str:
    """Dedent a page written inline in a test."""
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    return folder


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Config]:
    def make(**data: object) -> Config:
        site = {"content_dir": "content", "output_dir": "public", "state_dir": "state",
                **data.pop("site", {})}  # type: ignore[dict-item]
        return parse_config({"site": site, **data}, root=tmp_path)
    return make


@pytest.fixture
def load_pages(content_dir: Path, make_config: Callable[..., Config]) -> Callable[..., Catalog]:
    """Write {relative path: text or bytes} into content/ and load it."""
    def run(files: dict[str, str | bytes], **config: object) -> Catalog:
        for rel, text in files.items():
            path = content_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(page(text), encoding="utf-8")
        return load(make_config(**config))
    return run
