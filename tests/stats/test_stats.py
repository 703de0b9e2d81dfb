"""Stats: indicators and their definitions, quantiles, consolidation (a city = the sum of its units),
year-over-year change, check-failure shares, cross-year continuity, rankings with a stated minimum."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from storekit import SEEDS, gongkai_exe, render, synthetic

from gongkai.formats import get_format
from gongkai.formats.schema import match_rows
from gongkai.ingest import ingest
from gongkai.stats import ReportRow, Selection, compute, consolidate, load, stats
from gongkai.stats.indicators import indicators, quantiles
from gongkai.store import Store


def _row(i: int, organ: str, year: int, cells: dict[str, float], codes: set[str] = frozenset()) -> ReportRow:
    return ReportRow(id=i, organ=organ, organ_key=organ, organ_kind="government", region_code=None, province="湖南省",
                     city="长沙市", county=None, year=year, format="2021", cells=dict(cells), codes=set(codes))


def _table3(**totals: int) -> dict[str, float]:
    """A whole 2021 table 3 (every cell read, identities holding): each row's figure from natural persons only,
    rows not named are 0; `total_processed` is the sum of the outcome rows, the balance is kept by carried_forward."""
    t = get_format("2021").table("requests")
    rows = [r.key for r in t.rows]
    outcome = [k for k in rows if k not in ("new_received", "carried_over", "total_processed", "carried_forward")]
    fig = dict.fromkeys(rows, 0) | {k.replace("__", "."): v for k, v in totals.items()}
    fig["total_processed"] = sum(fig[k] for k in outcome)
    fig["carried_forward"] = fig["new_received"] + fig["carried_over"] - fig["total_processed"]
    return {f"requests.{r}.{c.key}": (fig[r] if c.key in ("natural_person", "total") else 0)
            for r in rows for c in t.columns}


def test_indicator_definitions() -> None:
    c = {"requests.total_processed.total": 50, "requests.granted.total": 20, "requests.partially_granted.total": 5,
         "requests.withheld.state_secret.total": 2, "requests.withheld.third_party.total": 3,
         "requests.unavailable.not_held.total": 10, "requests.not_processed.duplicate.total": 5,
         "review_litigation.review.corrected": 1, "review_litigation.review.total": 6,
         "review_litigation.review.pending": 2,
         "review_litigation.litigation_direct.corrected": 1, "review_litigation.litigation_direct.total": 3,
         "review_litigation.litigation_direct.pending": 1, "review_litigation.litigation_after_review.corrected": 0,
         "review_litigation.litigation_after_review.total": 2, "review_litigation.litigation_after_review.pending": 0}
    ind = indicators(c)
    assert ind["disclosure_rate"] == pytest.approx(25 / 50)
    assert ind["withheld_rate"] == pytest.approx(5 / 50)
    assert ind["unavailable_rate"] == pytest.approx(10 / 50)
    assert ind["not_processed_rate"] == pytest.approx(5 / 50)
    assert ind["review_correction_rate"] == pytest.approx(1 / (6 - 2))
    assert ind["litigation_loss_rate"] == pytest.approx(1 / ((3 - 1) + (2 - 0)))
    assert indicators({"requests.total_processed.total": 0})["disclosure_rate"] is None


def test_quantiles_interpolate() -> None:
    assert quantiles([1, 2, 3, 4, 5]) == {"n": 5, "p25": 2, "p50": 3, "p75": 4}
    assert quantiles([0.0, 1.0]) == {"n": 2, "p25": 0.25, "p50": 0.5, "p75": 0.75}
    assert quantiles([])["p50"] is None


def test_consolidation_yoy_continuity_ranking() -> None:
    a20 = _row(1, "甲", 2020, _table3(new_received=13, granted=5, unavailable__not_held=5))  # forwards 3
    a21 = _row(2, "甲", 2021, _table3(new_received=18, carried_over=2, granted=20), {"arithmetic.requests_balance"})
    b21 = _row(3, "乙", 2021, _table3(new_received=4, granted=1, not_processed__duplicate=3))
    a21.cells["requests.carried_over.natural_person"] = 2
    res = compute([a20, a21, b21], Selection(), min_requests=5)
    y21 = res["years"]["2021"]
    assert y21["totals"]["requests.total_processed.total"] == 24  # 甲 + 乙
    assert y21["indicators"]["disclosure_rate"] == pytest.approx(21 / 24)
    assert y21["distribution"]["disclosure_rate"]["n"] == 2
    assert y21["coverage"]["requests"] == {"included": 2, "excluded": [], "without_table": 0}
    change = res["yoy"][0]["changes"]["requests.total_processed.total"]
    assert (change["previous"], change["current"], change["change"], change["organs"]) == (10, 20, 10, 1)  # 甲 only
    assert res["continuity"]["pairs"] == 1
    assert res["checks"][0]["code"] == "arithmetic.requests_balance"
    assert res["checks"][0]["share"] == pytest.approx(1 / 3)
    rk = res["ranking"]
    assert rk["min_requests"] == 5 and [e["organ"] for e in rk["highest"]] == ["甲"]  # 乙 handled only 4


def test_an_unread_row_is_never_a_zero_rate() -> None:
    """An organ whose 予以公开 row was not read has no disclosure rate (not 0%): it is counted as left out, and
    neither ranked nor summed; the consolidated table lists it."""
    whole = _row(1, "甲", 2022, _table3(new_received=800, granted=700, withheld__state_secret=100))
    unread = _row(2, "乙", 2022, _table3(new_received=900, granted=773, unavailable__not_held=127))
    for col in ("natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total"):
        del unread.cells[f"requests.granted.{col}"]
    assert indicators(unread.cells, "2021")["disclosure_rate"] is None
    res = compute([whole, unread], Selection(), min_requests=10)
    y = res["years"]["2022"]
    assert y["indicator_coverage"]["disclosure_rate"] == {
        "reports": 1, "left_out": {"cells_missing": 1, "zero_denominator": 0}}
    assert y["distribution"]["disclosure_rate"]["n"] == 1
    assert [e["organ"] for e in res["ranking"]["highest"]] == ["甲"] and res["ranking"]["eligible"] == 1
    assert y["totals"]["requests.total_processed.total"] == 800  # 乙's table is not summed partially
    assert y["coverage"]["requests"]["excluded"] == [
        {"report_id": 2, "organ": "乙", "year": 2022, "missing_cells": 7}]
    from gongkai.stats.text import render as render_text

    text = render_text(res)
    assert "未计入（表格缺格）：乙（缺7格）" in text and "缺少所需的格 1 份" in text


def test_a_consolidated_table_satisfies_every_identity() -> None:
    """Generated reports with known figures, one of them with a cell not read: the consolidated table 3 and
    table 4 satisfy every identity of the format, because each table is summed over the reports that give all
    of its cells."""
    rows = []
    for i in range(12):
        rep = synthetic(300 + i, organ=f"机关{i}", year=2022, fmt="2021")
        flat = {f"{t}.{r}.{c}": float(v) for t, rs in rep.values.items() for r, cs in rs.items()
                for c, v in cs.items() if v is not None and t in ("requests", "review_litigation")}
        rows.append(_row(i, f"机关{i}", 2022, flat))
    del rows[3].cells["requests.withheld.third_party.commercial"]
    del rows[5].cells["review_litigation.review.total"]
    totals = consolidate(rows)
    fmt = get_format("2021")
    for ident in fmt.identities:
        table = fmt.table(ident.table)
        if ident.over == "columns":
            keys = [r.key for r in table.rows]
            for col in table.columns:
                side = [sum(totals[f"{ident.table}.{r}.{col.key}"] for r in match_rows(part, keys))
                        for part in (ident.left, ident.right)]
                assert side[0] == side[1], (ident.id, col.key)
        elif ident.over == "rows":
            for row in table.rows:
                cols = [c.key for c in table.row_columns(row)]
                if not set(ident.left) | set(ident.right) <= set(cols):
                    continue
                side = [sum(totals[f"{ident.table}.{row.key}.{c}"] for c in part) for part in (ident.left, ident.right)]
                assert side[0] == side[1], (ident.id, row.key)
    assert totals["requests.new_received.total"] == sum(
        r.cells["requests.new_received.total"] for k, r in enumerate(rows) if k != 3)


def test_seeds_roll_up_by_region(store: Store) -> None:
    ingest(store, [str(p) for p in sorted(SEEDS.iterdir())], workers=0)
    city = stats(store, Selection(region="长沙市"), by="county")
    assert city["reports"] == 3  # 长沙县, 浏阳市 and the city's general office
    assert set(city["years"]) == {"2020", "2021", "2024"}
    assert city["years"]["2024"]["totals"]["requests.new_received.total"] == 107
    assert city["years"]["2020"]["totals"]["requests.new_received.total"] == 92
    assert "长沙市本级" in city["years"]["2024"]["groups"]
    assert stats(store, Selection(region="430000"))["reports"] == 4
    assert stats(store, Selection(region="邯郸市"))["years"]["2021"]["totals"]["requests.new_received.total"] == 11
    assert stats(store, Selection(kind="department"))["reports"] == 1
    assert stats(store, Selection(year_from=2021, year_to=2021))["reports"] == 2
    assert stats(store, Selection(format="legacy"))["years"]["2017"]["totals"]["legacy.requests_received.value"] == 3
    shares = {c["code"]: c for c in stats(store, Selection())["checks"]}
    assert shares["completeness.table_missing"]["reports"] == 1


def test_a_city_is_the_sum_of_its_units(store: Store, tmp_path: Path) -> None:
    units = ["长沙县人民政府", "浏阳市人民政府", "长沙市教育局", "岳阳县人民政府"]
    reps = [synthetic(40 + i, organ=o, year=2022, fmt="2021") for i, o in enumerate(units)]
    for i, rep in enumerate(reps):
        (tmp_path / f"{i}.txt").write_text(render(rep), encoding="utf-8")
    ingest(store, [str(tmp_path / f"{i}.txt") for i in range(4)], workers=0)
    rows = load(store, Selection(region="长沙市"))
    assert sorted(r.organ for r in rows) == sorted(units[:3])
    total = consolidate(rows)
    for key in ("new_received", "granted", "total_processed"):
        for col in ("natural_person", "total"):
            assert total[f"requests.{key}.{col}"] == sum(r.values["requests"][key][col] for r in reps[:3])
    res = stats(store, Selection(region="湖南省"), by="city")
    groups = res["years"]["2022"]["groups"]
    assert set(groups) == {"长沙市", "岳阳市"}
    yueyang = reps[3].values["requests"]["new_received"]["total"]
    assert groups["岳阳市"]["figures"]["requests.new_received.total"] == yueyang


def test_stats_cli_text_and_json(store_url: str, tmp_path: Path) -> None:
    exe = gongkai_exe()
    subprocess.run([exe, "ingest", "--db", store_url, str(SEEDS), "--no-progress"], check=True, capture_output=True)
    text = subprocess.run([exe, "stats", "--db", store_url, "--region", "长沙市", "--by", "county"],
                          check=True, capture_output=True, text=True).stdout
    assert "合计口径" in text and "公开率" in text and "只计办结申请不少于 10 件" in text and "跨年度衔接核查" in text
    data = json.loads(subprocess.run([exe, "stats", "--db", store_url, "--json", "--min-requests", "50"],
                                     check=True, capture_output=True, text=True).stdout)
    assert data["reports"] == 5 and data["ranking"]["min_requests"] == 50
    assert "disclosure_rate" in data["indicator_definitions"]


def test_continuity_runs_the_catalogue_over_stored_years(store: Store, tmp_path: Path) -> None:
    y1 = synthetic(70, organ="宁乡市财政局", year=2021, fmt="2021")
    y2 = synthetic(71, organ="宁乡市财政局", year=2022, fmt="2021")
    y3 = synthetic(72, organ="宁乡市财政局", year=2024, fmt="2021")  # 2023 missing: no pair
    before = y1.values["requests"]["carried_forward"]
    y2.values["requests"]["carried_over"] = dict(before)  # 2022 carries over exactly what 2021 forwarded …
    y2.values["requests"]["carried_over"]["total"] = before["total"] + 1  # … except in the total column
    for i, rep in enumerate((y1, y2, y3)):
        (tmp_path / f"{i}.txt").write_text(render(rep), encoding="utf-8")
    ingest(store, [str(tmp_path / f"{i}.txt") for i in range(3)], workers=0)
    cont = stats(store, Selection(organ="宁乡"))["continuity"]
    assert cont["pairs"] == 1 and cont["failing_pairs"] == 1
    carried = [f for f in cont["findings"] if f["code"] == "years.carried_over"]
    assert len(carried) == 1 and carried[0]["year"] == 2022
    assert (carried[0]["expected"], carried[0]["actual"]) == (before["total"], before["total"] + 1)


def test_reports_without_organ_are_never_one_organ() -> None:
    """Two reports whose organ was not identified are two units, not one organ called 'unknown'."""
    a = _row(1, "甲", 2022, _table3(new_received=5, granted=5))
    b = _row(2, "乙", 2022, _table3(new_received=3, granted=3))
    for r in (a, b):
        r.organ = r.organ_key = None
    res = compute([a, b, _row(3, "丙", 2022, _table3(new_received=1, granted=1))], Selection(), by="organ")
    assert (res["organs"], res["without_organ"]) == (1, 2)
    assert len(res["years"]["2022"]["groups"]) == 3


def test_regions_by_short_name_repeated_and_unmatched(store_url: str) -> None:
    """`--region 湖南` is 湖南省; `--region` repeats (any of them); a region that matches nothing stored is said so
    (exit 2), and a value outside an option's choices is refused with the accepted values listed."""
    exe = gongkai_exe()
    subprocess.run([exe, "ingest", "--db", store_url, str(SEEDS), "--no-progress"], check=True, capture_output=True)

    def stats_json(*args: str) -> dict:
        done = subprocess.run([exe, "stats", "--db", store_url, "--json", *args], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert stats_json("--region", "湖南")["reports"] == 4
    assert stats_json("--region", "湖南", "--region", "河北")["reports"] == 5
    assert stats_json("--region", "长沙")["reports"] == 3
    none = subprocess.run([exe, "stats", "--db", store_url, "--region", "火星"], capture_output=True, text=True)
    assert none.returncode == 2 and "没有匹配到" in none.stderr and "火星" in none.stderr
    bad = subprocess.run([exe, "stats", "--db", store_url, "--kind", "ministry"], capture_output=True, text=True)
    assert bad.returncode == 2 and "government" in bad.stderr and "township" in bad.stderr


def test_text_fits_an_80_column_terminal() -> None:
    import unicodedata

    from gongkai.stats.text import render as render_text

    rows = [_row(i, f"机关{i}", 2022, _table3(new_received=1000 * i + 7, granted=1000 * i)) for i in range(1, 4)]
    text = render_text(compute(rows, Selection(), by="organ"), width=80)
    width = [sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in text.splitlines()]
    assert max(width) <= 80
    assert "3,007" in text and "自然人" in text  # the consolidated table is there, figures whole
