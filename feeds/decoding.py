"""Bytes of a text file from a Chinese newsroom or office → text, whatever it was saved as.

One strategy for every file we read: content pages (feeds.content.decoding
cleans their text further) and subscriber lists (CSV files that Excel on a
Chinese Windows saves as GB18030). In order:

1. a byte order mark says what the text is (UTF-8, UTF-16, UTF-32);
2. UTF-8, what nearly every file is, and the only step most files need;
3. charset-normalizer's guess among the encodings Chinese text is stored in.
   Left to choose among all code pages it takes a short GB18030 file for
   Korean (cp949) or Big5; among these it chooses right (tests/test_decoding.py);
4. GB18030, in case the guess found nothing;
5. UTF-8 with a few stray bytes, each replaced by U+FFFD and reported.

Anything else is refused (:class:`Undecodable`), with the line of the first
byte that is not UTF-8.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

# What charset-normalizer may choose from (step 3): GB18030 covers GBK and GB2312.
CHINESE_ENCODINGS = ("gb18030", "big5", "utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be")

# A text with more undecodable sequences than a few, and than one in this many
# characters, is not a damaged page but something else (a binary file, a wrong
# guess of encoding).
_FEW_BAD_SEQUENCES = 8
_CHARACTERS_PER_BAD_SEQUENCE = 100

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # as Python names it: utf-8, gb18030, big5, utf-16 …
    notes: tuple[tuple[int, str], ...] = ()  # (line, message) about sequences replaced


class Undecodable(ValueError):
    """Bytes that are no text in any encoding we read."""

    def __init__(self, line: int) -> None:
        super().__init__(f"not text in a known encoding (line {line})")
        self.line = line  # of the first byte that is not UTF-8


def decode(data: bytes) -> Decoded:
    """The text of a file's bytes (see the module's docstring), or Undecodable."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    for bom, encoding in _BOMS:  # UTF-32's marks start with UTF-16's: they come first
        if data.startswith(bom):
            # The BOM says what it is: damage inside (a lone surrogate) is repaired, not refused.
            repaired = _replaced(data, encoding)
            if repaired is not None:
                return repaired
            break
    # charset-normalizer's guess among Chinese encodings, then GB18030; imported here:
    # most files are UTF-8 and never need it
    import charset_normalizer

    best = charset_normalizer.from_bytes(data, cp_isolation=list(CHINESE_ENCODINGS)).best()
    for encoding in [best.encoding, "gb18030"] if best is not None else ["gb18030"]:
        try:
            return Decoded(data.decode(encoding), encoding)
        except UnicodeDecodeError:
            continue
    repaired = _replaced(data, "utf-8")  # UTF-8 with a few stray bytes
    if repaired is not None:
        return repaired
    raise Undecodable(data.count(b"\n", 0, utf8_error.start) + 1)


def _replaced(data: bytes, encoding: str) -> Decoded | None:
    """The text with each undecodable sequence replaced by U+FFFD, and a note naming the
    line of the first; None when so much is undecodable that the encoding must be wrong."""
    try:
        return Decoded(data.decode(encoding), encoding)
    except UnicodeDecodeError as exc:
        first = exc.start
    text = data.decode(encoding, "replace")
    good = data[:first].decode(encoding, "replace")  # decodes cleanly up to the first
    bad = text.count("\ufffd") - good.count("\ufffd")
    if bad > max(_FEW_BAD_SEQUENCES, len(text) // _CHARACTERS_PER_BAD_SEQUENCE):
        return None
    line = good.count("\n") + good.count("\r") - good.count("\r\n") + 1
    return Decoded(text, encoding, ((line, f"replaced {bad} undecodable sequence(s) with "
                                           "U+FFFD (first on this line)"),))
