"""Long commands show a progress bar on the terminal (stderr), and the bar never gets into the results:
`parse --json` and `check` piped to a file while stderr is a terminal, and `export` to XLSX."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import seed_path

GONGKAI = [str(Path(sys.executable).parent / "gongkai")]
SEEDS = [str(seed_path(n)) for n in ("001", "002", "003")]


def _on_a_terminal(*args: str) -> tuple[str, str]:
    """Run with stderr on a pseudo-terminal and stdout to a file: (stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out_file:
        proc = subprocess.Popen([*GONGKAI, *args], stdout=out_file, stderr=slave, env=env)
        os.close(slave)
        shown = bytearray()
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal's other end closed: the command is done
                break
            if not chunk:
                break
            shown += chunk
        proc.wait(timeout=120)
        os.close(master)
        out_file.seek(0)
        return out_file.read(), shown.decode("utf-8", "replace")

def test_parse_json_to_a_file_shows_a_bar_and_keeps_every_result():
    out, shown = _on_a_terminal("parse", "--json", "-j", "1", *SEEDS)
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["source"]["path"] for r in results] == SEEDS
    assert "读取" in shown and "3/3" in shown
    assert "{" not in shown  # no result went to the terminal


def test_check_to_a_file_shows_a_bar():
    out, shown = _on_a_terminal("check", "-j", "1", *SEEDS)
    assert "核查" in shown and "3/3" in shown
    assert out.strip() and all(s.split("/")[-1] in out for s in SEEDS)


def test_export_to_xlsx_shows_a_bar_per_report(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'store.db'}"
    subprocess.run([*GONGKAI, "ingest", "--db", db, "--no-progress", *SEEDS], check=True, capture_output=True)
    out, shown = _on_a_terminal("export", "--db", db, "-o", str(tmp_path / "all.xlsx"))
    assert "导出" in shown and "3/3" in shown
    assert "导出 3 份报告" in out
