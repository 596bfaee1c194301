"""Bylines, datelines and photo captions: who wrote the article, and what is not body text.

Papers credit people in a handful of shapes, all of which must leave the body:

    记者 赵一鸣 通讯员 钱晓东 文/图          on its own last line
    （记者 刘洋 实习生 陈晨）            on its own line, in brackets
    …胜利召开。(记者 黄磊 通讯员 孙悦)   at the end of the last paragraph
    本报讯（记者 李华 通讯员 张强）…     leading the first paragraph
    图为调研现场。记者 吴迪 摄           a photo caption with its credit

    ■本报记者 张三 李四                   right under the headline, after a marker
    文/本报记者 张三 图/本报记者 李四     writer and photographer
    …圆满结束。（林晓）                 a bare name closing a brief

Each name gets the title printed before it (记者, 通讯员, 实习生, …) as its role.
A trailing credit says what those people did: 摄 makes them the photographers
(role 摄); 文/图 only confirms the writers, so their titles stand, and it
becomes the role of names printed with no title (文/图 张三). A leading credit
(文/…, 图/…) holds for the names after it, up to the next one: 图/ makes them
photographers. Credit lines that name no author (图片由…提供, （资料图片）)
are neither text nor byline, and leave the article.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..lazyre import lazy_compile
from ..model import Author

# Longest first, so that 本报记者 is not read as 本报 + 记者.
_TITLES = ("本报记者", "特约记者", "见习记者", "首席记者", "摄影记者", "实习记者",
           "特约通讯员", "记者", "通讯员", "实习生")
_ROLE_OF_TITLE = {"本报记者": "记者"}
_CREDITS = {"文/图": "文/图", "文／图": "文/图", "图/文": "文/图", "图／文": "文/图",
            "文图": "文/图", "图文": "文/图", "摄影": "摄", "摄": "摄", "文": "文", "图": "图",
            "报道": None}
_PHOTO = "摄"
_LONGEST_BYLINE = 80  # characters; anything longer is a paragraph
# Han names have two to four characters; transliterated ones are longer and hold a ·.
_NAME = lazy_compile(r"^[\u3400-\u9fff]{2,4}$|^[\u3400-\u9fff]+(?:[·•][\u3400-\u9fff]+)+$")
_TOKEN = lazy_compile(r"[^\s\u3000、:：]+")  # what spaces, 、 and colons separate
_SENTENCE_MARKS = lazy_compile(r"[。，,！!？?；;“”\"]")
_TITLE_PREFIX = lazy_compile("^(" + "|".join(_TITLES) + ")")
_CREDIT_SUFFIX = lazy_compile(r"^(.+?)(摄影|摄)$")
_CREDIT_PREFIX = lazy_compile(r"^(文/图|文／图|文|图|摄影|摄)[/／:：](.+)$")
# Credits that start a group of names: 图/ makes photographers, whatever their title.
_PHOTO_CREDITS = frozenset({"图", "摄"})
# Markers some papers print before a byline under the headline.
_MARKERS = "■□●○◆◇★☆▲△▼▽►▶"
MARKERS = frozenset(_MARKERS)
_MARKER_STARTS = tuple(_MARKERS)
# A two-character name padded to the width of three with an ideographic space: 李　平.
_PADDED_NAME = lazy_compile(r"(?<![\u3400-\u9fff])([\u3400-\u9fff])[\u3000 ]{1,2}"
                          r"([\u3400-\u9fff])(?![\u3400-\u9fff])")
# A bracketed name with no title closing a brief: （林晓）, （林晓 王芳）. These characters
# mark what such brackets hold instead: （完）, （待续）, （资料图片）, （综合）, （据新华社）.
_BARE_NAMES = lazy_compile(r"^[\u3400-\u9fff]{2,4}(?:[\s\u3000、]+[\u3400-\u9fff]{2,4}){0,2}$")
_NOT_IN_BARE_NAMES = lazy_compile("[完续删摘编译综据图片照社报网台电讯稿供文摄记者通员]")
# Lines that credit a picture's source and name no author.
_SOURCE_CREDIT = lazy_compile(
    r"^[（(]?\s*(?:图片由.{1,30}?提供|图片来源[：:].{1,40}?|资料图片|资料图|资料照片"
    r"|[\u3400-\u9fff]{1,16}供图)\s*[）)]?$")
_SOURCE_CREDIT_TAIL = lazy_compile(
    r"\s*[（(]\s*(?:图片由[^（）()]{1,30}?提供|图片来源[：:][^（）()]{1,40}?|资料图片|资料图"
    r"|资料照片|[\u3400-\u9fff]{1,16}供图)\s*[）)]\s*$")
# How much a role says about what a person did, for one credited twice: a title says
# more than a bare credit, a qualified title more than a plain one.
_SPECIFICITY = {None: 0, "文": 1, "图": 1, "文/图": 1}
_BRACKETED = lazy_compile(r"^[（(]\s*(.+?)\s*[）)]$")
_BRACKETED_TAIL = lazy_compile(r"\s*[（(]\s*([^（）()]{2,60}?)\s*[）)]\s*$")
_DATELINE = lazy_compile(
    r"^(?:本报讯"
    r"|(?:本报|[\u4e00-\u9fff]{1,6}(?:社|网|台|报))[\u4e00-\u9fff]{0,8}?"
    r"(?:[0-9０-９一二三四五六七八九十]{1,3}月[0-9０-９一二三四五六七八九十]{1,3}日)?电)"
    r"(?:\s*[（(]\s*([^（）()]{0,60}?)\s*[）)])?"
    r"[\s\u3000:：,，]*"
)
_CAPTION_START = lazy_compile(r"^(?:图为|▲|△|■|◆|上图|下图|左图|右图|图[：:]|图片[：:])")
# A photo credit closing a caption line: "…现场。记者 吴迪 摄" or "…（张三 摄）".
_TITLED_NAME = (r"(?:(?:" + "|".join(_TITLES) + r")\s*)?"
                r"(?:[\u3400-\u9fff]{2,4}|[\u3400-\u9fff]+(?:[·•][\u3400-\u9fff]+)+)")
_CREDIT_TAIL = lazy_compile(
    r"(?:^|(?<=[\s\u3000。.！!？?；;，,]))[（(]?\s*("
    + _TITLED_NAME + r"(?:[\s\u3000、]+" + _TITLED_NAME + r")*"
    r"\s*摄(?:影)?)\s*[）)]?$"
)


@dataclass(frozen=True, slots=True)
class Byline:
    authors: tuple[Author, ...]
    text: str  # as printed, brackets removed


def parse(text: str) -> Byline | None:
    """Read a byline; None when the text is anything else (a short paragraph, say)."""
    inner = text.strip()
    if inner.startswith(_MARKER_STARTS):
        inner = inner.lstrip(_MARKERS).lstrip()
    if len(inner) > _LONGEST_BYLINE or _SENTENCE_MARKS.search(inner):
        return None
    if "\u3000" in inner or "  " in inner:
        inner = _PADDED_NAME.sub(r"\1\2", inner)
    return _parse_short(inner)


def bare_names(text: str) -> Byline | None:
    """A bracketed name or two with no title, as a brief ends: （林晓）. An unusual shape,
    read only where a byline is expected (the end of the article)."""
    bracketed = _BRACKETED.match(text.strip())
    if bracketed is None:
        return None
    inner = _PADDED_NAME.sub(r"\1\2", bracketed.group(1))
    if not _BARE_NAMES.match(inner) or _NOT_IN_BARE_NAMES.search(inner):
        return None
    names = _TOKEN.findall(inner)
    return Byline(tuple(Author(name) for name in names), " ".join(names))


def is_source_credit(text: str) -> bool:
    """A line that credits a picture's source (图片由…提供, （资料图片）, …供图)."""
    return (len(text) <= _LONGEST_BYLINE and ("图" in text or "照片" in text)
            and bool(_SOURCE_CREDIT.match(text.strip())))


