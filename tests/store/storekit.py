"""Test kit for the store, stats and export tests: a store fixture over SQLite and PostgreSQL, and
synthetic report files. Imported by the conftest of each of those test directories."""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from gongkai.render.layouts import render_text
from gongkai.render.synthetic import SyntheticReport, synthesize
from gongkai.store import Store, open_store

PG_ENV = "GONGKAI_TEST_PG_URL"
PG_SKIP = f"PostgreSQL tests need {PG_ENV} (scripts/services/postgres.sh sets it; CI always does)"
SEEDS = next(p for p in (Path(__file__).parents[2] / ".." / "shared" / "seeds",
                         Path(__file__).parents[1] / "fixtures" / "seeds") if p.is_dir())
# Organs the resolver places, with their regions, for generated corpora.
ORGANS = ("长沙县人民政府", "浏阳市人民政府", "长沙市人民政府办公室", "长沙市教育局", "岳阳县人民政府",
          "成安县人民政府", "宁乡市财政局", "株洲市天元区人民政府", "湘潭市自然资源和规划局", "岳阳市财政局")


def gongkai_exe() -> str:
    exe = Path(sys.executable).parent / "gongkai"
    return str(exe) if exe.exists() else shutil.which("gongkai") or "gongkai"


def _fresh_pg_database(base: str) -> str:
    url = make_url(base)
    name = f"gk_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    for attempt in range(10):  # concurrent CREATE DATABASE (another test session) can fail transiently
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\''))
            break
        except DBAPIError:
            if attempt == 9:
                raise
            time.sleep(0.5)
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(db_url: str) -> None:
    url = make_url(db_url)
    base = url.set(database=make_url(os.environ[PG_ENV]).database)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    # FORCE cannot end a backend of another role: an autovacuum worker that started on the database (after a test
    # wrote much to it) makes the drop fail until it finishes, so try again for a few seconds.
    for attempt in range(20):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            break
        except DBAPIError:
            if attempt == 19:
                raise
            time.sleep(0.5)
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("CI"):  # CI starts PostgreSQL (scripts/services/postgres.sh): its absence is a failure
            pytest.fail(f"{PG_ENV} is not set in CI")
        pytest.skip(PG_SKIP)
    url = _fresh_pg_database(base)
    try:
        yield url
    finally:
        _drop_pg_database(url)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()


def synthetic(seed: int, *, organ: str | None = None, year: int | None = None,
              fmt: str | None = None) -> SyntheticReport:
    rng = random.Random(seed)
    fmt = fmt or rng.choice(["2021", "2019"])
    if year is None:
        year = rng.randint(2021, 2024) if fmt == "2021" else rng.randint(2019, 2020)
    return synthesize(fmt, rng, organ=organ or rng.choice(ORGANS), year=year)


def render(rep: SyntheticReport, seed: int = 0) -> str:
    return render_text(rep, random.Random(seed).choice(["cells", "lines", "pipes"]))


def write_reports(folder: Path, n: int, *, seed: int = 0, distinct: bool = False) -> list[Path]:
    """`n` generated report files. `distinct`: no two share organ and year (so no versions)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        s = seed * 100_000 + i
        if distinct:
            organ = f"{ORGANS[i % len(ORGANS)]}"
            year = 2019 + i // len(ORGANS)
            rep = synthetic(s, organ=organ, year=year, fmt="2019" if year < 2021 else "2021")
        else:
            rep = synthetic(s)
        p = folder / f"r{i:05d}.txt"
        p.write_text(render(rep, s), encoding="utf-8")
        out.append(p)
    return out
