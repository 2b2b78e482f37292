"""The demand model on the offline Medan twin: zones, gateways, totals that match the table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.demand import load_population_table
from twin.model import OUTSIDE, Twin

#: The ``medan_demand`` fixture (conftest.MedanDemand): ``.tn``, ``.model``, ``.network``.
MedanDemand = Any

pytestmark = pytest.mark.slow


def test_zones_cover_the_city_and_gateways_are_named(medan_demand: MedanDemand) -> None:
    zones = medan_demand.tn.zones
    assert zones.kind == "h3"
    assert zones.resolution == 8
    assert 250 <= zones.n_internal <= 450
    assert zones.n_gateways >= 6
    gw = zones.table[zones.table["kind"] == "gateway"]
    labels = " ".join(gw["label"])
    for corridor in ("Sisingamangaraja", "Jamin Ginting", "Gatot Subroto", "Yos Sudarso"):
        assert corridor in labels
    assert (gw["gateway_capacity"] > 0).all()
    # every zone has several connectors (gateways: at least one road end)
    internal = zones.connector_nodes[: zones.n_internal]
    assert min(len(c) for c in internal) >= 1
    assert np.mean([len(c) for c in internal]) > 2.5
    net = medan_demand.network
    assert net.first_thru_node == zones.n_zones
    assert (net.link_ids[: medan_demand.tn.n_edges] == np.arange(medan_demand.tn.n_edges)).all()
    assert (net.link_ids[medan_demand.tn.n_edges :] == -1).all()


def test_kecamatan_totals_are_population_times_rates(medan_demand: MedanDemand) -> None:
    model = medan_demand.model
    table = load_population_table().set_index("kode")["population"]
    rate = model.config.vehicle_trips_per_person
    # residents placed per kecamatan match the table exactly
    placed = model.zone_population.groupby("kec_code")["population"].sum()
    pd.testing.assert_series_equal(
        placed.sort_index(), table.astype(float).sort_index(), check_names=False
    )
    got = model.productions_by_kecamatan().sort_index()
    want = (table * rate).sort_index()
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12)
    # the distributed matrix keeps every zone's productions, hence every kecamatan's
    zp = model.zone_population
    share = zp.pivot_table(index="zone", columns="kec_code", values="population", aggfunc="sum")
    share = share.reindex(range(model.n_internal)).fillna(0.0)
    share = share.div(share.sum(axis=1).replace(0, 1), axis=0)
    rows = model.pa.sum(axis=1)
    by_kec = (share.mul(rows, axis=0)).sum(axis=0).sort_index()
    np.testing.assert_allclose(by_kec.to_numpy(), want.to_numpy(), rtol=1e-6)
    assert rate == pytest.approx(2.0 * 0.80 / 1.45)


def test_gravity_is_calibrated_and_commuters_enter_at_gateways(medan_demand: MedanDemand) -> None:
    model = medan_demand.model
    target = model.config.number("gravity.mean_trip_length_km")
    assert model.mean_trip_length_km == pytest.approx(target, abs=0.02)
    assert model.beta > 0
    cfg = model.config
    assert cfg.number("commuters.persons_per_day") > 500_000
    assert model.commuter_trips.sum() == pytest.approx(cfg.commuter_vehicle_trips)
    np.testing.assert_allclose(model.commuter_split.sum(axis=1), 1.0)
    Zi = model.n_internal
    am = model.period_matrix("am_peak")
    pm = model.period_matrix("pm_peak")
    # commuters come in during the AM peak and go home in the PM peak
    assert am[Zi:, :Zi].sum() > 3 * am[:Zi, Zi:].sum()
    assert pm[:Zi, Zi:].sum() > 3 * pm[Zi:, :Zi].sum()
    assert np.trace(am) == 0.0
    spec = cfg.period("am_peak")
    total = (
        spec.hour_share
        * cfg.pcu_per_vehicle
        * (model.pa.sum() - np.trace(model.pa) + model.commuter_trips.sum())
    )
    assert am.sum() == pytest.approx(total, rel=1e-9)


def test_summary_reports_the_demand_figures(medan_demand: MedanDemand) -> None:
    s = medan_demand.model.summary()
    assert s["label"] == "simulated"
    assert s["population"] == pytest.approx(2_435_252)
    assert s["commuter_persons_per_day"] > 500_000
    assert (
        s["periods"]["am_peak"]["pcu_trips_per_hour"] > s["periods"]["midday"]["pcu_trips_per_hour"]
    )


def test_population_lands_only_inside_the_city(medan_demand: MedanDemand, medan_twin: Twin) -> None:
    zones = medan_demand.tn.zones
    zp = medan_demand.model.zone_population
    assert (zp["zone"] < zones.n_internal).all()
    assert OUTSIDE not in set(zp["kec_code"])
    assert set(zp["kec_code"]) == set(medan_twin.kecamatan["code"])


def test_kelurahan_zones(medan_twin: Twin) -> None:
    from sim.demand import build_demand_model
    from sim.from_twin import network_from_twin
    from sim.zones import build_zones

    zones = build_zones(medan_twin, kind="kelurahan")
    assert zones.kind == "kelurahan"
    assert zones.resolution is None
    internal = zones.table[zones.table["kind"] == "internal"]
    assert set(internal["zone"]) <= set(medan_twin.kelurahan["code"])
    assert len(internal) >= 145  # nearly all 151 kelurahan hold graph nodes
    assert "Aur" in set(internal["label"])
    tn = network_from_twin(medan_twin, zones)
    model = build_demand_model(medan_twin, tn)
    assert model.population.sum() == pytest.approx(2_435_252)
    assert model.mean_trip_length_km == pytest.approx(6.5, abs=0.02)
