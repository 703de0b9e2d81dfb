"""A draft's content: the input grid from the format, typed figures parsed by their column, edits with their
diff, and the same rule catalogue as `gongkai check` pointing at the cell that breaks an identity."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from gongkai.filing.drafts import (
    DraftError,
    Edit,
    apply_edits,
    blank,
    blocking,
    changes,
    content_from_json,
    content_to_json,
    draft_findings,
    finding_key,
    grid,
)
from gongkai.formats import get_format, sections
from gongkai.render.official import ReportContent
from gongkai.render.synthetic import synthesize


def consistent(format_id: str = "2021", seed: int = 3, organ: str = "沙门市住房和城乡建设局") -> ReportContent:
    """A report whose figures satisfy every identity of the format, with every section written."""
    rep = synthesize(format_id, random.Random(seed), year=2025)
    cells = {t: {r: {c: Decimal(str(v)) if isinstance(v, float) else v for c, v in cols.items()}
                 for r, cols in rows.items()} for t, rows in rep.values.items()}
    prose = {s.key: f"本机关{s.label[2:]}的说明。" for s in sections()}
    return ReportContent(format_id, organ, 2025, None, prose, cells)


def test_the_grid_is_every_cell_of_the_formats_tables() -> None:
    fmt = get_format("2021")
    expected = sum(len(t.row_columns(r)) for k in ("proactive", "requests", "review_litigation")
                   for t in [fmt.table(k)] for r in t.rows)
    assert len(grid("2021")) == expected == 200
    empty = blank("某局", 2025)
    assert all(empty.value(c.table, c.row, c.column) is None for c in grid("2021"))


@pytest.mark.parametrize(("cell", "text", "value"), [
    (("requests", "granted", "natural_person"), "12", 12),
    (("requests", "granted", "natural_person"), " 1,234 ", 1234),
    (("requests", "granted", "natural_person"), "", None),
    (("proactive", "fees", "amount"), "12.50", Decimal("12.50")),
])
def test_a_typed_figure_is_read_by_its_column(cell: tuple[str, str, str], text: str, value: object) -> None:
    content = apply_edits(blank("某局", 2025), [Edit(text, *cell)])
    assert content.value(*cell) == value


@pytest.mark.parametrize(("cell", "text", "words"), [
    (("requests", "granted", "natural_person"), "-1", "不能为负数"),
    (("requests", "granted", "natural_person"), "3.5", "应为整数"),
    (("requests", "granted", "natural_person"), "三", "应为整数"),
    (("proactive", "fees", "amount"), "-2", "金额"),
    (("requests", "granted", "upheld"), "1", "没有这一格"),
])
def test_a_bad_figure_is_refused_naming_the_cell(cell: tuple[str, str, str], text: str, words: str) -> None:
    with pytest.raises(DraftError) as refused:
        apply_edits(blank("某局", 2025), [Edit(text, *cell)])
    assert words in refused.value.message_zh


def test_changes_list_each_cell_and_section_changed() -> None:
    before = blank("某局", 2025)
    after = apply_edits(before, [Edit("5", "requests", "new_received", "natural_person"),
                                 Edit("本年度……", section="overview")])
    diff = changes(before, after)
    assert [d.get("cell") or d.get("section") for d in diff] == ["requests.new_received.natural_person", "overview"]
    assert diff[0]["where"].endswith("本年新收政府信息公开申请数量·自然人") and diff[0]["new"] == "5"
    assert content_from_json(content_to_json(after)) == after


def test_a_consistent_draft_has_no_error_and_a_broken_identity_points_at_its_cells() -> None:
    good = consistent()
    assert blocking(draft_findings(good)) == []
    total = good.value("requests", "new_received", "total")
    broken = apply_edits(good, [Edit(str(total + 1), "requests", "new_received", "total")])
    errors = blocking(draft_findings(broken))
    assert errors, "a broken row sum must be an error"
    assert any(("requests", "new_received", "total") in {(c.table, c.row, c.column) for c in f.cells}
               for f in errors)
    assert all(f.code.startswith("arithmetic.") for f in errors)


def test_an_empty_draft_lists_its_missing_cells_and_sections() -> None:
    found = draft_findings(blank("某局", 2025))
    codes = {f.code for f in found}
    assert "completeness.cells_missing" in codes and "completeness.section_empty" in codes
    keys = [finding_key(f) for f in found if f.code == "completeness.section_empty"]
    prose_only = [s for s in sections() if get_format("2021").table(s.key) is None]  # a table fills its section
    assert len(keys) == len(set(keys)) == len(prose_only) == 3  # one key per empty section
