"""Lay out the demo page (content/000_20e2c56e6a147bfe.txt) as a newspaper PDF beside it.

The PDF shares the text page's name, so `feeds build` loads the text page and not the PDF
(a text file beside a PDF is its correction); tests/test_pdf_pages.py loads the PDF
alone and checks it gives the same five entries. Run from the project folder:

    .venv/bin/python docs/demo_pdf.py

It needs reportlab (a test dependency: pip install -e '.[test]').
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from pdf_support import Page, Place, Story, render  # noqa: E402

from feeds.config import load_config  # noqa: E402
from feeds.content.loader import Settings, parse_file  # noqa: E402

STEM = "000_20e2c56e6a147bfe"


def stories() -> list[Story]:
    """The text page's articles as the paper set them: 本报讯 before the lead, the byline
    under the text."""
    page = ROOT / "content" / f"{STEM}.txt"
    settings = Settings.from_config(load_config(ROOT / "feeds.toml"))
    result = parse_file(page.name, page.read_bytes(), settings)
    found = []
    for entry in result.entries:
        paragraphs = ["本报讯 " + entry.paragraphs[0], *entry.paragraphs[1:]]
        found.append(Story(entry.headline, paragraphs, byline=entry.byline,
                           subtitle=entry.subtitle or ""))
    return found


def main() -> None:
    first, second, third, fourth, fifth = stories()
    page = Page(
        [Place(first, (0, 5), 50, [(c, 132, 300) for c in range(6)], title_size=28),
         Place(second, (0, 2), 318, [(0, 380, 690), (1, 380, 690), (2, 380, 690)], 20),
         Place(third, (3, 5), 318, [(3, 380, 690), (4, 380, 690), (5, 380, 690)], 20),
         Place(fourth, (0, 3), 708, [(c, 770, 1140) for c in range(4)], 20),
         Place(fifth, (4, 5), 708, [(4, 770, 1140), (5, 770, 1140)], 18)],
        header=("2022年9月20日 星期二", "第01版 要闻"), footer="东区新闻 · 演示版面",
        rules=[(36, 806, 310), (36, 806, 700)])
    target = ROOT / "content" / f"{STEM}.pdf"
    target.write_bytes(render([page]))
    print(f"{target.relative_to(ROOT)} written")


if __name__ == "__main__":
    main()
