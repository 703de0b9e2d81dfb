"""The legacy statistics table (政府信息公开情况统计表) in each layout pages print it in: PDF text with and
without layout columns, one cell per line, HTML grids, `|` rows, a whole table on one line. Fixtures
are made-up reports of a few lines."""

from __future__ import annotations

import pytest

from gongkai import parse_bytes
from gongkai.extract.legacy import read_legacy
from gongkai.extract.tokens import Tokens
from gongkai.formats import get_format
from gongkai.model import LegacyIndicator, LegacyTable, Report
from gongkai.read import read_bytes

NBSP = "\u00a0"
HEAD = "示例县人民政府2017年政府信息公开工作年度报告\n一、概述\n本年度我县依法做好政府信息公开工作。\n附件：\n"


def _parse(table: str, head: str = HEAD) -> Report:
    return parse_bytes((head + table).encode(), "report.txt")


def _by_label(report: Report) -> dict[str, LegacyIndicator]:
    assert report.legacy is not None
    return {i.path[-1]: i for i in report.legacy.indicators}


def _strays(legacy: LegacyTable) -> list:
    return list(getattr(legacy, "strays", []))


PDF_LAYOUT = """\
政府信息公开情况统计表
                    统计指标                        单位       统计数
 一、主动公开情况
 （一）主动公开政府信息数（不同渠道和方式    条               345
 公开相同信息计1条）
 其中：主动公开规范性文件数                  条                 7
 （二）通过不同渠道和方式公开政府信息的情
 况
 1.政府网站公开政府信息数                    条               300
 2.其他方式公开政府信息数                    条                45
                           — 1 —

 二、依申请公开情况
 （一）收到申请数                            件                12
 其中：通过网站在线申请平台提交的申请总    件                 3
 数
 三、行政复议数量                            件                 -
 四、依申请公开信息收取的费用                万元            0.25
 五、机构建设和保障经费情况
 （一）政府信息公开专项经费                  万元

                                        示例县人民政府
                                   二〇一八年二月三日
"""


def test_pdf_layout_columns_units_and_wrapped_labels():
    r = _parse(PDF_LAYOUT)
    assert r.meta.format == "legacy"
    got = _by_label(r)
    published = got["（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）"]
    assert (published.path[0], published.unit, published.value, published.raw) == ("一、主动公开情况", "条", 345, "345")
    assert got["其中：主动公开规范性文件数"].path[1] == published.path[1]
    channels = got["（二）通过不同渠道和方式公开政府信息的情况"]
    assert channels.value is None
    assert got["1.政府网站公开政府信息数"].path == ["一、主动公开情况", "（二）通过不同渠道和方式公开政府信息的情况",
                                                 "1.政府网站公开政府信息数"]
    online = got["其中：通过网站在线申请平台提交的申请总数"]  # wrapped after its figure: "数" on the next line
    assert (online.path[1], online.value) == ("（一）收到申请数", 3)
    review = got["三、行政复议数量"]
    assert (review.value, review.raw) == (0, "-")  # a printed dash reads 0, its text kept
    funds = got["（一）政府信息公开专项经费"]
    assert (funds.unit, funds.value, funds.raw) == ("万元", None, None)  # unit printed, no figure: absent
    assert r.legacy is not None
    assert r.legacy.harmonised["requests_received"] == 12
    assert r.legacy.harmonised["review_total"] == 0
    assert r.legacy.harmonised["fees_collected"] == 0.25
    assert r.legacy.harmonised["litigation_total"] is None  # not in the table
    # the organ and the date under the table are not indicators
    assert all("示例县" not in i.path[-1] for i in r.legacy.indicators)
    assert len(r.legacy.indicators) == 13


PDF_RAW = """\
政府信息公开情况统计表
统 计 指 标 单位 统计数
一、主动公开情况
（一）主动公开政府信息数（不同渠道和 88
方式公开相同信息计1条）
二、机构建设和保障经费情况
（一）从事政府信息公开工作人员数 4
1、专职人员数（不包括政府公报及政府 1
网站工作人员数）
2、兼职人员数 3
（二）政府信息公开专项经费（不包括用
于政府公报编辑管理及政府网站建设维护 万元 2.5
等方面的经费）
三、政府信息公开会议和培训情况
（一）召开政府信息公开工作会议或专题 2
会议数
（二）接受培训人员数 人次 40
"""


