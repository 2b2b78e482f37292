"""Plans built in the planner: validation, share links, the engine's format, save/load."""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.views import plan as planmod
from apps.views import scenario
from twin.errors import InputError
from twin.model import Twin
from twin.settings import get_settings


def _plan() -> planmod.Plan:
    return planmod.Plan(
        name="Tutup <Jl. X> & banjir",
        period="pm_peak",
        changes=[
            {"kind": "close", "edges": [0, 1], "names": ["A", "A"]},
            {"kind": "lanes", "edges": [4], "names": ["B"], "delta": 1},
            {
                "kind": "flood",
                "kelurahan": ["12.71.01.1001"],
                "kecamatan": ["12.71.01"],
                "cells": ["88650d4e3bfffff"],
                "depth": "deep",
            },
            {"kind": "growth", "pct": 10.0},
            {"kind": "event", "kelurahan": "12.71.01.1001", "place": "Stadion", "attendees": 20000},
        ],
    )


def test_share_link_round_trip() -> None:
    p = _plan()
    url = planmod.share_url(p, base="http://localhost:8501", lang="en")
    assert url.startswith("http://localhost:8501/?lang=en&sc=")
    token = url.split("sc=", 1)[1]
    assert planmod.decode_plan(token) == p


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("not-base64-!!!", "damaged"),
        (planmod.encode_plan(planmod.Plan())[:-6], "damaged"),
        ("x" * 30_000, "too long"),
    ],
)
def test_damaged_links_are_clear_errors(token: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        planmod.decode_plan(token)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "close", "edges": []}, "edges"),
        ({"kind": "close", "edges": ["3"]}, "edges"),
        ({"kind": "lanes", "edges": [1], "delta": 9}, "delta"),
        ({"kind": "flood", "depth": "medium"}, "flood needs"),
        ({"kind": "flood", "kelurahan": ["a"], "depth": "waist"}, "depth"),
        ({"kind": "growth", "pct": 900}, "pct"),
        ({"kind": "event", "kelurahan": "a", "attendees": -1}, "attendees"),
        ({"kind": "teleport"}, "kind"),
    ],
)
def test_bad_changes_name_the_field(change: dict, field: str) -> None:
    with pytest.raises(InputError, match=field):
        planmod.plan_from_dict({"v": 1, "changes": [change]}, source="link")


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(InputError, match="unknown key"):
        planmod.plan_from_dict({"v": 1, "colour": "red"})


def test_plan_to_spec_is_valid_for_the_engine(toy_twin: Twin) -> None:
    from sim.scenario.schema import parse_scenario

    spec = scenario.plan_to_spec(_plan(), toy_twin)
    types = [c["type"] for c in spec["changes"]]
    assert types == ["close", "modify", "flood", "flood", "flood", "growth", "event"]
    assert spec["changes"][0]["where"] == {"edge_ids": [0, 1]}
    assert spec["changes"][5]["factor"] == pytest.approx(1.1)
    ev = spec["changes"][6]
    assert ev["start"] == "17:00"
    assert ev["direction"] == "depart"
    # the event is placed inside its kelurahan
    kel = toy_twin.kelurahan.set_index("code").loc["12.71.01.1001"].geometry
    import shapely

    assert kel.contains(shapely.Point(ev["at"]))
    sc = parse_scenario(spec, source="planner")
    assert sc.period == "pm_peak"
    assert len(sc.changes) == 7
    # the TOML written beside a saved plan reads back to the same scenario
    import tomllib

    assert parse_scenario(tomllib.loads(scenario.spec_to_toml(spec)), source="planner") == sc


def test_save_and_load(toy_twin: Twin, twin_home: Path) -> None:
    p = _plan()
    path = scenario.save_plan(p, twin=toy_twin)
    assert path.parent == scenario.plans_dir(get_settings())
    assert path.with_suffix(".toml").is_file()
    assert scenario.saved_plans() == [path.stem]
    assert scenario.load_plan(path.stem) == p
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(InputError, match=str(path.name)):
        scenario.load_plan(path.stem)
    with pytest.raises(InputError, match="no such saved scenario"):
        scenario.load_plan("nothing-here")


def test_describe_change_in_both_languages() -> None:
    c = _plan().changes[0]
    assert planmod.describe_change(c, lang="id") == "Tutup 2 ruas: A"
    assert planmod.describe_change(c, lang="en") == "Close road links (2): A"
    f = planmod.describe_change(_plan().changes[2], lang="en", names={"12.71.01": "Medan Kota"})
    assert "Medan Kota" in f
    assert "deep" in f
