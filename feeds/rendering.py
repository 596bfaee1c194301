"""Jinja2 templates shared by the outputs: where they are found, and how they are read.

The templates ship inside the package (``feeds/templates/``). A site may override
any of them by putting a file of the same name in ``site.templates_dir`` (relative
to the config file): Jinja2's FileSystemLoader looks there first.

``.html.j2`` templates are autoescaped; undefined names are errors rather than
empty strings, so a misspelt variable fails the build instead of the reader.
"""

from __future__ import annotations

import hashlib
import traceback
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import dateformat
from .config import Config
from .errors import FeedsError

SHIPPED = Path(__file__).resolve().parent / "templates"


class TemplateProblem(FeedsError):
    """A template that cannot be read or rendered, with its file and line when known."""


def folders(config: Config) -> list[Path]:
    """Template folders in lookup order: the site's own (when it has one), then the
    shipped one."""
    site = config.path(config.site.templates_dir)
    return [site, SHIPPED] if site.is_dir() and site.resolve() != SHIPPED else [SHIPPED]


def environment(config: Config) -> jinja2.Environment:
    """Templates of a site; dates are written with the ``date_text`` filter, in the
    site's language (feeds.dateformat)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders(config)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "xml.j2"),
                                            default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    language = config.site.language
    env.filters["date_text"] = lambda day: dateformat.date_text(day, language)
    env.filters["describe"] = describe
    return env


DESCRIPTION_CHARS = 120  # search results show about this much of a Chinese description


def describe(text: str) -> str:
    """A description for search results and share cards: one line, shortened."""
    # A rendered block (Markup) is escaped already: read it back to text, which
    # autoescaping then escapes once.
    text = text.striptags() if isinstance(text, Markup) else " ".join(text.split())
    if len(text) <= DESCRIPTION_CHARS:
        return text
    return text[:DESCRIPTION_CHARS - 1].rstrip() + "…"


def load(env: jinja2.Environment, name: str) -> jinja2.Template:
    """The named template, or TemplateProblem naming the file and line of a syntax error."""
    try:
        return env.get_template(name)
    except jinja2.TemplateNotFound:
        searched = getattr(env.loader, "searchpath", [])
        raise TemplateProblem(f"template {name!r} not found in {', '.join(searched)}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(f"{exc.filename or name}:{exc.lineno}: template syntax error: "
                              f"{exc.message}") from None


def render(template: jinja2.Template, **context: object) -> str:
    """Render, turning a template's own mistakes (an undefined name, a broken include)
    into TemplateProblem with the template file and line."""
    try:
        return template.render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(f"{exc.filename or exc.name}:{exc.lineno}: template syntax "
                              f"error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateProblem(f"{_where(exc, template)}: {exc.message}") from None


def _where(exc: BaseException, template: jinja2.Template) -> str:
    """file:line of the innermost template frame of a render error (Jinja2 rewrites
    tracebacks so that template frames carry the template's file and line)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.endswith(".j2")]
    if frames:
        return f"{frames[-1].filename}:{frames[-1].lineno}"
    return template.filename or template.name or "template"


def fingerprint(env: jinja2.Environment) -> str:
    """A hash of every template's source: editing any template (one may include another)
    renders again every output made with templates."""
    digest = hashlib.sha1()
    for name in env.list_templates():
        digest.update(f"{name}\0{source(env, name)}\0".encode())
    return digest.hexdigest()


def source(env: jinja2.Environment, name: str) -> str:
    """A template file's text, as it is (for files served as they are, like feed.xsl)."""
    assert env.loader is not None  # environment() always gives one
    return env.loader.get_source(env, name)[0]
