"""Kill ingest's workers (SIGKILL) at random moments and verify that nothing is lost.

    .venv/bin/python scripts/kill_workers.py                 # 20 trials, 300 reports, 2 workers
    .venv/bin/python scripts/kill_workers.py --trials 50 --kills 3 --reports 300 --workers 4

Writes `--reports` generated reports (distinct content: each one must be stored) to a temporary folder,
times one undisturbed `gongkai ingest` of them, then runs `--trials` ingests, each into a fresh SQLite file,
and kills `--kills` worker processes of each (a random child of the ingest process, at a random moment
within the time the undisturbed run's workers were at work, counted from their appearance). A trial passes
when the ingest ends by itself (within `--deadline` seconds), prints no traceback, reports every file stored
(a file whose worker was killed twice, possible with `--kills` > 1, may instead be failed as `worker_crashed`:
then `ingest --retry-failed` must store it), and the store holds every input's content (by SHA-256) and a
report for it, with nothing logged as failed but what the summary reported.
Linux only (workers are found through /proc).
Exit code: 0 when every trial passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-c", "from gongkai.cli import main; main()"]
ORGANS = ("长沙县人民政府", "浏阳市人民政府", "长沙市教育局", "岳阳县人民政府", "宁乡市财政局", "株洲市天元区人民政府")


def write_reports(folder: Path, n: int, seed: int) -> list[Path]:
    from gongkai.render.layouts import render_text
    from gongkai.render.synthetic import synthesize

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        fmt = rng.choice(["2021", "2019"])
        year = rng.randint(2021, 2024) if fmt == "2021" else rng.randint(2019, 2020)
        rep = synthesize(fmt, rng, organ=rng.choice(ORGANS), year=year)
        p = folder / f"r{i:05d}.txt"
        p.write_text(render_text(rep, rng.choice(["cells", "lines", "pipes"])), encoding="utf-8")
        out.append(p)
    return out


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (ingest's workers)."""
    import psutil

    try:
        return [c.pid for c in psutil.Process(pid).children()]
    except psutil.NoSuchProcess:
        return []


