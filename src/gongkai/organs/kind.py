"""The kind of an organ, read from its name by the rules in formats/data/organs.toml."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from functools import cache
from typing import Literal

from gongkai.formats import data_text
from gongkai.normalize import fold, squeeze

OrganKind = Literal["government", "department", "township", "development_zone", "other"]


@cache
def _rules() -> tuple[list[tuple[OrganKind, re.Pattern[str]]], dict[str, tuple[int, int]]]:
    text = data_text("organs")
    data = tomllib.loads(text)
    kinds = [(k["kind"], re.compile(k["pattern"])) for k in data["kinds"]]
    deadlines = {k: (v[0], v[1]) for k, v in data["deadlines"].items()}
    return kinds, deadlines


def organ_kind(name: str | None) -> OrganKind:
    """`长沙市人民政府办公室` → department; `长沙县人民政府`, `成安县` → government; `xx街道办事处` → township."""
    if not name:
        return "other"
    simple = squeeze(fold(name))
    for kind, pattern in _rules()[0]:
        if pattern.search(simple):
            return kind
    return "other"


def deadline(kind: OrganKind, report_year: int) -> date | None:
    """The art. 49 publication deadline for a report of `report_year` by an organ of `kind`."""
    md = _rules()[1].get(kind)
    return None if md is None else date(report_year + 1, md[0], md[1])
