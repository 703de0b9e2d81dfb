"""Files that are not annual reports, as a user meets them on the command line: `parse` and `check`
exit 1 with `not_a_report`, `ingest` stores none of them and says why; real reports still pass."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest

from gongkai.render.layouts import render_html, render_text
from gongkai.render.synthetic import synthesize
from tests.cli.test_parse_cli import GONGKAI
from tests.conftest import SEEDS
from tests.extract.test_gate import CSS, JS, JSON_DATA, NEWS, NOVEL, TABLES_LOST

NOT_REPORTS = {
    "data.json": JSON_DATA,
    "style.css": CSS,
    "app.js": JS,
    "novel.txt": NOVEL,
    "news.txt": NEWS,
    "date.txt": "2024 12 31\n",
    "price.txt": "¥ 2024 12 31\n",
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GONGKAI, *args], capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def not_reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("not_reports")
    paths = []
    for name, text in NOT_REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    try:
        from PIL import Image
    except ImportError:
        return paths
    rng = random.Random(5)
    im = Image.new("RGB", (200, 120))
    im.putdata([(rng.randrange(256),) * 3 for _ in range(200 * 120)])
    im.save(folder / "noise.png")
    paths.append(folder / "noise.png")
    return paths


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The seeds, a few rendered synthetic reports, and a report whose tables were pictures."""
    folder = tmp_path_factory.mktemp("reports")
    paths = sorted(SEEDS.iterdir())
    for k, (fmt, layout) in enumerate([("2021", "cells"), ("2019", "pipes"), ("2021", "pdf"), ("2019", "html")]):
        rep = synthesize(fmt, random.Random(20 + k))
        text = render_html(rep) if layout == "html" else render_text(rep, layout)  # type: ignore[arg-type]
        path = folder / f"synthetic_{k}.{'html' if layout == 'html' else 'txt'}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    (folder / "tables_lost.txt").write_text(TABLES_LOST, encoding="utf-8")
    return [*paths, folder / "tables_lost.txt"]


def test_parse_refuses_what_is_not_a_report(not_reports: list[Path]):
    out = run("parse", "--json", *map(str, not_reports))
    assert out.returncode == 1, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == len(not_reports)
    assert [r.get("error", {}).get("code") for r in rows] == ["not_a_report"] * len(not_reports), \
        [(r["source"]["path"], r.get("error")) for r in rows]


def test_parse_summary_says_it_is_not_a_report(not_reports: list[Path]):
    out = run("parse", str(not_reports[0]))
    assert out.returncode == 1
    assert "Traceback" not in out.stderr


def _empty_store(tmp_path: Path) -> str:
    """A store with no report in it: the cross-year rules have nothing to compare."""
    from gongkai.store import open_store

    path = tmp_path / "empty.sqlite"
    open_store(str(path)).close()
    return str(path)


def test_check_refuses_what_is_not_a_report(not_reports: list[Path], tmp_path: Path):
    out = run("check", "--json", "--db", _empty_store(tmp_path), *map(str, not_reports))
    assert out.returncode == 1, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    findings = [f for f in lines if "code" in f]
    assert {f["source"] for f in findings} == set(map(str, not_reports))
    assert {f["code"] for f in findings} == {"completeness.not_a_report"}
    assert [r["valid"] for r in lines if "valid" in r] == [False] * len(not_reports)


def test_check_fails_a_file_that_is_not_a_report_even_with_fail_on_never(not_reports: list[Path], tmp_path: Path):
    out = run("check", "--fail-on", "never", "--db", _empty_store(tmp_path), str(not_reports[0]))
    assert out.returncode == 1
    assert "completeness.not_a_report" in out.stdout


def test_ingest_stores_none_of_them(not_reports: list[Path], reports: list[Path], tmp_path: Path):
    db = tmp_path / "tmp.sqlite"
    out = run("ingest", "--db", str(db), "--no-progress", "--json", *map(str, not_reports), str(reports[0]))
    assert out.returncode == 1, out.stderr
    summary = json.loads(out.stdout)
    assert summary["stored"] == 1
    assert sorted(Path(f["path"]).name for f in summary["failed"]) == sorted(p.name for p in not_reports)
    assert {f["reason"] for f in summary["failed"]} == {"not_a_report"}
    text = run("ingest", "--db", str(db), "--no-progress", str(not_reports[0]))
    assert "not_a_report" in text.stdout and "入库 0" in text.stdout


def test_reports_are_still_reports(reports: list[Path], tmp_path: Path):
    out = run("parse", "--json", *map(str, reports))
    assert out.returncode == 0, [json.loads(line).get("error") for line in out.stdout.splitlines()]
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert not any("error" in r for r in rows)
    checked = run("check", "--json", "--fail-on", "never", "--db", _empty_store(tmp_path), *map(str, reports))
    assert checked.returncode == 0, checked.stdout[-2000:]
    assert "completeness.not_a_report" not in checked.stdout


def test_a_report_is_stored(reports: list[Path], tmp_path: Path):
    out = run("ingest", "--db", str(tmp_path / "tmp.sqlite"), "--no-progress", "--json", *map(str, reports))
    summary = json.loads(out.stdout)
    assert out.returncode == 0, summary["failed"]
    assert summary["stored"] == len(reports)
