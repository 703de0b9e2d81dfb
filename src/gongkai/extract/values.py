"""A cell's printed text → its value, by the kind and unit its column has in the format."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from gongkai.formats import ColumnDef
from gongkai.model import Cell, Number, Provenance
from gongkai.normalize import fold, squeeze

_PARTS = re.compile(r"^(?P<num>[+\-]?[\d,]+(?:\.\d+)?)(?P<unit>[^\d]*)$")
_NONE = re.compile(r"^(?:-+|/|\\|无|空|×)$")
# How many 万元 one unit is worth.
_UNIT_NAMES = {"万": "万元"}  # `29724.51万` is 29724.51 万元
_TO_WAN = {"万元": Decimal(1), "万": Decimal(1), "元": Decimal("0.0001"), "亿元": Decimal(10000)}


def _plain(d: Decimal) -> Number:
    return int(d) if d == d.to_integral_value() else float(d)


def parse_number(text: str) -> tuple[Decimal | None, str | None]:
    """(number, unit suffix) of a printed figure; (None, None) when it is not a figure."""
    f = squeeze(fold(text))
    m = _PARTS.match(f)
    if not m:
        return None, None
    try:
        number = Decimal(m.group("num").replace(",", ""))
    except InvalidOperation:
        return None, None
    return number, (m.group("unit") or None)


def make_cell(raw: str, column: ColumnDef, provenance: Provenance) -> Cell:
    """Read one printed cell. Empty, `-` and `/` read 0; money is given in 万元 where the unit is known."""
    value, number, unit = read_value(raw, column.kind, column.unit)
    return Cell(value, raw, number, unit, provenance)


@lru_cache(maxsize=32768)
def read_value(raw: str, kind: str, column_unit: str | None) -> tuple[Number | None, Number | None, str | None]:
    """(value, number as printed, unit) of one printed cell of a column of `kind`."""
    f = squeeze(fold(raw))
    if not f or _NONE.match(f):
        return 0, 0, column_unit
    number, unit = parse_number(raw)
    if number is None:
        return None, None, None
    if kind != "money":
        return _plain(number), _plain(number), unit
    unit = _UNIT_NAMES.get(unit, unit) if unit else column_unit
    factor = _TO_WAN.get(unit) if unit else None
    if factor is None and number == 0:
        factor = Decimal(1)  # nothing is nothing in any unit
    value = None if factor is None else _plain(number * factor)
    return value, _plain(number), unit
