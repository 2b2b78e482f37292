"""A tiny twin for unit tests of the app's views: real Medan Kota boundaries, a hand-made grid.

The kecamatan Medan Kota (12.71.01) and its kelurahan come from the real admin GeoJSON; the
roads are a small invented grid inside it, with one street whose name is markup (to check that
names are shown as text); the ATCS sites are the real ones that lie in that kecamatan.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from twin.model import Twin
from twin.profile import load_profile
from twin.provenance import Provenance

KEC = "12.71.01"
XSS_NAME = "<img src=x onerror=alert(1)>"


def build_toy_twin(data_dir: Path) -> Twin:
    """The toy twin (about 60 directed edges)."""
    admin = data_dir / "medan" / "admin"
    kel = gpd.read_file(admin / "medan_kelurahan.geojson")
    kel = kel[kel["kode_kec"] == KEC]
    kelurahan = gpd.GeoDataFrame(
        {
            "code": kel["kode"].to_numpy(),
            "name": kel["nama"].to_numpy(),
            "parent_code": kel["kode_kec"].to_numpy(),
            "area_km2": kel["area_km2"].astype(float).to_numpy(),
        },
        geometry=kel.geometry.to_numpy(),
        crs=4326,
    )
    kec_all = gpd.read_file(admin / "medan_kecamatan.geojson")
    kec = kec_all[kec_all["kode"] == KEC]
    kecamatan = gpd.GeoDataFrame(
        {
            "code": kec["kode"].to_numpy(),
            "name": kec["nama"].to_numpy(),
            "parent_code": ["12.71"],
            "area_km2": kec["area_km2"].astype(float).to_numpy(),
        },
        geometry=kec.geometry.to_numpy(),
        crs=4326,
    )
    kota = gpd.GeoDataFrame(
        {"code": ["12.71"], "name": ["Kota Medan"], "parent_code": ["12"], "area_km2": [5.7]},
        geometry=kec.geometry.to_numpy(),
        crs=4326,
    )
    poly = kec.geometry.iloc[0]
    minx, miny, maxx, maxy = poly.bounds
    xs = np.linspace(minx + 0.002, maxx - 0.002, 5)
    ys = np.linspace(miny + 0.002, maxy - 0.002, 5)
    node_xy: dict[int, tuple[float, float]] = {}
    nid = -1
    grid: dict[tuple[int, int], int] = {}
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            grid[i, j] = nid
            node_xy[nid] = (float(x), float(y))
            nid -= 1
    rows = []
    eid = 0
    classes = ["primary", "residential", "secondary", "residential", "tertiary"]
    for i in range(5):
        for j in range(5):
            for di, dj in ((1, 0), (0, 1)):
                if i + di > 4 or j + dj > 4:
                    continue
                a, b = grid[i, j], grid[i + di, j + dj]
                hw = classes[j] if di == 1 else classes[i]
                name = f"Jalan Toy {i}-{j}" if (i, j) != (0, 0) else XSS_NAME
                for u, v in ((a, b), (b, a)):
                    geom = shapely.LineString([node_xy[u], node_xy[v]])
                    rows.append(
                        {
                            "edge_id": eid,
                            "u": u,
                            "v": v,
                            "key": 0,
                            "osmid": str(-eid - 1),
                            "name": name,
                            "highway": hw,
                            "lanes": 2.0 if hw != "residential" else 1.0,
                            "lanes_source": "default",
                            "maxspeed_kmh": 40.0,
                            "maxspeed_source": "default",
                            "free_speed_kmh": 40.0,
                            "oneway": False,
                            "toll": False,
                            "length_m": 300.0,
                            "fft_s": 27.0,
                            "capacity_pcu_h": 1800.0,
                            "capacity_veh_h": 3000.0,
                            "kel_code": kelurahan["code"].iloc[0],
                            "kec_code": KEC,
                            "geometry": geom,
                        }
                    )
                    eid += 1
    edges = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    nodes = gpd.GeoDataFrame(
        {
            "node_id": list(node_xy),
            "x": 0.0,
            "y": 0.0,
            "lon": [p[0] for p in node_xy.values()],
            "lat": [p[1] for p in node_xy.values()],
            "street_count": 3,
            "highway": None,
            "ref": None,
            "kel_code": kelurahan["code"].iloc[0],
            "kec_code": KEC,
            "h3": [h3.latlng_to_cell(p[1], p[0], 9) for p in node_xy.values()],
        },
        geometry=[shapely.Point(p) for p in node_xy.values()],
        crs=4326,
    )
    cells = sorted(h3.geo_to_cells(poly, 8))
    h3_cells = pd.DataFrame(
        {
            "cell": cells,
            "res": 8,
            "kel_code": kelurahan["code"].iloc[0],
            "kec_code": KEC,
            "share_in_city": 1.0,
        }
    )
    atcs = pd.read_csv(data_dir / "medan" / "unlicensed" / "atcs_cctv_medan.csv")
    atcs = atcs[atcs["kode_kec"] == KEC].head(6)
    atcs_sites = gpd.GeoDataFrame(
        {
            "site_id": [f"ATCS-{i}" for i in atcs["atcs_id"]],
            "atcs_id": atcs["atcs_id"].to_numpy(),
            "name": atcs["name"].to_numpy(),
            "alias": atcs["alias"].to_numpy(),
            "kind": atcs["kind"].to_numpy(),
            "lon": atcs["lon"].to_numpy(),
            "lat": atcs["lat"].to_numpy(),
            "node_id": -1,
            "node_dist_m": 10.0,
            "edge_id": 0,
            "edge_dist_m": 5.0,
            "kel_code": atcs["kode_kel"].to_numpy(),
            "kec_code": KEC,
            "h3": [
                h3.latlng_to_cell(a, b, 9) for a, b in zip(atcs["lat"], atcs["lon"], strict=False)
            ],
        },
        geometry=gpd.points_from_xy(atcs["lon"], atcs["lat"]),
        crs=4326,
    )
    prov = [
        Provenance("roads", "toy grid", "none", "toy", synthetic=True).to_dict(),
        Provenance(
            "kelurahan", "cahyadsn/wilayah_boundaries", "MIT", "© Cahya DSN", synthetic=False
        ).to_dict(),
    ]
    return Twin(
        snapshot_id="medan-toy000000000",
        path=data_dir,
        profile=load_profile("medan"),
        manifest={"provenance": prov},
        nodes=nodes,
        edges=edges,
        kota=kota,
        kecamatan=kecamatan,
        kelurahan=kelurahan,
        h3_cells=h3_cells,
        edge_cells=pd.DataFrame(columns=["edge_id", "cell", "length_m"]),
        atcs_sites=atcs_sites,
    )
