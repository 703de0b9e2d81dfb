"""The gate: what was read is an annual report only on evidence of one — its title, its sections,
its self-description, the matched labels of its tables — never because some cell got a number.

Files that are not reports (data, style sheets, scripts, a novel, a news item, a one-line date or
price, a picture) are refused; reports whose tables were lost, or whose page stops after its opening,
are kept.
"""

from __future__ import annotations

import io
import random

import pytest

from gongkai import ReadError, is_report, parse_bytes
from gongkai.extract.gate import evidence
from gongkai.render.layouts import TEXT_LAYOUTS, render_html, render_text
from gongkai.render.synthetic import synthesize
from tests.conftest import SEEDS

JSON_DATA = """{
  "title": "某市人民政府2023年政府信息公开工作年度报告",
  "sections": [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况"
  ],
  "规章": 0,
  "行政规范性文件": 12,
  "行政许可": 345,
  "updated": "2024-01-12"
}
"""

CSS = """/* 政府信息公开工作年度报告 页面样式 */
body { margin: 0; padding: 12px; font-size: 14px; }
.report-title { font-weight: bold; color: #333; }
.section h2 { margin-top: 31px; }
table.stat td { width: 2024px; border: 1px solid #ccc; }
"""

JS = """var title = "某市人民政府2023年政府信息公开工作年度报告";
var sections = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"];
function render(el) {
  el.innerHTML = "<h1>" + title + "</h1>";
  for (var i = 0; i < sections.length; i++) {
    el.innerHTML += "<h2>" + sections[i] + "</h2>";
  }
  return 12;
}
"""

NOVEL = """第一章　山雨欲来

天色渐渐暗了下来，远处的山峦笼罩在一片灰蒙蒙的雾气之中。李明站在村口的老槐树下，望着那条蜿蜒的小路，心中五味杂陈。

三年前，他就是从这条路离开的。那时候他才十八岁，背着一个旧帆布包，口袋里揣着母亲塞给他的二百元钱。

“明子，你回来了？”一个苍老的声音从身后传来。他转过身，看见王大爷拄着拐杖，颤巍巍地向他走来。

第二章　旧屋

老屋还是原来的样子，只是院墙塌了一角，门前的石磨上长满了青苔。母亲正在灶台前忙碌，听见脚步声，手里的锅铲掉在地上。
"""

NEWS = """我市召开政务公开工作推进会

2024年3月15日，市政府召开全市政务公开工作推进会，副市长李强出席会议并讲话，各区县政府分管负责同志参加。

会议通报了《2023年政府信息公开工作年度报告》编制情况，要求各部门认真落实《中华人民共和国政府信息公开条例》，\
做好主动公开政府信息情况和政府信息公开行政复议、行政诉讼情况的统计。去年全市主动公开政府信息3456条，办理依申请公开123件。

会议强调，要坚持以公开为常态、不公开为例外，进一步提升政务公开质量和实效。

会议还研究了其他事项。
"""

# Another kind of annual report, with the generic headings a disclosure report shares (总体情况, 存在的主要问题…).
OTHER_ANNUAL_REPORT = """某市2023年法治政府建设年度报告

一、总体情况

2023年，我市坚持以习近平法治思想为指导，深入推进法治政府建设，各项工作取得明显成效，全年办理行政复议案件123件。

二、主要举措和成效

（一）完善依法行政制度体系。全年制定规范性文件12件，全部按程序进行合法性审核。

三、存在的主要问题及改进措施

一是法治宣传教育还不够深入；二是基层执法能力有待提高。

四、其他事项

无。
"""

NOT_REPORTS = {
    "json": JSON_DATA,
    "css": CSS,
    "js": JS,
    "novel": NOVEL,
    "news": NEWS,
    "other_annual_report": OTHER_ANNUAL_REPORT,
    "date": "2024 12 31\n",
    "date_words": "2024年1月12日 星期五 31\n",
    "price": "¥ 2024 12 31\n",
    "price_words": "价格：2024元，优惠12元，合计31元\n",
}

# A report whose three tables were published as pictures: title, sections and prose are what is left.
TABLES_LOST = """某县人民政府2022年政府信息公开工作年度报告

发布日期：2023-01-30

本报告根据《中华人民共和国政府信息公开条例》编制。本报告中所列数据的统计期限自2022年1月1日起至2022年12月31日止。

一、总体情况

2022年，某县人民政府认真贯彻落实《条例》，全年主动公开政府信息1234条，收到政府信息公开申请56件。

二、主动公开政府信息情况

三、收到和处理政府信息公开申请情况

四、政府信息公开行政复议、行政诉讼情况

五、存在的主要问题及改进情况

一是公开内容还不够全面；二是解读形式较为单一。下一步将加强培训，提高公开质量。

六、其他需要报告的事项

本年度未收取信息处理费。
"""

