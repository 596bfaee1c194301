"""Make cjk-subset.ttf: Droid Sans Fallback (Apache License 2.0, Debian's fonts-droid-fallback)
cut down with fontTools to the characters the PDF tests set. Run again after changing them:
    python tests/fonts/make_subset.py /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
"""

import string
import sys
from pathlib import Path

from fontTools import subset

TESTS = Path(__file__).parent.parent
chars = set(string.printable) | set("　，。；：！？“”（）、《》—…·年月日版第０１２３４５６７８９")
for name in ("test_pdf_pages.py", "pdf_support.py"):
    chars |= set((TESTS / name).read_text())
options = subset.Options()
options.name_IDs = ["*"]
options.notdef_outline = True
options.layout_features = []
font = subset.load_font(sys.argv[1], options)
subsetter = subset.Subsetter(options)
subsetter.populate(unicodes=[ord(c) for c in chars if ord(c) >= 32])
subsetter.subset(font)
subset.save_font(font, str(Path(__file__).parent / "cjk-subset.ttf"), options)
