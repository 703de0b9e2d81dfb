"""Figures stated in prose (共收到政府信息公开申请107件), by the patterns in formats/data/narrative.toml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from gongkai.formats import narrative_figures
from gongkai.model import Figure, Number, Provenance

_SENTENCE = re.compile(r"[^。；;!?！？]+")


@dataclass(frozen=True, slots=True)
class _Rule:
    key: str
    pattern: re.Pattern[str]
    scale: Decimal | None  # None: a fixed zero


@cache
def _rules() -> tuple[_Rule, ...]:
    rules: list[_Rule] = []
    for fig in narrative_figures():
        rules += [_Rule(fig.key, re.compile(p), Decimal(1)) for p in fig.patterns]
        rules += [_Rule(fig.key, re.compile(s.pattern), Decimal(str(s.scale))) for s in fig.scaled_patterns]
        rules += [_Rule(fig.key, re.compile(p), None) for p in fig.zero_patterns]
    return tuple(rules)


def _number(d: Decimal) -> Number:
    return int(d) if d == d.to_integral_value() else float(d)


def find_figures(paragraphs: list[tuple[str, Provenance]]) -> dict[str, Figure]:
    """The first statement of each figure, in reading order. `paragraphs` are folded and squeezed."""
    found: dict[str, Figure] = {}
    rules = _rules()
    for text, prov in paragraphs:
        for sentence in _SENTENCE.findall(text):
            for rule in rules:
                if rule.key in found:
                    continue
                m = rule.pattern.search(sentence)
                if m is None:
                    continue
                value = Decimal(0) if rule.scale is None else Decimal(m.group("n")) * rule.scale
                found[rule.key] = Figure(value=_number(value), text=m.group(0), provenance=prov)
    return found
