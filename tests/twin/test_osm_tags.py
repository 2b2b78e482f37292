"""OSM tag parsing: unit cases and the two real OSM samples."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twin import osm_tags
from twin.osm_tags import (
    join_names,
    join_osmids,
    lanes_per_direction,
    parse_bool_tag,
    parse_highway,
    parse_lanes,
    parse_maxspeed,
    parse_oneway,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", 50.0),
        ("50 km/h", 50.0),
        ("50km/h", 50.0),
        ("60 kmh", 60.0),
        ("30 mph", 48.28),
        ("20mph", 32.19),
        ("10 knots", 18.52),
        ("40;60", 50.0),
        (["50", "60 km/h"], 55.0),
        (["30 mph", "none"], 48.28),
        ("none", None),
        ("signals", None),
        ("walk", None),
        ("ID:urban", None),
        ("RU:urban", None),
        ("0", None),
        ("", None),
        (None, None),
        (math.nan, None),
        ([], None),
    ],
)
def test_parse_maxspeed(value: object, expected: float | None) -> None:
    assert parse_maxspeed(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2", 2.0),
        ("2;3", 2.0),
        (["4", "2"], 2.0),
        ("1.5", 1.5),
        ("0", None),
        ("many", None),
        ("99", None),
        (None, None),
        (math.nan, None),
    ],
)
def test_parse_lanes(value: object, expected: float | None) -> None:
    assert parse_lanes(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("yes", True),
        ("-1", True),
        ("reversible", True),
        ("no", False),
        (None, False),
        ([False, True], True),
        ([False, False], False),
    ],
)
def test_parse_oneway(value: object, expected: bool) -> None:
    assert parse_oneway(value) is expected


def test_parse_highway_picks_highest_rank() -> None:
    assert parse_highway(["residential", "primary", "tertiary"]) == "primary"
    assert parse_highway(["unclassified", "service"]) == "unclassified"
    assert parse_highway("trunk_link") == "trunk_link"
    assert parse_highway("footway") == "footway"
    assert parse_highway(None) is None


def test_names_and_ids() -> None:
    assert join_names(["Jalan A", "Jalan B", "Jalan A"]) == "Jalan A; Jalan B"
    assert join_names(math.nan) == ""
    assert join_osmids([-19, 7]) == "-19;7"
    assert join_osmids(123) == "123"
    assert parse_bool_tag("yes")
    assert not parse_bool_tag("no")
    assert not parse_bool_tag(None)


def test_lanes_per_direction() -> None:
    assert lanes_per_direction(4, oneway=False) == 2.0
    assert lanes_per_direction(3, oneway=False) == 1.5
    assert lanes_per_direction(2, oneway=True) == 2.0
    assert lanes_per_direction(1, oneway=False) == 1.0


@given(st.floats(min_value=1, max_value=200, allow_nan=False), st.sampled_from(["", " km/h"]))
def test_maxspeed_kmh_roundtrip(speed: float, unit: str) -> None:
    text = f"{speed:.1f}{unit}"
    assert parse_maxspeed(text) == pytest.approx(round(float(f"{speed:.1f}"), 2))


@given(st.floats(min_value=1, max_value=100, allow_nan=False))
def test_mph_is_converted(speed: float) -> None:
    got = parse_maxspeed(f"{speed:.0f} mph")
    assert got == pytest.approx(round(float(f"{speed:.0f}") * osm_tags.MPH_TO_KMH, 2))


def _simplified_edges(path: Path, *, drive: bool) -> list[dict[str, object]]:
    import osmnx as ox

    from twin.roads import drive_filter, read_osm_graph

    G = read_osm_graph(path)
    if drive:
        drive_filter(G)
    return [d for _, _, d in ox.simplify_graph(G).edges(data=True)]


def test_real_sample_west_oakland(osm_samples_dir: Path) -> None:
    # Real tagging: lanes on some ways, lists after simplification, footways, private and
    # untagged ways. (The extract carries no maxspeed tag at all; units are covered above.)
    from twin.roads import read_osm_graph

    path = osm_samples_dir / "West-Oakland.osm.bz2"
    raw_highways = {str(d.get("highway")) for _, _, d in read_osm_graph(path).edges(data=True)}
    assert {"footway", "cycleway", "None"} <= raw_highways

    everything = _simplified_edges(path, drive=False)
    lists = [d for d in everything if isinstance(d.get("highway"), list)]
    assert lists, "simplification merges Wood Street's service and unclassified ways"
    assert {parse_highway(d["highway"]) for d in lists} == {"unclassified"}
    assert {str(d.get("access")) for d in lists} == {"private"}

    drive = _simplified_edges(path, drive=True)
    assert {parse_highway(d.get("highway")) for d in drive} <= {
        "residential",
        "secondary",
        "unclassified",
        "service",
    }
    assert not any(d.get("access") == "private" for d in drive)
    assert any(isinstance(d.get("osmid"), list) for d in drive)
    assert {2.0, 3.0} <= {parse_lanes(d.get("lanes")) for d in drive}
    assert any(parse_oneway(d.get("oneway")) for d in drive)


def test_real_sample_bavaria(osm_samples_dir: Path) -> None:
    from twin.roads import drive_filter, read_osm_graph

    path = osm_samples_dir / "planet_10.068_48.135_10.071_48.137.osm"
    G = read_osm_graph(path)
    raw = {(str(d.get("highway")), str(d.get("service"))) for _, _, d in G.edges(data=True)}
    assert {("service", "driveway"), ("track", "None")} <= raw
    dropped = drive_filter(G)
    assert dropped > 0
    kept = {parse_highway(d.get("highway")) for _, _, d in G.edges(data=True)}
    assert kept == {"residential"}  # driveways (private), tracks and untagged ways go
    speeds = {parse_maxspeed(d.get("maxspeed")) for _, _, d in G.edges(data=True)}
    assert speeds == {30.0, None}  # two residential ways are untagged: they get defaults
    edges = _simplified_edges(path, drive=True)
    assert 30.0 in {parse_maxspeed(d.get("maxspeed")) for d in edges}
