"""Tesseract kept loaded in this process (tesserocr) reads every cell exactly as the `tesseract`
program does, whether one engine reads a pass or two share it, and whatever was read before."""

from __future__ import annotations

import shutil

import pytest
from PIL import Image, ImageDraw, ImageFont

from gongkai.read import ocr
from gongkai.render.image import cjk_font_path
from tests.conftest import needs

pytestmark = [needs(ocr.available(), "Tesseract with chi_sim not installed"),
              needs(ocr._api_pool() is not None, "tesserocr not installed"),
              needs(shutil.which("tesseract") is not None, "the tesseract program not installed")]

_TEXTS = ["1204", "37", "0", "行政许可", "本年新收政府信息公开申请数量", "5 903", "-12", "其他", "86", "总计"]


def _cells(texts: list[str]) -> list[Image.Image]:
    path, index = cjk_font_path()
    font = ImageFont.truetype(path, 20, index=index)
    out = []
    for text in texts:
        img = Image.new("L", (len(text) * 22 + 40, 64), 255)
        ImageDraw.Draw(img).text((20, 18), text, fill=0, font=font)
        out.append(img)
    return out


@pytest.mark.parametrize(("lang", "whitelist"), [("chi_sim", None), ("chi_sim", "0123456789+-."),
                                                 ("eng", "0123456789+-.")])
def test_engine_reads_as_the_program(lang: str, whitelist: str | None, monkeypatch) -> None:
    images = _cells(_TEXTS * 2)
    in_process = ocr._tesseract(images, lang, 7, whitelist)
    monkeypatch.setattr(ocr, "_api_pool", lambda: None)
    assert in_process == ocr._tesseract(images, lang, 7, whitelist)


def test_parts_read_at_once_change_nothing(monkeypatch) -> None:
    images = _cells(_TEXTS * 2)
    monkeypatch.setattr(ocr, "OCR_THREADS", 1)
    alone = ocr._tesseract(images, ocr.LANG, 7)
    monkeypatch.setattr(ocr, "OCR_THREADS", 2)
    monkeypatch.setattr(ocr, "_MIN_PART", 3)
    assert ocr._tesseract(images, ocr.LANG, 7) == alone
    assert [t for t, _ in alone[:4]] == ["1204", "37", "0", "行政许可"]


def test_reading_does_not_depend_on_what_came_before() -> None:
    """An engine is reused from pass to pass (other settings, other cells): a cell reads the same."""
    images = _cells(_TEXTS)
    first = ocr._tesseract(images[:1], ocr.LANG, 7)
    ocr._tesseract(images[1:], ocr.LANG, 7, "0123456789")
    ocr._tesseract(images[3:], ocr.LANG, 6)
    assert ocr._tesseract(images[:1], ocr.LANG, 7) == first
