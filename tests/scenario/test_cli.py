"""``twin scenario run|list|diff`` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apps.cli import main
from sim.baseline import Baseline

pytestmark = pytest.mark.slow

SCENARIOS = Path(__file__).resolve().parents[2] / "data" / "scenarios"


@pytest.fixture
def cli_home(
    monkeypatch: pytest.MonkeyPatch,
    scenario_settings,
    am_baseline: Baseline,  # type: ignore[no-untyped-def]
) -> Path:
    # the test baselines' home: the CLI then finds the AM baseline in the cache
    monkeypatch.setenv("TWIN_HOME", str(scenario_settings.home))
    return Path(scenario_settings.home)


def test_list(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWIN_HOME", str(tmp_path))
    own = tmp_path / "scenarios"
    own.mkdir()
    (own / "mine.toml").write_text('name = "mine"\n[[changes]]\ntype = "growth"\nfactor = 1.2\n')
    (own / "broken.toml").write_text('name = "b"\n[[changes]]\ntype = "melt"\n')
    (own / "app").mkdir()
    (own / "app" / "plan.toml").write_text('name = "p"\n[[changes]]\ntype = "growth"\nfactor = 2\n')
    assert main(["scenario", "list", "--json"]) == 0
    rows = {r["stem"]: r for r in json.loads(capsys.readouterr().out)}
    assert {p.stem for p in SCENARIOS.glob("*.toml")} <= set(rows)
    assert rows["mine"]["valid"]
    assert rows["mine"]["changes"] == ["growth"]
    assert not rows["broken"]["valid"]
    assert "unknown change type 'melt'" in rows["broken"]["error"]
    assert main(["scenario", "list"]) == 0
    assert "INVALID" in capsys.readouterr().out


def test_run_json(
    cli_home: Path, cli_options: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "res"
    scenario = str(SCENARIOS / "close_gatot_subroto_sunggal.toml")
    rc = main(["scenario", "run", scenario, "--json", "--out", str(out), *cli_options])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("baseline", "scenario", "delta"):
        assert {"vht", "vkt", "mean_speed_kmh", "congested_km"} <= set(data[key])
    for key in ("unassigned_demand", "relative_gap", "seconds"):
        assert isinstance(data[key], float)
    assert data["delta"]["vht"] > 0
    assert (out / "summary.json").is_file()
    assert data["results_dir"] == str(out)


def test_diff_and_text_output(
    cli_home: Path, cli_options: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # copies of two shipped examples: their results are written beside them, not in the repo
    a, b = (tmp_path / "a.toml", tmp_path / "b.toml")
    a.write_bytes((SCENARIOS / "close_gatot_subroto_sunggal.toml").read_bytes())
    b.write_bytes((SCENARIOS / "growth_city_2030.toml").read_bytes())
    assert main(["scenario", "diff", str(a), str(b), "--json", *cli_options]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert set(diff["kpis"]) >= {"vht", "vkt", "mean_speed_kmh", "congested_km"}
    assert diff["kpis"]["vht"]["b_minus_a"] > 0  # 10-25 % more trips cost more than a closure
    assert main(["scenario", "diff", str(a), str(b), *cli_options]) == 0
    text = capsys.readouterr().out
    assert "SIMULATED" in text
    assert "B - A" in text
    assert len(list((tmp_path / "a.results").glob("*/summary.json"))) == 1
    assert len(list((tmp_path / "b.results").glob("*/summary.json"))) == 1


def test_bad_input_is_one_line_exit_2(
    cli_home: Path, cli_options: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "x"\n[[changes]]\ntype = "close"\nwhere = { street = "Jalan Gatot Subrotoo" }\n'
    )
    rc = main(["scenario", "run", str(bad), *cli_options])
    err = capsys.readouterr().err
    assert rc == 2
    line = err.strip().splitlines()[-1]
    assert line.startswith("twin: error: ")
    assert str(bad) in line
    assert "closest names" in line
    assert "Jalan Gatot Subroto" in line
    assert "Traceback" not in err
    assert main(["scenario", "run", "no-such-scenario", *cli_options]) == 2
    assert "no such scenario file" in capsys.readouterr().err


def test_baseline_command_reuses_the_cached_baseline(
    cli_home: Path,
    cli_options: list[str],
    am_baseline: Baseline,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["scenario", "baseline", "--json", *cli_options]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["from_cache"] is True
    assert data["snapshot_id"] == am_baseline.snapshot_id
    assert data["kpis"]["vht"] == pytest.approx(am_baseline.kpis["vht"])
    assert data["relative_gap"] == pytest.approx(am_baseline.result.relative_gap)
    assert "simulated" in data["label"].lower()
    assert main(["scenario", "baseline", *cli_options]) == 0
    text = capsys.readouterr().out
    assert "from cache" in text
    assert "PCU-h/h" in text


def test_baseline_command_unknown_period_is_one_line(
    cli_home: Path, cli_options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scenario", "baseline", "--period", "night", *cli_options]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("twin: error:")
    assert "unknown period 'night'" in err[-1]
