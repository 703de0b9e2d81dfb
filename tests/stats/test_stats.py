"""Stats: indicators and their definitions, quantiles, consolidation (a city = the sum of its units),
year-over-year change, check-failure shares, cross-year continuity, rankings with a stated minimum."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from storekit import SEEDS, gongkai_exe, render, synthetic

from gongkai.ingest import ingest
from gongkai.stats import ReportRow, Selection, compute, consolidate, load, stats
from gongkai.stats.indicators import indicators, quantiles
from gongkai.store import Store


def _row(i: int, organ: str, year: int, cells: dict[str, float], codes: set[str] = frozenset()) -> ReportRow:
    return ReportRow(id=i, organ=organ, organ_key=organ, organ_kind="government", region_code=None, province="湖南省",
                     city="长沙市", county=None, year=year, format="2021", cells=dict(cells), codes=set(codes))


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
    a20 = _row(1, "甲", 2020, {"requests.total_processed.total": 10, "requests.granted.total": 5,
                               "requests.carried_forward.total": 3, "requests.carried_forward.natural_person": 3})
    a21 = _row(2, "甲", 2021, {"requests.total_processed.total": 20, "requests.granted.total": 20,
                               "requests.carried_over.total": 2, "requests.carried_over.natural_person": 2},
               {"arithmetic.requests_balance"})
    b21 = _row(3, "乙", 2021, {"requests.total_processed.total": 4, "requests.granted.total": 1})
    res = compute([a20, a21, b21], Selection(), min_requests=5)
    y21 = res["years"]["2021"]
    assert y21["totals"]["requests.total_processed.total"] == 24  # 甲 + 乙
    assert y21["indicators"]["disclosure_rate"] == pytest.approx(21 / 24)
    assert y21["distribution"]["disclosure_rate"]["n"] == 2
    change = res["yoy"][0]["changes"]["requests.total_processed.total"]
    assert (change["previous"], change["current"], change["change"]) == (10, 24, 14)
    assert res["continuity"]["pairs"] == 1 and res["continuity"]["failing_pairs"] == 1
    assert {f["code"] for f in res["continuity"]["findings"]} == {"years.carried_over"}
    assert res["checks"][0]["code"] == "arithmetic.requests_balance"
    assert res["checks"][0]["share"] == pytest.approx(1 / 3)
    rk = res["ranking"]
    assert rk["min_requests"] == 5 and [e["organ"] for e in rk["highest"]] == ["甲"]  # 乙 handled only 4


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
