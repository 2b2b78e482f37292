"""``twin build`` / ``twin info`` through the real CLI entry point, good and bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pytest

from apps.cli import main
from twin.build import build_twin
from twin.errors import InputError

INFO_KEYS = {
    "nodes",
    "edges",
    "length_km_by_class",
    "kecamatan",
    "kelurahan",
    "strongly_connected_share",
    "h3",
    "atcs_sites_matched",
    "provenance",
}


def _no_snapshot_left(home: Path) -> None:
    root = home / "snapshots"
    leftovers = [p for p in root.rglob("*") if p.is_dir()] if root.exists() else []
    assert [p for p in leftovers if p.name != "medan"] == [], f"left behind: {leftovers}"


def _one_line_error(err: str, *needles: str) -> None:
    # progress lines may precede it; the error itself is one line, the last, no traceback
    assert "Traceback" not in err
    errors = [line for line in err.strip().splitlines() if line.startswith("twin: error: ")]
    assert len(errors) == 1, f"expected one error line, got: {err!r}"
    assert err.strip().splitlines()[-1] == errors[0]
    for n in needles:
        assert n in errors[0], f"{n!r} not in {errors[0]!r}"


def test_build_then_info_json(
    twin_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tiny_osm: Path,
    tiny_admin: Path,
    tiny_atcs: Path,
) -> None:
    monkeypatch.delenv("TWIN_DATA_DIR", raising=False)
    rc = main(
        [
            "build",
            "--osm-file",
            str(tiny_osm),
            "--boundaries",
            str(tiny_admin),
            "--atcs-file",
            str(tiny_atcs),
        ]
    )
    out, err = capsys.readouterr()
    assert rc == 0
    for step in ("boundaries:", "roads:", "admin:", "h3:", "atcs:", "snapshot:", "done in"):
        assert step in err
    assert "4 kelurahan" in out
    assert "2 of 2 sites matched" in out

    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert set(info) >= INFO_KEYS
    assert info["nodes"] == 11
    assert info["kecamatan"] == 2
    assert info["kelurahan"] == 4
    assert info["strongly_connected_share"] == pytest.approx(11 / 14, abs=1e-6)
    assert set(info["h3"]) == {"9", "8", "7"}
    assert info["atcs_sites_matched"] == 2
    assert info["length_km_by_class"]["primary"] == pytest.approx(1.8, abs=0.05)
    for p in info["provenance"]:
        assert set(p) >= {"layer", "source", "licence", "synthetic"}
    assert info["roads_synthetic"] is False

    snapshot = info["path"]
    assert main(["info", "--snapshot", snapshot]) == 0
    text = capsys.readouterr().out
    assert info["snapshot_id"] in text
    assert "SYNTHETIC road" not in text

    assert (
        main(
            [
                "build",
                "--osm-file",
                str(tiny_osm),
                "--boundaries",
                str(tiny_admin),
                "--atcs-file",
                str(tiny_atcs),
            ]
        )
        == 0
    )
    assert "reusing" in capsys.readouterr().err


def test_info_without_snapshot(twin_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 2
    _one_line_error(capsys.readouterr().err, "no snapshot of medan", "twin build")


@pytest.mark.parametrize(
    ("make", "needles"),
    [
        (lambda d: d / "missing.osm", ["missing.osm", "OSM file not found"]),
        (
            lambda d: _write(d / "corrupt.osm", "<osm><node id='1' lat="),
            ["corrupt.osm", "not a readable OSM XML file"],
        ),
        (
            lambda d: _write_bytes(d / "cut.osm.bz2", b"BZh91AY&SY garbage"),
            ["cut.osm.bz2", "not a readable OSM XML file"],
        ),
    ],
)
def test_bad_osm_file(
    twin_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tiny_admin: Path,
    make,
    needles: list[str],  # type: ignore[no-untyped-def]
) -> None:
    bad = make(tmp_path)
    rc = main(["build", "--osm-file", str(bad), "--boundaries", str(tiny_admin)])
    assert rc == 2
    _one_line_error(capsys.readouterr().err, *needles)
    _no_snapshot_left(twin_home)


@pytest.mark.parametrize(
    "sample", ["West-Oakland.osm.bz2", "planet_10.068_48.135_10.071_48.137.osm"]
)
def test_osm_file_of_another_place(
    twin_home: Path,
    capsys: pytest.CaptureFixture[str],
    osm_samples_dir: Path,
    medan_admin_dir: Path,
    sample: str,
) -> None:
    rc = main(
        ["build", "--osm-file", str(osm_samples_dir / sample), "--boundaries", str(medan_admin_dir)]
    )
    assert rc == 2
    _one_line_error(capsys.readouterr().err, sample, "do not reach Kota Medan")
    _no_snapshot_left(twin_home)


def test_boundaries_with_wrong_crs(
    twin_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tiny_osm: Path,
    tiny_admin: Path,
) -> None:
    folder = tmp_path / "admin"
    shutil.copytree(tiny_admin, folder)
    gdf = gpd.read_file(folder / "tiny_kecamatan.geojson").to_crs("EPSG:3857")
    gdf.to_file(folder / "tiny_kecamatan.geojson", driver="GeoJSON")
    rc = main(["build", "--osm-file", str(tiny_osm), "--boundaries", str(folder)])
    assert rc == 2
    _one_line_error(capsys.readouterr().err, "tiny_kecamatan.geojson", "CRS is EPSG:3857")
    _no_snapshot_left(twin_home)


def test_boundaries_without_codes(
    twin_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tiny_osm: Path,
    tiny_admin: Path,
) -> None:
    folder = tmp_path / "admin"
    shutil.copytree(tiny_admin, folder)
    gdf = gpd.read_file(folder / "tiny_kelurahan.geojson").drop(columns="kode")
    gdf.to_file(folder / "tiny_kelurahan.geojson", driver="GeoJSON")
    rc = main(["build", "--osm-file", str(tiny_osm), "--boundaries", str(folder)])
    assert rc == 2
    _one_line_error(capsys.readouterr().err, "tiny_kelurahan.geojson", "no code field 'kode'")
    _no_snapshot_left(twin_home)


def test_bad_atcs_file(
    twin_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tiny_osm: Path,
    tiny_admin: Path,
) -> None:
    bad = _write(
        tmp_path / "sites.csv",
        "atcs_id,name,alias,kind,lat,lon\n1,A,B,simpang,3.59,98.67\n2,A,B,simpang,x,1\n",
    )
    rc = main(
        [
            "build",
            "--osm-file",
            str(tiny_osm),
            "--boundaries",
            str(tiny_admin),
            "--atcs-file",
            str(bad),
        ]
    )
    assert rc == 2
    _one_line_error(capsys.readouterr().err, "sites.csv:3", "lon/lat are not numbers")
    _no_snapshot_left(twin_home)


def test_function_raises_input_error_too(tmp_path: Path, tiny_admin: Path) -> None:
    with pytest.raises(InputError, match="OSM file not found"):
        build_twin(osm_file=tmp_path / "none.osm", boundaries=tiny_admin)


def test_user_file_marked_synthetic(
    twin_home: Path,
    tmp_path: Path,
    tiny_osm: Path,
    tiny_admin: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("TWIN_DATA_DIR", raising=False)
    marked = _write(
        tmp_path / "gen.osm",
        tiny_osm.read_text(encoding="utf-8").replace(
            'generator="medan-twin test fixture (hand-made)"',
            'generator="medan-offline-synthetic (not OpenStreetMap data)"',
        ),
    )
    assert main(["build", "--osm-file", str(marked), "--boundaries", str(tiny_admin)]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC road network" in out
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    roads = next(p for p in info["provenance"] if p["layer"] == "roads")
    assert roads["synthetic"] is True
    assert info["roads_synthetic"] is True


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_other_place_through_the_function(
    twin_home: Path, osm_samples_dir: Path, medan_admin_dir: Path
) -> None:
    wrong_place = r"West-Oakland\.osm\.bz2: the roads \(lon -122\.31.*do not reach Kota Medan"
    with pytest.raises(InputError, match=wrong_place):
        build_twin(osm_file=osm_samples_dir / "West-Oakland.osm.bz2", boundaries=medan_admin_dir)
    _no_snapshot_left(twin_home)
