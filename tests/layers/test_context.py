"""The city context: boundary with buffer, kelurahan and kecamatan of points."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from layers.context import CityContext


def test_inside_uses_the_boundary_with_a_buffer(ctx: CityContext) -> None:
    # Lapangan Merdeka; Jakarta; no position.
    lat = np.array([3.5917, -6.2, np.nan])
    lon = np.array([98.6774, 106.8, 98.6])
    assert ctx.inside(lat, lon).tolist() == [True, False, False]
    # Points just outside the boundary: within ~100 m they count, beyond ~1 km they do not.
    rng = np.random.default_rng(2)
    edge = shapely.get_coordinates(ctx.boundary.boundary)
    pick = edge[rng.choice(len(edge), 400)]
    for off, expected in ((0.0009, True), (0.01, False)):
        dx, dy = rng.normal(size=(2, 400))
        norm = np.hypot(dx, dy)
        x, y = pick[:, 0] + off * dx / norm, pick[:, 1] + off * dy / norm
        out = ~shapely.contains_xy(ctx.boundary, x, y)
        far = shapely.distance(ctx.boundary, shapely.points(x, y)) > off * 0.8
        sel = out & far
        assert sel.sum() > 20
        assert (ctx.inside(y[sel], x[sel]) == expected).all()


def test_locate_agrees_with_point_in_polygon(ctx: CityContext) -> None:
    rng = np.random.default_rng(11)
    lat = rng.uniform(3.48, 3.80, 60_000)
    lon = rng.uniform(98.59, 98.75, 60_000)
    keep = ctx.inside(lat, lon)
    lat, lon = lat[keep], lon[keep]
    got = ctx.locate(lat, lon)
    assert got["h3"].str.len().eq(15).all()
    polys = dict(zip(ctx.kelurahan["code"], ctx.kelurahan.geometry, strict=True))
    parent = dict(zip(ctx.kelurahan["code"], ctx.kelurahan["parent_code"], strict=True))
    inside_any = np.zeros(len(lat), dtype=bool)
    for poly in polys.values():
        inside_any |= shapely.contains_xy(poly, lon, lat)
    for i in np.flatnonzero(inside_any)[:5000]:
        code = got["kel_code"].iloc[i]
        assert shapely.contains_xy(polys[code], lon[i], lat[i]), (lat[i], lon[i], code)
    assert (got["kec_code"] == got["kel_code"].map(parent)).all()
    # Points outside every kelurahan (buffer ring, sliver gaps) get the nearest one.
    for i in np.flatnonzero(~inside_any)[:200]:
        p = shapely.Point(lon[i], lat[i])
        nearest = min(polys, key=lambda c: polys[c].distance(p))
        assert got["kel_code"].iloc[i] == nearest


@pytest.mark.slow
def test_context_from_the_twin_matches_the_admin_files(medan_twin, ctx: CityContext) -> None:  # type: ignore[no-untyped-def]
    tctx = CityContext.from_twin(medan_twin)
    assert tctx.twin is medan_twin
    assert tctx.sites.matched
    rng = np.random.default_rng(5)
    lat = rng.uniform(3.55, 3.62, 5000)
    lon = rng.uniform(98.64, 98.70, 5000)
    assert (tctx.inside(lat, lon) == ctx.inside(lat, lon)).mean() > 0.999
    a, b = tctx.locate(lat, lon), ctx.locate(lat, lon)
    assert (a["kel_code"] == b["kel_code"]).mean() > 0.999