def test_pdf_text_without_layout_labels_wrapped_around_their_figure():
    r = _parse(PDF_RAW)
    got = _by_label(r)
    assert got["（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）"].value == 88
    staff = got["1、专职人员数（不包括政府公报及政府网站工作人员数）"]
    assert (staff.path[1], staff.value) == ("（一）从事政府信息公开工作人员数", 1)
    assert got["2、兼职人员数"].value == 3
    funds = got["（二）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）"]
    assert (funds.unit, funds.value, funds.raw) == ("万元", 2.5, "2.5")
    assert got["（一）召开政府信息公开工作会议或专题会议数"].value == 2
    trained = got["（二）接受培训人员数"]
    assert (trained.unit, trained.value) == ("人次", 40)


CELLS_TRADITIONAL = "\n\n".join([
    "政府信息公開情況統計表", "統計指標", "單位", "統計數",
    "一、主動公開情況", NBSP, NBSP,
    "（一）主動公開政府信息數", "（不同渠道和方式公開相同信息計1條）", "條", "1,204",
    "其中：主動公開規範性文件數", "條", "/",
    "二、依申請公開情況", NBSP, NBSP,
    "（一）收到申請數", "件", "9",
    "三、依申請公開信息收取的費用", "元", "2500",
    "四、機構建設和保障經費情況", NBSP, NBSP,
    "（一）政府信息公開專項經費", "萬元", NBSP,
    "北山縣人民政府", "2018年1月20日",
]) + "\n"


def test_one_cell_per_line_traditional_with_empty_cells_and_split_labels():
    r = _parse(CELLS_TRADITIONAL)
    assert r.reading.traditional
    got = _by_label(r)
    published = got["（一）主動公開政府信息數（不同渠道和方式公開相同信息計1條）"]  # as printed
    assert (published.unit, published.value, published.raw) == ("條", 1204, "1,204")
    normative = got["其中：主動公開規範性文件數"]
    assert (normative.value, normative.raw) == (0, "/")
    assert got["（一）政府信息公開專項經費"].value is None  # an empty cell under a unit: no figure
    assert r.legacy is not None
    assert r.legacy.harmonised["requests_received"] == 9
    assert r.legacy.harmonised["normative_documents_published"] == 0
    assert r.legacy.harmonised["fees_collected"] == 0.25  # 2500 元 in 万元
    assert [i.path[-1] for i in r.legacy.indicators][-1] == "（一）政府信息公開專項經費"


HTML = """<html><head><title>示例</title></head><body>
<h1>南湖区人民政府2016年政府信息公开工作年度报告</h1>
<p>一、概述</p><p>本年度我区依法做好政府信息公开工作。</p>
<p>政府信息公开情况统计表</p>
<table>
<tr><td>统计指标</td><td>单位</td><td>统计数</td></tr>
<tr><td>一、依申请公开情况</td><td>&nbsp;</td><td>&nbsp;</td></tr>
<tr><td>（一）收到申请数</td><td>件</td><td>21</td></tr>
<tr><td>二、行政复议数量</td><td>件</td><td>0</td></tr>
<tr><td>三、行政诉讼数量</td><td>件</td><td>1</td></tr>
<tr><td>四、依申请公开信息收取的费用</td><td>&nbsp;</td><td>0.3万</td></tr>
<tr><td>五、机构建设和保障经费情况</td><td>&nbsp;</td><td>&nbsp;</td></tr>
<tr><td>（一）政府信息公开专项经费</td><td>万元</td><td>&nbsp;</td></tr>
</table>
<p>南湖区人民政府</p><p>2017年3月1日</p>
<p>主办：南湖区人民政府办公室 网站标识码：0000000000</p>
</body></html>"""


def test_html_grid_rows_and_footer():
    r = parse_bytes(HTML.encode(), "page.html")
    got = _by_label(r)
    received = got["（一）收到申请数"]
    assert (received.path, received.unit, received.value) == (["一、依申请公开情况", "（一）收到申请数"], "件", 21)
    assert received.provenance.row == 3 and received.provenance.col == 3
    fees = got["四、依申请公开信息收取的费用"]
    assert (fees.unit, fees.value, fees.raw) == ("万元", 0.3, "0.3万")  # the unit printed with the figure
    assert got["（一）政府信息公开专项经费"].value is None
    assert r.legacy is not None
    assert r.legacy.harmonised == {"requests_received": 21, "review_total": 0, "litigation_total": 1,
                                   "normative_documents_published": None, "normative_documents_issued": None,
                                   "fees_collected": 0.3}
    assert len(r.legacy.indicators) == 7


