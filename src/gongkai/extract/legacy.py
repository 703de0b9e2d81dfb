"""The legacy statistics table: indicators (label path, unit, value) and the harmonised figures."""

from __future__ import annotations

import re

from gongkai.extract.tokens import Kind, Token
from gongkai.extract.values import parse_number
from gongkai.formats import TableDef
from gongkai.model import LegacyIndicator, LegacyTable, Number, Provenance
from gongkai.normalize import fold, label_key, squeeze

_LEVELS = (
    (re.compile(r"^[一二三四五六七八九十]+[、.．]"), 1),
    (re.compile(r"^[\(（][一二三四五六七八九十]+[\)）]"), 2),
    (re.compile(r"^\d+[、.．](?!\d)"), 3),
    (re.compile(r"^[\(（]\d+[\)）]"), 4),
)
_OF_WHICH = re.compile(r"^其中[:：]?")
_NONE = re.compile(r"^(?:-+|/|无)$")


def _level(folded: str) -> int | None:
    for pattern, level in _LEVELS:
        if pattern.match(folded):
            return level
    return None


class _Open:
    def __init__(self, token: Token, level: int, of_which: bool):
        self.parts = [token.text.strip()]
        self.level = level
        self.of_which = of_which
        self.provenance = token.provenance
        self.unit: str | None = None
        self.value: Number | None = None
        self.raw: str | None = None
        self.value_provenance: Provenance | None = None


def read_legacy(tokens: list[Token], table: TableDef) -> tuple[LegacyTable | None, set[int]]:
    """Indicators in order, each with the labels of its ancestors; `None` when there are none."""
    units = {squeeze(fold(u)) for u in table.units}
    headers = {label_key(h) for h in (*table.headers, *table.anchors)}
    out: list[LegacyIndicator] = []
    blocks: set[int] = set()
    stack: list[tuple[int, str]] = []
    current: _Open | None = None
    last_level = 1

    def close() -> None:
        nonlocal current
        if current is None:
            return
        label = "".join(current.parts)
        while stack and stack[-1][0] >= current.level:
            stack.pop()
        path = [s[1] for s in stack] + [label]
        out.append(LegacyIndicator(path=path, label=label_key(label), unit=current.unit, value=current.value,
                                   raw=current.raw, provenance=current.value_provenance or current.provenance))
        stack.append((current.level, label))
        current = None

    for tok in tokens:
        if tok.kind is Kind.SEP or tok.kind is Kind.BLANK:
            continue
        f = squeeze(fold(tok.text))
        if tok.kind is Kind.LABEL:
            blocks.add(tok.block)
            if current is not None and current.value is None and f in units:
                current.unit = tok.text.strip()
                continue
            of_which = bool(_OF_WHICH.match(f))
            level = _level(_OF_WHICH.sub("", f)) if not of_which else None
            if not out and current is None and (level is None or label_key(tok.text) in headers):
                continue  # the table's title and header row come before its first numbered indicator
            if current is not None and current.value is None and level is None and not of_which:
                current.parts.append(tok.text.strip())  # a label split across lines, or its note
                continue
            close()
            if of_which:
                level = last_level + 1
            elif level is None:
                level = last_level
            else:
                last_level = level
            current = _Open(tok, level, of_which)
        elif current is not None and current.value is None:
            blocks.add(tok.block)
            number, unit = parse_number(tok.text)
            if number is None and _NONE.match(squeeze(fold(tok.text))):
                current.value, current.raw = 0, tok.text.strip()
            elif number is not None:
                current.value = int(number) if number == number.to_integral_value() else float(number)
                current.raw = tok.text.strip()
                current.unit = current.unit or unit
            current.value_provenance = tok.provenance
            if current.of_which:
                last_level = current.level  # unnumbered siblings after a 其中 item share its level
    close()
    if not any(i.value is not None for i in out):
        return None, blocks
    harmonised: dict[str, Number | None] = {}
    for h in table.harmonised:
        keys = {label_key(x) for x in h.labels}
        hit = next((i for i in out if i.label in keys), None)
        harmonised[h.key] = hit.value if hit else None
    return LegacyTable(indicators=out, harmonised=harmonised), blocks
