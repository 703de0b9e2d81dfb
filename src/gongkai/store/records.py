"""What the workers hand to the store: one file read, extracted, checked and resolved, ready to write.

Plain data (picklable, cheap to send between processes: rows are tuples in the tables' column
order, not objects); the store adds ids, versions and timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Columns of the child tables as written; a row of `Prepared.cells` / `.findings` is these minus report_id.
CELL_COLUMNS = ("report_id", "tbl", "row_key", "col_key", "value", "raw", "unit", "provenance")
FINDING_COLUMNS = ("report_id", "code", "severity", "message", "cells", "expected", "actual", "line")

# (table, row, column, value, raw, unit, provenance JSON)
CellRow = tuple[str, str, str, float | None, str | None, str | None, str | None]
# (code, severity, message, cells JSON, expected JSON, actual JSON, line)
FindingRow = tuple[str, str, str, str | None, str | None, str | None, int | None]


@dataclass
class Prepared:
    sha256: str
    path: str | None
    size: int
    media_type: str
    ok: bool = True
    reason: str | None = None  # failure code (stable, English)
    message: str | None = None  # failure message (Chinese)
    row: dict[str, Any] = field(default_factory=dict)  # columns of `reports` (organ, region, year …) but report_json
    # The report as JSON, UTF-8: bytes pass from worker to parent to SQLite without being decoded and re-encoded.
    report_json: bytes = b""
    cells: list[CellRow] = field(default_factory=list)
    findings: list[FindingRow] = field(default_factory=list)

    def report_columns(self) -> dict[str, Any]:
        """The columns of `reports` the worker computed, report_json as text."""
        return {**self.row, "report_json": self.report_json.decode()}


@dataclass
class Saved:
    """What became of one prepared report in the store."""

    status: str  # stored | new_version | same_report (another original of a stored version) | duplicate | failed
    report_id: int | None = None
    version: int | None = None
