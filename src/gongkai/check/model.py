"""The types of the checks: a rule of the catalogue, a finding, and the cells it points at."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["error", "warning", "info"]
TableKey = Literal["proactive", "requests", "review_litigation", "legacy"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


class RuleDef(BaseModel):
    """One rule of the catalogue (formats/data/rules.toml, plus one rule per identity of the formats)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    severity: Severity
    category: str
    title: str
    description: str
    message: str
    params: dict[str, Any] = Field(default_factory=dict)
    identity: str | None = None
    """The id of the format identity an arithmetic rule was generated from."""


class CellRef(BaseModel):
    """A cell a finding points at: canonical keys, the printed text, the value read and where it was."""

    model_config = ConfigDict(extra="forbid")

    table: TableKey | None = None
    row: str | None = None
    column: str | None = None
    raw: str | None = None
    value: int | float | None = None
    provenance: dict[str, Any] = Field(default_factory=dict)
    doubtful: bool = False
    """Read by OCR and part of a failed identity: the value may be a misreading (never changed)."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"table": self.table, "row": self.row, "column": self.column, "raw": self.raw,
                               "value": self.value, "provenance": self.provenance}
        if self.doubtful:
            out["doubtful"] = True
        return out


class Finding(BaseModel):
    """One rule failing on one report, with its evidence."""

    model_config = ConfigDict(extra="forbid")

    code: str
    severity: Severity
    message: str
    cells: list[CellRef] = Field(default_factory=list)
    expected: int | float | str | None = None
    actual: int | float | str | None = None
    line: int | None = None
    """The source line a text finding is on (cells carry their own provenance)."""

    @property
    def position(self) -> int | None:
        """The first source line the finding points at."""
        if self.line is not None:
            return self.line
        for c in self.cells:
            line = c.provenance.get("line")
            if line is not None:
                return line
        return None

    def sort_key(self) -> tuple[int, int, str]:
        pos = self.position
        return SEVERITY_ORDER[self.severity], pos if pos is not None else 1 << 30, self.code

    def to_json(self, source_path: str | None) -> dict[str, Any]:
        """The JSON Lines object of `gongkai check --json`."""
        return {
            "source": source_path,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "cells": [c.to_json() for c in self.cells],
            "expected": self.expected,
            "actual": self.actual,
            "line": self.position,
        }
