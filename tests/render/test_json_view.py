"""`report_json` builds its dicts by hand: they must be what pydantic's dumps of the same models give,
and the printed line must keep Chinese text as UTF-8."""

from __future__ import annotations

import json

import jsonschema
import pytest

from gongkai import parse_bytes, parse_path
from gongkai.model import Provenance, StrayRow
from gongkai.render.json_view import dumps, provenance_dict, report_json
from gongkai.render.schema import schema_text
from tests.conftest import LAYOUTS, SEEDS

INPUTS = sorted(SEEDS.iterdir()) + sorted(p for p in LAYOUTS.iterdir() if p.name not in ("empty.txt", "junk.bin"))


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_cells_strays_and_sources_are_the_models_dumped(path):
    report = parse_path(path)
    out = report_json(report)
    for key, row, col, cell in report.present_cells():
        expected = {"raw": cell.raw}
        if cell.unit is not None:
            expected["unit"] = cell.unit
        if cell.number is not None and cell.number != cell.value:
            expected["number"] = cell.number
        expected.update(cell.provenance.model_dump(exclude_none=True))
        assert out["cells"][f"{key}.{row}.{col}"] == expected
        assert list(out["cells"][f"{key}.{row}.{col}"]) == list(expected)
    strays = [(key, s) for key in ("proactive", "requests", "review_litigation") if report.table(key) is not None
              for s in report.table(key).strays]
    if report.legacy is not None:
        strays += [("legacy", s) for s in report.legacy.strays]
    assert out["reading"]["strays"] == [
        {"table": t, **s.model_dump(exclude_none=True, exclude={"provenance"}), **provenance_dict(s.provenance)}
        for t, s in strays]
    for key, fig in report.narrative.items():
        assert out["narrative_sources"][key] == {"text": fig.text, **fig.provenance.model_dump(exclude_none=True)}


def test_provenance_dict_is_model_dump_without_none(seed):
    report = seed("004")
    for *_, cell in report.present_cells():
        assert provenance_dict(cell.provenance) == cell.provenance.model_dump(exclude_none=True)


def test_a_line_keeps_chinese_text_and_reads_back(seed):
    out = report_json(seed("004"))
    line = dumps(out)
    assert "\n" not in line
    assert "长沙市人民政府办公室" in line and "\\u" not in line.replace("\\u0000", "")
    assert json.loads(line) == json.loads(json.dumps(out, ensure_ascii=False))


def test_integers_beyond_64_bits_still_print():
    assert json.loads(dumps({"value": 10**30, "raw": "一"})) == {"value": 10**30, "raw": "一"}


def test_a_stray_row_prints_its_fields_then_where_it_was(seed):
    report = seed("003").model_copy(deep=True)
    stray = StrayRow(kind="extra_row", label="其他情形", row="other", raws=["3", "—"], expected=7,
                     provenance=Provenance(line=40, row=9, col=1))
    report.requests.strays.append(stray)
    (out,) = report_json(report)["reading"]["strays"]
    # The stray's own row key stays; the grid row it was printed in is named apart.
    assert out == {"table": "requests", "kind": "extra_row", "label": "其他情形", "row": "other", "raws": ["3", "—"],
                   "expected": 7, "line": 40, "grid_row": 9, "col": 1}
    assert list(out) == ["table", "kind", "label", "row", "raws", "expected", "line", "grid_row", "col"]


def test_a_stray_grid_row_keeps_its_table_key_and_says_where_it_was_printed():
    html = ("<html><body><p>某某县人民政府2023年政府信息公开工作年度报告</p>"
            "<p>四、政府信息公开行政复议、行政诉讼情况</p>"
            "<table><tr><td>行政复议</td><td>行政诉讼</td></tr><tr><td>结果维持</td><td>结果纠正</td></tr>"
            "<tr>" + "<td>0</td>" * 16 + "</tr></table><p>五、存在的主要问题及改进情况</p></body></html>")
    out = report_json(parse_bytes(html.encode(), "a.html"))
    [stray] = out["reading"]["strays"]
    assert stray["table"] == "review_litigation"  # the report's table, not the page's table number
    assert (stray["kind"], stray["expected"], len(stray["raws"])) == ("ambiguous", 15, 16)
    assert (stray["grid_table"], stray["grid_row"]) == (1, 3)
    schema = json.loads(schema_text())
    jsonschema.validate(out, schema)
