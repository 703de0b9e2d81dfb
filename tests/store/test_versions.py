"""One report, one version per content: the same report as a web page, a Word file and a PDF is one
version with several originals, the best reading current whatever the order of ingest; a revision (a
figure that differs) is a new version, with the figures it changed."""

from __future__ import annotations

import random
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from gongkai.cli import app
from gongkai.export import export
from gongkai.ingest import ingest
from gongkai.ingest.reparse import reparse
from gongkai.render.docx import synthetic_page, to_docx
from gongkai.render.layouts import render_html, render_text
from gongkai.render.synthetic import SyntheticReport, synthesize
from gongkai.stats import Selection, load
from gongkai.store import Store, reports
from gongkai.store.history import history
from gongkai.store.versions import Reading, place, same_report
from tests.conftest import needs

ORGAN = "浏阳市人民政府"


def _report(seed: int = 5) -> SyntheticReport:
    return synthesize("2021", random.Random(seed), organ=ORGAN, year=2022)


def _row_lost(rep: SyntheticReport) -> str:
    """A crawler's text of the report that lost table 3's 予以公开 label line: that row goes unread."""
    lines = render_text(rep, "lines").splitlines()
    i = next(i for i, line in enumerate(lines) if "（一）予以公开" in line)
    return "\n".join(lines[:i] + lines[i + 1:])


def _readings(store: Store) -> list[tuple[str, int, bool, bool]]:
    with store.reading() as conn:
        rows = conn.execute(select(reports.c.path, reports.c.version, reports.c.is_best, reports.c.is_current)
                            .order_by(reports.c.id)).all()
    return [(Path(p).name, v, bool(b), bool(c)) for p, v, b, c in rows]


def _ingest_in_order(store: Store, files: list[Path]) -> list:
    return [ingest(store, [str(f)], workers=0) for f in files]  # one run each: the order of storing is fixed


def test_the_same_report_in_three_media_is_one_report_and_the_best_reading_counts(store: Store,
                                                                                 tmp_path: Path) -> None:
    rep = _report()
    docx = tmp_path / "report.docx"
    docx.write_bytes(to_docx(synthetic_page(rep)))
    page = tmp_path / "report.html"
    page.write_text(render_html(rep), encoding="utf-8")
    crawled = tmp_path / "crawled.txt"  # stored last, read worst: it must not become current
    crawled.write_text(_row_lost(rep), encoding="utf-8")
    runs = _ingest_in_order(store, [docx, page, crawled])
    assert [(s.stored, s.new_versions, s.other_originals) for s in runs] == [(1, 0, 0), (1, 0, 1), (1, 0, 1)]
    # Word and the page read every figure; the page is read without layout guesses: it counts.
    assert _readings(store) == [("report.docx", 1, False, False), ("report.html", 1, True, True),
                                ("crawled.txt", 1, False, False)]

    h = history(store, 1)
    assert h is not None and [len(v.readings) for v in h.versions] == [3]
    assert [r.id for r in load(store, Selection())] == [2]  # statistics count it once, from the page
    res = export(store, str(tmp_path / "all.csv"), fmt="csv", shape="wide", sel=Selection(all_versions=True))
    assert res.reports == 1


@needs(shutil.which("soffice") is not None, "LibreOffice not installed")
def test_html_docx_and_pdf_of_one_report_are_one_version(store: Store, tmp_path: Path) -> None:
    from gongkai.render.pdf import docx_to_pdf

    rep = _report(11)
    docx_bytes = to_docx(synthetic_page(rep))
    files = {"report.pdf": docx_to_pdf(docx_bytes), "report.docx": docx_bytes,
             "report.html": render_html(rep).encode()}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    _ingest_in_order(store, [tmp_path / n for n in files])  # the PDF first, the page last
    assert [(n, v, c) for n, v, _b, c in _readings(store)] == [
        ("report.pdf", 1, False), ("report.docx", 1, False), ("report.html", 1, True)]


def test_a_revision_is_a_new_version_with_the_figures_it_changed(store: Store, tmp_path: Path) -> None:
    rep = _report()
    first = tmp_path / "v1.html"
    first.write_text(render_html(rep), encoding="utf-8")
    ingest(store, [str(first)], workers=0)
    before = rep.values["proactive"]["licensing"]["decisions"]
    rep.values["proactive"]["licensing"]["decisions"] = before + 3  # a corrected figure
    revised = tmp_path / "v2.docx"
    revised.write_bytes(to_docx(synthetic_page(rep)))
    s = ingest(store, [str(revised)], workers=0)
    assert (s.new_versions, s.other_originals, len(s.revisions)) == (1, 0, 1)
    assert _readings(store) == [("v1.html", 1, True, False), ("v2.docx", 2, True, True)]
    h = history(store, s.revisions[0])
    assert h is not None
    (change,) = h.versions[1].changes
    assert (change.table, change.row, change.column, change.before, change.after) == (
        "proactive", "licensing", "decisions", before, before + 3)

    shown = CliRunner().invoke(app, ["versions", str(s.revisions[0]), "--db", store.url])
    assert shown.exit_code == 0, shown.output
    assert "第 2 版（当前版本）" in shown.output and "与第 1 版相比 1 格不同" in shown.output
    assert f"{before} → {before + 3}" in shown.output


