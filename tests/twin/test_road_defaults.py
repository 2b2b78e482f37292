"""The per-class default table and the PCU / vehicle-mix conversions."""

from __future__ import annotations

import pytest

from twin import road_defaults as rd


def test_every_class_has_positive_values_and_a_source() -> None:
    for name, c in rd.ROAD_CLASSES.items():
        assert c.highway == name
        assert c.lanes_per_direction >= 1
        assert c.speed_kmh > 0
        assert c.capacity_pcu_h_per_lane > 0
        assert "MKJI 1997" in c.source


def test_capacity_and_speed_decrease_down_the_hierarchy() -> None:
    order = ["motorway", "trunk", "secondary", "tertiary", "unclassified", "residential"]
    caps = [rd.road_class(h).capacity_pcu_h_per_lane for h in order]
    assert caps == sorted(caps, reverse=True)
    speeds = [rd.road_class(h).speed_kmh for h in order]
    assert speeds == sorted(speeds, reverse=True)
    assert rd.road_class("motorway").capacity_pcu_h_per_lane == 2300.0  # MKJI freeway C0


def test_unknown_class_falls_back() -> None:
    assert rd.road_class("busway") is rd.ROAD_CLASSES[rd.FALLBACK_CLASS]
    assert not rd.is_drivable("footway")
    assert rd.is_drivable("living_street")


def test_mix_is_motorcycle_majority_and_sums_to_one() -> None:
    for mix in (rd.MEDAN_MIX, rd.TOLL_MIX):
        assert mix.motorcycle + mix.light + mix.heavy == pytest.approx(1.0)
    assert rd.MEDAN_MIX.motorcycle > 0.5
    assert rd.TOLL_MIX.motorcycle == 0.0
    # a PCU is worth about two mixed vehicles on surface streets (motorcycles are 0.25 PCU)
    assert rd.pcu_to_veh(1000, highway="primary") == pytest.approx(1000 / 0.485)
    assert rd.mean_pcu_per_vehicle("motorway") == pytest.approx(0.8 + 0.2 * 1.2)
    assert rd.mean_pcu_per_vehicle("primary", toll=True) == rd.mean_pcu_per_vehicle("motorway")


def test_pcu_veh_roundtrip() -> None:
    for h in rd.ROAD_CLASSES:
        assert rd.veh_to_pcu(rd.pcu_to_veh(1234.0, highway=h), highway=h) == pytest.approx(1234.0)
