"""Vectorized H3 (face lattice + h3ronpy) agrees with h3-py cell for cell."""

from __future__ import annotations

import h3
import numpy as np
import pytest

from layers.grid import (
    cells_to_strings,
    latlng_to_cell_strings,
    latlng_to_cells,
    parent_cells,
)


def _h3py(lat: np.ndarray, lon: np.ndarray, res: int) -> list[str]:
    return [h3.latlng_to_cell(a, b, res) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)]


@pytest.mark.parametrize("method", ["lattice", "h3ronpy"])
@pytest.mark.parametrize("res", [7, 8, 9, 12])
def test_both_paths_agree_with_h3py_around_medan(method: str, res: int) -> None:
    rng = np.random.default_rng(res)
    n = 30_000
    lat = rng.uniform(3.45, 3.85, n)
    lon = rng.uniform(98.55, 98.80, n)
    got = cells_to_strings(latlng_to_cells(lat, lon, res, method=method)).tolist()
    assert got == _h3py(lat, lon, res)


def test_points_on_cell_borders_and_far_away_agree() -> None:
    # Cell vertices and edge midpoints are ties in floating point: the lattice path gives
    # them as h3-py says (h3ronpy, an h3o port, may give some to the other cell).
    ring = h3.grid_disk(h3.latlng_to_cell(3.5952, 98.6722, 9), 3)
    pts = []
    for cell in ring:
        b = h3.cell_to_boundary(cell)
        pts += list(b)
        pts += [
            ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2) for p, q in zip(b, b[1:] + b[:1], strict=True)
        ]
        pts.append(h3.cell_to_latlng(cell))
    # Far points (other faces, beyond the lattice's cap) go to the exact path.
    pts += [(-33.9, 151.2), (52.5, 13.4), (89.9, 0.0), (-6.2, 106.8), (0.0, -179.99)]
    rng = np.random.default_rng(1)
    bulk = list(zip(rng.uniform(3.5, 3.7, 25_000), rng.uniform(98.6, 98.75, 25_000), strict=True))
    lat = np.array([p[0] for p in pts + bulk])
    lon = np.array([p[1] for p in pts + bulk])
    for res in (9, 10):
        got = cells_to_strings(latlng_to_cells(lat, lon, res, method="lattice")).tolist()
        assert got == _h3py(lat, lon, res)
    assert latlng_to_cell_strings(lat, lon, 9).tolist() == _h3py(lat, lon, 9)


def test_threaded_chunks_give_the_same_cells() -> None:
    rng = np.random.default_rng(3)
    lat = rng.uniform(3.5, 3.7, 450_000)
    lon = rng.uniform(98.6, 98.75, 450_000)
    one = latlng_to_cells(lat, lon, 9, threads=1, method="h3ronpy")
    assert np.array_equal(one, latlng_to_cells(lat, lon, 9, threads=3, method="h3ronpy"))
    assert np.array_equal(one, latlng_to_cells(lat, lon, 9, threads=3, method="lattice"))


def test_parents_agree_with_h3py() -> None:
    cells = latlng_to_cells(np.array([3.59, 3.61]), np.array([98.67, 98.70]), 9)
    for res in (8, 7):
        got = cells_to_strings(parent_cells(cells, res)).tolist()
        assert got == [h3.cell_to_parent(c, res) for c in cells_to_strings(cells)]
