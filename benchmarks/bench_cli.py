"""End to end through the command line, on realistic inputs: the development corpus
(`../shared/corpus/synthetic`: 400 reports, text and HTML, every layout).

    .venv/bin/python benchmarks/bench_cli.py                    # parse --json (400 files), check --summary (10,000)
    .venv/bin/python benchmarks/bench_cli.py --parse-files 10000 --skip-check     # memory over 10,000 reports
    .venv/bin/python benchmarks/bench_cli.py --jobs 1 2 4 --runs 3 --cmd "/other/.venv/bin/gongkai"

Measures, each command in a fresh subprocess, with `-j 1` and `-j 2`:

1. `gongkai parse --json FILE…` over the corpus files (or `--parse-files N` of them, the corpus repeated):
   reports per second (target: ≥ 500 on one core), CPU time per report (user + system of the command and
   its worker processes, from wait4: steadier than wall time on a shared machine) and peak memory (the
   largest process; with workers, the parent and each worker are separate processes);
2. `gongkai check --summary @LIST` over the corpus repeated to 10,000 files (a temporary list file):
   wall time (targets: < 20 s with -j 1, < 12 s with -j 2).

The output is read through a pipe and hashed, so the runs with different `-j` are shown to print the
same bytes. Run with the machine otherwise idle; best of `--runs`.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "synthetic"


@dataclass
class Run:
    wall: float
    cpu: float
    max_rss_mib: float
    code: int
    digest: str


def run(cmd: list[str], env: dict[str, str]) -> Run:
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    digest = hashlib.sha256()
    for chunk in iter(lambda: proc.stdout.read(1 << 16), b""):  # type: ignore[union-attr]
        digest.update(chunk)
    _, status, usage = os.wait4(proc.pid, 0)  # the child and the worker processes it waited for
    wall = time.perf_counter() - t
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code, digest.hexdigest()[:12])


def best_of(cmd: list[str], env: dict[str, str], runs: int) -> Run:
    results = [run(cmd, env) for _ in range(runs)]
    if len({r.digest for r in results}) != 1:
        print("  ! output differs between runs of the same command")
    return min(results, key=lambda r: r.wall)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--cmd", help="how to run gongkai (default: the gongkai script beside this Python)")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--runs", type=int, default=1, help="best of N runs of each command")
    ap.add_argument("--parse-files", type=int, default=0, help="parse this many files (the corpus repeated); "
                                                                "default: the corpus once")
    ap.add_argument("--check-files", type=int, default=10_000)
    ap.add_argument("--skip-parse", action="store_true")
    ap.add_argument("--skip-check", action="store_true")
    a = ap.parse_args()
    gongkai = shlex.split(a.cmd) if a.cmd else [str(Path(sys.executable).with_name("gongkai"))]
    files = sorted(str(p) for p in a.corpus.iterdir() if p.suffix in (".txt", ".html", ".htm"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # `check --summary` lists rules failing equally often in the order the codes were first counted,
    # which follows string hashing: a fixed seed makes outputs comparable between runs.
    env["PYTHONHASHSEED"] = "0"
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")  # byte code cached, as when installed
        subprocess.run([*gongkai, "--help"], stdout=subprocess.DEVNULL, env=env, check=True)
        print(f"corpus: {a.corpus} ({len(files)} files); {a.runs} run(s) each, best shown")
        if not a.skip_parse:
            n = a.parse_files or len(files)
            listing = Path(tmp) / "parse.list"
            listing.write_text("\n".join(itertools.islice(itertools.cycle(files), n)) + "\n", "utf-8")
            # Arguments, as a user would give them; a list file when there are too many for one command line.
            inputs = files if n == len(files) else [f"@{listing}"]
            for jobs in a.jobs:
                r = best_of([*gongkai, "parse", "--json", "-j", str(jobs), *inputs], env, a.runs)
                print(f"parse --json  -j {jobs}: {n} reports in {r.wall:6.2f} s = {n / r.wall:6.0f} reports/s; "
                      f"CPU {r.cpu / n * 1000:5.2f} ms/report; peak RSS {r.max_rss_mib:5.0f} MiB; "
                      f"exit {r.code}; output {r.digest}")
        if not a.skip_check:
            n = a.check_files
            listing = Path(tmp) / "check.list"
            listing.write_text("\n".join(itertools.islice(itertools.cycle(files), n)) + "\n", "utf-8")
            for jobs in a.jobs:
                r = best_of([*gongkai, "check", "--summary", "-j", str(jobs), f"@{listing}"], env, a.runs)
                target = {1: " (target < 20 s)", 2: " (target < 12 s)"}.get(jobs, "")
                print(f"check --summary -j {jobs}: {n} reports in {r.wall:6.2f} s{target} = {n / r.wall:5.0f} "
                      f"reports/s; CPU {r.cpu / n * 1000:5.2f} ms/report; peak RSS {r.max_rss_mib:5.0f} MiB; "
                      f"exit {r.code}; output {r.digest}")


if __name__ == "__main__":
    main()
