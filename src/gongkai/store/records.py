"""What the workers hand to the store: one file read, extracted, checked and resolved, ready to write.

Plain data (picklable, cheap to send between processes); the store adds ids, versions and timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# (table, row, column, value, raw, unit, provenance JSON)
CellRow = tuple[str, str, str, float | None, str | None, str | None, str | None]


@dataclass
class Prepared:
    sha256: str
    path: str | None
    size: int
    media_type: str
    ok: bool = True
    reason: str | None = None  # failure code (stable, English)
    message: str | None = None  # failure message (Chinese)
    row: dict[str, Any] = field(default_factory=dict)  # columns of `reports` (organ, region, year, report_json …)
    cells: list[CellRow] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)  # columns of `findings` minus ids
