"""What the read stage produces: the source's text as blocks in reading order, with provenance.

A block is a line of text (plain text, PDF text) or a table cell (HTML, Word, rebuilt PDF grids).
Extraction never looks at bytes, markup or pages: only at these blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gongkai.model import Provenance, Source


@dataclass(slots=True)
class Block:
    text: str
    provenance: Provenance
    cell: bool = False
    """True when the block is one table cell (its text is never split into several cells)."""


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
