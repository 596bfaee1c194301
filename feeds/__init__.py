"""feeds: newspaper pages in, feeds and an email digest out.

The public surface is what this module exports; everything else may change.

    >>> import feeds
    >>> config = feeds.load_config()          # feeds.toml, or the defaults
    >>> catalog = feeds.load_content(config)  # every article of content/ as an Entry
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Config, load_config
    from .content.catalog import Catalog
    from .content.loader import load as load_content
    from .content.results import FileReport, Problem
    from .errors import ConfigError, ContentError, FeedsError
    from .model import Author, Entry, Section, Source

# Each name, imported from its module when first asked for: `import feeds.cli` (every
# command) runs this file, and importing all of them here cost each command 0.2 s.
_EXPORTS = {
    "Author": "model", "Catalog": "content.catalog", "Config": "config",
    "ConfigError": "errors", "ContentError": "errors", "Entry": "model",
    "FeedsError": "errors", "FileReport": "content.results", "Problem": "content.results",
    "Section": "model", "Source": "model", "load_config": "config",
    "load_content": "content.loader",
}

__all__ = [
    "Author",
    "Catalog",
    "Config",
    "ConfigError",
    "ContentError",
    "Entry",
    "FeedsError",
    "FileReport",
    "Problem",
    "Section",
    "Source",
    "__version__",
    "load_config",
    "load_content",
]


def __getattr__(name: str) -> Any:
    """The exports above, and ``feeds.__version__``, read from the installed metadata only
    when asked for: most runs never need it (feeds.version says what reading it costs)."""
    if name == "__version__":
        from .version import installed_version

        return installed_version()
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
    return getattr(module, "load" if name == "load_content" else name)
