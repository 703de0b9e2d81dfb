"""Folding for matching: the fast paths give exactly what NFKC and OpenCC give line by line."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from gongkai.normalize import fold, fold_lines, fold_simplified, nfkc, squeeze, to_simplified

_SAMPLE = "（）：，；。、——－～　 \t①㈠ＡＢ１２３abc123政府資訊公開條例申請數量个"
_CHARS = st.sampled_from(list(_SAMPLE)) | st.characters()


def _reference(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(str.maketrans({"—": "-", "–": "-", "−": "-", "－": "-",
                                                                        "～": "~"}))


@given(st.text(_CHARS, max_size=40))
def test_fold_simplified_is_nfkc_with_dashes_unified(text):
    assert fold_simplified(text) == _reference(text)


@given(st.text(_CHARS, max_size=40))
def test_nfkc_is_unicodedata_nfkc(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_full_width_forms_fold_to_ascii():
    assert fold_simplified("（一）予以公开：１２３，　共计") == "(一)予以公开:123, 共计"
    assert fold_simplified("①㈠") == "1(一)"


@given(st.lists(st.text(_CHARS, max_size=30), max_size=8))
def test_fold_lines_is_each_line_folded(lines):
    folded, traditional = fold_lines(lines)
    assert folded == [squeeze(fold(t)) for t in lines]
    assert traditional == any(to_simplified(t) != t for t in lines)


def test_fold_lines_reports_traditional_characters():
    folded, traditional = fold_lines(["政府資訊公開", "申請數量 12"])
    assert folded == ["政府资讯公开", "申请数量12"]
    assert traditional