PIPES = """\
政府信息公开情况统计表
| 统计指标 | 单位 | 统计数 |
| --- | --- | --- |
| 一、行政复议数量 | 件 | 2 |
| （一）维持具体行政行为数 | 件 | 2 |
| 二、行政诉讼数量 | 件 | 1 |
| （一）维持具体行政行为或者驳回原告诉讼请求数 | 件 | 1 |
| 三、申诉（举报）数量 | 件 |  |
"""


def test_pipe_rows():
    r = _parse(PIPES)
    got = _by_label(r)
    assert got["（一）维持具体行政行为或者驳回原告诉讼请求数"].path[0] == "二、行政诉讼数量"
    assert got["三、申诉（举报）数量"].value is None  # an empty cell: no figure
    assert r.legacy is not None
    assert (r.legacy.harmonised["review_total"], r.legacy.harmonised["litigation_total"]) == (2, 1)


UNNUMBERED = """\
政府信息公开情况统计表
统计指标 单位 统计数
一、主动公开情况
主动公开政府信息数 条 20
其中：主动公开规范性文件数 条 2
全文电子化率 % 100
二、依申请公开情况
收到申请数 件 3
"""


def test_unnumbered_rows_under_a_numbered_heading():
    r = _parse(UNNUMBERED)
    got = _by_label(r)
    assert got["主动公开政府信息数"].path == ["一、主动公开情况", "主动公开政府信息数"]
    assert got["其中：主动公开规范性文件数"].path[:2] == ["一、主动公开情况", "主动公开政府信息数"]
    rate = got["全文电子化率"]
    assert (rate.path[:2], rate.unit, rate.value) == (["一、主动公开情况", "主动公开政府信息数"], "%", 100)
    assert got["收到申请数"].path == ["二、依申请公开情况", "收到申请数"]
    assert r.legacy is not None and r.legacy.harmonised["requests_received"] == 3


AMBIGUOUS = """\
政府信息公开情况统计表
统计指标 单位 统计数
一、依申请公开情况
（一）收到申请数 件 5 3
（二）申请办结数 件 5
"""


def test_a_row_with_two_figures_is_not_guessed():
    r = _parse(AMBIGUOUS)
    got = _by_label(r)
    received = got["（一）收到申请数"]
    assert (received.value, received.raw) == (None, None)
    assert got["（二）申请办结数"].value == 5
    assert r.legacy is not None and r.legacy.harmonised["requests_received"] is None


@pytest.mark.skipif("strays" not in LegacyTable.model_fields, reason="LegacyTable does not list strays yet")
def test_a_row_with_two_figures_is_reported():
    r = _parse(AMBIGUOUS)
    assert r.legacy is not None
    (stray,) = _strays(r.legacy)
    assert (stray.kind, stray.label, stray.raws) == ("ambiguous", "（一）收到申请数", ["5", "3"])


ONE_LINE = ("本年度我镇依法做好政府信息公开工作。附表：政府信息公开情况统计表 统计指标 单位 统计数 一、依申请公开情况 "
            "（一）收到申请数 件 4 1.当面申请数 件 1 2.网络申请数 件 3 二、行政复议数量 件 0 三、行政诉讼数量 件 0")


def test_whole_table_on_one_line():
    doc = read_bytes(ONE_LINE.encode(), "oneline.txt")
    table = get_format("legacy").table("legacy")
    assert table is not None
    legacy, _ = read_legacy(Tokens(doc.blocks).region(0, len(doc.blocks)), table)
    assert legacy is not None
    assert [(i.path, i.unit, i.value) for i in legacy.indicators] == [
        (["一、依申请公开情况"], None, None),
        (["一、依申请公开情况", "（一）收到申请数"], "件", 4),
        (["一、依申请公开情况", "（一）收到申请数", "1.当面申请数"], "件", 1),
        (["一、依申请公开情况", "（一）收到申请数", "2.网络申请数"], "件", 3),
        (["二、行政复议数量"], "件", 0),
        (["三、行政诉讼数量"], "件", 0),
    ]
    assert legacy.harmonised["requests_received"] == 4


def test_no_figures_no_table():
    r = _parse("政府信息公开情况统计表\n统计指标 单位 统计数\n一、主动公开情况\n（一）主动公开政府信息数 条\n")
    assert r.legacy is None


INLINE = """\
政府信息公开情况统计表
统计指标 单位 统计数
一、行政复议数量 件 1
二、行政诉讼数量 件 0
五、存在的主要问题及改进情况
（一）存在的主要问题
我县政府信息公开工作仍存在一些不足。
"""


def test_headings_after_the_table_are_not_indicators():
    r = _parse(INLINE)
    assert r.legacy is not None
    assert [i.path for i in r.legacy.indicators] == [["一、行政复议数量"], ["二、行政诉讼数量"]]
