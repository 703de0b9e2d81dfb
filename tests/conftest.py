"""Shared test helpers: where the seeds and handwritten fixtures are, and how to read them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gongkai import parse_path
from gongkai.model import Report

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"
LAYOUTS = FIXTURES / "layouts"


def seed_path(number: str) -> Path:
    """The seed file whose name starts with `number` (`"002"`)."""
    (path,) = SEEDS.glob(f"{number}_*")
    return path


@pytest.fixture(scope="session")
def seed():
    """seed("002") → the parsed Report, read once per session."""
    cache: dict[str, Report] = {}

    def get(number: str) -> Report:
        if number not in cache:
            cache[number] = parse_path(seed_path(number))
        return cache[number]

    return get


def values(report: Report, table: str) -> dict[str, list]:
    """A table as {row: [value, …]} in the format's column order (None where absent)."""
    data = report.table(table)
    assert data is not None, f"table {table} not read"
    return {row: [None if c is None else c.value for c in cols.values()] for row, cols in data.cells.items()}


def needs(available: bool, reason: str) -> pytest.MarkDecorator:
    """Skip where an optional system tool (LibreOffice, Tesseract) is missing — except in CI (`CI` set),
    where the set-up installs it, so a missing tool fails the run instead of passing it silently."""
    return pytest.mark.skipif(not available and not os.environ.get("CI"), reason=reason)
