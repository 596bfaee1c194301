"""The package's shape, read from its source: no import cycle, one-way layers, and no
private name of another package used.

Every import counts, wherever it is written: at module top, inside a function (the
lazy imports that keep `feeds build` fast) and under ``if TYPE_CHECKING:``. A cycle
hidden in a function is still a cycle for the reader who has to understand either
module first.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = "feeds"
SOURCES = ROOT / PACKAGE


@dataclass(frozen=True)
class Import:
    importer: str  # the module the statement is in
    target: str  # the module it imports (a package's __init__ is the package's name)
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(SOURCES.rglob("*.py"))}


MODULES = modules()


def _absolute(importer: str, package: bool, level: int, module: str | None) -> str:
    """The absolute name of ``from <dots><module> import …`` written in ``importer``."""
    if level == 0:
        return module or ""
    here = importer.split(".") if package else importer.split(".")[:-1]
    base = here[:len(here) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imports_of(name: str, path: Path) -> Iterator[Import]:
    return imports_of_source(path.read_text(encoding="utf-8"), name, is_package(path))


def imports_of_source(source: str, name: str, package: bool = False) -> Iterator[Import]:
    """Each module ``name`` imports; ``from pkg import sub`` counts as importing the
    submodule ``pkg.sub`` when there is one, else ``pkg`` itself."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(name, package, node.level, node.module)
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                yield Import(name, sub if sub in MODULES else module, node.lineno)


def graph() -> dict[str, set[str]]:
    """Our modules → the modules of ours they import."""
    return {name: {i.target for i in imports_of(name, path) if i.target in MODULES}
            for name, path in MODULES.items()}


def all_imports() -> list[Import]:
    return [i for name, path in MODULES.items() for i in imports_of(name, path)]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, or a module that
    imports itself (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def within(name: str, area: str) -> bool:
    return name == area or name.startswith(area + ".")


def crossings(importers: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(f"{i.importer}:{i.line} imports {i.target}" for i in all_imports()
                  if within(i.importer, importers)
                  and any(within(i.target, area) for area in forbidden))


# --------------------------------------------------------------------------- the checks


def test_the_scan_sees_lazy_and_type_checking_imports():
    """The graph is only worth its assertions if it sees every kind of import."""
    source = ("import a.b\nif TYPE_CHECKING:\n    from .c import d\n"
              "def f():\n    from ..errors import FeedsError\n")
    assert sorted(i.target for i in imports_of_source(source, "feeds.x.y")) == [
        "a.b", "feeds.errors", "feeds.x.c"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}}) == [["a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert _absolute("feeds.cli.digest", False, 2, "config") == "feeds.config"
    assert _absolute("feeds.cli", True, 1, None) == "feeds.cli"
    assert _absolute("feeds.cli", True, 2, "errors") == "feeds.errors"
    assert [i.target for i in imports_of_source("from .. import __version__\n", "feeds.cli.x")] \
        == ["feeds"]
    assert [i.target for i in imports_of_source("from .. import errors\n", "feeds.cli.x")] \
        == ["feeds.errors"]


def test_there_is_no_import_cycle_in_the_package():
    assert cycles(graph()) == []


@pytest.mark.parametrize(("importers", "forbidden"), [
    # The content layer knows nothing of what is made from it.
    ("feeds.content", ("feeds.pages", "feeds.syndication", "feeds.digest", "feeds.mail",
                       "feeds.web", "feeds.sitewriter", "feeds.cli")),
    # The outputs are independent of each other; what they share lives below them.
    ("feeds.pages", ("feeds.syndication",)),
    ("feeds.syndication", ("feeds.pages",)),
    # Mail is used by the digest and the web, never the other way round.
    ("feeds.mail", ("feeds.digest", "feeds.web")),
    # Configuration is read first, by everything: it cannot depend on what it configures.
    ("feeds.config", ("feeds.urls", "feeds.schedule")),
])
def test_layers_import_one_way(importers, forbidden):
    assert crossings(importers, forbidden) == []


def test_nothing_in_the_package_imports_the_package_root():
    """``feeds/__init__.py`` is for users; the version comes from importlib.metadata."""
    assert sorted(f"{i.importer}:{i.line}" for i in all_imports()
                  if i.target == PACKAGE) == []


def test_only_the_command_line_imports_the_command_line():
    """cli/ wires the layers together; nothing below it may depend on it. (scheduler.py,
    outside the package, and ``python -m feeds`` are entry points like cli/ itself.)"""
    entry_points = ("feeds.cli", "feeds.__main__")
    assert sorted(f"{i.importer}:{i.line} imports {i.target}" for i in all_imports()
                  if within(i.target, "feeds.cli")
                  and not any(within(i.importer, e) for e in entry_points)) == []


# --------------------------------------------------------------------------- private names


def ours(module: str) -> bool:
    return within(module, PACKAGE)


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(source: str, name: str, package: bool = False) -> Iterator[str]:
    """``from lib import _x``, and ``lib._x`` (or ``lib.sub._x``) on a name bound by an
    import of another package, as ``line: code``. Our own private names are fair game."""
    tree = ast.parse(source)
    foreign: set[str] = set()  # local names bound to another package's modules or objects
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if ours(alias.name):
                    continue
                if any(private(part) for part in alias.name.split(".")):
                    yield f"{node.lineno}: import {alias.name}"
                foreign.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(name, package, node.level, node.module)
            if ours(module):
                continue
            for alias in node.names:
                if private(alias.name) or any(private(p) for p in module.split(".")):
                    yield f"{node.lineno}: from {module} import {alias.name}"
                foreign.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in foreign:
                yield f"{node.lineno}: {ast.unparse(node)}"


def test_the_private_name_scan_finds_what_it_looks_for():
    sample = ("import smtplib\nimport email.utils as eu\nfrom pypinyin import _table\n"
              "from ._own import _fine\nfrom . import _also_fine\n"
              "smtplib.SMTP._get_socket\neu._parsedate\nsmtplib.__name__\n_fine._ok\n")
    assert sorted(private_uses(sample, "feeds.sample")) == [
        "3: from pypinyin import _table", "6: smtplib.SMTP._get_socket", "7: eu._parsedate"]


def test_no_code_touches_a_private_name_of_another_package():
    files = [*((name, path) for name, path in MODULES.items()),
             ("scheduler", ROOT / "scheduler.py")]
    found = sorted({f"{path.relative_to(ROOT)}:{use}" for name, path in files
                    for use in private_uses(path.read_text(encoding="utf-8"), name,
                                            is_package(path))})
    assert found == []
