"""The organ of a report resolved to a canonical unit, its kind, region and parent — the columns
the store keeps for roll-ups. Uses `gongkai.organs.resolve_organ`; falls back to the organ kind
alone while no resolver is available."""

from __future__ import annotations

from functools import cache
from typing import Any

from gongkai.normalize import fold, squeeze
from gongkai.organs import organ_kind

_OVERRIDES: Any = None


def set_overrides(path: str | None) -> None:
    """Load an override file (`--organs FILE`) for this process."""
    global _OVERRIDES
    _OVERRIDES = None
    _resolve_cached.cache_clear()
    if path:
        from gongkai.organs import load_overrides

        _OVERRIDES = load_overrides(path)


def _call_resolver(name: str, year: int | None) -> Any:
    try:
        from gongkai.organs import resolve_organ
    except ImportError:
        return None
    try:
        return resolve_organ(name, overrides=_OVERRIDES, year=year)
    except TypeError:
        return resolve_organ(name)


def _codes(code: str | None) -> dict[str, tuple[str | None, str | None]]:
    """province/city/county (code, name) along the region's path."""
    out: dict[str, tuple[str | None, str | None]] = {}
    if not code:
        return out
    try:
        from gongkai.organs import region_path

        for c, name, level in region_path(code):
            out[str(level)] = (c, name)
    except (ImportError, LookupError, ValueError):
        pass
    return out


@cache
def _resolve_cached(name: str, year: int | None) -> dict[str, Any]:
    r = _call_resolver(name, year)
    if r is None:
        return {"organ_key": squeeze(fold(name)), "organ_canonical": None, "organ_kind": organ_kind(name),
                "organ_ambiguous": False}
    code = getattr(r, "region_code", None)
    path = _codes(code)
    out = {
        "organ_canonical": getattr(r, "canonical", None),
        "organ_kind": getattr(r, "kind", None) or organ_kind(name),
        "organ_ambiguous": bool(getattr(r, "ambiguous", False)),
        "region_code": code,
        "region_level": getattr(r, "level", None),
        "province": getattr(r, "province", None),
        "city": getattr(r, "city", None),
        "county": getattr(r, "county", None),
        "parent": getattr(r, "parent", None),
        "parent_code": getattr(r, "parent_code", None),
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
