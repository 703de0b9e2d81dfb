"""Organ names → units, as they appear in real reports (the seeds) and in the corpus at large."""

from __future__ import annotations

import pytest

from gongkai.organs import ResolvedOrgan, resolve_organ


def _where(r: ResolvedOrgan) -> tuple[str | None, str | None, str | None]:
    return r.province, r.city, r.county


# --- the seeds' organs --------------------------------------------------------------------------


def test_seed_000_changsha_county():
    r = resolve_organ("长沙县人民政府", hints=["长沙市政府门户网站-长沙县人民政府2021年政府信息公开工作年度报告"])
    assert _where(r) == ("湖南省", "长沙市", "长沙县")
    assert (r.region_code, r.kind, r.level) == ("430121", "government", "county")
    assert (r.canonical, r.parent, r.parent_code) == ("长沙县人民政府", "长沙市人民政府", "430100")
    assert not r.ambiguous and r.candidates == []


def test_seed_003_liuyang_county_level_city():
    r = resolve_organ("浏阳市人民政府")
    assert _where(r) == ("湖南省", "长沙市", "浏阳市")
    assert (r.region_code, r.kind, r.level) == ("430181", "government", "county")
    assert (r.parent, r.parent_code) == ("长沙市人民政府", "430100")


def test_seed_001_traditional_yueyang_county():
    r = resolve_organ("嶽陽縣人民政府", year=2017)
    assert r.name == "嶽陽縣人民政府"
    assert r.canonical == "岳阳县人民政府"
    assert _where(r) == ("湖南省", "岳阳市", "岳阳县")
    assert (r.region_code, r.kind, r.level) == ("430621", "government", "county")
    assert (r.parent, r.parent_code) == ("岳阳市人民政府", "430600")


def test_seed_002_bare_county_name():
    r = resolve_organ("成安县")
    assert _where(r) == ("河北省", "邯郸市", "成安县")
    assert (r.region_code, r.kind, r.level) == ("130424", "government", "county")
    assert (r.canonical, r.parent) == ("成安县人民政府", "邯郸市人民政府")


def test_seed_004_city_government_office_is_a_department():
    r = resolve_organ("长沙市人民政府办公室", hints=["长沙市政府门户网站"])
    assert r.kind == "department"
    assert r.canonical == "长沙市人民政府办公室"
    assert _where(r) == ("湖南省", "长沙市", None)
    assert (r.region_code, r.level) == ("430100", "city")
    assert (r.parent, r.parent_code) == ("长沙市人民政府", "430100")


def test_seed_002_publishing_office_placed_by_the_title():
    r = resolve_organ("政府办公室", hints=["成安县2021年度政府信息公开年度报告"])
    assert r.kind == "department"
    assert r.canonical == "成安县人民政府办公室"
    assert (r.region_code, r.parent) == ("130424", "成安县人民政府")


# --- governments at each level ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code", "level", "canonical", "parent", "parent_code"),
    [
        ("湖南省人民政府", "430000", "province", "湖南省人民政府", None, None),
        ("长沙市人民政府", "430100", "city", "长沙市人民政府", "湖南省人民政府", "430000"),
        ("长沙市政府", "430100", "city", "长沙市人民政府", "湖南省人民政府", "430000"),
        ("湖南省长沙市长沙县人民政府", "430121", "county", "长沙县人民政府", "长沙市人民政府", "430100"),
        # a city district is officially named with its city
        ("天心区人民政府", "430103", "county", "长沙市天心区人民政府", "长沙市人民政府", "430100"),
        ("北京市人民政府", "110000", "province", "北京市人民政府", None, None),
        ("北京市朝阳区人民政府", "110105", "county", "北京市朝阳区人民政府", "北京市人民政府", "110000"),
        ("仙桃市人民政府", "429004", "county", "仙桃市人民政府", "湖北省人民政府", "420000"),
        ("锡林郭勒盟", "152500", "city", "锡林郭勒盟行政公署", "内蒙古自治区人民政府", "150000"),
        ("內蒙古自治區人民政府", "150000", "province", "内蒙古自治区人民政府", None, None),
    ],
)
def test_governments(name, code, level, canonical, parent, parent_code):
    r = resolve_organ(name)
    assert r.kind == "government"
    assert (r.region_code, r.level, r.canonical, r.parent, r.parent_code) == (
        code,
        level,
        canonical,
        parent,
        parent_code,
    )


def test_municipality_is_the_city_of_its_districts():
    r = resolve_organ("北京市朝阳区人民政府")
    assert _where(r) == ("北京市", "北京市", "朝阳区")
    assert _where(resolve_organ("北京市人民政府")) == ("北京市", None, None)


# --- departments, townships, development zones --------------------------------------------------


def test_department_of_a_city():
    r = resolve_organ("岳阳市发展和改革委员会")
    assert (r.kind, r.region_code, r.level) == ("department", "430600", "city")
    assert (r.canonical, r.parent, r.parent_code) == ("岳阳市发展和改革委员会", "岳阳市人民政府", "430600")


def test_department_of_a_district_gets_the_district_official_name():
    r = resolve_organ("北京市朝阳区财政局")
    assert (r.kind, r.region_code, r.canonical) == ("department", "110105", "北京市朝阳区财政局")
    assert r.parent == "北京市朝阳区人民政府"


def test_department_named_with_province_and_city():
    r = resolve_organ("湖南省长沙市人民政府办公室")
    assert (r.canonical, r.region_code, r.parent) == ("长沙市人民政府办公室", "430100", "长沙市人民政府")


