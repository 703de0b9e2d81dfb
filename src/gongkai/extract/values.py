"""A cell's printed text → its value, by the kind and unit its column has in the format."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation, localcontext
from functools import lru_cache

from gongkai.formats import ColumnDef
from gongkai.model import Cell, Number, Provenance
from gongkai.normalize import fold, squeeze

# ASCII digits only (full-width ones are folded to them): `\d` would take any script's digits (৩, ٣) for figures.
_PARTS = re.compile(r"^(?P<num>[+\-]?[0-9,]+(?:\.[0-9]+)?)(?P<unit>[^0-9]*)$")
# Digits set apart by spaces are separate figures (`1 0 1`, a row printed by columns), never one number.
SPLIT_DIGITS = re.compile(r"[0-9.,][\s\u00a0\u2000-\u200b\u3000\ufeff]+[0-9.,]")
_NONE = re.compile(r"^(?:-+|/|\\|无|空|×)$")
# How many 万元 one unit is worth.
_UNIT_NAMES = {"万": "万元"}  # `29724.51万` is 29724.51 万元
_TO_WAN = {"万元": Decimal(1), "万": Decimal(1), "元": Decimal("0.0001"), "亿元": Decimal(10000)}


MAX_DIGITS = 1000
"""Digits of the longest figure kept: any longer one is no figure (Python will not print an int of 4,300 digits).
Counts of any size up to it are kept as printed, exactly (`plausibility.implausible_value` flags them)."""


def plain_number(d: Decimal) -> Number | None:
    """The value as a number: an int when whole (of any size), else a float when one holds it as printed; None
    when none does (a decimal of more than 15 significant digits, or beyond a float's range, is never rounded)."""
    if d == d.to_integral_value():
        return int(d)
    f = float(d)
    return f if math.isfinite(f) and Decimal(repr(f)) == d else None


def parse_number(text: str) -> tuple[Decimal | None, str | None]:
    """(number, unit suffix) of a printed figure; (None, None) when it is not a figure."""
    folded = fold(text)
    if SPLIT_DIGITS.search(folded):
        return None, None
    m = _PARTS.match(squeeze(folded))
    if not m:
        return None, None
    digits = m.group("num").replace(",", "")
    if len(digits) > MAX_DIGITS:
        return None, None
    try:
        number = Decimal(digits)
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
        plain = plain_number(number)
        return plain, plain, unit
    unit = _UNIT_NAMES.get(unit, unit) if unit else column_unit
    factor = _TO_WAN.get(unit) if unit else None
    if factor is None and number == 0:
        factor = Decimal(1)  # nothing is nothing in any unit
    with localcontext(prec=2 * MAX_DIGITS):  # exact: the default 28 digits would round a long figure
        value = None if factor is None else plain_number(number * factor)
    return value, plain_number(number), unit