def test_an_earlier_version_arriving_late_joins_its_version_and_the_latest_stays_current(
        store: Store, tmp_path: Path) -> None:
    rep = _report()
    old_page = tmp_path / "old.html"
    old_page.write_text(render_html(rep), encoding="utf-8")
    old_doc = to_docx(synthetic_page(rep))
    rep.values["proactive"]["licensing"]["decisions"] += 1
    new_page = tmp_path / "new.html"
    new_page.write_text(render_html(rep), encoding="utf-8")
    late = tmp_path / "old.docx"
    late.write_bytes(old_doc)
    _ingest_in_order(store, [old_page, new_page, late])
    assert _readings(store) == [("old.html", 1, True, False), ("new.html", 2, True, True),
                                ("old.docx", 1, False, False)]


def test_reparse_keeps_one_version_per_report(store: Store, tmp_path: Path) -> None:
    rep = _report()
    for name, data in (("a.html", render_html(rep).encode()), ("a.docx", to_docx(synthetic_page(rep)))):
        (tmp_path / name).write_bytes(data)
    _ingest_in_order(store, [tmp_path / "a.docx", tmp_path / "a.html"])
    before = _readings(store)
    reparse(store, workers=0)
    assert _readings(store) == before == [("a.docx", 1, False, False), ("a.html", 1, True, True)]


def _reading(rid: int, title: str, figures: dict, media: str = "text/html", errors: int = 0) -> Reading:
    return Reading(rid, title, ORGAN, date(2023, 1, 20), media, errors, 0, datetime(2023, 1, rid, tzinfo=UTC),
                   figures=figures)


def test_titles_compare_folded_and_a_differing_figure_is_a_revision() -> None:
    a = _reading(1, "浏阳市人民政府2022年政府信息公开工作年度报告", {("requests", "granted", "total"): 5.0})
    spaced = _reading(2, "浏阳市人民政府 2022 年政府信息公开工作年度报告 ", {("requests", "granted", "total"): 5.0})
    traditional = _reading(3, "瀏陽市人民政府2022年政府信息公開工作年度報告", {})
    revised = _reading(4, a.title or "", {("requests", "granted", "total"): 6.0})
    other = _reading(5, "浏阳市人民政府2022年政府信息公开工作年度报告（更正）", {("requests", "granted", "total"): 5.0})
    assert same_report(a, spaced)
    assert not same_report(a, revised)
    assert not same_report(a, other)  # another title, even with the same figures: not merged by guess
    placed = place([a, spaced, revised, traditional])
    assert [(placed[i].version, placed[i].is_best, placed[i].is_current) for i in (1, 2, 3, 4)] == [
        (1, True, False), (1, False, False), (1, False, False), (2, True, True)]


def test_the_best_reading_is_the_most_complete_then_the_most_exact() -> None:
    full = {("requests", "granted", k): 1.0 for k in ("total", "natural_person")}
    part = {("requests", "granted", "total"): 1.0}
    t = "某局2022年政府信息公开工作年度报告"
    pdf = _reading(1, t, full, "application/pdf")
    html_fewer = _reading(2, t, part, "text/html")
    docx_errors = _reading(3, t, full, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                           errors=1)
    assert {i for i, p in place([pdf, html_fewer, docx_errors]).items() if p.is_best} == {1}
    html_full = _reading(4, t, full, "text/html")
    assert {i for i, p in place([pdf, html_fewer, html_full]).items() if p.is_current} == {4}


def test_a_store_from_before_gets_one_version_per_report_on_upgrade(store: Store, tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import update

    from gongkai.store.db import _alembic_config, upgrade

    rep = _report()
    for name, data in (("a.html", render_html(rep).encode()), ("a.docx", to_docx(synthetic_page(rep)))):
        (tmp_path / name).write_bytes(data)
    _ingest_in_order(store, [tmp_path / "a.docx", tmp_path / "a.html"])
    with store.writing() as conn:  # as revision 0001 numbered them: each original a version, the last current
        r = reports.c
        conn.execute(update(reports).where(r.path.endswith("a.html")).values(version=2))
        conn.execute(update(reports).where(r.path.endswith("a.docx")).values(is_best=True))
        command.downgrade(_alembic_config(conn), "0001")
    upgrade(store.engine)
    assert _readings(store) == [("a.docx", 1, False, False), ("a.html", 1, True, True)]
