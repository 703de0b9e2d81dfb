"""The user's override file settles names the divisions list cannot."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from gongkai.organs import Overrides, load_overrides, resolve_organ

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "organ-overrides.example.toml"


@pytest.fixture(scope="module")
def example() -> Overrides:
    return load_overrides(EXAMPLE)


def test_example_file_loads(example):
    assert example.source == str(EXAMPLE)
    assert [o.name for o in example.organs] == ["长沙经济技术开发区管理委员会", "星沙街道办事处", "朝阳区人民政府"]


def test_zone_placed_in_a_county(example):
    without = resolve_organ("长沙经济技术开发区管理委员会")
    assert without.region_code == "430100"
    r = resolve_organ("长沙经济技术开发区管理委员会", overrides=example)
    assert (r.kind, r.region_code, r.level) == ("development_zone", "430121", "county")
    assert (r.province, r.city, r.county) == ("湖南省", "长沙市", "长沙县")
    assert (r.parent, r.parent_code) == ("长沙县人民政府", "430121")


def test_alias_stands_for_the_entry(example):
    r = resolve_organ("长沙经开区管委会", overrides=example)
    assert r.name == "长沙经开区管委会"
    assert r.canonical == "长沙经济技术开发区管理委员会"
    assert r.region_code == "430121"


def test_region_given_by_name_and_canonical(example):
    r = resolve_organ("星沙街道办事处", overrides=example)
    assert (r.kind, r.level, r.region_code, r.canonical) == ("township", "township", "430121", "长沙县星沙街道办事处")
    assert r.parent == "长沙县人民政府"


def test_override_settles_an_ambiguous_name_and_beats_hints(example):
    r = resolve_organ("朝阳区人民政府", hints=["北京市"], overrides=example)
    assert not r.ambiguous
    assert (r.region_code, r.canonical, r.parent) == ("220104", "长春市朝阳区人民政府", "长春市人民政府")


def test_traditional_name_finds_a_simplified_entry(example):
    r = resolve_organ("朝陽區 人民政府", overrides=example)
    assert r.region_code == "220104"


def test_names_not_in_the_file_resolve_as_usual(example):
    assert resolve_organ("长沙县人民政府", overrides=example).region_code == "430121"


def test_kind_and_parent_overrides():
    ov = Overrides.from_toml(
        """
[[organ]]
name = "长沙市政务服务中心"
kind = "other"
parent = "长沙市人民政府办公厅"
parent_code = "430100"
"""
    )
    r = resolve_organ("长沙市政务服务中心", overrides=ov)
    assert (r.kind, r.region_code, r.parent, r.parent_code) == ("other", "430100", "长沙市人民政府办公厅", "430100")
    assert resolve_organ("长沙市政务服务中心").kind == "department"


def test_load_overrides_from_a_user_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[[organ]]\nname = "新华区人民政府"\nregion = "河北省沧州市新华区"\n', "utf-8")
    r = resolve_organ("新华区人民政府", overrides=load_overrides(path))
    assert (r.region_code, r.city, r.parent) == ("130902", "沧州市", "沧州市人民政府")


def test_unknown_kind_is_refused():
    with pytest.raises(ValidationError, match="kind must be one of"):
        Overrides.from_toml('[[organ]]\nname = "x"\nkind = "ministry"\n')


def test_unknown_field_and_table_are_refused():
    with pytest.raises(ValidationError):
        Overrides.from_toml('[[organ]]\nname = "x"\nregoin = "430121"\n')
    with pytest.raises(ValueError, match=r"\[\[organ\]\]"):
        Overrides.from_toml('[[organs]]\nname = "x"\n')


def test_region_that_names_no_single_division_is_refused():
    ov = Overrides.from_toml('[[organ]]\nname = "朝阳区人民政府"\nregion = "朝阳区"\n')
    with pytest.raises(ValueError, match="does not name exactly one division"):
        resolve_organ("朝阳区人民政府", overrides=ov)
    ov = Overrides.from_toml('[[organ]]\nname = "朝阳区人民政府"\nregion = "999999"\n')
    with pytest.raises(ValueError, match="no division with code"):
        resolve_organ("朝阳区人民政府", overrides=ov)
