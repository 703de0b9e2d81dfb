"""The supervisor of bounded workers on its own: every item gets exactly one outcome; a worker that dies on
an item is replaced and the item retried once alone (so a worker killed from outside loses nothing, and an
item that kills every worker fails as `worker_crashed`); a hung item is stopped at its time limit."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from gongkai.bounded import Failed, Limits, Supervisor, in_order


def _work(item: str) -> str:
    """Test work: `die` kills its worker every time, `die-once:<marker>` the first time only, `hang` sleeps."""
    if item == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    if item.startswith("die-once:"):
        marker = Path(item.split(":", 1)[1])
        if not marker.exists():
            marker.write_text("killed", encoding="utf-8")
            os.kill(os.getpid(), signal.SIGKILL)
    if item == "hang":
        time.sleep(600)
    return item.upper()


def _run(items: list[str], **kw: object) -> list[object]:
    sup: Supervisor[str, str] = Supervisor(_work, describe=lambda s: (s, 1, b""), **kw)  # type: ignore[arg-type]
    return [r for _, r in in_order(sup.run(items))]


def test_every_item_gets_one_outcome_in_spite_of_crashes_and_hangs(tmp_path: Path) -> None:
    once = f"die-once:{tmp_path / 'marker'}"
    items = ["a", "die", "b", once, "hang", *(f"x{i}" for i in range(30))]
    started = time.monotonic()
    out = _run(items, workers=2, limits=Limits(timeout=2), chunk_files=4)
    assert time.monotonic() - started < 60
    assert out[0] == "A" and out[2] == "B"
    assert isinstance(out[1], Failed) and out[1].code == "worker_crashed" and "信号 9" in out[1].message
    assert out[3] == once.upper()  # killed once, retried alone, done
    assert out[4] == Failed("timeout", "处理超时（超过 2 秒），已终止并跳过")
    assert out[5:] == [f"X{i}" for i in range(30)]


def test_a_single_worker_recovers_too() -> None:
    assert _run(["die", "a", "b"], workers=1, limits=Limits(timeout=0), chunk_files=8)[1:] == ["A", "B"]
