"""The scenario format: what it accepts, and the errors that name the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import (
    Close,
    Event,
    Flood,
    Growth,
    Modify,
    NewLink,
    ScenarioError,
    load_scenario,
    parse_scenario,
)
from twin.errors import InputError

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "scenarios"


def _one(change: dict) -> dict:
    return {"name": "t", "changes": [change]}


def test_every_change_type_parses() -> None:
    sc = parse_scenario(
        {
            "name": "all",
            "period": "pm_peak",
            "changes": [
                {"type": "close", "where": {"street": "Jalan X", "kecamatan": "Medan Kota"}},
                {"type": "modify", "where": {"edge_ids": [3]}, "lanes_delta": 1},
                {"type": "flood", "where": {"kelurahan": ["Aur"]}, "depth": "deep"},
                {"type": "growth", "factor": 1.1},
                {
                    "type": "event",
                    "at": [98.69, 3.57],
                    "attendees": 100,
                    "start": "17:00",
                    "end": "18:00",
                },
                {
                    "type": "new_link",
                    "from": [98.6, 3.5],
                    "to": [98.61, 3.51],
                    "highway": "primary",
                },
            ],
        }
    )
    kinds = [type(c) for c in sc.changes]
    assert kinds == [Close, Modify, Flood, Growth, Event, NewLink]
    assert sc.period == "pm_peak"
    assert sc.changes[0].where.kecamatan == "Medan Kota"  # type: ignore[union-attr]


def test_round_trip_keeps_identity() -> None:
    sc = load_scenario(SHIPPED / "combined_works_flood_growth.toml")
    again = parse_scenario(sc.to_dict())
    assert again.to_dict() == sc.to_dict()
    assert again.sha == sc.sha
    assert len(sc.sha) == 12
    changed = dict(sc.to_dict(), period="midday")
    assert parse_scenario(changed).sha != sc.sha


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"name": "t", "changes": [], "colour": "red"}, "unknown field 'colour'"),
        ({"name": "t", "changes": []}, "changes: a scenario needs a non-empty list"),
        ({"changes": [{"type": "growth", "factor": 2}]}, "name: missing"),
        (_one({"type": "teleport"}), "changes[0].type: unknown change type 'teleport'"),
        (_one({"type": "close"}), "changes[0].where: missing"),
        (
            _one({"type": "close", "where": {"streat": "X"}}),
            "unknown field 'changes[0].where.streat'",
        ),
        (_one({"type": "close", "where": {"highway": ["primary"]}}), "needs at least one of"),
        (_one({"type": "close", "where": {"edge_ids": "3"}}), "changes[0].where.edge_ids"),
        (
            _one({"type": "flood", "where": {"kelurahan": ["Aur"]}, "depth": "knee"}),
            "changes[0].depth: unknown depth class 'knee'",
        ),
        (_one({"type": "modify", "where": {"edge_ids": [1]}}), "a modify change needs one of"),
        (
            _one({"type": "modify", "where": {"edge_ids": [1]}, "capacity_factor": -1}),
            "changes[0].capacity_factor",
        ),
        (_one({"type": "growth", "factor": "lots"}), "changes[0].factor: must be a number"),
        (
            _one({"type": "event", "at": [98.6], "attendees": 5, "start": "17:00", "end": "18:00"}),
            "changes[0].at: must be [lon, lat]",
        ),
        (
            _one(
                {"type": "event", "at": [98.6, 3.5], "attendees": 5, "start": "5pm", "end": "18:00"}
            ),
            "changes[0].start: must be a time",
        ),
        (
            _one(
                {
                    "type": "new_link",
                    "from": [98.6, 3.5],
                    "to": [98.7, 3.6],
                    "highway": "primary",
                    "oneway": "yes",
                }
            ),
            "changes[0].oneway",
        ),
        (
            _one({"type": "close", "where": {"polygon": [[98.6, 3.5], [98.7, 3.5]]}}),
            "changes[0].where.polygon",
        ),
    ],
)
def test_bad_scenarios_name_the_field(data: dict, needle: str) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data, source="my.toml")
    assert isinstance(err.value, InputError)
    assert str(err.value).startswith("my.toml: ")
    assert needle in str(err.value)


def test_malformed_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text('name = "x"\n[[changes]\ntype = "close"\n')
    with pytest.raises(ScenarioError, match=r"broken\.toml: not valid TOML"):
        load_scenario(bad)
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "missing.toml")


def test_unknown_key_in_file(tmp_path: Path) -> None:
    f = tmp_path / "s.toml"
    f.write_text(
        'name = "x"\n[[changes]]\ntype = "close"\nwhere = { street = "Jalan A" }\nwhen = "now"\n'
    )
    with pytest.raises(ScenarioError) as err:
        load_scenario(f)
    assert str(f) in str(err.value)
    assert "unknown field 'changes[0].when'" in str(err.value)


def test_shipped_examples_are_valid() -> None:
    files = sorted(SHIPPED.glob("*.toml"))
    assert len(files) >= 7
    kinds = set()
    for f in files:
        sc = load_scenario(f)
        kinds |= {c.type for c in sc.changes}
    assert kinds == {"close", "modify", "flood", "growth", "event", "new_link"}


def test_objects_built_in_code_are_validated_like_files() -> None:
    from sim.scenario import Scenario, Selection, as_scenario

    good = Scenario(
        name="code",
        changes=(Flood(where=Selection(kelurahan=("Aur",)), depth="shallow"), Growth(1.1)),
        period="midday",
    )
    assert as_scenario(good).to_dict() == good.to_dict()
    assert as_scenario(good.to_dict()).sha == good.sha
    bad = Scenario(name="code", changes=(Flood(where=Selection(kelurahan=("Aur",)), depth="x"),))
    with pytest.raises(ScenarioError, match=r"changes\[0\]\.depth: unknown depth class 'x'"):
        as_scenario(bad)
    link = NewLink(start=(98.6, 3.5), end=(98.61, 3.51), highway="primary")
    assert as_scenario(Scenario(name="l", changes=(link,))).changes[0] == link
