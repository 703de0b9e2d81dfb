"""`gongkai check` finds the previous year's report of the same organ in the store (`--db`)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from gongkai.render.layouts import render_text
from gongkai.render.synthetic import synthesize

GONGKAI = [str(Path(sys.executable).with_name("gongkai"))]


def _write(tmp: Path, name: str, year: int, seed: int) -> tuple[Path, dict]:
    rep = synthesize("2021", random.Random(seed), organ="浏阳市人民政府", year=year)
    path = tmp / name
    path.write_text(render_text(rep, "cells"), encoding="utf-8")
    return path, rep.values["requests"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GONGKAI, *args], capture_output=True, text=True, timeout=300)


def test_previous_year_is_looked_up_in_the_store(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    last, last_values = _write(tmp_path, "2022.txt", 2022, seed=1)
    this, this_values = _write(tmp_path, "2023.txt", 2023, seed=2)
    assert this_values["carried_over"]["total"] != last_values["carried_forward"]["total"]
    ingest = _run("ingest", "--db", str(db), "--no-progress", str(last))
    assert ingest.returncode == 0, ingest.stderr

    result = _run("check", "--json", "--db", str(db), str(this))
    findings = [json.loads(line) for line in result.stdout.splitlines()]
    carried = [f for f in findings if f.get("code") == "years.carried_over"]
    assert carried, result.stdout
    total = next(f for f in carried if f["cells"][0]["column"] == "total")
    assert total["expected"] == last_values["carried_forward"]["total"]
    assert total["actual"] == this_values["carried_over"]["total"]


def test_a_named_store_that_does_not_exist_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    """`--db` with a mistyped path says so (it must not pass for "no previous report"); nothing is created."""
    db = tmp_path / "absent.db"
    this, _ = _write(tmp_path, "2023.txt", 2023, seed=2)
    result = _run("check", "--json", "--db", str(db), str(this))
    assert result.returncode == 3 and "store_missing" in result.stderr and "Traceback" not in result.stderr
    assert not db.exists()


def test_without_a_store_named_there_is_no_cross_year_finding_and_no_store_is_created(tmp_path: Path) -> None:
    """With no `--db` and no store in the user's data folder yet, the cross-year rules have nothing to compare."""
    import os

    this, _ = _write(tmp_path, "2023.txt", 2023, seed=2)
    env = {k: v for k, v in os.environ.items() if k != "GONGKAI_DB"} | {"XDG_DATA_HOME": str(tmp_path / "data")}
    result = subprocess.run([*GONGKAI, "check", "--json", str(this)], capture_output=True, text=True, timeout=300,
                            env=env)
    codes = {json.loads(line).get("code") for line in result.stdout.splitlines()}
    assert result.returncode in (0, 1) and not any(str(c).startswith("years.") for c in codes)
    assert not (tmp_path / "data").exists()
