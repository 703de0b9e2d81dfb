"""Title, organ, year and publication date in the shapes real pages print them (made-up organs)."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai.extract.meta import MetaRead, format_by_year, read_meta
from gongkai.normalize import fold_lines

OVERVIEW = "一、总体情况"


def meta(*lines: str) -> MetaRead:
    """read_meta over `lines`; the first `一、…` line is the first section heading."""
    texts = list(lines)
    folded, _ = fold_lines(texts)
    heading = next((i for i, t in enumerate(texts) if t.startswith("一、")), None)
    return read_meta(texts, folded, heading, len(texts))


def test_plain_title():
    m = meta("青石县水利局2023年政府信息公开工作年度报告", "发布日期：2024-01-20", OVERVIEW, "2023年，我局……")
    assert (m.title, m.organ, m.year, m.published) == (
        "青石县水利局2023年政府信息公开工作年度报告", "青石县水利局", 2023, date(2024, 1, 20))
    assert m.block == 0


@pytest.mark.parametrize("title,organ,year", [
    ("青石县水利局关于2021年度政府信息公开情况的报告", "青石县水利局", 2021),
    ("青石县水利局2020年政府信息公开工作年度报告", "青石县水利局", 2020),
    ("青石县水利局2020年度政府信息公开年报", "青石县水利局", 2020),
    ("2022年白沙乡政府信息公开工作年度报告", "白沙乡", 2022),
    ("2024 年青石市科委政府信息公开工作年度报告", "青石市科委", 2024),
    ("青石县水利局政府信息公开工作年度报告（2019年）", "青石县水利局", 2019),
    ("青石县人民政府信息公开工作年度报告（2019年）", "青石县人民政府", 2019),
    ("青石县教育局二〇二一年度政府信息公开工作年度报告", "青石县教育局", 2021),
])
def test_title_shapes(title, organ, year):
    m = meta(title, OVERVIEW, "正文。")
    assert (m.organ, m.year) == (organ, year)


@pytest.mark.parametrize("title,organ", [("本溪市民政局2021年政府信息公开工作年度报告", "本溪市民政局"),
                                         ("全椒县人民政府2021年政府信息公开工作年度报告", "全椒县人民政府"),
                                         ("本机关2021年政府信息公开工作年度报告", None)])
def test_names_that_start_like_pronouns(title, organ):
    assert meta(title, OVERVIEW).organ == organ


def test_traditional_title_keeps_its_characters():
    m = meta("青石縣農業農村局2021年度政府信息公開工作年度報告", "一、總體情況")
    assert (m.title, m.organ, m.year) == ("青石縣農業農村局2021年度政府信息公開工作年度報告", "青石縣農業農村局", 2021)


@pytest.mark.parametrize("line", [
    "标题: 青石县水利局2019年度政府信息公开工作年度报告",
    "标题：青石县水利局2019年度政府信息公开工作年度报告",
    "# 青石县水利局2019年度政府信息公开工作年度报告",
])
def test_crawler_and_converter_prefixes(line):
    m = meta(line, "发布时间: 2020-01-20 15:22", OVERVIEW)
    assert (m.title, m.organ, m.year) == ("青石县水利局2019年度政府信息公开工作年度报告", "青石县水利局", 2019)


def test_converter_body_label_before_a_split_title():
    m = meta("正文", "2024 年青石市科委政府信息公开工作", "年度报告", "根据《条例》，市科委编制了本报告。", OVERVIEW)
    assert (m.organ, m.year) == ("青石市科委", 2024)


@pytest.mark.parametrize("line,organ", [
    ("青石县人民政府门户网站-青石县人民政府办公室2010年度政府信息公开工作年度报告", "青石县人民政府办公室"),
    ("青石縣人民政府門戶網站-青石縣人民政府辦公室2010年度政府信息公開工作年度報告", "青石縣人民政府辦公室"),
    ("首页>政府信息公开>青石县民政局2010年政府信息公开年度报告", "青石县民政局"),
])
def test_site_name_before_the_organ(line, organ):
    m = meta(line, OVERVIEW)
    assert (m.organ, m.year) == (organ, 2010)


def test_page_title_with_the_site_name_gives_way_to_the_heading():
    m = meta("青石县民政局2022年政府信息公开工作年度报告_青石县人民政府门户网站", "首页 > 年度报告",
             "青石县民政局2022年政府信息公开工作年度报告", OVERVIEW)
    assert (m.block, m.title, m.organ) == (2, "青石县民政局2022年政府信息公开工作年度报告", "青石县民政局")


def test_date_after_the_title_on_its_line():
    m = meta("青石县民政局2022年政府信息公开年度报告 2023-01-20 来源：青石县民政局", OVERVIEW)
    assert (m.title, m.organ, m.year, m.published) == (
        "青石县民政局2022年政府信息公开年度报告", "青石县民政局", 2022, date(2023, 1, 20))


def test_advertising_after_the_title_is_not_part_of_it():
    m = meta("青石县民政局2022年政府信息公开年度报告_足彩app哪个是正规的", OVERVIEW)
    assert (m.title, m.organ, m.year) == ("青石县民政局2022年政府信息公开年度报告", "青石县民政局", 2022)


@pytest.mark.parametrize("line", ["uedbet官网@:做好2023年政府信息公开工作年度报告",
                                  "澳门新葡京娱乐场2023年政府信息公开工作年度报告"])
def test_advertising_is_no_organ(line):
    m = meta(line, OVERVIEW)
    assert (m.organ, m.year) == (None, 2023)


@pytest.mark.parametrize("lines", [
    ("青石县档案馆2019年政府信息公开", "工作年度报告"),
    ("青石县档案馆2019年政府信息公开工作年度", "报告"),
    ("青石县档案馆政府信息公开工作年度报告", "（2019年）"),
])
def test_title_split_over_two_lines(lines):
    m = meta(*lines, "本报告根据《条例》编制。", OVERVIEW)
    assert (m.title, m.organ, m.year) == ("".join(lines), "青石县档案馆", 2019)


def test_organ_on_the_line_above_the_title():
    m = meta("青石县人民政府", "2023 年政府信息公开工作年度报告",
             "本报告由青石市青石县人民政府办公室根据《中华人民共和", "国政府信息公开条例》要求编制此报告。", OVERVIEW)
    assert (m.organ, m.year) == ("青石县人民政府", 2023)


def test_organ_from_a_sentence_is_no_organ():
    m = meta("2023年政府信息公开工作年度报告", "本报告由青石市人民政府信息公开工作领导小组办公室根据《条例》编制。",
             OVERVIEW)
    assert (m.title, m.organ, m.year) == ("2023年政府信息公开工作年度报告", None, 2023)


def test_organ_from_the_page_source_label():
    m = meta("2023年政府信息公开工作年度报告", "来源：青石县城市管理局 发布时间：2024-01-31", OVERVIEW)
    assert (m.organ, m.published) == ("青石县城市管理局", date(2024, 1, 31))


@pytest.mark.parametrize("sentence,organ,year", [
    ("根据《条例》规定，现公布区审计局2023年政府信息公开工作年度报告。本报告由六部分组成。", "区审计局", 2023),
    ("……统计期限自2021年1月1日起至2021年12月31日止。现将信访局2021年度政府信息公开工作报告如下。", "信访局", 2021),
    ("根据有关要求，特向社会公布2020年青石县农业农村局政府信息公开工作年度报告。", "青石县农业农村局", 2020),
])
def test_report_named_in_the_opening_sentence(sentence, organ, year):
    m = meta(sentence, OVERVIEW, "正文。")
    assert (m.title, m.block, m.organ, m.year) == (None, None, organ, year)


@pytest.mark.parametrize("lines,year", [
    ((OVERVIEW, "2016年，我镇认真贯彻落实《条例》。"), 2016),
    (("本报告中所列数据的统计期限自2018年1月1日至12月31日。", OVERVIEW, "我乡……"), 2018),
    (("本报告信息数据统计期限为：2017年1月1日——2017年12月31日。", OVERVIEW), 2017),
    ((OVERVIEW, "本报告汇报我镇2023年政府信息公开工作。"), 2023),
    ((OVERVIEW, "2019年我局政府信息公开工作运行良好。"), 2019),
])
def test_year_from_the_opening_text(lines, year):
    m = meta(*lines)
    assert (m.title, m.organ, m.year) == (None, None, year)


def test_year_in_a_cited_notice_is_not_the_report_year():
    m = meta("本报告根据《关于做好2019年政府信息公开工作年度报告的通知》编制。", OVERVIEW, "本年度，我局……")
    assert m.year is None


def test_cover_page_date_is_not_the_report_year():
    m = meta("", "青石市人民政府", "2013年3月", "本报告中所列数据的统计期限自2012年1月1日起至2012年12月31日止。",
             OVERVIEW, "2012年4月，市政府召开会议。")
    assert (m.organ, m.year) == ("青石市人民政府", 2012)


def test_traditional_cover_page_keeps_its_characters():
    m = meta("青石縣人民政府", "2013年3月", "本報告統計期限自2012年1月1日起至2012年12月31日止。", "一、概述")
    assert (m.organ, m.year) == ("青石縣人民政府", 2012)


def test_dated_opening_is_no_year():
    m = meta(OVERVIEW, "2019年4月，市政府研究室召开全体干部会议。")
    assert m.year is None


def test_unknown_organ_is_none_not_empty():
    m = meta("2023年政府信息公开工作年度报告", OVERVIEW, "2023年，我局……")
    assert m.organ is None and m.year == 2023


def test_column_name_is_no_title():
    m = meta("当前位置：首页 > 政府信息公开 > 政府信息公开年报", "栏目: 政府信息公开年报", "青石县召开安全生产会议")
    assert (m.title, m.organ, m.year) == (None, None, None)


def test_township_title_without_year_takes_it_from_the_text():
    m = meta("白沙镇人民政府政府信息公开年报", OVERVIEW, "2018年，我镇……")
    assert (m.organ, m.year) == ("白沙镇人民政府", 2018)


@pytest.mark.parametrize("tail,published", [
    (("青石县民政局", "二〇二三年二月十六日"), date(2023, 2, 16)),
    (("青石县民政局", "二0一七年一月二十日"), date(2017, 1, 20)),
    (("青石县民政局", "二○二五年十二月三十一日"), date(2025, 12, 31)),
    (("青石县民政局2022年1月5日主办：青石县民政局 承办：青石县民政局办公室",), date(2022, 1, 5)),
    (("青石县民政局", "2023年1月29日主办：青石县民政局 网站标识码：123",), date(2023, 1, 29)),
])
def test_publication_date_under_the_signature(tail, published):
    m = meta("青石县民政局2022年政府信息公开工作年度报告", OVERVIEW, "正文。", "六、其他需要报告的事项", "无。", *tail)
    assert m.published == published


def test_format_by_year():
    assert format_by_year(2016, None) == "legacy"
    assert format_by_year(2018, "2021") == "legacy"
    assert format_by_year(2020, "2019") == "2019"
    assert format_by_year(2022, None) is None
    assert format_by_year(None, "2021") == "2021"
