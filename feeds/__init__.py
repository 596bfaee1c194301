"""feeds: newspaper pages in, feeds and an email digest out.

The public surface is what this module exports; everything else may change.

    >>> import feeds
    >>> config = feeds.load_config()          # feeds.toml, or the defaults
    >>> catalog = feeds.load_content(config)  # every article of content/ as an Entry
"""

from .config import Config, load_config
from .content.catalog import Catalog
from .content.loader import load as load_content
from .content.results import FileReport, Problem
from .errors import ConfigError, ContentError, FeedsError
from .model import Author, Entry, Section, Source
from .version import installed_version

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


def __getattr__(name: str) -> str:
    """``feeds.__version__``, read from the installed metadata only when asked for: most
    runs never need it (feeds.version says what reading it costs)."""
    if name == "__version__":
        return installed_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
