"""Start-up of the command line: how long `gongkai --help` and `gongkai parse ONE_FILE` take, end to end,
each in a fresh subprocess, best of N runs (target: `gongkai parse` on one file ≤ 0.3 s).

    .venv/bin/python benchmarks/bench_startup.py [--runs 15] [--file ../shared/corpus/synthetic/0000.txt]
    .venv/bin/python benchmarks/bench_startup.py --cmd "/path/to/other/python -m gongkai.cli"   # another build

Byte-compiled modules are cached as for an installed package (PYTHONDONTWRITEBYTECODE is dropped and the
cache goes to a temporary PYTHONPYCACHEPREFIX, so the checkout is not touched); one warm-up run fills it.
Besides wall time, the CPU time of each child (user + system, from wait4) is reported: on a shared
machine it varies less. For scale, the same is measured for a bare interpreter, for importing the
command line alone, and for importing the reader and extractor (what `parse` needs before it reads a byte).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "synthetic"


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `cmd` (output discarded)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # 1: a file that is not a report still started up fine
        raise SystemExit(f"{shlex.join(cmd)} exited with {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(label: str, cmd: list[str], env: dict[str, str], runs: int) -> float:
    run_once(cmd, env)  # warm-up: byte-code cache, page cache
    walls, cpus = zip(*(run_once(cmd, env) for _ in range(runs)), strict=True)
    best = min(walls)
    print(f"{label:<34} best {best * 1000:6.0f} ms   median {sorted(walls)[runs // 2] * 1000:6.0f} ms   "
          f"CPU best {min(cpus) * 1000:6.0f} ms")
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--file", type=Path, default=CORPUS / "0000.txt", help="the one report `parse` reads")
    ap.add_argument("--cmd", help="how to run gongkai (default: the gongkai script beside this Python)")
    a = ap.parse_args()
    gongkai = shlex.split(a.cmd) if a.cmd else [str(Path(sys.executable).with_name("gongkai"))]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory(prefix="pycache-") as cache:
        env["PYTHONPYCACHEPREFIX"] = cache
        py = [sys.executable]
        print(f"{a.runs} runs each; {a.file}")
        measure("python -c pass", [*py, "-c", "pass"], env, a.runs)
        if not a.cmd:  # these import the gongkai this Python finds, not the one --cmd runs
            measure("import gongkai.cli", [*py, "-c", "import gongkai.cli"], env, a.runs)
            measure("import gongkai.extract (reader)", [*py, "-c", "import gongkai.extract, gongkai.read"], env,
                    a.runs)
        measure("gongkai --help", [*gongkai, "--help"], env, a.runs)
        best = measure("gongkai parse ONE", [*gongkai, "parse", str(a.file)], env, a.runs)
        measure("gongkai parse --json ONE", [*gongkai, "parse", "--json", str(a.file)], env, a.runs)
    print(f"`gongkai parse` on one file: {best:.3f} s (target ≤ 0.3 s)")


if __name__ == "__main__":
    main()
