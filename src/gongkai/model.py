"""The typed report model: what extraction produces and every later stage reads.

A cell is either read from the source (with its raw text and where it came from) or absent
(`None` in its table). A printed empty cell, `-` or `/` reads 0 and keeps its raw text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Number = int | float

TABLE_KEYS: tuple[str, ...] = ("proactive", "requests", "review_litigation")
"""The tables of the 2019 and 2021 formats, as fields of `Report` (tables 2, 3 and 4)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Provenance(_Model):
    """Where a piece of text came from: a line of text, an HTML/Word table cell, a PDF page region.

    Frozen: readers share one provenance between every cell of a line and between documents
    (derive a changed one with `model_copy(update=...)`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    line: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = None
    split: Literal["identities", "only"] | None = None
    """A cell cut out of figures printed without separators: `identities` when the format's identities chose
    the one split among several, `only` when the printed characters allowed no other."""


@dataclass(slots=True)
class Cell:
    """One table cell as read: the value, the text as printed, its unit and its place in the source.

    A plain slotted dataclass rather than a pydantic model: a report has hundreds of cells, and
    making them is the hottest allocation of extraction. Pydantic still validates, serialises and
    describes it as a field of `TableData`.
    """

    value: Number | None
    raw: str
    number: Number | None = None
    unit: str | None = None
    provenance: Provenance = field(default_factory=Provenance)

    @property
    def blank(self) -> bool:
        return not self.raw.strip()


class LabelSeen(_Model):
    """A row label as printed, so the format checks can compare it with the official wording."""

    raw: str
    matched: str
    deviation: bool = False
    provenance: Provenance = Field(default_factory=Provenance)


class StrayRow(_Model):
    """Values the reader could not place: an unknown row label with values, or a row of the wrong length."""

    kind: Literal["extra_row", "unplaced", "ambiguous"]
    label: str | None
    row: str | None = None
    raws: list[str]
    expected: int | None = None
    provenance: Provenance = Field(default_factory=Provenance)


TableCells = dict[str, dict[str, Cell | None]]


class TableData(_Model):
    """A table of the format as read: every cell of the definition, `None` where absent."""

    key: str
    format: str
    cells: TableCells
    subtotals: TableCells = Field(default_factory=dict)
    labels: dict[str, LabelSeen] = Field(default_factory=dict)
    strays: list[StrayRow] = Field(default_factory=list)
    ended_early: bool = False

    def cell(self, row: str, column: str) -> Cell | None:
        return self.cells.get(row, {}).get(column)

    def value(self, row: str, column: str) -> Number | None:
        c = self.cell(row, column)
        return None if c is None else c.value

    def missing(self) -> list[tuple[str, str]]:
        return [(r, c) for r, cols in self.cells.items() for c, cell in cols.items() if cell is None]


class LegacyIndicator(_Model):
    """One row of a legacy statistics table: its label path (as printed), unit and value."""

    path: list[str]
    label: str
    unit: str | None = None
    value: Number | None = None
    raw: str | None = None
    provenance: Provenance = Field(default_factory=Provenance)


class LegacyTable(_Model):
    indicators: list[LegacyIndicator]
    harmonised: dict[str, Number | None]
    strays: list[StrayRow] = Field(default_factory=list)
    """Values that could not be given to an indicator without guessing."""


class Figure(_Model):
    """A figure stated in prose, with the words that state it."""

    value: Number
    text: str
    provenance: Provenance = Field(default_factory=Provenance)


class Paragraph(_Model):
    """A block of running text, with the section it belongs to and its role on the page."""

    text: str
    role: Literal["title", "meta", "heading", "body", "debris"]
    section: str | None = None
    provenance: Provenance = Field(default_factory=Provenance)


class Source(_Model):
    path: str | None = None
    sha256: str
    media_type: str
    encoding: str | None = None
    size: int = 0


class Meta(_Model):
    title: str | None = None
    organ: str | None = None
    year: int | None = None
    published: date | None = None
    format: str | None = None


class Reading(_Model):
    """How the report was read: the evidence for its format, and what looked wrong while reading."""

    format_basis: Literal["tables", "citation", "year"] | None = None
    table_formats: dict[str, str] = Field(default_factory=dict)
    traditional: bool = False
    truncated: bool = False
    notes: list[str] = Field(default_factory=list)


class Report(_Model):
    source: Source
    meta: Meta
    sections: dict[str, str | None]
    section_headings: dict[str, Provenance] = Field(default_factory=dict)
    proactive: TableData | None = None
    requests: TableData | None = None
    review_litigation: TableData | None = None
    legacy: LegacyTable | None = None
    narrative: dict[str, Figure] = Field(default_factory=dict)
    paragraphs: list[Paragraph] = Field(default_factory=list)
    reading: Reading = Field(default_factory=Reading)

    def table(self, key: str) -> TableData | None:
        return getattr(self, key) if key in TABLE_KEYS else None

    def present_cells(self) -> Iterator[tuple[str, str, str, Cell]]:
        """Every cell read from the source in tables 2–4, as (table, row, column, cell)."""
        for key in TABLE_KEYS:
            table = self.table(key)
            if table is None:
                continue
            for row, cols in table.cells.items():
                for col, cell in cols.items():
                    if cell is not None:
                        yield key, row, col, cell
