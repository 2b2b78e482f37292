"""``twin assign``: the CLI over the TNTP reader and the engine."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from apps.cli import main
from sim.tntp import read_flows, read_network


def test_assign_json_and_flows_csv(
    siouxfalls_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "flows.csv"
    net_file = siouxfalls_dir / "SiouxFalls_net.tntp"
    rc = main(
        [
            "assign",
            "--net",
            str(net_file),
            "--trips",
            str(siouxfalls_dir / "SiouxFalls_trips.tntp"),
            "--gap",
            "1e-6",
            "--out",
            str(out),
            "--json",
        ]
    )
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    for key in (
        "relative_gap",
        "average_excess_cost",
        "objective",
        "tstt",
        "iterations",
        "seconds",
        "unassigned_demand",
    ):
        assert isinstance(summary[key], int | float), key
    assert summary["relative_gap"] <= 1e-6
    assert summary["unassigned_demand"] == 0.0
    assert summary["provenance"]["kind"] == "simulated"
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["init_node", "term_node", "flow", "cost"]
    assert len(rows) == 77
    net = read_network(net_file)
    flow = np.array([float(r[2]) for r in rows[1:]])
    best, _ = read_flows(siouxfalls_dir / "SiouxFalls_flow.tntp").aligned(net)
    assert np.abs(flow - best).sum() / best.sum() < 1e-2
    assert [int(rows[1][0]), int(rows[1][1])] == [1, 2]


def test_assign_text_summary_and_factors(
    siouxfalls_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "assign",
        "--net",
        str(siouxfalls_dir / "SiouxFalls_net.tntp"),
        "--trips",
        str(siouxfalls_dir / "SiouxFalls_trips.tntp"),
        "--gap",
        "1e-3",
        "--algorithm",
        "bfw",
        "--distance-factor",
        "0.5",
    ]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "relative_gap" in text
    assert "simulated" in text
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["distance_factor"] == 0.5


def test_assign_bad_input_is_one_line(
    siouxfalls_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad_net.tntp"
    bad.write_text("<NUMBER OF ZONES> 24\n<END OF METADATA>\n")
    trips = str(siouxfalls_dir / "SiouxFalls_trips.tntp")
    assert main(["assign", "--net", str(bad), "--trips", trips]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "bad_net.tntp" in err
    assert "<NUMBER OF NODES> is missing" in err
    net = str(siouxfalls_dir / "SiouxFalls_net.tntp")
    assert main(["assign", "--net", net, "--trips", trips, "--toll-factor", "-1"]) == 2
    assert "--toll-factor" in capsys.readouterr().err
    out = tmp_path / "no" / "flows.csv"
    assert main(["assign", "--net", net, "--trips", trips, "--out", str(out)]) == 2
    assert "folder does not exist" in capsys.readouterr().err
