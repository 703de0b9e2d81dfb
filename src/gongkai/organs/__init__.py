"""Organs: what kind of unit published a report, where it sits (GB/T 2260 region) and its parent unit."""

from __future__ import annotations

from gongkai.organs.kind import OrganKind, deadline, organ_kind
from gongkai.organs.overrides import OrganOverride, Overrides, load_overrides
from gongkai.organs.regions import Division, ancestors, division, divisions, region_path, rollup, within
from gongkai.organs.resolve import ResolvedOrgan, resolve_organ

__all__ = [
    "Division",
    "OrganKind",
    "OrganOverride",
    "Overrides",
    "ResolvedOrgan",
    "ancestors",
    "deadline",
    "division",
    "divisions",
    "load_overrides",
    "organ_kind",
    "region_path",
    "resolve_organ",
    "rollup",
    "within",
]
