"""Shared fixtures: small pages written for each case, loaded through the real loader."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from feeds.config import Config, parse_config
from feeds.content.catalog import Catalog
from feeds.content.loader import load

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


@pytest.fixture
def build_site(tmp_path: Path):
    """Write pages into content/, build into public/ with the real builder; returns a
    function (files, **config) -> (result, public folder), whose ``config`` is the last
    build's configuration."""
    from feeds.build import BuildOptions, build

    def run(files: dict[str, str] | None = None, pages: bool = True, **data: object):
        content = tmp_path / "content"
        content.mkdir(exist_ok=True)
        for rel, text in (files or {}).items():
            path = content / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(page(text), encoding="utf-8")
        site = {"title": "城区新闻", "base_url": "https://news.example.cn/",
                "description": "城区要闻", **data.pop("site", {})}  # type: ignore[dict-item]
        sections = data.pop("sections", [
            {"name": "教育", "slug": "education", "keywords": ["学校", "教育", "学生"]},
            {"name": "经济", "slug": "economy", "keywords": ["企业", "经济"]},
        ])
        config = parse_config({"site": {**site, "state_dir": "state", "content_dir": "content",
                                         "output_dir": "public"},
                               "sections": sections, **data}, root=tmp_path)
        result = build(config, BuildOptions(pages=pages, jobs=1))
        run.config = config  # type: ignore[attr-defined]  # for tests that load the content
        return result, tmp_path / "public"
    return run


SITE_PAGES = {
    "2024/01/30/a01.txt": """\
        第01版：综合新闻

        ## 城区三所学校开展教学开放日活动

        本报讯 1月29日，城区三所学校开展教学开放日，学生和教师共同参与。

        记者 赵一鸣

        ## 城区召开民营企业座谈会 助力企业发展提质增效

        本报讯（记者 钱晓东）近日，城区召开民营企业座谈会，企业代表建言献策。
        """,
    "2024/02/02/a01.txt": """\
        第01版：综合新闻

        ## 城区经济运行开局良好

        本报讯 2月1日，城区统计部门发布数据，全区经济运行开局良好，企业生产稳定。
        """,
}
