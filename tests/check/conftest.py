"""Fixtures of the check tests."""

from __future__ import annotations

import pytest

from gongkai import parse_path
from gongkai.model import Report
from tests.check.check_helpers import SEEDS


@pytest.fixture(scope="session")
def seed_reports() -> dict[str, Report]:
    return {p.name[:3]: parse_path(p) for p in sorted(SEEDS.glob("*.txt"))}
