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

The names are imported on first use (PEP 562), so that `import gongkai.cli` and `gongkai --help`
do not pay for the readers, the format definitions and pydantic before a command needs them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from gongkai.extract.gate import is_report
    from gongkai.model import Cell, Report, TableData
    from gongkai.read import ReadError

__all__ = ["Cell", "ReadError", "Report", "TableData", "is_report", "parse_bytes", "parse_path"]
__version__ = "0.1.0"

# Public name → the module that defines it. `gongkai.extract` stays the subpackage (never rebound to
# the function of the same name), so `import gongkai.extract.gate as gate` works.
_LAZY = {
    "Cell": "gongkai.model",
    "Report": "gongkai.model",
    "TableData": "gongkai.model",
    "ReadError": "gongkai.read",
    "is_report": "gongkai.extract.gate",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gongkai' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # the next lookup is a plain global
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def parse_bytes(data: bytes, path: str | None = None) -> Report:
    """Read and extract one report from its bytes. Raises ReadError when nothing can be read."""
    from gongkai.extract import extract
    from gongkai.read import read_bytes

    return extract(read_bytes(data, path))


def parse_path(path: str | Path) -> Report:
    """Read and extract one report from a file (text, HTML, PDF, Word, image: recognised by content)."""
    from gongkai.extract import extract
    from gongkai.read import read_path

    return extract(read_path(path))
