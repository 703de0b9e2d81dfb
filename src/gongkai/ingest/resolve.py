"""The organ of a report resolved to a canonical unit, its kind, region and parent — the columns
the store keeps for roll-ups (`gongkai.organs.resolve_organ`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from gongkai.normalize import fold, squeeze
from gongkai.organs import load_overrides, region_path, resolve_organ

_OVERRIDES: Any = None


def set_overrides(path: str | None) -> None:
    """Load an override file (`--organs FILE`) for this process."""
    global _OVERRIDES
    _OVERRIDES = None
    _resolve_cached.cache_clear()
    if path:
        _OVERRIDES = load_overrides(path)


def _codes(code: str | None) -> dict[str, tuple[str | None, str | None]]:
    """province/city/county (code, name) along the region's path."""
    if not code:
        return {}
    return {str(level): (c, name) for c, name, level in region_path(code)}


@cache
def _resolve_cached(name: str, year: int | None) -> dict[str, Any]:
    r = resolve_organ(name, overrides=_OVERRIDES, year=year)
    path = _codes(r.region_code)
    out = {
        "organ_canonical": r.canonical,
        "organ_kind": r.kind,
        "organ_ambiguous": r.ambiguous,
        "region_code": r.region_code,
        "region_level": r.level,
        "province": r.province,
        "city": r.city,
        "county": r.county,
        "parent": r.parent,
        "parent_code": r.parent_code,
    }
    for level in ("province", "city", "county"):
        c, n = path.get(level, (None, None))
        out[f"{level}_code"] = c
        if out[level] is None:
            out[level] = n
    out["organ_key"] = out["organ_canonical"] or squeeze(fold(name))
    return out


def resolve(name: str | None, year: int | None = None) -> dict[str, Any]:
    """Columns of `reports` describing the organ (with the divisions of the report's year)."""
    if not name:
        return {"organ_key": None, "organ_kind": "other"}
    return dict(_resolve_cached(name, year))
