"""`twin feed ...` end to end through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apps.cli import main


@pytest.fixture
def env(twin_home: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TWIN_DATA_DIR", str(data_dir))
    return twin_home


def test_ingest_prints_counts_and_reasons(
    env: Path, samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    rc = main(
        [
            "feed",
            "ingest",
            "--kind",
            "traffic",
            "--format",
            "atcs",
            str(samples / "atcs_counts.csv"),
            str(samples / "atcs_counts.json"),
            "--store",
            str(store),
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0
    assert "accepted   9" in out
    assert "duplicates 0" in out
    assert "rejected   8" in out
    assert "unknown_site" in out
    assert "implausible_count" in out
    rc = main(
        [
            "feed",
            "ingest",
            "--kind",
            "traffic",
            "--format",
            "atcs",
            str(samples / "atcs_counts.csv"),
            "--store",
            str(store),
            "--json",
        ]
    )
    d = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert (d["accepted"], d["duplicates"], d["rejected"]) == (0, 5, 5)
    assert d["reasons"]["unknown_site"] == 1


def test_ingest_a_folder(
    env: Path, samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    for name in ("atcs_counts.csv", "atcs_counts.json"):
        (drop / name).write_bytes((samples / name).read_bytes())
    (drop / ".hidden.csv").write_text("ignored")
    rc = main(
        [
            "feed",
            "ingest",
            "--kind",
            "traffic",
            "--format",
            "atcs",
            str(drop),
            "--store",
            str(tmp_path / "s.sqlite"),
            "--json",
        ]
    )
    d = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert d["accepted"] == 9
    assert len(d["files"]) == 2


def test_ingest_csv_mapping_and_open311_services(
    env: Path, samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    assert (
        main(
            [
                "feed",
                "ingest",
                "--kind",
                "complaints",
                "--format",
                "csv",
                "--mapping",
                str(samples / "mrk_mapping.toml"),
                str(samples / "complaints_mrk.csv"),
                "--store",
                str(store),
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["accepted"] == 4
    assert (
        main(
            [
                "feed",
                "ingest",
                "--kind",
                "complaints",
                "--format",
                "open311",
                "--source",
                "mrk",
                "--services",
                str(samples / "open311_services.xml"),
                str(samples / "open311_requests.xml"),
                "--store",
                str(store),
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["accepted"] == 2
    assert main(["feed", "stats", "--store", str(store), "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["counts"]["complaints"] == 6
    assert st["journal_mode"] == "wal"
    assert st["complaints_by_source"] == {"mrk": 6}
    assert st["quarantine_by_reason"] == {"bad_number": 1, "schema": 1, "bad_time": 1}
    assert {f["source"] for f in st["feeds"]} == {"mrk"}


def test_user_errors_are_one_line_exit_2(
    env: Path, samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("nama,kategori\nA,sampah\n")
    cases = [
        ["feed", "ingest", "--kind", "complaints", "--format", "csv", str(bad)],
        ["feed", "ingest", "--kind", "traffic", "--format", "lapor", str(bad)],
        ["feed", "ingest", "--kind", "complaints", "--format", "csv", str(tmp_path / "none.csv")],
        ["feed", "stats", "--store", str(tmp_path / "none.sqlite")],
        ["feed", "simulate", "--minutes", "0"],
        ["feed", "run", "--config", str(tmp_path / "none.toml")],
    ]
    for argv in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert err.startswith("twin: error: "), err
        assert "\n" not in err, err
    assert main(cases[0]) == 2
    assert "bad.csv:1: missing columns" in capsys.readouterr().err


def test_simulate_writes_labelled_records_to_the_default_store(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["feed", "simulate", "--minutes", "30", "--rate", "2", "--seed", "4", "--json"]) == 0
    )
    d = json.loads(capsys.readouterr().out)
    assert d["accepted"] > 100
    assert d["rejected"] == 0
    assert d["source"] == "simulated"
    assert (env / "store" / "medan.sqlite").is_file()
    assert main(["feed", "stats"]) == 0
    out = capsys.readouterr().out
    assert "(SIMULATED)" in out
    assert "traffic:simulated" in out
