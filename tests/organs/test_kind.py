"""Kinds and deadlines of the seeds' organs (the rules live in formats/data/organs.toml)."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai.organs import deadline, organ_kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("长沙县人民政府", "government"),
        ("浏阳市人民政府", "government"),
        ("嶽陽縣人民政府", "government"),
        ("成安县", "government"),
        ("长沙市人民政府办公室", "department"),
        ("长沙县星沙街道办事处", "township"),
        ("长沙经济技术开发区管理委员会", "development_zone"),
        ("", "other"),
    ],
)
def test_organ_kind(name, kind):
    assert organ_kind(name) == kind


def test_deadlines():
    assert deadline("government", 2021) == date(2022, 3, 31)
    assert deadline("department", 2024) == date(2025, 1, 31)
    assert deadline("other", 2024) is None
