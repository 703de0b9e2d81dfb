"""A UTF-8 report with a few invalid bytes is read as UTF-8: the damage replaced and flagged, the rest exact."""

from __future__ import annotations

import pytest

from gongkai import parse_bytes
from gongkai.check import check
from gongkai.read.decode import decode
from tests.conftest import LAYOUTS, seed_path


def _tables(report) -> dict:
    dumped = report.model_dump()
    return {k: dumped[k] for k in ("proactive", "requests", "review_litigation", "legacy")}


@pytest.mark.parametrize(("number", "bad"), [("003", b"\xff"), ("004", b"\x80"), ("001", b"\xe4\xb8")])
def test_one_bad_byte_keeps_every_cell_and_the_meta(number: str, bad: bytes) -> None:
    clean = seed_path(number).read_bytes()
    at = clean.find("主动公开".encode()) + 3  # inside a heading, between two characters
    damaged = clean[:at] + bad + clean[at:]
    assert decode(damaged)[1] == "utf-8"
    a, b = parse_bytes(clean, "x.txt"), parse_bytes(damaged, "x.txt")
    assert b.meta == a.meta and a.meta.title
    assert _tables(b) == _tables(a)
    line = clean[:at].count(b"\n") + 1
    found = [f for f in check(b) if f.code == "integrity.decode_damaged"]
    assert [f.line for f in found] == [line]
    assert found[0].severity == "warning" and "无法解码" in found[0].message
    assert not [f for f in check(a) if f.code == "integrity.decode_damaged"]
    assert any(str(line) in note for note in b.reading.notes)


def test_a_bad_byte_inside_a_figure_leaves_that_cell_unread_not_changed() -> None:
    clean = seed_path("003").read_bytes()
    at = clean.index(b"\n400435") + 4  # 400435 → 400\xff435
    damaged = clean[:at] + b"\xff" + clean[at:]
    a, b = _cells(parse_bytes(clean, "x.txt")), _cells(parse_bytes(damaged, "x.txt"))
    (key,) = [k for k, c in a.items() if c is not None and c.raw.strip() == "400435"]
    assert b[key] is None or (b[key].value is None and "\ufffd" in b[key].raw)  # absent: never 400 or 435
    # the damaged cell's row may be left aside (a word among its figures); every other cell is kept exactly
    changed = {k for k in a if k != key and b[k] != a[k]}
    assert all(b[k] is None and k[:2] == key[:2] for k in changed), changed


def _cells(report) -> dict:
    return {(t, r, c): cell for t in ("proactive", "requests", "review_litigation") if (d := report.table(t))
            for r, cols in d.cells.items() for c, cell in cols.items()}


def test_other_encodings_are_still_recognised() -> None:
    assert decode((LAYOUTS / "gbk.txt").read_bytes())[1] == "gb18030"
    assert decode("主动公开政府信息情况".encode("gb18030") * 50)[1] == "gb18030"


def test_the_damage_is_in_parse_json(tmp_path) -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    clean = seed_path("003").read_bytes()
    at = clean.find("主动公开".encode()) + 3
    path = tmp_path / "damaged.txt"
    path.write_bytes(clean[:at] + b"\xff" + clean[at:])
    out = subprocess.run([str(Path(sys.executable).parent / "gongkai"), "parse", "--json", str(path)],
                         capture_output=True, text=True, timeout=60)
    notes = json.loads(out.stdout)["reading"]["notes"]
    assert len(notes) == 1 and notes[0].startswith("decode_damaged") and str(clean[:at].count(b"\n") + 1) in notes[0]