def test_public_security_bureau_is_not_gong_an_county():
    # 公安县 (湖北省荆州市) is short-named 公安: it must not swallow 荆州市公安局 or a bare 公安局
    r = resolve_organ("荆州市公安局")
    assert (r.region_code, r.level, r.parent) == ("421000", "city", "荆州市人民政府")
    r = resolve_organ("公安局")
    assert r.region_code is None and r.kind == "department"


def test_township_with_its_county_in_the_name():
    r = resolve_organ("长沙县星沙街道办事处")
    assert (r.kind, r.level, r.region_code) == ("township", "township", "430121")
    assert _where(r) == ("湖南省", "长沙市", "长沙县")
    assert (r.parent, r.parent_code) == ("长沙县人民政府", "430121")


def test_township_placed_by_hints():
    r = resolve_organ("星沙街道办事处", hints=["长沙县人民政府门户网站"])
    assert (r.kind, r.level, r.region_code, r.parent) == ("township", "township", "430121", "长沙县人民政府")
    assert r.canonical == "长沙县星沙街道办事处"


def test_township_without_hints_has_no_region():
    r = resolve_organ("星沙街道办事处")
    assert (r.kind, r.level) == ("township", "township")
    assert (r.region_code, r.province, r.parent) == (None, None, None)
    assert not r.ambiguous


def test_town_of_a_city_without_counties():
    r = resolve_organ("东莞市虎门镇人民政府")
    assert (r.kind, r.level, r.region_code) == ("township", "township", "441900")
    assert _where(r) == ("广东省", "东莞市", None)
    assert r.parent == "东莞市人民政府"


def test_development_zone_named_by_city_short_name_sits_in_the_city():
    r = resolve_organ("长沙经济技术开发区管理委员会")
    assert r.kind == "development_zone"
    assert (r.region_code, r.level, r.parent) == ("430100", "city", "长沙市人民政府")
    assert r.canonical == "长沙经济技术开发区管理委员会"


def test_development_zone_named_by_county_level_city_short_name():
    r = resolve_organ("浏阳经济技术开发区管理委员会")
    assert (r.kind, r.region_code, r.parent) == ("development_zone", "430181", "浏阳市人民政府")


def test_vertical_agency_has_a_region_but_no_local_parent():
    r = resolve_organ("国家税务总局湖南省税务局")
    assert (r.region_code, r.province) == ("430000", "湖南省")
    assert r.parent is None


def test_trailing_note_is_ignored():
    r = resolve_organ("长沙市人民政府办公厅（长沙市人民政府研究室）")
    assert (r.kind, r.region_code, r.canonical) == ("department", "430100", "长沙市人民政府办公厅")


# --- names found in several places ----------------------------------------------------------------


def test_ambiguous_district_without_hints():
    r = resolve_organ("朝阳区人民政府")
    assert r.ambiguous
    assert r.candidates == ["110105", "220104"]
    assert (r.region_code, r.level, r.parent) == (None, None, None)


def test_ambiguous_district_with_a_title_hint():
    r = resolve_organ("朝阳区人民政府", hints=["北京市人民政府门户网站"])
    assert not r.ambiguous
    assert (r.region_code, r.canonical, r.parent) == ("110105", "北京市朝阳区人民政府", "北京市人民政府")
    r = resolve_organ("朝阳区人民政府", hints=["长春市政府"])
    assert (r.region_code, r.parent) == ("220104", "长春市人民政府")


def test_hint_by_province_short_name():
    r = resolve_organ("铁东区人民政府", hints=["辽宁"])
    assert (r.region_code, r.city) == ("210302", "鞍山市")
    assert resolve_organ("铁东区人民政府").candidates == ["210302", "220303"]


def test_hint_narrows_but_does_not_settle():
    # 新华区 exists in 石家庄市 and 沧州市 (河北省) and in 平顶山市 (河南省)
    r = resolve_organ("新华区人民政府", hints=["河北省"])
    assert r.ambiguous
    assert r.candidates == ["130105", "130902"]
    # the province is known for roll-ups, the county is not
    assert (r.region_code, r.province, r.county, r.level) == ("130000", "河北省", None, None)


def test_city_in_the_name_settles_a_shared_district_name():
    assert resolve_organ("南京市鼓楼区人民政府").region_code == "320106"
    assert resolve_organ("鼓楼区人民政府", hints=["江苏省徐州市"]).region_code == "320302"


# --- the list of the report's year ----------------------------------------------------------------


def test_year_picks_the_divisions_in_force():
    # 望城县 became 长沙市望城区 in 2011 (430122 → 430112)
    old = resolve_organ("望城县人民政府", year=2010)
    assert (old.region_code, old.city, old.parent) == ("430122", "长沙市", "长沙市人民政府")
    new = resolve_organ("望城区人民政府")
    assert (new.region_code, new.canonical) == ("430112", "长沙市望城区人民政府")
    # under today's list the old name is no division at all
    gone = resolve_organ("望城县人民政府")
    assert (gone.kind, gone.region_code, gone.ambiguous) == ("government", None, False)


@pytest.mark.parametrize("printed", ["沙门市人民政府门户网站-沙门市人民政府", "沙门市人民政府网站_沙门市人民政府",
                                     "沙門市人民政府門戶網站 - 沙門市人民政府", "沙门市人民政府"])
def test_a_site_name_before_the_organ_is_not_part_of_it(printed):
    """Crawlers and page titles put the site's name before the organ: with it or without it, one organ."""
    r = resolve_organ(printed)
    assert r.canonical == "沙门市人民政府" and r.name == printed


def test_a_name_that_is_only_a_site_stays_as_printed():
    assert resolve_organ("湖南省人民政府门户网站").canonical == "湖南省人民政府门户网站"
    assert resolve_organ("长沙市网站建设管理中心").canonical == "长沙市网站建设管理中心"
