#!/usr/bin/env python
"""Fuzz the reader at length: `scripts/fuzz.py --minutes 10`.

Runs the property of `tests/fuzz/test_fuzz.py` (damaged copies of the seeds and layout fixtures read without an
exception and without a number that is not printed) in batches until the time is up. Each failing input,
shrunk by hypothesis, is written to `--out` (one `.bin` per input, with a `.txt` saying what went wrong) and the
run goes on; the exit code is 1 when anything failed. Turn each failing input into a regression test under
tests/fuzz/.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import HypothesisWarning  # noqa: E402
from tests.fuzz.fuzzing import mutated, run_one  # noqa: E402

BATCH = 500


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long to run")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="where failing inputs are written")
    args = parser.parse_args()
    warnings.simplefilter("ignore", HypothesisWarning)  # long inputs make long reprs: noise, not findings
    end = time.monotonic() + 60 * args.minutes
    failures: dict[str, str] = {}
    last: list[tuple[bytes, str]] = []
    examples = 0

    @settings(max_examples=BATCH, deadline=None, database=None, print_blob=False,
              suppress_health_check=list(HealthCheck))
    @given(mutated())
    def prop(case: tuple[str, bytes]) -> None:
        nonlocal examples
        examples += 1
        name, data = case
        try:
            problems = run_one(data, name)
        except Exception:
            last.append((data, traceback.format_exc()))
            raise
        if problems:
            last.append((data, "\n".join(problems)))
            raise AssertionError(problems)

    batches = 0
    while time.monotonic() < end:
        batches += 1
        last.clear()
        try:
            prop()
        except Exception:  # a failure: hypothesis shrank it, and replayed the smallest input last
            if last:
                data, why = last[-1]
                digest = hashlib.sha256(data).hexdigest()[:16]
                if digest not in failures:
                    failures[digest] = why
                    args.out.mkdir(parents=True, exist_ok=True)
                    (args.out / f"{digest}.bin").write_bytes(data)
                    (args.out / f"{digest}.txt").write_text(f"{data!r}\n\n{why}\n", "utf-8")
                    print(f"FAIL {digest}: {data[:200]!r}\n{why.strip().splitlines()[-1]}", flush=True)
        print(f"batch {batches}: {examples} inputs, {len(failures)} distinct failures", flush=True)
    print(f"done: {examples} inputs in {args.minutes} min, {len(failures)} failing inputs in {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
