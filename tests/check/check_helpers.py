"""Helpers for the check tests (imported as `check_helpers`): synthetic reports with one edit, and the seeds."""

from __future__ import annotations

import random
from pathlib import Path

from gongkai import parse_bytes
from gongkai.check import Finding, check
from gongkai.model import Report
from gongkai.render.layouts import render_html, render_text
from gongkai.render.synthetic import SyntheticReport, synthesize

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"


def seed_path(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def synth(format_id: str = "2021", seed: int = 7, *, organ: str = "长沙县人民政府", year: int | None = None,
          published=None) -> SyntheticReport:
    rep = synthesize(format_id, random.Random(seed), organ=organ, year=year or (2022 if format_id == "2021" else 2020))
    if published is not None:
        rep.published = published
    else:
        rep.published = rep.published.replace(month=1, day=20)
    return rep


def set_raw(rep: SyntheticReport, table: str, row: str, col: str, raw: str) -> None:
    rep.raws.setdefault(table, {}).setdefault(row, {})[col] = raw


def render(rep: SyntheticReport, layout: str = "pipes") -> str:
    return render_html(rep) if layout == "html" else render_text(rep, layout)  # type: ignore[arg-type]


def parse_text(text: str) -> Report:
    return parse_bytes(text.encode("utf-8"))


def run(text: str, previous: str | None = None) -> list[Finding]:
    return check(parse_text(text), parse_text(previous) if previous is not None else None)


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def of(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]
