"""Load (or compile) every kernel a cold and a warm-started solve use, before timing them.

numba compiles a kernel on its first call, or loads it from its on-disk cache; either lands
on the first solve of a process. Benchmarks call :func:`warm_up` first so their figures are
the engine's, not the compiler's; the kernels do not depend on the network's size, so a tiny
SYNTHETIC grid serves.
"""

from __future__ import annotations

import time

import numpy as np

from sim.assignment.engine import assign
from sim.assignment.synthetic import grid_problem
from sim.network import Demand

__all__ = ["warm_up"]


def warm_up(*, algorithm: str = "algb") -> float:
    """Solve a tiny grid cold, then warm-started after a closure and a demand change.

    Returns the seconds it took (compilation included when numba's cache was empty).

    Examples
    --------
    >>> warm_up() >= 0.0
    True
    """
    t0 = time.perf_counter()
    net, dem = grid_problem(n_intersections=30, n_zones=6, n_links=100, seed=1)
    base = assign(net, dem, gap=1e-6, algorithm=algorithm)
    closed = np.zeros(net.n_links, dtype=bool)
    closed[int(np.argmax(np.where(net.b > 0, base.flow, -1.0)))] = True
    assign(
        net.with_links(closed=closed),
        Demand(dem.matrix * 1.01),
        gap=1e-6,
        algorithm=algorithm,
        warm_start=base,
    )
    return time.perf_counter() - t0
