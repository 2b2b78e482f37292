"""Static user-equilibrium traffic assignment: numba kernels, bush-based and Frank-Wolfe.

The public face is :func:`assign` with its :class:`AssignmentResult`, plus the independent
checks :func:`relative_gap`, :func:`link_travel_time` and :func:`beckmann`, and
:func:`grid_problem`, a deterministic SYNTHETIC test network.

Modules: ``graph`` (compressed adjacency), ``vdf`` (BPR costs, Beckmann integral),
``shortest_paths`` (Dijkstra, all-or-nothing), ``problem`` (routable demand, gap),
``algorithm_b`` (Dial's Algorithm B, the default), ``frank_wolfe`` (bi-conjugate FW),
``engine`` (:func:`assign`), ``results``, ``synthetic``, ``warmup`` (:func:`warm_up`, for
benchmarks).
"""

from sim.assignment.engine import ALGORITHMS, assign, relative_gap
from sim.assignment.results import AssignmentResult
from sim.assignment.synthetic import grid_problem
from sim.assignment.vdf import beckmann, link_travel_time
from sim.assignment.warmup import warm_up

__all__ = [
    "ALGORITHMS",
    "AssignmentResult",
    "assign",
    "beckmann",
    "grid_problem",
    "link_travel_time",
    "relative_gap",
    "warm_up",
]
