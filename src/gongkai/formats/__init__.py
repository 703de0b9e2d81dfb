"""The report formats, as data: every table, row, column, label, alias and identity.

Everything else in gongkai (extraction, checks, storage, rendering) reads these definitions;
adding a format variant means adding a TOML file to `formats/data`, not a code path.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from gongkai.formats.schema import (
    ColumnDef,
    ExtraSectionDef,
    FormatDef,
    GroupDef,
    HarmonisedDef,
    IdentityDef,
    NarrativeDef,
    RowDef,
    SectionDef,
    TableDef,
    TextVocabulary,
    match_rows,
)

__all__ = [
    "ColumnDef",
    "FormatDef",
    "GroupDef",
    "HarmonisedDef",
    "IdentityDef",
    "NarrativeDef",
    "RowDef",
    "SectionDef",
    "TableDef",
    "data_text",
    "extra_sections",
    "format_ids",
    "formats",
    "get_format",
    "match_rows",
    "narrative_figures",
    "sections",
    "text_vocabulary",
]

FORMAT_FILES = ("2021", "2019", "legacy")
_DATA = Path(__file__).parent / "data"


def data_text(name: str) -> str:
    """The text of `formats/data/<name>.toml`. Read beside this module (package data), not through
    importlib.resources, whose import alone costs a tenth of the command line's start-up."""
    return (_DATA / f"{name}.toml").read_text("utf-8")


def _load(name: str) -> dict[str, Any]:
    return tomllib.loads(data_text(name))


def _derive_table(spec: dict[str, Any], raw: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Resolve `from = "<format>"`: start from that format's table and apply drops and additions."""
    base_id = spec.pop("from", None)
    if base_id is None:
        return spec
    base = next(t for t in raw[base_id]["tables"] if t["key"] == spec["key"])
    base = _derive_table(dict(base), raw)
    drop_rows = set(spec.pop("drop_rows", ()))
    drop_groups = set(spec.pop("drop_groups", ()))
    rows = [r for r in base.get("rows", []) if r["key"] not in drop_rows]
    for extra in spec.pop("rows", []):
        after = extra.get("after")
        index = next((i + 1 for i, r in enumerate(rows) if r["key"] == after), len(rows))
        rows.insert(index, extra)
    merged = {**base, **spec}
    merged["rows"] = rows
    merged["groups"] = [g for g in base.get("groups", []) if g["key"] not in drop_groups]
    return merged


@cache
def formats() -> dict[str, FormatDef]:
    """All known formats by id, newest first."""
    raw = {name: _load(name) for name in FORMAT_FILES}
    result: dict[str, FormatDef] = {}
    for name, spec in raw.items():
        spec = dict(spec)
        spec["tables"] = [_derive_table(dict(t), raw) for t in spec.get("tables", [])]
        source = spec.pop("identities_from", None)
        if source is not None:
            spec["identities"] = raw[source].get("identities", [])
        result[name] = FormatDef.model_validate(spec)
    return result


def format_ids() -> list[str]:
    return list(formats())


def get_format(format_id: str) -> FormatDef:
    try:
        return formats()[format_id]
    except KeyError:
        raise KeyError(f"unknown format {format_id!r}; known: {', '.join(formats())}") from None


@cache
def sections() -> tuple[SectionDef, ...]:
    return tuple(SectionDef.model_validate(s) for s in _load("sections")["sections"])


@cache
def extra_sections() -> tuple[ExtraSectionDef, ...]:
    return tuple(ExtraSectionDef.model_validate(s) for s in _load("sections").get("extra", []))


@cache
def narrative_figures() -> tuple[NarrativeDef, ...]:
    return tuple(NarrativeDef.model_validate(f) for f in _load("narrative")["figures"])


@cache
def text_vocabulary() -> TextVocabulary:
    return TextVocabulary.model_validate(_load("text"))
