"""The divisions list: codes, paths, nesting and roll-ups as a person counting reports would expect."""

from __future__ import annotations

from gongkai.organs import ancestors, division, divisions, region_path, rollup, within
from gongkai.organs.regions import years


def test_dataset_is_current_and_complete():
    ds = divisions()
    assert ds.year >= 2023
    # 34 province-level units (incl. 台湾, 香港, 澳门), 333 city-level, ~2,840 county-level (2024).
    levels = [d.level for d in ds.by_code.values()]
    assert levels.count("province") == 34
    assert 330 <= levels.count("city") <= 340
    assert 2800 <= levels.count("county") <= 2900
    assert years()[0] == 1980


def test_region_path_of_a_county():
    assert region_path("430121") == [
        ("430000", "湖南省", "province"),
        ("430100", "长沙市", "city"),
        ("430121", "长沙县", "county"),
    ]


def test_region_path_of_a_county_level_city():
    assert region_path("430181") == [
        ("430000", "湖南省", "province"),
        ("430100", "长沙市", "city"),
        ("430181", "浏阳市", "county"),
    ]


def test_region_path_of_a_municipality_district_skips_the_placeholder():
    assert region_path("110105") == [("110000", "北京市", "province"), ("110105", "朝阳区", "county")]
    assert region_path("500235") == [("500000", "重庆市", "province"), ("500235", "云阳县", "county")]


def test_region_path_of_a_province_administered_county_level_city():
    assert region_path("429004") == [("420000", "湖北省", "province"), ("429004", "仙桃市", "county")]


def test_region_path_of_unknown_code_is_empty():
    assert region_path("999999") == []


def test_ancestors_nearest_first():
    assert [a.code for a in ancestors("430181")] == ["430100", "430000"]
    assert ancestors("430000") == []


def test_within():
    assert within("430121", "430100")
    assert within("430121", "430000")
    assert within("430100", "430000")
    assert within("430181", "430100")
    assert within("430121", "430121")
    assert not within("430121", "430600")
    assert not within("430100", "430121")
    assert within("110105", "110000")
    # a GB/T 2260 placeholder (北京市 市辖区) is read by its prefix
    assert within("110105", "110100")
    assert within("429004", "420000")


def test_rollup_by_level():
    assert rollup("430181", "province") == "430000"
    assert rollup("430181", "city") == "430100"
    assert rollup("430181", "county") == "430181"
    # a municipality stands as the city of its districts
    assert rollup("110105", "city") == "110000"
    # a county-level city administered by its province has no city
    assert rollup("429004", "city") is None
    assert rollup("430100", "county") is None
    assert rollup("430000", "city") is None


def test_division_of_an_earlier_year():
    # 襄樊市 was renamed 襄阳市 at the end of 2010, under the same code
    assert division("420600", 2008).name == "襄樊市"
    assert division("420600").name == "襄阳市"
    # years outside the list are clipped
    assert divisions(1900).year == 1980
    assert divisions(3000).year == divisions().year


def test_names_with_several_divisions():
    assert sorted(d.code for d in divisions().named("朝阳区")) == ["110105", "220104"]
    assert len(divisions().named("新华区")) >= 3
