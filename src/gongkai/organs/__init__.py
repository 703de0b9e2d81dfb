"""Organs: what kind of unit published a report, and (see `regions`) where it sits."""

from __future__ import annotations

from gongkai.organs.kind import OrganKind, deadline, organ_kind

__all__ = ["OrganKind", "deadline", "organ_kind"]