def without_source_credit(text: str) -> str:
    """Text without a source credit closing it (…现场。（资料图片））."""
    if not text.rstrip().endswith(("）", ")")):
        return text
    return _SOURCE_CREDIT_TAIL.sub("", text)


def merged(authors: list[Author]) -> tuple[Author, ...]:
    """One author per name, in the order first credited, with the role that says most."""
    if len({a.name for a in authors}) == len(authors):  # most articles: no one twice
        return tuple(authors)
    best: dict[str, Author] = {}
    for author in authors:
        known = best.get(author.name)
        if known is None or _specificity(author.role) > _specificity(known.role):
            best[author.name] = author
    return tuple(best.values())


def _specificity(role: str | None) -> int:
    return _SPECIFICITY.get(role, 2 if role in ("记者", "通讯员", "实习生", _PHOTO) else 3)


@functools.lru_cache(maxsize=4096)
def _parse_short(inner: str) -> Byline | None:
    """Read a short text that has no sentence marks.

    Cached: a paper's bylines repeat (the same reporters sign article after
    article), and reading one costs as much as reflowing the whole article
    (bench/README.md). Bylines and authors are frozen, so sharing them is safe.
    """
    bracketed = _BRACKETED.match(inner)
    if bracketed:
        inner = bracketed.group(1)
    tokens = _TOKEN.findall(inner)
    if not tokens or len(tokens) > 16:
        return None
    names: list[tuple[str, str | None, str | None, int]] = []  # name, title, credit, group
    credit_before: str | None = None  # 文/图 张三: applies to the names after it
    credit_after: str | None = None  # 张三 摄: applies to the last group's names
    title: str | None = None
    group = 0
    saw_marker = False
    for token in tokens:
        if token in _CREDITS:
            saw_marker = True
            if names:
                credit_after = _CREDITS[token] or credit_after
            else:
                credit_before = _CREDITS[token]
            continue
        parsed = _token(token)
        if parsed is None:
            return None
        token_title, name, token_credit, leading = parsed
        if leading:  # 文/本报记者, 图/李四: a new group of names
            group += 1 if names else 0
            credit_before, credit_after, title = token_credit, None, None
            saw_marker = True
        if token_title:
            title, saw_marker = token_title, True
        if token_credit and not leading:
            credit_after, saw_marker = token_credit, True
        if name:
            names.append((name, title, credit_before, group))
    if not names or not saw_marker:
        return None
    authors = tuple(Author(name, _role(title, before, credit_after if g == group else None))
                    for name, title, before, g in names)
    return Byline(authors, " ".join(tokens))


