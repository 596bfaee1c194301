"""Errors the command line reports as one clear line instead of a traceback.

Anything else that escapes is a bug, and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class FeedsError(Exception):
    """An expected failure with a message meant for the person running feeds."""

    exit_code = 1


class ConfigError(FeedsError):
    """The configuration file is missing or wrong; ``problems`` holds every mistake."""

    exit_code = 2

    def __init__(self, path: Path | None, problems: list[tuple[str, str]]) -> None:
        self.path = path
        self.problems = problems
        where = str(path) if path else "configuration"
        lines = [f"{where}: {key}: {message}" if key else f"{where}: {message}"
                 for key, message in problems]
        super().__init__("\n".join(lines))


class ContentError(FeedsError):
    """A content file cannot be used; names the file and, when known, the line."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(f"{self.location}: {message}")

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class ImageError(FeedsError):
    """A picture that cannot be published; the article goes without it."""
