"""Feeds and pages are independent outputs: neither imports the other, so either can
change (or be left out of a build) without the other. What they share lives below them:
formats, urls, model, site, rendering, the site writer."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "feeds"


def imported(path: Path) -> set[str]:
    """The feeds modules a file imports, as dotted names from the package root."""
    here = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = list(here[:len(here) - node.level + 1]) if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found |= {module, *(f"{module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {name for name in found if name.startswith("feeds")}


def test_pages_and_feeds_do_not_import_each_other():
    pages = imported(PACKAGE / "pages.py")
    assert not {n for n in pages if n.startswith("feeds.syndication")}
    for path in (PACKAGE / "syndication").glob("*.py"):
        assert "feeds.pages" not in imported(path), path.name