@functools.lru_cache(maxsize=4096)
def _token(token: str) -> tuple[str | None, str | None, str | None, bool] | None:
    """One space-separated piece → (title, name, credit, whether the credit leads it:
    文/张三, 图/本报记者); None when it is neither.

    Cached: the titles and a paper's reporters are a small set, met again in
    nearly every new byline (bench/README.md).
    """
    title = None
    credit = None
    leading = False
    prefix = _CREDIT_PREFIX.match(token)
    if prefix and _TITLE_PREFIX.match(prefix.group(2)):  # 文/本报记者 张三
        credit, token, leading = _CREDITS[prefix.group(1)], prefix.group(2), True
    match = _TITLE_PREFIX.match(token)
    if match:
        title = match.group(1)
        token = token[len(title):]
        if not token:
            return title, None, credit, leading
    prefix = _CREDIT_PREFIX.match(token)
    if prefix:  # 文/张三
        credit, token, leading = _CREDITS[prefix.group(1)], prefix.group(2), True
    suffix = _CREDIT_SUFFIX.match(token) if title else None
    if suffix and _NAME.match(suffix.group(1)):  # 记者钱晓东摄 (without the title, 拍摄 is a word)
        credit, token, leading = _PHOTO, suffix.group(1), False
    if not _NAME.match(token):
        return None
    return title, token, credit, leading


def _role(title: str | None, before: str | None, after: str | None) -> str | None:
    if after == _PHOTO or before in _PHOTO_CREDITS:
        return _PHOTO
    if title:
        return _ROLE_OF_TITLE.get(title, title)
    return before or after


@dataclass(frozen=True, slots=True)
class Lead:
    text: str  # the paragraph without its dateline
    dateline: str  # 本报讯, 新华社北京9月20日电 …; empty when none
    byline: Byline | None


def split_dateline(paragraph: str) -> Lead:
    """Take 本报讯 and its bracketed byline off the start of the first paragraph."""
    match = _DATELINE.match(paragraph)
    if not match:
        return Lead(paragraph, "", None)
    byline = parse(match.group(1)) if match.group(1) else None
    return Lead(paragraph[match.end():], match.group().strip(), byline)


def split_tail(paragraph: str) -> tuple[str, Byline | None]:
    """Take a bracketed byline such as (记者 黄磊 通讯员 孙悦) off the end of a paragraph."""
    match = _BRACKETED_TAIL.search(paragraph) if paragraph.rstrip()[-1:] in ("）", ")") else None
    if match:
        byline = parse(match.group(1))
        if byline is not None:
            return paragraph[:match.start()].rstrip(), byline
    return paragraph, None


@dataclass(frozen=True, slots=True)
class Caption:
    text: str  # the caption without its credit; empty for a bare credit line
    byline: Byline | None


def caption(line: str) -> Caption | None:
    """A photo caption line (图为…, ▲…, or text ending in a 摄 credit), else None."""
    text = line.strip()
    credit = _CREDIT_TAIL.search(text)
    byline = parse(credit.group(1)) if credit else None
    if byline is not None:
        assert credit is not None
        return Caption(text[:credit.start()].rstrip(), byline)
    if _CAPTION_START.match(text) and len(text) <= 200:
        return Caption(text, None)
    return None