def run_ingest(folder: Path, db: Path, workers: int, kill_at: list[float], rng: random.Random,
               deadline: float) -> tuple[subprocess.CompletedProcess[str] | None, float, int]:
    """One ingest, killing a worker at each moment of `kill_at` (seconds after its workers first appear):
    (result or None if it did not end within `deadline`, seconds the workers were there (until the ingest ended,
    when there are kills), kills that hit)."""
    started = time.monotonic()
    proc = subprocess.Popen([*CLI, "ingest", str(folder), "--db", str(db), "-j", str(workers), "--no-progress",
                             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while proc.poll() is None and not children(proc.pid) and time.monotonic() - started < deadline:
        time.sleep(0.005)
    appeared = time.monotonic()
    gone = None
    if not kill_at:  # the undisturbed run: how long are the workers there?
        while proc.poll() is None and children(proc.pid):
            time.sleep(0.005)
        gone = time.monotonic()
    hits = 0
    for moment in sorted(kill_at):
        while time.monotonic() - appeared < moment and proc.poll() is None:
            time.sleep(0.005)
        found = children(proc.pid) if proc.poll() is None else []
        if found:
            try:
                os.kill(rng.choice(found), signal.SIGKILL)
                hits += 1
            except ProcessLookupError:
                pass
    try:
        out, err = proc.communicate(timeout=max(1.0, deadline - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None, time.monotonic() - appeared, hits
    took = (gone or time.monotonic()) - appeared
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), took, hits


def verify(result: subprocess.CompletedProcess[str] | None, db: Path, shas: set[str]) -> tuple[list[str], int]:
    """What is wrong with a trial (nothing: an empty list), and how many files it failed with
    `worker_crashed` (their worker killed twice: recorded, and to be stored by `--retry-failed`)."""
    if result is None:
        return ["the ingest did not end (hung)"], 0
    problems = []
    if "Traceback" in result.stderr:
        problems.append("a traceback on stderr")
    try:
        summary = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return [*problems, f"no JSON summary: {result.stdout[-300:]!r} {result.stderr[-300:]!r}"], 0
    crashed = [f for f in summary["failed"] if f["reason"] == "worker_crashed"]
    if result.returncode != (1 if summary["failed"] else 0):
        problems.append(f"exit code {result.returncode}")
    if summary["stored"] + len(crashed) != len(shas) or len(crashed) != len(summary["failed"]):
        problems.append(f"stored {summary['stored']} of {len(shas)}, failed {summary['failed']}")
    with sqlite3.connect(db) as conn:
        stored = {r[0] for r in conn.execute("SELECT sha256 FROM originals")}
        with_report = {r[0] for r in conn.execute("SELECT sha256 FROM reports")}
        failed = conn.execute("SELECT count(*) FROM ingest_log WHERE status = 'failed'").fetchone()[0]
    if len(stored & shas) + len(crashed) != len(shas) or with_report != stored:
        problems.append(f"store holds {len(stored & shas)} originals and {len(with_report & shas)} reports "
                        f"of {len(shas)} inputs")
    if failed != len(crashed):
        problems.append(f"{failed} failures logged, {len(crashed)} reported")
    return problems, len(crashed)


def retry(db: Path, shas: set[str]) -> list[str]:
    """`ingest --retry-failed`: afterwards every input must be stored."""
    out = subprocess.run([*CLI, "ingest", "--retry-failed", "--db", str(db), "--no-progress", "--json"],
                         capture_output=True, text=True, timeout=300)
    with sqlite3.connect(db) as conn:
        stored = {r[0] for r in conn.execute("SELECT sha256 FROM reports")}
    if out.returncode != 0 or stored != shas:
        return [f"--retry-failed: exit {out.returncode}, {len(stored & shas)} of {len(shas)} stored"]
    return []


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--kills", type=int, default=1, help="workers killed per trial")
    ap.add_argument("--reports", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--deadline", type=float, default=300.0, help="seconds after which a trial counts as hung")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="gongkai-kill-") as tmp:
        folder = Path(tmp) / "reports"
        paths = write_reports(folder, args.reports, args.seed)
        shas = {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
        base, seconds, _ = run_ingest(folder, Path(tmp) / "base.db", args.workers, [], rng, args.deadline)
        problems, _ = verify(base, Path(tmp) / "base.db", shas)
        if problems or _:
            print(f"undisturbed run failed: {'; '.join(problems)}")
            return 1
        print(f"{args.reports} reports, {args.workers} workers: undisturbed ingest, workers at work for "
              f"{seconds:.1f} s", flush=True)
        passed = hits_total = 0
        for trial in range(1, args.trials + 1):
            db = Path(tmp) / f"trial{trial}.db"
            moments = [rng.uniform(0.05, 0.8) * seconds for _ in range(args.kills)]
            result, took, hits = run_ingest(folder, db, args.workers, moments, rng, args.deadline)
            problems, crashed = verify(result, db, shas)
            if crashed and not problems:
                problems = retry(db, shas)
            hits_total += hits
            passed += not problems
            at = ", ".join(f"{m:.2f}" for m in sorted(moments))
            verdict = "ok: nothing lost" if not problems else "FAILED: " + "; ".join(problems)
            if crashed and not problems:
                verdict += f" ({crashed} file(s) killed twice: failed as worker_crashed, stored by --retry-failed)"
            print(f"trial {trial:3d}: killed {hits} worker(s) at {at} s; workers ran {took:.1f} s; {verdict}",
                  flush=True)
            db.unlink(missing_ok=True)
        print(f"{passed}/{args.trials} trials lost nothing ({hits_total} workers killed in all)")
        return 0 if passed == args.trials else 1


if __name__ == "__main__":
    sys.exit(main())
