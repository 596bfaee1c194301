"""Bytes of a content file → clean text with ``\\n`` line ends.

Pages reach us from PDF converters and office machines: UTF-8 with or without
a BOM, GB18030/GBK from older Windows tools (read as feeds.decoding reads every
file), CRLF line ends, form feeds at page breaks, and now and then a NUL or
other control character. Anything that can be repaired is repaired and
reported. A few undecodable sequences (a lone surrogate in UTF-16, a stray byte
in UTF-8) become U+FFFD and are reported with their line; only a file that is
mostly undecodable is refused.
"""

from __future__ import annotations

import re

from .. import decoding
from ..errors import ContentError

# C0 and C1 controls except tab and newline, and the two Unicode non-characters
# that XML 1.0 forbids; form feed, vertical tab and the Unicode line separators
# mark breaks and become newlines. Clean text (nearly all of it) costs one scan.
_BREAKS = re.compile("[\r\x0b\x0c\x85\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
# Either of them: all but four of those characters are in Latin-1 (see _is_clean).
_UNUSUAL_LATIN1 = re.compile(b"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_UNUSUAL_WIDE = ("\u2028", "\u2029", "\ufffe", "\uffff")


def decode(data: bytes, path: str) -> decoding.Decoded:
    """Decode a content file, or raise ContentError naming the first bad line; the notes
    say what was repaired."""
    try:
        decoded = decoding.decode(data)
    except decoding.Undecodable as exc:
        raise ContentError(path, exc.line, "cannot decode the text: not UTF-8 and not a "
                                           "Chinese encoding such as GB18030 (save the file "
                                           "as UTF-8)") from None
    if not decoded.notes and _is_clean(decoded.text):
        return decoded
    text, notes = decoded.text, list(decoded.notes)
    text = _BREAKS.sub("\n", text.replace("\r\n", "\n"))
    first = _CONTROLS.search(text)
    if first:
        count = len(_CONTROLS.findall(text))
        line = text.count("\n", 0, first.start()) + 1
        notes.append((line, f"removed {count} control character(s) such as "
                            f"U+{ord(first.group()):04X} (first on this line)"))
        text = _CONTROLS.sub("", text)
    return decoding.Decoded(text, decoded.encoding, tuple(notes))


def _is_clean(text: str) -> bool:
    """Whether text has no control, break or non-character that decode repairs.

    A regex search of the whole text took longer than decoding it. All but
    four of those characters are in Latin-1, and a Chinese page has few Latin-1
    characters: encoding to Latin-1 while dropping the rest leaves a short
    string to search (12 instead of 38 µs for a 12 KB page).
    """
    latin1 = text.encode("latin-1", "ignore")
    return not _UNUSUAL_LATIN1.search(latin1) and not any(c in text for c in _UNUSUAL_WIDE)
