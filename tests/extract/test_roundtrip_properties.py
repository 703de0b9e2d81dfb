"""Property tests: random reports that satisfy every identity, rendered in every layout, read back exactly.

`synthesize(fmt, random.Random(seed))` draws the figures; hypothesis draws the seed and the ways a page
departs from the clean rendering (zeros printed blank, `-` or `/`; navigation and footer debris; Traditional
characters; GBK bytes). Whatever the layout, every cell and the meta must come back as generated.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai import ReadError, is_report, parse_bytes
from gongkai.formats import get_format
from gongkai.normalize import to_simplified
from gongkai.render.layouts import TEXT_LAYOUTS, render_html, render_text
from gongkai.render.synthetic import SyntheticReport, synthesize
from tests.conftest import LAYOUTS, SEEDS

TABLES = ("proactive", "requests", "review_litigation")
NAV = "首页 > 政府信息公开 > 政府信息公开年报\n当前位置：首页\n???\n"
FOOTER = "\n扫一扫在手机打开\n关闭 打印\n版权所有：某市人民政府 网站标识码4300000000\n"
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _blank_zeros(rep: SyntheticReport, rng: random.Random, fillers: tuple[str, ...]) -> None:
    """Print some zero cells the way pages do: blank, `-`, `/` (they read 0, keeping their text)."""
    for table in TABLES:
        for row, cols in rep.values[table].items():
            for col, v in cols.items():
                if v == 0 and rng.random() < 0.5 and col not in rep.raws.get(table, {}).get(row, {}):
                    rep.raws.setdefault(table, {}).setdefault(row, {})[col] = rng.choice(fillers)


def _assert_read_back(rep: SyntheticReport, data: bytes) -> None:
    report = parse_bytes(data)
    assert is_report(report)
    m = report.meta
    # a Traditional page is read as printed; its Simplified form is what was generated
    assert (to_simplified(m.organ), m.year, m.published, m.format) == (rep.organ, rep.year, rep.published,
                                                                       rep.format)
    assert to_simplified(m.title) == f"{rep.organ}{rep.year}年政府信息公开工作年度报告"
    fmt = get_format(rep.format)
    for key in TABLES:
        table = report.table(key)
        assert table is not None, key
        assert table.format == rep.format
        assert not table.strays, table.strays
        for row, col in fmt.table(key).cell_keys():
            cell = table.cell(row, col)
            assert cell is not None, (key, row, col)
            assert cell.value == rep.values[key][row][col], (key, row, col, cell.raw)
            assert to_simplified(cell.raw.strip()) == rep.raw(key, row, col).strip() or (
                not cell.raw.strip() and not rep.raw(key, row, col).strip()), (key, row, col)
    assert not report.reading.truncated


formats = st.sampled_from(["2021", "2019"])
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@SETTINGS
@given(fmt=formats, seed=seeds, layout=st.sampled_from(TEXT_LAYOUTS), traditional=st.booleans(),
       debris=st.booleans(), blanks=st.booleans(), gbk=st.booleans())
def test_text_layouts_round_trip(fmt, seed, layout, traditional, debris, blanks, gbk):
    rng = random.Random(seed)
    rep = synthesize(fmt, rng)
    if blanks:  # a row on one line cannot show an empty cell: PDF text prints `-` or `/` for none
        _blank_zeros(rep, rng, ("-", "/") if layout == "pdf" else ("\u00a0", "   ", "-", "/", "\u3000"))
    text = render_text(rep, layout, traditional=traditional)
    if debris:
        text = NAV + text + FOOTER
    data = text.encode("gb18030") if gbk else text.encode("utf-8")
    _assert_read_back(rep, data)


@SETTINGS
@given(fmt=formats, seed=seeds, blanks=st.booleans(), gbk=st.booleans())
def test_html_round_trip(fmt, seed, blanks, gbk):
    rng = random.Random(seed)
    rep = synthesize(fmt, rng)
    if blanks:
        _blank_zeros(rep, rng, ("\u00a0", "-", "/"))
    html = render_html(rep)
    data = html.replace('charset="utf-8"', 'charset="gbk"').encode("gb18030") if gbk else html.encode("utf-8")
    _assert_read_back(rep, data)


REAL_PAGES = [p.read_bytes() for p in sorted(SEEDS.iterdir())] + [
    (LAYOUTS / n).read_bytes() for n in ("html_page.html", "gbk_meta.html", "pdf_text.txt", "pipes.txt")]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_only_ever_raise_read_error(data):
    try:
        parse_bytes(data)
    except ReadError as exc:
        assert exc.code and exc.message


@settings(max_examples=80, deadline=None)
@given(page=st.sampled_from(range(len(REAL_PAGES))), cut=st.floats(0, 1), junk=st.binary(max_size=64))
def test_truncated_and_damaged_real_pages_never_crash(page, cut, junk):
    data = REAL_PAGES[page]
    data = data[: int(len(data) * cut)] + junk
    try:
        report = parse_bytes(data)
    except ReadError:
        return
    for key in TABLES:  # whatever was read is a real cell of the page, never a made-up figure
        table = report.table(key)
        if table is None:
            continue
        for cols in table.cells.values():
            for cell in cols.values():
                assert cell is None or cell.value is None or cell.raw.strip() == "" or any(
                    ch.isdigit() for ch in cell.raw) or cell.raw.strip() in ("-", "/", "无", "—", "\\", "空", "×")
