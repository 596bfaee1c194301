#!/usr/bin/env python3
"""The package's size: files, lines, and lines of code (without blank lines, comments and
docstrings, as cloc counts Python).

    python3 bench/size.py feeds
    git worktree add /tmp/then 9b39a49 && python3 bench/size.py /tmp/then/feeds
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from pathlib import Path

_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER}
_DOCUMENTED = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def code_lines(source: str) -> int:
    """Lines holding a token of code, docstrings left out."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, _DOCUMENTED) and node.body:
            first = node.body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                docstrings.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    code: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in _SKIPPED:
            code.update(n for n in range(token.start[0], token.end[0] + 1)
                        if n not in docstrings)
    return len(code)


def main() -> None:
    files = sorted(Path(sys.argv[1] if len(sys.argv) > 1 else "feeds").rglob("*.py"))
    sources = [path.read_text(encoding="utf-8") for path in files]
    print(f"{len(files)} files, {sum(len(s.splitlines()) for s in sources)} lines, "
          f"{sum(map(code_lines, sources))} lines of code")


if __name__ == "__main__":
    main()
