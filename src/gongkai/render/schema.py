"""The JSON Schema of `gongkai parse --json`, generated from pydantic models that are themselves
built from the format definitions (so every row and column key in the schema is a key of a format)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from gongkai.formats import formats, narrative_figures, sections
from gongkai.model import Provenance

Num = Optional[Union[int, float]]  # noqa: UP007, UP045 (create_model needs runtime typing objects)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _camel(*parts: str) -> str:
    return "".join(p.replace("_", " ").title().replace(" ", "") for p in parts)


@cache
def _table_models() -> dict[str, list[type[BaseModel]]]:
    by_table: dict[str, list[type[BaseModel]]] = {}
    for fmt in formats().values():
        for table in fmt.tables:
            if table.layout == "indicators":
                continue
            row_fields: dict[str, Any] = {}
            for row in table.rows:
                cols = {c.key: (Num, Field(description=c.label)) for c in table.row_columns(row)}
                row_model = create_model(_camel("F", fmt.id, table.key, row.key.replace(".", "_")),
                                         __base__=_Strict, **cols)
                name = row.key.replace(".", "__")
                row_fields[name] = (row_model, Field(alias=row.key, description=row.label))
            model = create_model(_camel("F", fmt.id, table.key), __base__=_Strict, **row_fields)
            model.__doc__ = f"表{table.number} {table.title}（格式 {fmt.id}）"
            by_table.setdefault(table.key, []).append(model)
    return by_table


class SourceOut(_Strict):
    path: str | None
    sha256: str
    media_type: str


class MetaOut(_Strict):
    title: str | None
    organ: str | None
    year: int | None
    published: str | None = Field(description="YYYY-MM-DD")
    format: str | None


class CellOut(Provenance):
    """A present cell: its printed text and unit, and (flattened) where it came from."""

    raw: str = Field(description="the cell's text as printed")
    unit: str | None = None
    number: int | float | None = Field(None, description="the figure as printed, when it differs from value")


class IndicatorOut(CellOut):
    raw: str | None = None  # type: ignore[assignment]
    path: list[str]
    value: int | float | None


class LegacyOut(_Strict):
    indicators: list[IndicatorOut]
    harmonised: dict[str, int | float | None]


class FigureSourceOut(_Strict):
    text: str
    line: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    page: int | None = None


class StrayOut(BaseModel):
    table: str
    kind: Literal["extra_row", "unplaced", "ambiguous"]
    label: str | None = None
    row: str | None = None
    raws: list[str]
    expected: int | None = None
    line: int | None = None
    grid_table: int | None = Field(None, description="the HTML/Word table the row was printed in")
    grid_row: int | None = Field(None, description="its row in that table")
    col: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None


class ReadingOut(_Strict):
    format_basis: Literal["tables", "citation", "year"] | None
    table_formats: dict[str, str]
    traditional: bool
    truncated: bool
    strays: list[StrayOut]
    notes: list[str] = []  # what the reader noticed about the text itself (`decode_damaged: 第N行…`)


class ErrorOut(_Strict):
    """Why an input gave no report: a read error (`empty`, `binary`, `unreadable`, `encrypted`, …) or
    `not_a_report` (the input was read, but nothing in it is an annual report)."""

    code: str
    message: str


class ErrorSourceOut(_Strict):
    path: str | None
    sha256: str | None
    media_type: str | None


class ReadErrorOutput(_Strict):
    """One line of `gongkai parse --json` for an input that could not be read at all."""

    source: ErrorSourceOut
    error: ErrorOut


@cache
def parse_output_model() -> type[BaseModel]:
    tables = _table_models()
    section_fields = {s.key: (Optional[str], Field(description=s.label)) for s in sections()}  # noqa: UP045
    Sections = create_model("Sections", __base__=_Strict, **section_fields)
    narrative_fields = {f.key: (Num, Field(description=f.table or "")) for f in narrative_figures()}
    Narrative = create_model("Narrative", __base__=_Strict, **narrative_fields)
    fields: dict[str, Any] = {
        "source": (SourceOut, ...),
        "meta": (MetaOut, ...),
        "sections": (Sections, ...),
        **{key: (Optional[Union[tuple(models)]], ...) for key, models in tables.items()},  # noqa: UP007, UP045
        "legacy": (Optional[LegacyOut], ...),  # noqa: UP045
        "narrative": (Narrative, ...),
        "cells": (dict[str, CellOut], Field(description="each present cell, keyed table.row.column")),
        "subtotals": (dict[str, dict[str, Num]], Field(description="subtotal rows printed for a group")),
        "narrative_sources": (dict[str, FigureSourceOut], ...),
        "reading": (ReadingOut, ...),
        "error": (Optional[ErrorOut], Field(None, description="set when the input is not an annual report")),  # noqa: UP045
    }
    model = create_model("ParseOutput", __base__=_Strict, **fields)
    model.__doc__ = "One line of `gongkai parse --json`: a report read into the canonical keys."
    return model


def parse_output_schema() -> dict[str, Any]:
    """A line of `parse --json` is either a report (`ParseOutput`) or a read error (`ReadErrorOutput`)."""
    line = Union[parse_output_model(), ReadErrorOutput]  # noqa: UP007
    schema = TypeAdapter(line).json_schema(by_alias=True)
    schema["title"] = "gongkai parse --json line"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://gongkai.invalid/schema/parse-output.schema.json"
    return schema


def schema_text() -> str:
    return json.dumps(parse_output_schema(), ensure_ascii=False, indent=2) + "\n"
