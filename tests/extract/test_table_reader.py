"""The one table reader on the shapes real reports give table 3: labels wrapped over lines, group labels on
the row's line, subtotal rows, page furniture, grids written out as `|` rows, PDF text laid out by columns,
double-spaced scrapes with empty cells. Every fixture is written here, line by line, for the project."""

from __future__ import annotations

import pytest

from gongkai import parse_bytes
from gongkai.extract.tables import read_rows
from gongkai.extract.tokens import Tokens
from gongkai.read.text import text_blocks
from tests.conftest import values
from tests.extract.test_layouts import REQUESTS, REVIEW

# Official labels of table 3 in the 2021 format, in order (the group a row is printed under, then the row).
LABELS = [
    ("", "一、本年新收政府信息公开申请数量", "new_received"),
    ("", "二、上年结转政府信息公开申请数量", "carried_over"),
    ("三、本年度办理结果", "（一）予以公开", "granted"),
    ("", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted"),
    ("（三）不予公开", "1.属于国家秘密", "withheld.state_secret"),
    ("", "2.其他法律行政法规禁止公开", "withheld.prohibited_by_law"),
    ("", "3.危及“三安全一稳定”", "withheld.security_stability"),
    ("", "4.保护第三方合法权益", "withheld.third_party"),
    ("", "5.属于三类内部事务信息", "withheld.internal_affairs"),
    ("", "6.属于四类过程性信息", "withheld.process_info"),
    ("", "7.属于行政执法案卷", "withheld.enforcement_file"),
    ("", "8.属于行政查询事项", "withheld.query_matter"),
    ("（四）无法提供", "1.本机关不掌握相关政府信息", "unavailable.not_held"),
    ("", "2.没有现成信息需要另行制作", "unavailable.needs_creation"),
    ("", "3.补正后申请内容仍不明确", "unavailable.unclear"),
    ("（五）不予处理", "1.信访举报投诉类申请", "not_processed.petition"),
    ("", "2.重复申请", "not_processed.duplicate"),
    ("", "3.要求提供公开出版物", "not_processed.publication"),
    ("", "4.无正当理由大量反复申请", "not_processed.excessive"),
    ("", "5.要求行政机关确认或重新出具已获取信息", "not_processed.reconfirm"),
    ("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other.no_correction"),
    ("", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other.fee_unpaid"),
    ("", "3.其他", "other.other"),
    ("", "（七）总计", "total_processed"),
    ("", "四、结转下年度继续办理", "carried_forward"),
]
GROUP_OF = {"withheld": "（三）不予公开", "unavailable": "（四）无法提供", "not_processed": "（五）不予处理",
            "other": "（六）其他处理"}


HEAD = ["示例县统计局2023年政府信息公开工作年度报告", "", "一、总体情况", "", "本年度依法做好政府信息公开工作。", ""]


def report(table3: list[str]) -> bytes:
    """A short 2021-format report around the given lines of table 3."""
    lines = [*HEAD, "三、收到和处理政府信息公开申请情况", "", *table3, "",
             "五、存在的主要问题及改进情况", "", "仍有不足。", "", "六、其他需要报告的事项", "", "无。"]
    return "\n".join(lines).encode()


def subtotal(group: str) -> list[int]:
    rows = [v for k, v in REQUESTS.items() if k.startswith(group + ".")]
    return [sum(col) for col in zip(*rows, strict=True)]


def nums(row: str, fmt: str = "{}") -> str:
    return " ".join(fmt.format(v) for v in REQUESTS[row])


def test_pdf_text_wrapped_labels_group_labels_on_the_row_line_and_page_furniture():
    """PDF text without layout: a long label wraps after its numbers, the group label shares the first row's
    line, a page number and a repeated blank line stand inside the table."""
    out = ["申请人情况", "自然 商业 科研 社会 法律 其他 总计"]
    for group, label, key in LABELS:
        head = f"{group} " if group else ""
        if len(label) > 14:
            out += [f"{head}{label[:13]} {nums(key)}", label[13:]]
        else:
            out.append(f"{head}{label} {nums(key)}")
        if key == "withheld.query_matter":
            out += ["", "— 2 —", ""]
    r = parse_bytes(report(out))
    assert values(r, "requests") == REQUESTS
    assert not r.requests.strays


@pytest.mark.parametrize("where", ["before", "after"])
def test_subtotal_rows_are_kept_aside_for_their_group(where):
    """小计 rows are not cells of the format: each belongs to its group, printed before or after its items
    by the table's convention; the cells stay exact."""
    out = []
    for group, label, key in LABELS:
        g = key.split(".")[0] if "." in key else None
        first = g is not None and group != ""
        if where == "before" and first:
            out.append(f"小计 {' '.join(map(str, subtotal(g)))}")
        out.append(f"{label} {nums(key)}")
        at = LABELS.index((group, label, key))
        following = LABELS[at + 1][2] if at + 1 < len(LABELS) else ""
        if where == "after" and g is not None and not following.startswith(g + "."):
            out.append(f"小计 {' '.join(map(str, subtotal(g)))}")
    r = parse_bytes(report(out))
    assert values(r, "requests") == REQUESTS
    assert {g: [c.value for c in cells.values()] for g, cells in r.requests.subtotals.items()} == {
        g: subtotal(g) for g in GROUP_OF}
    assert not r.requests.strays


def test_subtotal_with_its_group_label_on_its_line():
    out = []
    for _, label, key in LABELS:
        if key == "withheld.state_secret":
            out.append(f"（三）不予公开 小计 {' '.join(map(str, subtotal('withheld')))}")
        out.append(f"{label} {nums(key)}")
    r = parse_bytes(report(out))
    assert values(r, "requests") == REQUESTS
    assert [c.value for c in r.requests.subtotals["withheld"].values()] == subtotal("withheld")


def test_grid_written_as_bar_rows_with_merged_cells_repeated_and_spanning_labels():
    """An exporter writes a merged cell once per position it covers: labels repeated across the label columns
    (`三、本年度办理结果|（三）不予公开|1.属于国家秘密`), a label spanning them followed by empty cells."""
    out = ["申请人情况|申请人情况|申请人情况|自然人|商业企业|科研机构|社会公益组织|法律服务机构|其他|总计"]
    for group, label, key in LABELS:
        cells = "|".join(map(str, REQUESTS[key]))
        if "." in key:
            out.append(f"三、本年度办理结果|{GROUP_OF[key.split('.')[0]]}|{label}|{cells}")
        elif group or key in ("partially_granted", "total_processed"):
            out.append(f"三、本年度办理结果|{label}|{label}|{cells}")
        else:
            out.append(f"{label}|||{cells}")
    r = parse_bytes(report(out))
    assert values(r, "requests") == REQUESTS
    assert not r.requests.strays


def test_same_value_under_one_merged_heading_is_one_cell():
    text = "\n".join([
        "示例县统计局2023年政府信息公开工作年度报告", "", "二、主动公开政府信息情况", "",
        "第二十条第（一）项|第二十条第（一）项|第二十条第（一）项|第二十条第（一）项",
        "信息内容|本年制发件数|本年废止件数|现行有效件数", "规章|0|0|0", "行政规范性文件|2|1|9",
        "第二十条第（五）项|第二十条第（五）项|第二十条第（五）项|第二十条第（五）项",
        "信息内容|本年处理决定数量|本年处理决定数量|本年处理决定数量", "行政许可|42|42|42",
        "第二十条第（六）项|第二十条第（六）项|第二十条第（六）项|第二十条第（六）项",
        "信息内容|本年处理决定数量|本年处理决定数量|本年处理决定数量", "行政处罚|7|7|7", "行政强制|0|0|0",
        "第二十条第（八）项|第二十条第（八）项|第二十条第（八）项|第二十条第（八）项",
        "信息内容|本年收费金额（单位：万元）|本年收费金额（单位：万元）|本年收费金额（单位：万元）",
        "行政事业性收费|0|0|0", "", "五、存在的主要问题及改进情况", "", "无。"])
    r = parse_bytes(text.encode())
    assert values(r, "proactive") == {"regulations": [0, 0, 0], "normative_documents": [2, 1, 9], "licensing": [42],
                                      "penalty": [7], "coercion": [0], "fees": [0]}


def test_different_values_under_one_heading_are_never_merged():
    lines = ["信息内容|本年处理决定数量|本年处理决定数量", "行政许可|42|43", ""]
    blocks = text_blocks("\n".join(lines))
    read = read_rows(Tokens(blocks).region(0, len(blocks)), "2021", "proactive", False)
    assert read.data.cells["licensing"]["decisions"] is None
    assert [(s.kind, s.row, s.raws) for s in read.data.strays] == [("ambiguous", "licensing", ["42", "43"])]


def _laid_out(label: str, cells: list[int | None], indent: int = 0) -> str:
    """A row of PDF text laid out by columns: the label, then each cell right-aligned in a 6-wide column
    (None: printed empty)."""
    width = 2 * len(label) + indent
    line = " " * indent + label + " " * (40 - width)
    return line + "".join(" " * 6 if c is None else f"{c:>6}" for c in cells)


def test_pdf_layout_rows_with_empty_cells_are_placed_by_column():
    """In PDF text laid out by columns an empty cell is blank space: the printed cells go to the column they
    stand under (known from the rows that print every cell), the others read 0 as printed empty."""
    out = [" " * 40 + "".join(f"{h:>6}" for h in ("自然人", "商业", "科研", "公益", "法律", "其他", "总计"))]
    for _, label, key in LABELS:
        vals = REQUESTS[key]
        shown = list(vals) if key in ("total_processed", "new_received") else [v or None for v in vals]
        out.append(_laid_out(label[:16], shown))
    r = parse_bytes(report(out))
    assert values(r, "requests") == REQUESTS
    empty = r.requests.cells["granted"]["research"]
    assert (empty.value, empty.raw) == (0, "")


def test_pdf_layout_label_wrapped_with_its_values_on_the_next_line():
    out = [" " * 40 + "".join(f"{h:>6}" for h in ("自然人", "商业", "科研", "公益", "法律", "其他", "总计"))]
    for _, label, key in LABELS:
        if key == "other.fee_unpaid":
            out += [" " * 8 + label[:14], _laid_out(label[14:], REQUESTS[key], 8), " " * 8 + "公开申请"]
        else:
            out.append(_laid_out(label[:16], REQUESTS[key]))
    r = parse_bytes(report(out))
    assert values(r, "requests") == REQUESTS
    assert not r.requests.strays


def test_double_spaced_scrape_keeps_its_empty_cells():
    """One cell per line, an empty line after each; an empty cell is an empty line of its own, so a run of
    2k+1 empty lines holds k empty cells."""
    out: list[str] = []
    for _, label, key in LABELS:
        out += [label, ""]
        for v in REQUESTS[key]:
            out += ["" if v == 0 else str(v), ""]
    body = [*HEAD, "三、收到和处理政府信息公开申请情况", "", *out, "五、存在的主要问题及改进情况", "", "仍有不足。", ""]
    r = parse_bytes("\n".join(body).encode())
    assert values(r, "requests") == REQUESTS


@pytest.mark.parametrize(("closing", "rows"), [
    (True, ["规章 |", "0 |", "1 |", "2 |"]),
    (False, ["规章|0|1|", "行政规范性文件|3|4|5"]),
])
def test_a_last_bar_closes_the_row_or_opens_an_empty_cell(closing, rows):
    text = "\n".join([*HEAD, "二、主动公开政府信息情况", "", "信息内容|本年制发件数|本年废止件数|现行有效件数", *rows,
                      "", "五、存在的主要问题及改进情况", "", "无。"])
    r = parse_bytes(text.encode())
    assert values(r, "proactive")["regulations"] == ([0, 1, 2] if closing else [0, 1, 0])


def test_a_misspelt_label_where_one_row_is_left_is_that_row_as_a_deviation():
    out = []
    for _, label, key in LABELS:
        printed = "2.其他法律行政止公开" if key == "withheld.prohibited_by_law" else label
        out.append(f"{printed} {nums(key)}")
    r = parse_bytes(report(out))
    assert values(r, "requests") == REQUESTS
    seen = r.requests.labels["withheld.prohibited_by_law"]
    assert (seen.raw, seen.deviation) == ("2.其他法律行政止公开", True)


def test_a_label_that_resembles_no_row_stays_a_stray():
    out = [f"{'完全无关的一行字' if key == 'withheld.prohibited_by_law' else label} {nums(key)}"
           for _, label, key in LABELS]
    r = parse_bytes(report(out))
    assert all(v is None for v in values(r, "requests")["withheld.prohibited_by_law"])
    assert any(s.label == "完全无关的一行字" for s in r.requests.strays)


def test_rows_of_figures_printed_apart_from_their_labels_fill_the_rows_between_in_order():
    """Text converted from PDF by another tool: some rows keep their label, the labels of others stand
    elsewhere and their figures come as grid rows of their own."""
    loose = {"partially_granted", "withheld.internal_affairs", "unavailable.not_held", "unavailable.needs_creation"}
    out = []
    for _, label, key in LABELS:
        cells = " | ".join(map(str, REQUESTS[key]))
        out += [label, f"| {cells} |"] if key in loose else [f"| {label} | {cells} |"]
    out.insert(3, "（二）部分公开（区分处理的，只")  # a label fragment away from its figures
    r = parse_bytes(report(out))
    assert values(r, "requests") == REQUESTS


def test_figures_apart_from_labels_are_never_spread_when_the_counts_disagree():
    out = []
    for _, label, key in LABELS:
        cells = " | ".join(map(str, REQUESTS[key]))
        if key == "partially_granted":
            out += [f"| {cells} |", f"| {cells} |"]  # two lines of figures for the one row left
        else:
            out.append(f"| {label} | {cells} |")
    r = parse_bytes(report(out))
    assert all(v is None for v in values(r, "requests")["partially_granted"])
    assert len([s for s in r.requests.strays if s.kind == "unplaced"]) == 2


@pytest.mark.parametrize("lines", [
    # bars alone separate cells printed one per line
    ["信息内容", "|", "本年制发件数", "|", "本年废止件数", "|", "现行有效件数", "|",
     "规章", "|", "0", "|", "1", "|", "2"],
    # every cell closed by a bar: a bar alone closes an empty cell
    ["信息内容 |", "本年制发件数 |", "本年废止件数 |", "现行有效件数 |", "规章 |", "|", "1 |", "2 |"],
])
def test_bars_alone_on_a_line(lines):
    text = "\n".join([*HEAD, "二、主动公开政府信息情况", "", *lines, "", "五、存在的主要问题及改进情况", "", "无。"])
    r = parse_bytes(text.encode())
    assert values(r, "proactive")["regulations"] == [0, 1, 2]


def test_table_4_laid_out_by_columns_with_empty_cells():
    chars = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计　　"]  # each column's header, one character a line
    header = [" ".join(f"{c[i]:>2}" for c in chars * 3).rstrip() for i in range(4)]
    cells = [1, None, None, 1, 2, None, None, None, None, None, 3, None, None, None, 3]
    values_line = " ".join(f"{'' if c is None else c:>3}" for c in cells)  # under each character's right edge
    text = "\n".join([*HEAD, "四、政府信息公开行政复议、行政诉讼情况", "", "行政复议 行政诉讼", *header,
                      values_line, "", "五、存在的主要问题及改进情况", "", "无。"])
    r = parse_bytes(text.encode())
    assert values(r, "review_litigation") == {"review": [1, 0, 0, 1, 2], "litigation_direct": [0, 0, 0, 0, 0],
                                              "litigation_after_review": [3, 0, 0, 0, 3]}


def _glued_report() -> str:
    """A whole report on one line, as some crawlers give it: labels and figures run together."""
    t3 = "".join(f"{label}{''.join(map(str, REQUESTS[key]))}" for _, label, key in LABELS
                  if key not in ("total_processed",))
    t3 += "".join(f"{label}{''.join(map(str, REQUESTS[key]))}" for _, label, key in LABELS
                  if key == "total_processed")
    return ("示例县统计局2023年政府信息公开工作年度报告\n"
            "一、总体情况本年度依法做好政府信息公开工作，收到申请38件。"
            "二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000"
            "行政规范性文件1230第二十条第（五）项信息内容本年处理决定数量行政许可1562"
            "三、收到和处理政府信息公开申请情况" + t3 +
            "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
            "101020101210001" "五、存在的主要问题及改进情况仍有不足。")


def test_figures_run_into_their_labels_are_split_only_where_the_identities_leave_one_way():
    r = parse_bytes(_glued_report().encode())
    got = values(r, "requests")
    # every row of table 3 is fixed by its total and the column identities
    for key in REQUESTS:
        assert got[key] == REQUESTS[key], key
    cell = r.requests.cells["new_received"]["total"]
    assert cell.provenance.split in ("identities", "only")
    assert values(r, "review_litigation") == REVIEW
    proactive = values(r, "proactive")
    assert proactive["regulations"] == [0, 0, 0]  # three characters for three cells: one way only
    assert r.proactive.cells["regulations"]["issued"].provenance.split == "only"
    assert proactive["normative_documents"] == [None, None, None]  # 1230 splits several ways: never guessed
    assert any(s.row == "normative_documents" and s.raws == ["1230"] for s in r.proactive.strays)
    assert proactive["licensing"] == [1562]
    # the prose around the tables stays prose
    assert r.sections["overview"] is not None and "收到申请38件" in r.sections["overview"]



def test_a_later_heading_in_the_official_wording_wins_over_an_earlier_one_in_other_words():
    """An overview that numbers its parts 一、…四、政府信息公开申请情况 before the sections themselves: table 3 is read
    under the section's own heading, not under the overview's part."""
    lines = [*HEAD[:2], "一、总体情况", "四、政府信息公开申请情况", "全年收到政府信息公开申请38件。", "",
             "二、主动公开政府信息情况", "", "信息内容 本年制发件数 本年废止件数 现行有效件数", "规章 1 0 3", "",
             "三、收到和处理政府信息公开申请情况", "", *[f"{label} {nums(key)}" for _, label, key in LABELS], "",
             "五、存在的主要问题及改进情况", "", "仍有不足。"]
    r = parse_bytes("\n".join(lines).encode())
    assert values(r, "requests") == REQUESTS
    assert r.section_headings["requests"].line == lines.index("三、收到和处理政府信息公开申请情况") + 1


def _table_4_report(header: list[str], rows: list[str], after: bool = True) -> bytes:
    tail = ["", "五、存在的主要问题及改进情况", "", "无。"] if after else []
    return "\n".join([*HEAD, "四、政府信息公开行政复议、行政诉讼情况", "", *header, *rows, *tail]).encode()


def _stacked(pitch_spaces: int) -> list[str]:
    """Table 4's fifteen column headers stacked one character a line, `pitch_spaces` spaces apart."""
    chars = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计　　"] * 3
    pitch = 2 + pitch_spaces
    groups = "行政复议".ljust(5 * pitch - 4) + "行政诉讼"
    litigation = " " * 5 * pitch + "未经复议直接起诉".ljust(5 * pitch - 8) + "复议后起诉"
    return [groups, litigation, *((" " * pitch_spaces).join(c[i] for c in chars).rstrip() for i in range(4))]


def test_stacked_header_characters_one_space_apart_are_one_column_each():
    """Stacked header characters printed one space apart (three display columns from one to the next) are
    fifteen columns, not one: pieces on the same line are never the same column."""
    cells = [None, None, None, 0, None, 0, None, None, None, None, 0, 1, 0, None, 0]
    line = "".join(" " * 3 if c is None else f"{c:>2} " for c in cells)  # under each character's right half
    r = parse_bytes(_table_4_report(_stacked(1), [line]))
    assert values(r, "review_litigation") == {"review": [0, 0, 0, 0, 0], "litigation_direct": [0, 0, 0, 0, 0],
                                              "litigation_after_review": [0, 1, 0, 0, 0]}


def test_table_4_row_printed_empty_in_laid_out_text_reads_zero():
    """PDF text laid out by columns: a table-4 row with every cell empty leaves no text at all under a header
    that is printed, with the report going on: the cells were printed empty (0, with empty raw text)."""
    r = parse_bytes(_table_4_report(_stacked(2), ["", ""]))
    assert values(r, "review_litigation") == {k: [0] * 5 for k in ("review", "litigation_direct",
                                                                    "litigation_after_review")}
    cell = r.review_litigation.cell("review", "total")
    assert (cell.raw, cell.blank) == ("", True)


def test_table_4_header_at_the_end_of_a_page_cut_short_is_not_zero():
    """The same header with the text ending under it is a page cut short: nothing is read as zero."""
    r = parse_bytes(_table_4_report(_stacked(2), [], after=False))
    assert r.review_litigation is None or all(
        v is None for row in values(r, "review_litigation").values() for v in row)


def test_table_4_short_of_figures_with_the_report_going_on_is_not_spread():
    """Eleven figures for fifteen cells, one a line, and the report goes on: which four are missing cannot be
    known, so no cell is filled and the figures are kept aside (a page that stops there keeps its first ones)."""
    header = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    figures = ["1", "0", "0", "1", "2", "0", "0", "0", "0", "0", "3"]
    r = parse_bytes(_table_4_report(header, figures))
    assert all(v is None for row in values(r, "review_litigation").values() for v in row)
    [stray] = r.review_litigation.strays
    assert (stray.kind, stray.raws, stray.expected) == ("unplaced", figures, 15)
    cut = parse_bytes(_table_4_report(header, figures, after=False))
    assert values(cut, "review_litigation")["review"] == [1, 0, 0, 1, 2]
    assert cut.reading.truncated


def test_last_row_short_of_figures_is_a_stray_unless_the_page_stops_there():
    """Table 3's last row with fewer figures than columns, the report going on after it, is not spread over its
    first columns (that would be a guess): it is an unplaced stray."""
    rows = [_laid_out(label[:16], REQUESTS[key]) for _, label, key in LABELS[:-1]]
    rows.append("四、结转下年度继续办理" + " " * 30 + "0      0  0")
    r = parse_bytes(report(rows))
    assert values(r, "requests")["carried_forward"] == [None] * 7
    [stray] = r.requests.strays
    assert (stray.kind, stray.row, stray.raws) == ("unplaced", "carried_forward", ["0", "0", "0"])
