"""How pages read: one date format per language, colours with WCAG AA contrast in light and
dark mode, and an article's sub-title and date line not indented like its paragraphs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import SITE_PAGES
from lxml import html

from feeds.dateformat import date_text, month_text

DAY = dt.date(2022, 9, 20)


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-CN", "2022年9月20日"), ("zh-TW", "2022年9月20日"), ("en-GB", "September 20, 2022"),
    ("de", "2022-09-20")])
def test_one_date_format_per_language(language, expected):
    assert date_text(DAY, language) == expected


def test_months_follow_the_same_language():
    assert month_text(2022, 9, "zh-CN") == "2022年9月"
    assert month_text(2022, 9, "en") == "September 2022"


def test_pages_write_every_date_one_way(build_site):
    _, public = build_site(SITE_PAGES)
    for page in public.rglob("*.html"):
        text = html.fromstring(page.read_bytes()).text_content()
        assert not re.search(r"\d{4}-\d{2}-\d{2}", text), page  # no ISO dates for readers
    home = html.fromstring((public / "index.html").read_bytes()).text_content()
    assert "2024年2月2日" in home and "2024年1月30日" in home


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.x) of #rgb or #rrggbb."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", block))


def test_contrast_meets_wcag_aa_in_light_and_dark_mode(build_site):
    _, public = build_site(SITE_PAGES)
    css = html.fromstring((public / "index.html").read_bytes()).findtext(".//style")
    light = variables(re.search(r"^:root \{[^}]*\}", css, re.M).group(0))
    dark = {**light, **variables(re.search(
        r"@media \(prefers-color-scheme: dark\) \{ :root \{[^}]*\}", css).group(0))}
    assert light["accent"] != dark["accent"]
    for scheme in (light, dark):
        for text, background in (("fg", "bg"), ("muted", "bg"), ("accent", "bg"),
                                 ("on-accent", "accent")):
            ratio = contrast(scheme[text], scheme[background])
            assert ratio >= 4.5, (text, background, scheme[text], scheme[background], ratio)
    # the subscribe buttons are the accent with its own text colour
    button = re.search(r"^\.button, form\.signup button[^{]*\{([^}]*)\}", css, re.M).group(1)
    assert "background: var(--accent)" in button and "color: var(--on-accent)" in button


def test_an_articles_subtitle_and_date_line_are_not_indented(build_site):
    _, public = build_site(SITE_PAGES)
    page = next(public.glob("2024/01/30/cheng-qu-zhao-kai*.html"))
    tree = html.fromstring(page.read_bytes())
    css = tree.findtext(".//style")
    indented = [rule.split("{")[0].strip() for rule in css.splitlines()
                if "text-indent: 2em" in rule]
    assert indented == [".text p"]
    assert tree.find(".//article/p[@class='subtitle']").text_content() == "助力企业发展提质增效"
    for line in tree.iterfind(".//article/p"):  # sub-title and date line: outside .text
        assert line.getparent().tag == "article"
    assert tree.find(".//article/div[@class='text']/p") is not None
