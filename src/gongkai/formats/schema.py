"""Typed definitions of a report format, as read from the TOML files in `formats/data`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CellKind = Literal["count", "signed_count", "money"]
Layout = Literal["rows", "flat", "indicators"]


class _Def(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ColumnDef(_Def):
    key: str
    label: str
    kind: CellKind = "count"
    unit: str | None = None
    group: str | None = None
    aliases: tuple[str, ...] = ()


class RowDef(_Def):
    key: str
    label: str
    item: str | None = None
    group: str | None = None
    columns: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    deviations: tuple[str, ...] = ()
    after: str | None = None


class GroupDef(_Def):
    """A heading row inside a table (（三）不予公开); when it carries values they are a subtotal."""

    key: str
    label: str
    first: str | None = None
    """The row the group's label is printed above; by default the first row named `<key>.…`."""


class HarmonisedDef(_Def):
    key: str
    labels: tuple[str, ...]


class TableDef(_Def):
    key: str
    number: int
    title: str
    section: str
    layout: Layout
    columns: tuple[ColumnDef, ...] = ()
    rows: tuple[RowDef, ...] = ()
    groups: tuple[GroupDef, ...] = ()
    headers: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    subtotal_labels: tuple[str, ...] = ()
    """Labels of subtotal rows some reports print inside a group (小计); they are not cells of the format."""
    harmonised: tuple[HarmonisedDef, ...] = ()

    def column(self, key: str) -> ColumnDef:
        return next(c for c in self.columns if c.key == key)

    def row(self, key: str) -> RowDef:
        return next(r for r in self.rows if r.key == key)

    def row_columns(self, row: RowDef) -> tuple[ColumnDef, ...]:
        """The columns a row has: its own list, or every column of the table."""
        if not row.columns:
            return self.columns
        return tuple(self.column(k) for k in row.columns)

    def cell_keys(self) -> list[tuple[str, str]]:
        """Every (row, column) the format defines, in reading order."""
        return [(r.key, c.key) for r in self.rows for c in self.row_columns(r)]


class IdentityDef(_Def):
    """An equation between sums of cells: sum(left) = sum(right).

    `over="columns"`: left/right name rows, and the equation holds in each column;
    `over="rows"`: left/right name columns, and it holds in each row;
    `over="children"`: (legacy) left names a parent indicator and right its parts.
    A name ending in `.*` stands for the rows of a group (`withheld.*`; `other.*` also matches `other`).
    """

    id: str
    table: str
    over: Literal["columns", "rows", "children"]
    left: tuple[str, ...]
    right: tuple[str, ...]
    description: str


def match_rows(patterns: tuple[str, ...], keys: list[str]) -> list[str]:
    """Row keys named by an identity's `patterns`, in table order; `withheld.*` is every row of the group (and
    `other.*` also matches a single row `other`)."""
    out = []
    for k in keys:
        for p in patterns:
            if k == p or (p.endswith(".*") and (k == p[:-2] or k.startswith(p[:-1]))):
                out.append(k)
                break
    return out


class FormatDef(_Def):
    id: str
    name: str
    defined_by: str
    first_year: int | None = None
    last_year: int | None = None
    sections: str = "standard"
    tables: tuple[TableDef, ...] = ()
    identities: tuple[IdentityDef, ...] = ()

    def table(self, key: str) -> TableDef | None:
        return next((t for t in self.tables if t.key == key), None)


class SectionDef(_Def):
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    guidance: str = ""
    """What the section should say (国办公开办函〔2021〕30号 and 条例第五十条), shown to an organ writing it."""


class ExtraSectionDef(_Def):
    label: str


class NarrativeScaled(_Def):
    pattern: str
    scale: float


class NarrativeDef(_Def):
    key: str
    label: str
    table: str | None = None
    """The cell the figure states (`requests.new_received.total`), or a sum of cells joined by `+`."""
    patterns: tuple[str, ...] = ()
    zero_patterns: tuple[str, ...] = ()
    scaled_patterns: tuple[NarrativeScaled, ...] = ()

    @property
    def cells(self) -> tuple[tuple[str, str, str], ...]:
        """(table, row, column) of each cell in `table`; empty when the figure has no table counterpart."""
        out = []
        for part in (self.table or "").split("+"):
            if part.strip():
                table, rest = part.strip().split(".", 1)
                row, col = rest.rsplit(".", 1)
                out.append((table, row, col))
        return tuple(out)


class TextVocabulary(_Def):
    debris_prefixes: tuple[str, ...] = ()
    injected_terms: tuple[str, ...] = ()
    garbled_patterns: tuple[str, ...] = Field(default=())
