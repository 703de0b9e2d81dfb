"""What the read stage produces: the source's text as blocks in reading order, with provenance.

A block is a line of text (plain text, PDF text) or a table cell (HTML, Word, rebuilt PDF grids).
Extraction never looks at bytes, markup or pages: only at these blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel

from gongkai.model import Provenance, Source

M = TypeVar("M", bound=BaseModel)


@cache
def _defaults(cls: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any], int]:
    """(plain defaults, default factories, number of fields) of a model; `model_fields` is slow to
    reach through the class, so it is read once."""
    static: dict[str, Any] = {}
    factories: dict[str, Any] = {}
    fields = cls.model_fields
    for name, f in fields.items():
        if f.default_factory is not None:
            factories[name] = f.default_factory
        elif not f.is_required():
            static[name] = f.default
    return static, factories, len(fields)


# The slots every pydantic model has, set through their descriptors (cheaper than `object.__setattr__`).
_SLOTS = BaseModel.__dict__
_set_dict = _SLOTS["__dict__"].__set__
_set_fields_set = _SLOTS["__pydantic_fields_set__"].__set__
_set_extra = _SLOTS["__pydantic_extra__"].__set__
_set_private = _SLOTS["__pydantic_private__"].__set__


def construct(cls: type[M], **values: Any) -> M:
    """An instance of a model from values already known to be valid, without validation.

    For the hot loops of reading (a Provenance per table cell, a paragraph per block): pydantic's
    own `model_construct` is slower than validating.
    """
    static, factories, count = _defaults(cls)
    if len(values) == count:
        data = values  # every field given: nothing to fill in
    else:
        data = static.copy()
        for name, factory in factories.items():
            if name not in values:
                data[name] = factory()
        data.update(values)
    obj = cls.__new__(cls)
    _set_dict(obj, data)
    _set_fields_set(obj, set(values))
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


def grid_provenance(line: int | None, table: int, row: int, col: int) -> Provenance:
    """The provenance of a cell of a table grid (HTML, Word): `construct` specialised to the
    provenance made for every cell of a page."""
    prov = Provenance.__new__(Provenance)
    data = _UNSET_PROVENANCE.copy()
    data["line"] = line
    data["table"] = table
    data["row"] = row
    data["col"] = col
    _set_dict(prov, data)
    _set_fields_set(prov, {"line", "table", "row", "col"})
    _set_extra(prov, None)
    _set_private(prov, None)
    return prov


_UNSET_PROVENANCE = construct(Provenance).__dict__  # every field at its default (none has a factory)


@lru_cache(maxsize=131072)
def line_provenance(line: int | None, col: int | None = None) -> Provenance:
    """The provenance of line `line` (and of its `col`-th cell, for a row printed on one line). Shared
    between documents, like every provenance never mutated (derive a new one with `model_copy`)."""
    return construct(Provenance, line=line) if col is None else construct(Provenance, line=line, col=col)


def with_col(p: Provenance, col: int) -> Provenance:
    """`p` narrowed to the `col`-th cell of its line; shared when `p` is a plain line."""
    d = p.__dict__
    if d["col"] is not None:
        return p
    if d["table"] is None and d["row"] is None and d["page"] is None and d["bbox"] is None and d["confidence"] is None:
        return line_provenance(d["line"], col)
    return construct(Provenance, **{**d, "col": col})


@dataclass(slots=True)
class Block:
    text: str
    provenance: Provenance
    cell: bool = False
    """True when the block is one table cell (its text is never split into several cells)."""
    glued: bool = False
    """True when the block is a run of figures printed without separators (`801000081`), cut out of its line."""


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image on a page (often a table published as a picture), and where in the blocks it stood."""

    src: str
    alt: str
    position: int
    line: int | None = None


@dataclass(slots=True)
class Document:
    source: Source
    blocks: list[Block]
    warnings: list[str] = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


class ReadError(Exception):
    """The input cannot be read as a report at all (empty, binary junk, unsupported container)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
