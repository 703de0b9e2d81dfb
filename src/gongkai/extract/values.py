"""A cell's printed text → its value, by the kind and unit its column has in the format."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from gongkai.formats import ColumnDef
from gongkai.model import Cell, Number, Provenance
from gongkai.normalize import fold, squeeze

_PARTS = re.compile(r"^(?P<num>[+\-]?[\d,]+(?:\.\d+)?)(?P<unit>[^\d]*)$")
_NONE = re.compile(r"^(?:-+|/|\\|无|空|×)$")
# How many 万元 one unit is worth.
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
    f = squeeze(fold(raw))
    if not f or _NONE.match(f):
        return Cell(value=0, raw=raw, number=0, unit=column.unit, provenance=provenance)
    number, unit = parse_number(raw)
    if number is None:
        return Cell(value=None, raw=raw, provenance=provenance)
    if column.kind != "money":
        return Cell(value=_plain(number), raw=raw, number=_plain(number), unit=unit, provenance=provenance)
    unit = unit or column.unit
    factor = _TO_WAN.get(unit) if unit else None
    value = None if factor is None else _plain(number * factor)
    return Cell(value=value, raw=raw, number=_plain(number), unit=unit, provenance=provenance)
