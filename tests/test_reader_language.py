"""What readers read is in the site's language, and every email reads well on a phone
(390 px) and in dark mode: checked on the HTML each email really has, with lxml."""

from __future__ import annotations

import re
import tomllib
from contextlib import closing

import pytest
from digest_support import NOW, SECRET, digest_run, make_site, subscribe
from lxml import html

from feeds import notices, rendering
from feeds.database import connect, database_path
from feeds.subscribers import get
from feeds.tokens import Tokens
from feeds.wording import CATALOGUE, wording

ENGLISH = re.compile(r"[A-Za-z]{2,}(\s+[A-Za-z]{2,})+")
CJK = re.compile(r"[\u4e00-\u9fff]")


def visible_english(text: str) -> list[str]:
    text = re.sub(r"\S+@\S+|https?://\S+|\{[a-z_]+\}", " ", text)
    return [m.group(0) for m in ENGLISH.finditer(text)]


def letters(tmp_path):
    """Every kind of email a reader can get: the two notices and a digest."""
    config = make_site(tmp_path)
    subscribe(config, ("reader@example.com", None))
    tokens = Tokens(SECRET)
    env = rendering.environment(config)
    with closing(connect(database_path(config))) as db:
        reader = get(db, "reader@example.com")
        run = digest_run(config, db)
        edition, _ = run.next_edition()
        digest, _ = run.letter(edition, reader, edition.groups, "<d@news.example.cn>")
    out = {"digest": digest}
    for kind in ("confirmation", "already_subscribed"):
        notice = getattr(notices, kind)(config, reader, tokens)
        out[kind] = notices.letter(config, env, notice, reader, tokens, NOW)
    return out


@pytest.fixture(scope="module")
def mails(tmp_path_factory):
    return letters(tmp_path_factory.mktemp("site"))


def css_blocks(document) -> str:
    return "\n".join(style.text or "" for style in document.iter("style"))


def media_block(css: str, query: str) -> str:
    """The rules inside the first @media block whose query matches ``query``."""
    start = re.search(r"@media[^{]*" + query + r"[^{]*\{", css)
    assert start, f"no @media block for {query}"
    depth, i = 1, start.end()
    while depth:
        depth += {"{": 1, "}": -1}.get(css[i], 0)
        i += 1
    return css[start.end():i - 1]


def classes_with(block: str, declaration: str) -> set[str]:
    found = set()
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", block):
        if re.search(declaration, body):
            found |= set(re.findall(r"\.([\w-]+)", selectors))
    return found


@pytest.mark.parametrize("kind", ["digest", "confirmation", "already_subscribed"])
def test_every_email_narrows_to_a_phone_and_has_dark_mode(mails, kind):
    document = html.fromstring(mails[kind].html)
    viewport = document.find(".//meta[@name='viewport']")
    assert viewport is not None and "width=device-width" in viewport.get("content")
    css = css_blocks(document)
    narrow = media_block(css, r"max-width:\s*(\d+)px")
    width = int(re.search(r"max-width:\s*(\d+)px", css).group(1))
    assert 390 < width <= 640  # a 390 px phone is inside the query
    fixed = [e for e in document.iter() if e.get("width") == "600"]
    assert fixed, "the 600 px layout"
    fluid = classes_with(narrow, r"width:\s*100%\s*!important")
    assert all(set(e.get("class", "").split()) & fluid for e in fixed)
    dark = media_block(css, r"prefers-color-scheme:\s*dark")
    assert classes_with(dark, r"background[^;]*#[0-9a-f]{3,6}\s*!important")
    assert classes_with(dark, r"(?<!-)color:\s*#[0-9a-f]{3,6}\s*!important")
    assert document.find(".//meta[@name='color-scheme']").get("content") == "light dark"


@pytest.mark.parametrize("kind", ["digest", "confirmation", "already_subscribed"])
def test_every_email_speaks_the_sites_language(mails, kind):
    letter = mails[kind]
    body = " ".join(html.fromstring(letter.html).find(".//body").itertext())
    for text in (letter.subject, letter.text, body):
        assert CJK.search(text)
        assert visible_english(text) == [], text


def test_the_catalogue_has_no_english_for_readers(tmp_path):
    config = make_site(tmp_path)
    data = tomllib.loads((rendering.folders(config)[-1] / CATALOGUE).read_text("utf-8"))
    texts = [t for pair in data["pages"].values() for t in pair]
    texts += [t for table in data["notices"].values() for t in table.values()]
    assert len(texts) > 30
    for text in texts:
        assert CJK.search(text) and visible_english(text) == [], text
    words = wording(config)
    assert words.page("invalid_address", email="x@y") == (
        "邮箱地址有误", "“x@y”不是有效的邮箱地址，请检查后重新填写。")


def test_a_site_may_word_it_otherwise_in_its_templates_folder(tmp_path):
    config = make_site(tmp_path)
    own = tmp_path / "templates"
    own.mkdir()
    shipped = (rendering.folders(config)[-1] / CATALOGUE).read_text("utf-8")
    (own / CATALOGUE).write_text(shipped.replace("请稍后再试", "请过一会儿再试"), "utf-8")
    assert wording(make_site(tmp_path)).page("too_many")[0] == "请过一会儿再试"
