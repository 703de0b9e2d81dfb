"""gongkai — read, check, store and compare government information disclosure annual reports.

The pipeline, one package per stage:

    read     bytes → Document (text blocks and table cells, with provenance)
    extract  Document → Report (typed; every figure with its raw text and place)
    check    Report → findings (the catalogue of rules)
    store / export / render

Public API::

    from gongkai import parse_path, parse_bytes, ReadError
    report = parse_path("report.html")
    report.requests.value("new_received", "total")
"""

from __future__ import annotations

from pathlib import Path

from gongkai.extract import extract
from gongkai.extract.gate import is_report
from gongkai.model import Cell, Report, TableData
from gongkai.read import ReadError, read_bytes, read_path

__all__ = ["Cell", "ReadError", "Report", "TableData", "is_report", "parse_bytes", "parse_path"]
__version__ = "0.1.0"


def parse_bytes(data: bytes, path: str | None = None) -> Report:
    """Read and extract one report from its bytes. Raises ReadError when nothing can be read."""
    return extract(read_bytes(data, path))


def parse_path(path: str | Path) -> Report:
    """Read and extract one report from a file (text, HTML, PDF, Word, image: recognised by content)."""
    return extract(read_path(path))
