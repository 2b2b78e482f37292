"""Complaint hotspots: Getis-Ord Gi* on complaint counts per H3 cell (esda.G_Local).

The statistic runs over every cell of the study area, zeros included (a hotspot is only
meaningful against the quiet cells around it). Neighbours are the H3 ring at distance
``k`` (binary contiguity); esda row-standardizes them and adds the focal cell (``star``).
Significance is a conditional permutation test (``permutations`` draws, one-sided
pseudo p-value ``p_sim``); the analytic z-score and its normal p-value are given too.
The method and every parameter travel with the result (``DataFrame.attrs["method"]``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import h3
import numpy as np
import pandas as pd
import shapely

#: Label of the method, shown next to every hotspot map.
METHOD = "Getis-Ord Gi* (esda.G_Local, focal cell included)"


def study_cells(boundary: shapely.Geometry, res: int) -> list[str]:
    """H3 cells at ``res`` whose centre lies in ``boundary`` (the study area of the test)."""
    cells: set[str] = set()
    geoms = getattr(boundary, "geoms", [boundary])
    for g in geoms:
        cells.update(h3.geo_to_cells(shapely.geometry.mapping(g), res))
    return sorted(cells)


def complaint_hotspots(
    counts: pd.DataFrame,
    *,
    domain: Iterable[str] | None = None,
    k: int = 1,
    permutations: int = 999,
    alpha: float = 0.05,
    seed: int = 12345,
) -> pd.DataFrame:
    """Hot and cold spots of complaint counts per H3 cell.

    Parameters
    ----------
    counts
        Columns ``unit`` (H3 cell) and ``count``, as from
        :func:`layers.aggregate.complaint_counts` with ``level="h3"``; cells must share one
        resolution.
    domain
        All cells of the study area (e.g. :func:`study_cells` of the city, or the twin's
        ``h3_cells`` at that resolution); default: the counted cells and their ``k``-rings.
    k
        Neighbourhood: H3 grid distance.
    permutations
        Conditional permutations for the pseudo p-value (0 for the analytic test only).
    alpha
        Significance level for the ``spot`` label.
    seed
        Random seed of the permutations (results are reproducible).

    Returns
    -------
    pandas.DataFrame
        One row per domain cell: ``cell``, ``count``, ``gi_star`` (G statistic),
        ``z`` (analytic z-score), ``p_norm`` (one-sided normal p), ``p_sim``
        (permutation p, NaN without permutations), ``spot`` (``"hot"``, ``"cold"`` or
        ``"not significant"``). ``attrs["method"]`` names the method and parameters.
    """
    c = counts.groupby("unit")["count"].sum()
    cells = set(c.index.astype(str))
    if domain is not None:
        cells |= set(domain)
    else:
        for cell in list(cells):
            cells.update(h3.grid_disk(cell, k))
    order = sorted(cells)
    method: dict[str, Any] = {
        "method": METHOD,
        "variable": "complaints per H3 cell",
        "weights": (
            f"H3 grid_disk k={k}, binary, focal cell included (self-weight 1), "
            "row-standardized (transform='R')"
        ),
        "star": True,
        "permutations": permutations,
        "test": (
            "conditional permutation, one-sided pseudo p (esda 'directed')"
            if permutations
            else "analytic normal approximation, one-sided"
        ),
        "alpha": alpha,
        "seed": seed,
        "n_cells": len(order),
    }
    y = c.reindex(order, fill_value=0).to_numpy(dtype=float)
    out = pd.DataFrame({"cell": order, "count": y.astype(int)})
    if len(order) < 3 or np.all(y == y[0]):
        out["gi_star"], out["z"], out["p_norm"], out["p_sim"] = np.nan, 0.0, 1.0, np.nan
        out["spot"] = "not significant"
        out.attrs["method"] = method | {"note": "too few cells or constant counts"}
        return out
    # esda and libpysal take a second to import: only when a hotspot map is asked for.
    import esda
    import libpysal

    index = {cell: i for i, cell in enumerate(order)}
    neighbors: dict[int, list[int]] = {}
    for cell, i in index.items():
        neighbors[i] = [index[n] for n in h3.grid_disk(cell, k) if n != cell and n in index]
    w = libpysal.weights.W(neighbors, silence_warnings=True)
    # Gi* counts the focal cell itself: a self-weight of 1, like its neighbours, before
    # esda row-standardizes ("R"). Stating it avoids esda guessing the self-weight.
    w = libpysal.weights.fill_diagonal(w, 1.0)
    with warnings.catch_warnings():
        # esda's notice about a future default of its permutation test; ours is explicit.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="esda")
        g = esda.G_Local(
            y, w, transform="R", permutations=permutations, star=None, seed=seed, n_jobs=1
        )
    out["gi_star"] = g.Gs
    out["z"] = g.Zs
    out["p_norm"] = g.p_norm
    out["p_sim"] = g.p_sim if permutations else np.nan
    p = out["p_sim"].to_numpy() if permutations else out["p_norm"].to_numpy()
    out["spot"] = np.where(p < alpha, np.where(out["z"] > 0, "hot", "cold"), "not significant")
    out.attrs["method"] = method
    return out


def warm_up() -> None:
    """Compile esda's permutation kernels now (numba JIT, ~10-20 s once per process).

    The app calls this in a background thread at start so the first hotspot map is quick.
    """
    ring = h3.grid_disk("89650d4dc7bffff", 2)
    counts = pd.DataFrame({"unit": ring, "count": np.arange(len(ring))})
    complaint_hotspots(counts, domain=ring, permutations=9)
