"""Bytes of a content file → clean text with ``\\n`` line ends.

Pages reach us from PDF converters and office machines: UTF-8 with or without
a BOM, GB18030/GBK from older Windows tools, CRLF line ends, form feeds at page
breaks, and now and then a NUL or other control character. Anything that can
be repaired is repaired and reported. A few undecodable sequences (a lone
surrogate in UTF-16, a stray byte in UTF-8) become U+FFFD and are reported with
their line; only a file that is mostly undecodable is refused.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ..errors import ContentError

# Encodings we accept from detection: the ones Chinese text is actually stored in.
# charset-normalizer "detects" some single-byte code page for any binary blob; a
# Latin code page is never right for these pages, so such a guess is refused.
_CJK_ENCODINGS = {"gb18030", "gbk", "gb2312", "hz", "big5", "big5hkscs", "cp950",
                  "utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"}

# C0 and C1 controls except tab and newline, and the two Unicode non-characters
# that XML 1.0 forbids; form feed, vertical tab and the Unicode line separators
# mark breaks and become newlines. Clean text (nearly all of it) costs one scan.
_BREAKS = re.compile("[\r\x0b\x0c\x85\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
# Either of them: all but four of those characters are in Latin-1 (see _is_clean).
_UNUSUAL_LATIN1 = re.compile(b"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_UNUSUAL_WIDE = ("\u2028", "\u2029", "\ufffe", "\uffff")
# A text with more undecodable sequences than a few, and than one in this many
# characters, is not a damaged page but something else (a binary file, a wrong
# guess of encoding).
_FEW_BAD_SEQUENCES = 8
_CHARACTERS_PER_BAD_SEQUENCE = 100


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    notes: tuple[tuple[int, str], ...]  # (line, message) about repairs made


def decode(data: bytes, path: str) -> Decoded:
    """Decode a content file, or raise ContentError naming the first bad line."""
    text, encoding, notes = _to_text(data, path)
    if not notes and _is_clean(text):
        return Decoded(text, encoding, ())
    text = _BREAKS.sub("\n", text.replace("\r\n", "\n"))
    first = _CONTROLS.search(text)
    if first:
        count = len(_CONTROLS.findall(text))
        line = text.count("\n", 0, first.start()) + 1
        notes.append((line, f"removed {count} control character(s) such as "
                            f"U+{ord(first.group()):04X} (first on this line)"))
        text = _CONTROLS.sub("", text)
    return Decoded(text, encoding, tuple(notes))


def _is_clean(text: str) -> bool:
    """Whether text has no control, break or non-character that decode repairs.

    A regex search of the whole text took longer than decoding it. All but
    four of those characters are in Latin-1, and a Chinese page has few Latin-1
    characters: encoding to Latin-1 while dropping the rest leaves a short
    string to search (12 instead of 38 µs for a 12 KB page).
    """
    latin1 = text.encode("latin-1", "ignore")
    return not _UNUSUAL_LATIN1.search(latin1) and not any(c in text for c in _UNUSUAL_WIDE)


Notes = list[tuple[int, str]]


def _to_text(data: bytes, path: str) -> tuple[str, str, Notes]:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # The BOM says what it is: damage inside (a lone surrogate) is repaired, not refused.
        repaired = _replaced(data, "utf-16")
        if repaired is not None:
            return repaired
    import charset_normalizer  # here: most pages are UTF-8 and never need it

    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.encoding in _CJK_ENCODINGS:
        encoding = "gb18030" if best.encoding in ("gbk", "gb2312") else best.encoding
        try:
            return data.decode(encoding), encoding, []
        except UnicodeDecodeError:
            pass
    repaired = _replaced(data, "utf-8")  # UTF-8 with a few stray bytes
    if repaired is not None:
        return repaired
    line = data.count(b"\n", 0, utf8_error.start) + 1
    raise ContentError(path, line, "cannot decode the text: not UTF-8 and not a Chinese "
                                   "encoding such as GB18030 (save the file as UTF-8)")


def _replaced(data: bytes, encoding: str) -> tuple[str, str, Notes] | None:
    """The text with each undecodable sequence replaced by U+FFFD, and a note naming the
    line of the first; None when so much is undecodable that the encoding must be wrong."""
    try:
        return data.decode(encoding), encoding, []
    except UnicodeDecodeError as exc:
        first = exc.start
    text = data.decode(encoding, "replace")
    good = data[:first].decode(encoding, "replace")  # decodes cleanly up to the first
    bad = text.count("\ufffd") - good.count("\ufffd")
    if bad > max(_FEW_BAD_SEQUENCES, len(text) // _CHARACTERS_PER_BAD_SEQUENCE):
        return None
    line = good.count("\n") + good.count("\r") - good.count("\r\n") + 1
    return text, encoding, [(line, f"replaced {bad} undecodable sequence(s) with U+FFFD "
                                   "(first on this line)")]
