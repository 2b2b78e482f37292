"""The Python API the app uses: a scenario dict, a progress callback, the baseline cache,
and zones cut off by a closure reported by name."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from sim.baseline import Baseline, cached_baseline_kpis, load_baseline
from sim.demand import DEFAULT_CONFIG, load_demand_config, load_population_table
from sim.scenario import compare, run_scenario
from twin.model import Twin
from twin.settings import Settings

pytestmark = pytest.mark.slow


def test_dict_scenario_with_progress(
    medan_twin: Twin, am_baseline: Baseline, scenario_gap: float
) -> None:
    seen: list[tuple[str, float]] = []
    scenario = {
        "name": "app: close Jalan Brigjend Katamso",
        "changes": [{"type": "close", "where": {"street": "Jalan Brigjend Katamso"}}],
    }
    run = run_scenario(
        scenario,
        twin=medan_twin,
        baseline=am_baseline,
        gap=scenario_gap,
        progress=lambda stage, frac: seen.append((stage, frac)),
    )
    fracs = [f for _, f in seen]
    assert fracs == sorted(fracs)
    assert fracs[-1] == 1.0
    assert fracs[0] >= 0.0
    stages = {s.split(":")[0] for s, _ in seen}
    assert {"applying changes", "assignment", "done"} <= stages
    closed = run.applied.closed_edges
    assert closed.size > 0
    assert (run.result.flow[closed] == 0).all()
    assert run.result.unassigned_demand == 0.0


def test_cut_off_zone_is_named_not_a_crash(
    medan_twin: Twin, am_baseline: Baseline, scenario_gap: float
) -> None:
    tn = am_baseline.tn
    zones = tn.zones
    # close every road touching the connector nodes of one zone: it is cut off
    z = int(np.argmax(am_baseline.model.population))
    nodes = set(zones.connector_nodes[z])
    e = medan_twin.edges
    ids = e.loc[e["u"].isin(nodes) | e["v"].isin(nodes), "edge_id"].astype(int).tolist()
    run = run_scenario(
        {"name": "island", "changes": [{"type": "close", "where": {"edge_ids": ids}}]},
        twin=medan_twin,
        baseline=am_baseline,
        gap=scenario_gap,
    )
    comp = compare(run, medan_twin, zone_times=False)
    assert comp.unassigned_demand > 0
    names = [c["name"] for c in comp.cut_off]
    assert zones.label(z) in names
    assert comp.to_dict()["cut_off_zones"][0]["name"] in names
    assert (run.result.flow >= 0).all()


def test_baseline_cache_hit_and_key_change(
    medan_twin: Twin, am_baseline: Baseline, scenario_settings: Settings, tmp_path: Path
) -> None:
    again = load_baseline(medan_twin, settings=am_baseline.settings, app_settings=scenario_settings)
    assert again.from_cache
    assert again.key == am_baseline.key
    np.testing.assert_array_equal(again.result.flow, am_baseline.result.flow)
    assert (again.path / "baseline.json").is_file()  # type: ignore[operator]
    # the wall reads the KPIs from the summary, without loading the flows
    kpis = cached_baseline_kpis(
        medan_twin, settings=am_baseline.settings, app_settings=scenario_settings
    )
    assert kpis is not None
    assert kpis == pytest.approx(am_baseline.kpis)
    assert kpis["congested_km"] > 0
    # another demand file (one number changed) is another key: recomputed, not reused
    other = tmp_path / "demand.toml"
    shutil.copy(DEFAULT_CONFIG, other)
    other.write_text(
        other.read_text().replace("mean_trip_length_km = 6.5", "mean_trip_length_km = 6.0")
    )
    changed = dataclasses.replace(am_baseline.settings, demand_file=str(other))
    pop = load_population_table()
    assert changed.key(load_demand_config(other), pop) != am_baseline.key
    assert am_baseline.settings.key(load_demand_config(), pop) == am_baseline.key
    midday = dataclasses.replace(am_baseline.settings, period="midday")
    assert midday.key(load_demand_config(), pop) != am_baseline.key
    # a baseline not solved yet has no figures to show
    assert (
        cached_baseline_kpis(medan_twin, settings=changed, app_settings=scenario_settings) is None
    )


def test_area_aggregates_add_up(medan_twin: Twin, am_baseline: Baseline) -> None:
    links = am_baseline.links
    edges = links[links["edge_id"] >= 0]
    kec = am_baseline.aggregate(medan_twin, "kecamatan")
    kel = am_baseline.aggregate(medan_twin, "kelurahan")
    h9 = am_baseline.aggregate(medan_twin, "h3")
    h8 = am_baseline.aggregate(medan_twin, "h3_8")
    total_vkt = float(edges["vkt"].sum())
    for table in (kec, kel):
        assert table["vkt"].sum() == pytest.approx(total_vkt, rel=1e-9)
        assert table["vht"].sum() == pytest.approx(float(edges["vht"].sum()), rel=1e-9)
    # the H3 split spreads each edge over the cells it crosses: the totals are kept
    covered = edges[edges["edge_id"].isin(medan_twin.edge_cells["edge_id"])]
    assert h9["vkt"].sum() == pytest.approx(float(covered["vkt"].sum()), rel=1e-6)
    assert h8["vkt"].sum() == pytest.approx(h9["vkt"].sum(), rel=1e-9)
    assert len(h8) < len(h9)
    congested = edges["vc"] > 0.9
    assert kec["congested_km"].sum() == pytest.approx(
        float(edges.loc[congested, "length_km"].sum())
    )
    row = kec.set_index("kecamatan").loc["12.71.01"]
    assert row["name"] == "Medan Kota"
    assert row["mean_speed_kmh"] == pytest.approx(row["vkt"] / row["vht"])