# The beginning of a page that stops mid-report: no title, one heading, the opening that lists the sections.
OPENING_ONLY = """本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制。\
本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况和其他需要报告的事项六部分组成。\
本报告中所列数据的统计期限自2015年1月1日起至2015年12月31日止。
一、总体情况
2015年，我镇紧紧围绕建设服务型政府的目标，积极推进政府信息公开工作，全年主动公开政府信息86条，其中工作动态
"""

# The same opening as some pages print it: Traditional characters with pinyin after some of them.
OPENING_PINYIN = """本報(bào)告根據(jù)《中華人民共和國政府信息公開條例》編制。\
本報(bào)告由總體情況、主動(dòng)公開政府信息情況、收到和處理政府信息公開申請(qǐng)情況、政府信息公開行政復(fù)議、行政訴訟情況等部分組成。
一、總體情況
2012年,我局緊緊圍繞構(gòu)建服務(wù)型政府的目標(biāo),積極推進(jìn)政府信息公開工作,全年主動(dòng)公開政府信息42條,全文電子化率
"""


def _read(text: str):
    return parse_bytes(text.encode("utf-8"))


@pytest.mark.parametrize("name", sorted(NOT_REPORTS))
def test_files_that_are_not_reports_are_refused(name):
    report = _read(NOT_REPORTS[name])
    assert not is_report(report), evidence(report)


def test_cells_read_by_chance_are_no_evidence():
    """A date on a line of its own may be read as cells of table 4 (placed without any label): no report."""
    report = _read("2024 12 31\n")
    assert not is_report(report)
    assert evidence(report).table_labels == 0 and evidence(report).table_points == 0


def test_code_is_refused_whatever_its_strings_say():
    e = evidence(_read(JS))
    assert e.code and not e.is_report
    assert evidence(_read(JSON_DATA)).code
    assert evidence(_read(CSS)).code


def test_a_news_item_about_the_report_is_not_the_report():
    """The report's name quoted in a sentence is no title, whatever line extraction takes for the title."""
    report = _read(NEWS)
    e = evidence(report)
    assert not e.title and not e.self_reference and not e.is_report


def test_generic_headings_alone_do_not_make_a_disclosure_report():
    e = evidence(_read(OTHER_ANNUAL_REPORT))
    assert e.headings == 3 and e.disclosure_headings == 0
    assert not e.specific and not e.is_report


@pytest.mark.parametrize("make", ["noise", "gradient"])
def test_pictures_without_a_report_are_refused(make):
    Image = pytest.importorskip("PIL.Image")
    rng = random.Random(3)
    im = Image.new("RGB", (240, 160))
    if make == "noise":
        im.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(240 * 160)])
    else:
        im.putdata([(x, y, 128) for y in range(160) for x in range(240)])
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    try:
        report = parse_bytes(buf.getvalue())
    except ReadError:
        return  # no OCR here: unreadable, which is refused too
    assert not is_report(report)


def test_a_report_whose_tables_are_pictures_is_a_report():
    report = _read(TABLES_LOST)
    assert report.proactive is None and report.requests is None
    e = evidence(report)
    assert e.title and e.headings == 6 and e.is_report
    assert is_report(report)


@pytest.mark.parametrize("text", [OPENING_ONLY, OPENING_PINYIN], ids=["simplified", "traditional_pinyin"])
def test_a_page_that_stops_after_the_opening_is_a_report(text):
    e = evidence(_read(text))
    assert e.self_reference and e.listed_sections >= 3
    assert e.is_report


@pytest.mark.parametrize("path", sorted(SEEDS.iterdir()), ids=lambda p: p.name[:3])
def test_every_seed_is_a_report(path):
    assert is_report(parse_bytes(path.read_bytes()))


@pytest.mark.parametrize("fmt", ["2021", "2019"])
@pytest.mark.parametrize("layout", [*TEXT_LAYOUTS, "html"])
def test_synthetic_reports_in_every_layout_are_reports(fmt, layout):
    rep = synthesize(fmt, random.Random(11))
    text = render_html(rep) if layout == "html" else render_text(rep, layout)
    assert is_report(_read(text))


def test_an_html_report_with_scripts_and_styles_is_a_report():
    """The reader drops a page's scripts and styles: only what it extracted is judged."""
    page = render_html(synthesize("2021", random.Random(4)))
    script = "<script>var cfg = {a: 1};\nfunction f(x) { return x + 1; }\n" * 40 + "</script>"
    style = "<style>" + "td { padding: 2px; }\n" * 40 + "</style>"
    page = page.replace("</head>", style + script + "</head>", 1).replace("</body>", script + "</body>", 1)
    assert is_report(_read(page))
