"""The population table and the demand parameters: sources, totals, and clear errors."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from sim.demand import (
    DEFAULT_CONFIG,
    calibrate_beta,
    furness,
    load_demand_config,
    load_population_table,
)
from twin import road_defaults
from twin.errors import InputError
from twin.profile import load_profile


def test_population_table_matches_census_total_and_kecamatan(medan_admin_dir: Path) -> None:
    table = load_population_table()
    assert int(table["population"].sum()) == load_profile("medan").fact("population_2020").value
    kec = gpd.read_file(medan_admin_dir / "medan_kecamatan.geojson")
    assert set(table["kode"]) == set(kec["kode"])
    names = dict(zip(kec["kode"], kec["nama"], strict=True))
    assert all(names[k] == n for k, n in zip(table["kode"], table["nama"], strict=True))
    assert (table["population"] > 10_000).all()
    assert table["source"].str.len().min() > 20
    # figures not found are labelled as derived, never passed off as census counts
    derived = table["source"].str.startswith("DERIVED")
    assert 0 < derived.sum() < len(table)
    assert table.loc[~derived, "source"].str.contains("SP2020").all()


def test_population_table_errors_name_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "pop.csv"
    f.write_text(
        "kode,nama,population,year,source\n12.71.01,A,100,2020,x\n12.71.02,B,lots,2020,y\n"
    )
    with pytest.raises(InputError, match=r"pop\.csv:3: population 'lots' is not a number"):
        load_population_table(f)
    f.write_text("kode,nama,population,year,source\n12.71.01,A,100,2020,\n")
    with pytest.raises(InputError, match=r"pop\.csv:2: every figure needs its source"):
        load_population_table(f)
    f.write_text("kode,nama,population\n12.71.01,A,100\n")
    with pytest.raises(InputError, match="missing column"):
        load_population_table(f)


def test_demand_config_documents_the_required_figures() -> None:
    cfg = load_demand_config()
    assert cfg.number("commuters.persons_per_day") > 500_000
    assert set(cfg.periods) == {"am_peak", "midday", "pm_peak"}
    mix = cfg.vehicle_mix
    # reused from the twin's road defaults, motorcycles the majority
    assert mix is road_defaults.MEDAN_MIX
    assert mix.motorcycle > 0.5
    assert cfg.pcu_per_vehicle == pytest.approx(mix.mean_pcu())
    assert road_defaults.PCU_FACTORS["motorcycle"] == 0.25
    text = DEFAULT_CONFIG.read_text()
    for needle in ("PKJI 2023", "SP2020", "BPR", "Furness", "mean_trip_length_km"):
        assert needle in text


def test_demand_config_errors(tmp_path: Path) -> None:
    f = tmp_path / "demand.toml"
    text = DEFAULT_CONFIG.read_text()
    f.write_text(text.replace("person_trips_per_day = 2.0", "person_trips_per_day = -2"))
    with pytest.raises(InputError, match=r"demand\.toml: field 'trip_rates.person_trips_per_day'"):
        load_demand_config(f)
    f.write_text(text.replace('mix = "MEDAN_MIX"', 'mix = "NOPE"'))
    with pytest.raises(InputError, match=r"vehicles\.mix"):
        load_demand_config(f)
    f.write_text(text.replace("[commuters]", "[kommuters]"))
    with pytest.raises(InputError, match=r"missing field 'commuters\.persons_per_day'"):
        load_demand_config(f)
    f.write_text("not = [valid")
    with pytest.raises(InputError, match="not valid TOML"):
        load_demand_config(f)


def test_furness_meets_both_margins() -> None:
    rng = np.random.default_rng(4)
    P = rng.uniform(10, 100, 12)
    A = rng.uniform(5, 50, 12)
    F = np.exp(-0.3 * rng.uniform(0, 10, (12, 12)))
    T = furness(P, A, F, tol=1e-10, max_iter=2000)
    assert np.allclose(T.sum(axis=1), P)
    assert np.allclose(T.sum(axis=0), A * P.sum() / A.sum(), rtol=1e-6)
    assert (T >= 0).all()


def test_calibration_reaches_the_target_trip_length() -> None:
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 20, (40, 2))
    D = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) + 0.5
    P = rng.uniform(100, 1000, 40)
    A = rng.uniform(100, 1000, 40)
    for target in (4.0, 6.5):
        _beta, achieved, T = calibrate_beta(P, A, D, target_km=target)
        assert achieved == pytest.approx(target, abs=0.02)
        assert float((T * D).sum() / T.sum()) == pytest.approx(achieved)
    # a shorter target needs a steeper impedance
    assert calibrate_beta(P, A, D, target_km=4.0)[0] > calibrate_beta(P, A, D, target_km=6.5)[0]
