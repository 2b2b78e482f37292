"""Who wins, who loses: the per-zone travel-time views, and the compare picker's saved plans."""

from __future__ import annotations

from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pytest

from apps import theme
from apps.views import plan as planmod
from apps.views import scenario
from apps.views.plan import Plan
from apps.views.scenario import ScenarioResult
from tests.apps.toy import KEC
from twin.errors import InputError
from twin.model import Twin


def _zones(twin: Twin) -> pd.DataFrame:
    """An engine-shaped zone table over the toy twin's H3 cells, plus one gateway."""
    cells = sorted(
        {
            h3.latlng_to_cell(lat, lon, 8)
            for lon, lat in zip(twin.nodes["lon"], twin.nodes["lat"], strict=False)
        }
    )[:6]
    assert len(cells) >= 4, "the toy twin should span a few H3 cells"
    n = len(cells)
    delta = np.linspace(-1.5, 2.5, n)
    base = np.full(n, 12.0)
    rows = pd.DataFrame(
        {
            "zone": cells,
            "label": [f"<b>Kel {i}</b> ({c})" for i, c in enumerate(cells)],
            "kec_code": KEC,
            "kind": "internal",
            "base_min": base,
            "scen_min": base + delta,
            "delta_min": delta,
            "routable_share": 1.0,
        }
    )
    gateway = pd.DataFrame(
        [
            {
                "zone": "gw-0",
                "label": "gateway 0: Jalan Gatot Subroto",
                "kec_code": "outside",
                "kind": "gateway",
                "base_min": 20.0,
                "scen_min": 17.0,
                "delta_min": -3.0,
                "routable_share": 1.0,
            }
        ]
    )
    noise = rows.iloc[[0]].assign(
        zone="gw-1", kind="gateway", label="gateway 1: X", delta_min=0.001
    )
    return pd.concat([rows, gateway, noise], ignore_index=True)


def _result(twin: Twin, zones: pd.DataFrame | None) -> ScenarioResult:
    k = {"vht": 10.0, "vkt": 400.0, "mean_speed_kmh": 40.0, "congested_km": 1.0}
    z = zones.dropna(subset=["delta_min"]) if zones is not None else None
    return ScenarioResult(
        plan=Plan(name="t"),
        baseline=k,
        scenario=k,
        delta=dict.fromkeys(k, 0.0),
        links=pd.DataFrame(),
        closed=[],
        zones=zones,
        winners=None if z is None else z[z["delta_min"] < 0].nsmallest(10, "delta_min"),
        losers=None if z is None else z[z["delta_min"] > 0].nlargest(10, "delta_min"),
    )


def test_zone_map_diverges_purple_faster_orange_slower(toy_twin: Twin) -> None:
    zones = _zones(toy_twin)
    out = scenario.zone_change_frame(_result(toy_twin, zones), lang="en")
    assert out is not None
    frame, scale = out
    # the gateway is not an H3 cell: off the map (it stays in the tables)
    assert set(frame["cell"]) == set(zones["zone"][zones["kind"] == "internal"])
    assert scale.palette == "puor"
    assert scale.vmin == -scale.vmax
    assert scale.unit == "min/trip"
    assert "Change in mean travel time" in theme.legend_html(scale)
    for row in theme.rows(frame):
        r, _, b = row.color[:3]
        # PuOr: purple (blue above red) where trips got faster, orange (red above blue) slower
        if row.value < -0.3:
            assert b > r + 20, row
        elif row.value > 0.3:
            assert r > b + 20, row
        assert "min/trip" in row.tip
        assert "Zone: <b>Kel" in row.tip
    assert len(frame["polygon"].iloc[0]) >= 6


def test_winners_and_losers_tables(toy_twin: Twin) -> None:
    zones = _zones(toy_twin)
    res = _result(toy_twin, zones)
    for lang in ("id", "en"):
        win = scenario.winners_table(res, toy_twin, lang=lang)
        lose = scenario.losers_table(res, toy_twin, lang=lang)
        d = next(c for c in win.columns if c.startswith("Δ"))
        assert ("min/trip" if lang == "en" else "menit/perjalanan") in d
        assert (win[d] < 0).all()
        assert (lose[d] > 0).all()
        assert list(win[d]) == sorted(win[d])  # most improved first
        assert list(lose[d]) == sorted(lose[d], reverse=True)  # most worsened first
        gate = "city gateway" if lang == "en" else "gerbang kota"
        assert win.iloc[0, 0] == f"{gate} 0: Jalan Gatot Subroto"  # -3 min: the largest gain
        assert set(win.iloc[:, 2]) <= {"Medan Kota", "—"}
        # a change under a second is noise: neither a winner nor a loser
        assert not lose.iloc[:, 0].str.endswith("1: X").any()
        assert len(win) + len(lose) == (zones["delta_min"].abs() >= 0.005).sum()


def test_no_zone_times_means_no_map_and_empty_tables(toy_twin: Twin) -> None:
    res = _result(toy_twin, None)
    assert scenario.zone_change_frame(res) is None
    assert scenario.winners_table(res, toy_twin).empty
    assert list(scenario.losers_table(res, toy_twin, lang="en").columns)[1] == "Δ time (min/trip)"


def test_compare_picker_lists_saved_plans_once(toy_twin: Twin, twin_home: Path) -> None:
    p = planmod.Plan(name="tutup jalan", changes=[{"kind": "growth", "pct": 10.0}])
    path = scenario.save_plan(p, twin=toy_twin)
    opts = scenario.compare_options(["run-1"], scenario.saved_plans())
    key = scenario.SAVED_PREFIX + path.stem
    assert opts == ["run-1", key]
    assert scenario.compare_label(key, lang="en") == f"{path.stem} (saved)"
    assert scenario.compare_label(key, lang="id") == f"{path.stem} (tersimpan)"
    assert scenario.compare_label("run-1") == "run-1"
    # once run, the saved plan's result is keyed the same: listed once
    assert scenario.compare_options(["run-1", key], scenario.saved_plans()) == ["run-1", key]
    assert scenario.load_plan(key.removeprefix(scenario.SAVED_PREFIX)) == p


def test_run_saved_names_a_missing_file(toy_twin: Twin, twin_home: Path) -> None:
    with pytest.raises(InputError, match="no such saved scenario"):
        scenario.run_saved(toy_twin, scenario.SAVED_PREFIX + "gone")
