"""Parsed files as plain tuples: how results travel from worker processes and sit in the cache.

The cache also keeps a file's report on its own (``dumps_report``), for
reporting without reading any entry.

Pickling an Entry costs about as much as parsing it (pickle rebuilds every
frozen dataclass through Python code), which made parallel loading slower than
serial. A FileResult flattened into tuples of strings, numbers and dates
pickles in a fraction of the time (measured with bench/load.py).

The tuples follow the dataclasses' own fields (:class:`Codec`): a field added
to Entry is stored without a change here. Bump the parse cache's schema
version when the fields change, so older records are not read.
"""

from __future__ import annotations

import operator
import pickle
import types
import typing
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from itertools import starmap
from typing import Any, Generic, TypeGuard, TypeVar

from ..model import Photo
from .results import FileReport, FileResult

T = TypeVar("T")
Record = tuple  # the flat form of a dataclass; its layout follows the class's fields
_Convert = Callable[[Any], Any]


class Codec(Generic[T]):
    """A frozen dataclass ⇄ a tuple of its fields in declaration order.

    Fields that hold dataclasses (one, an optional one, or a tuple of them) are
    made tuples too; everything else (strings, numbers, dates, tuples of
    strings) is left for pickle, which stores those without running Python code.
    """

    def __init__(self, cls: type[T]) -> None:
        self._cls = cls
        names = [f.name for f in fields(cls)]  # type: ignore[arg-type]  # T: a dataclass
        self._values = operator.attrgetter(*names)
        hints = typing.get_type_hints(cls)
        # (place, pack, unpack) of each field that holds dataclasses
        self._nested = [(place, *convert) for place, name in enumerate(names)
                        if (convert := _converters(hints[name])) is not None]

    def pack(self, item: T) -> Record:
        values = self._values(item)
        if not self._nested:
            return values
        out = list(values)
        for place, pack, _ in self._nested:
            out[place] = pack(out[place])
        return tuple(out)

    def unpack(self, record: Record) -> T:
        if not self._nested:
            return self._cls(*record)
        values = list(record)
        for place, _, unpack in self._nested:
            values[place] = unpack(values[place])
        return self._cls(*values)


def _converters(hint: Any) -> tuple[_Convert, _Convert] | None:
    """(pack, unpack) for a field of this type, None when pickle can store it as it is."""
    if _is_dataclass(hint):
        codec = Codec(hint)
        return codec.pack, codec.unpack
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis and _is_dataclass(args[0]):
        codec, flat = Codec(args[0]), args[0]
        # a tuple of flat dataclasses: made in C, no call per item
        unpack = ((lambda records: tuple(starmap(flat, records))) if not codec._nested
                  else (lambda records: tuple(map(codec.unpack, records))))
        return (lambda items: tuple(map(codec.pack, items))), unpack
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        found = _converters(inner)
        if found is not None:
            pack, unpack = found
            return (lambda item: None if item is None else pack(item),
                    lambda record: None if record is None else unpack(record))
    return None


def _is_dataclass(hint: Any) -> TypeGuard[type[Any]]:
    return isinstance(hint, type) and is_dataclass(hint)


_RESULT = Codec(FileResult)
_REPORT = Codec(FileReport)
_PHOTO = Codec(Photo)


def dumps(result: FileResult) -> bytes:
    return pickle.dumps(_RESULT.pack(result), protocol=5)


def loads(blob: bytes) -> FileResult:
    return _RESULT.unpack(pickle.loads(blob))


def dumps_report(report: FileReport) -> bytes:
    return pickle.dumps(_REPORT.pack(report), protocol=5)


def loads_report(blob: bytes) -> FileReport:
    return _REPORT.unpack(pickle.loads(blob))


def photos_record(photos: tuple[Photo, ...]) -> tuple | None:
    """Photos as plain tuples (also the parse cache's index column); None for none."""
    return tuple(map(_PHOTO.pack, photos)) if photos else None


def photos_of(record: tuple | None) -> tuple[Photo, ...]:
    return tuple(map(_PHOTO.unpack, record)) if record else ()
