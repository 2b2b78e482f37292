"""Admin boundaries: reading, validation errors, hierarchy, point location."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from twin.boundaries import load_boundaries, locate_points, read_admin_file
from twin.errors import InputError
from twin.model import ADMIN_COLUMNS, OUTSIDE
from twin.profile import load_profile

PROFILE = load_profile("medan")


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _edit(path: Path, fn) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_tiny_hierarchy(tiny_admin: Path) -> None:
    b = load_boundaries(tiny_admin, profile=PROFILE)
    for t in (b.kota, b.kecamatan, b.kelurahan):
        assert tuple(t.columns) == ADMIN_COLUMNS
        assert t.crs.to_epsg() == 4326
    assert b.kota["code"].tolist() == ["12.71"]
    assert b.kecamatan["parent_code"].tolist() == ["12.71", "12.71"]
    assert b.kelurahan["parent_code"].tolist() == ["12.71.01", "12.71.01", "12.71.02", "12.71.02"]
    # 0.005 x 0.005 degrees at 3.6 N is about 0.307 km²
    assert b.kelurahan["area_km2"].tolist() == pytest.approx([0.307] * 4, rel=0.01)
    assert b.kota["area_km2"].iloc[0] == pytest.approx(b.kelurahan["area_km2"].sum(), rel=1e-6)


def test_missing_tiers_are_dissolved(tiny_admin: Path, tmp_path: Path) -> None:
    folder = tmp_path / "only_kel"
    folder.mkdir()
    shutil.copy(tiny_admin / "tiny_kelurahan.geojson", folder)
    b = load_boundaries(folder, profile=PROFILE)
    assert b.kecamatan["code"].tolist() == ["12.71.01", "12.71.02"]
    assert b.kota["code"].tolist() == ["12.71"]
    assert b.kota["area_km2"].iloc[0] == pytest.approx(4 * 0.307, rel=0.01)


def test_real_medan(medan_admin_dir: Path) -> None:
    b = load_boundaries(medan_admin_dir, profile=PROFILE)
    assert len(b.kota) == 1
    assert len(b.kecamatan) == 21
    assert len(b.kelurahan) == 151
    assert set(b.kelurahan["parent_code"]) == set(b.kecamatan["code"])
    assert b.kota["area_km2"].iloc[0] == pytest.approx(278.35, abs=0.5)


def test_wrong_crs_declared(tiny_admin: Path, tmp_path: Path) -> None:
    folder = _copy(tiny_admin, tmp_path / "utm")
    kel = gpd.read_file(folder / "tiny_kelurahan.geojson").to_crs("EPSG:32647")
    kel.to_file(folder / "tiny_kelurahan.geojson", driver="GeoJSON")
    with pytest.raises(InputError, match=r"tiny_kelurahan\.geojson: CRS is EPSG:32647"):
        load_boundaries(folder, profile=PROFILE)


def test_projected_coordinates_without_crs(tiny_admin: Path, tmp_path: Path) -> None:
    folder = _copy(tiny_admin, tmp_path / "nocrs")
    path = folder / "tiny_kecamatan.geojson"

    def to_metres(d: dict) -> None:  # type: ignore[type-arg]
        for f in d["features"]:
            ring = f["geometry"]["coordinates"][0]
            f["geometry"]["coordinates"][0] = [[x * 4700, y * 110000] for x, y in ring]

    _edit(path, to_metres)
    with pytest.raises(InputError, match=r"tiny_kecamatan\.geojson: coordinates are not WGS84"):
        load_boundaries(folder, profile=PROFILE)


def test_without_codes(tiny_admin: Path, tmp_path: Path) -> None:
    folder = _copy(tiny_admin, tmp_path / "nocode")
    _edit(
        folder / "tiny_kelurahan.geojson",
        lambda d: [f["properties"].pop("kode") for f in d["features"]],
    )
    with pytest.raises(InputError, match="no code field 'kode'"):
        load_boundaries(folder, profile=PROFILE)


def test_empty_and_duplicate_codes(tiny_admin: Path, tmp_path: Path) -> None:
    path = _copy(tiny_admin, tmp_path / "dup") / "tiny_kelurahan.geojson"
    _edit(path, lambda d: d["features"][1]["properties"].update(kode=""))
    with pytest.raises(InputError, match=r"1 kelurahan feature\(s\) without a 'kode'"):
        read_admin_file(path, tier="kelurahan")
    _edit(path, lambda d: d["features"][1]["properties"].update(kode="12.71.01.1001"))
    with pytest.raises(InputError, match=r"duplicate kelurahan code\(s\): 12\.71\.01\.1001"):
        read_admin_file(path, tier="kelurahan")


def test_broken_hierarchy(tiny_admin: Path, tmp_path: Path) -> None:
    folder = _copy(tiny_admin, tmp_path / "orphan")
    _edit(
        folder / "tiny_kelurahan.geojson",
        lambda d: d["features"][0]["properties"].update(kode="12.71.09.1001"),
    )
    with pytest.raises(InputError, match=r"under no kecamatan.*12\.71\.09"):
        load_boundaries(folder, profile=PROFILE)


def test_other_city_code(tiny_admin: Path, tmp_path: Path) -> None:
    folder = _copy(tiny_admin, tmp_path / "other")
    _edit(
        folder / "tiny_kota.geojson", lambda d: d["features"][0]["properties"].update(kode="12.75")
    )
    with pytest.raises(InputError, match=r"no kota with code 12\.71 "):
        load_boundaries(folder, profile=PROFILE)


def test_corrupt_and_missing(tmp_path: Path) -> None:
    (tmp_path / "x_kelurahan.geojson").write_text("{ not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"x_kelurahan\.geojson: not a readable GeoJSON"):
        load_boundaries(tmp_path, profile=PROFILE)
    with pytest.raises(InputError, match="boundary folder not found"):
        load_boundaries(tmp_path / "nope", profile=PROFILE)
    (tmp_path / "x_kelurahan.geojson").unlink()
    with pytest.raises(InputError, match="no kelurahan GeoJSON"):
        load_boundaries(tmp_path, profile=PROFILE)


def test_points_inside_outside_and_on_borders(tiny_admin: Path) -> None:
    b = load_boundaries(tiny_admin, profile=PROFILE)
    pts = gpd.GeoSeries(
        [
            shapely.Point(98.672, 3.592),  # inside kiri bawah
            shapely.Point(98.678, 3.598),  # inside kanan atas
            shapely.Point(98.675, 3.595),  # the corner of all four: lowest code wins
            shapely.Point(98.690, 3.595),  # 1 km outside
            shapely.Point(98.6805, 3.595),  # 55 m outside: still outside (not a gap)
        ],
        crs="EPSG:4326",
    )
    kel, kec = locate_points(pts, boundaries=b, crs=PROFILE.crs)
    assert kel.tolist() == ["12.71.01.1001", "12.71.02.1002", "12.71.01.1001", OUTSIDE, OUTSIDE]
    assert kec.tolist() == ["12.71.01", "12.71.02", "12.71.01", OUTSIDE, OUTSIDE]


def test_gap_between_kelurahan_takes_nearest(tiny_admin: Path, tmp_path: Path) -> None:
    folder = _copy(tiny_admin, tmp_path / "gap")

    def shrink(d: dict) -> None:  # type: ignore[type-arg]
        # pull kanan atas's west edge 0.0003 deg (33 m) east, opening a sliver gap
        ring = d["features"][3]["geometry"]["coordinates"][0]
        d["features"][3]["geometry"]["coordinates"][0] = [
            [x + 0.0003 if x == 98.675 else x, y] for x, y in ring
        ]

    _edit(folder / "tiny_kelurahan.geojson", shrink)
    b = load_boundaries(folder, profile=PROFILE)
    kel, _ = locate_points(
        gpd.GeoSeries([shapely.Point(98.6752, 3.598)], crs="EPSG:4326"),
        boundaries=b,
        crs=PROFILE.crs,
    )
    assert kel.tolist() == ["12.71.02.1002"]
