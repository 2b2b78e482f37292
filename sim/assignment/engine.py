"""``assign``: static deterministic user equilibrium, whichever algorithm runs it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.assignment import algorithm_b, frank_wolfe
from sim.assignment.problem import Problem, prepare
from sim.assignment.results import AssignmentResult
from sim.assignment.vdf import link_travel_time
from sim.network import Demand, FloatArray, Network
from twin.errors import InputError

__all__ = ["ALGORITHMS", "assign", "relative_gap"]

#: Algorithm names ``assign`` accepts; ``"auto"`` picks the best one.
ALGORITHMS = ("auto", "algb", "bfw")


@dataclass(frozen=True)
class _FlowState:
    """What a link-based warm start needs: the demand and open links the flows were for."""

    demand: FloatArray
    open_mask: np.ndarray


def assign(
    network: Network,
    demand: Demand,
    *,
    gap: float = 1e-6,
    max_iter: int = 10_000,
    algorithm: str = "auto",
    max_seconds: float | None = None,
    warm_start: AssignmentResult | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> AssignmentResult:
    """Assign ``demand`` to ``network`` at user equilibrium.

    Parameters
    ----------
    network : Network
        Links, volume-delay parameters, closed links and generalized-cost weights.
    demand : Demand
        Zone-to-zone demand (same units as capacity).
    gap : float
        Target relative gap ``(TSTT - SPTT) / TSTT``.
    max_iter : int
        Most outer iterations.
    algorithm : str
        ``"auto"`` (the best available: ``"algb"``), ``"algb"`` (Algorithm B, bush-based,
        reaches gaps of 1e-10 and warm-starts from its bushes) or ``"bfw"`` (bi-conjugate
        Frank-Wolfe, link-based, slow below gaps of about 1e-6).
    max_seconds : float, optional
        Stop (unconverged, ``converged=False``) after this much wall time.
    warm_start : AssignmentResult, optional
        A previous result on the same network (capacities, times, closures may differ) and
        demand (which may differ too): re-converges from there instead of from scratch.
    progress : callable, optional
        Called as ``progress(iteration, relative_gap)`` after every iteration. Algorithm B
        measures the exact gap only now and then (it costs a shortest-path tree per origin);
        in between it passes its bushes' own gap, a lower bound. ``history`` holds only
        exact values.

    Returns
    -------
    AssignmentResult
        Flows, costs and convergence figures recomputed from the returned flows.

    Raises
    ------
    twin.errors.InputError
        For an unknown algorithm, a bad gap or a demand/network mismatch.

    Examples
    --------
    Two parallel links from zone 0 to zone 1; equal costs at equilibrium:

    >>> import numpy as np
    >>> from sim.network import Demand, Network
    >>> one = np.ones(2)
    >>> net = Network(2, 2, 0, np.array([0, 0]), np.array([1, 1]), np.array([1.0, 2.0]),
    ...               np.array([10.0, 12.0]), 0.15 * one, 4 * one, one, 0 * one,
    ...               np.array([1, 2]), np.array([1, 2]))
    >>> res = assign(net, Demand(np.array([[0.0, 3.0], [0.0, 0.0]])), gap=1e-10)
    >>> bool(abs(res.cost[0] - res.cost[1]) < 1e-6), round(float(res.flow.sum()), 6)
    (True, 3.0)
    """
    t0 = time.perf_counter()
    name = algorithm.lower()
    if name not in ALGORITHMS:
        raise InputError(
            "algorithm", f"unknown algorithm {algorithm!r}; choose from {', '.join(ALGORITHMS)}"
        )
    if not (gap >= 0.0 and np.isfinite(gap)):
        raise InputError("gap", f"must be a number >= 0, got {gap}")
    if max_iter < 1:
        raise InputError("max_iter", f"must be at least 1, got {max_iter}")
    problem = prepare(network, demand)
    if name == "auto":
        name = "algb"
    state: object
    if name == "algb":
        flow, iterations, history, converged, state, warm, evaluated = algorithm_b.solve(
            problem,
            gap=gap,
            max_iter=max_iter,
            max_seconds=max_seconds,
            warm=None if warm_start is None else warm_start.state,
            progress=progress,
            t0=t0,
        )
    else:
        x0 = _warm_flows(problem, warm_start)
        warm = x0 is not None
        flow, iterations, history, converged = frank_wolfe.solve(
            problem,
            gap=gap,
            max_iter=max_iter,
            max_seconds=max_seconds,
            x0=x0,
            progress=progress,
            t0=t0,
        )
        state = _FlowState(_full_demand(problem), problem.graph.open_mask.copy())
        evaluated = None
    return _result(
        problem,
        flow,
        iterations=iterations,
        history=history,
        algorithm=name,
        converged=converged,
        state=state,
        warm_started=warm,
        t0=t0,
        evaluated=evaluated,
    )


def _full_demand(problem: Problem) -> FloatArray:
    m = np.zeros((problem.network.n_zones, problem.network.n_zones))
    m[problem.origins] = problem.demand
    return m


def _warm_flows(problem: Problem, warm: AssignmentResult | None) -> FloatArray | None:
    """Flows to start from, when the previous result is still a feasible start for this one.

    Link flows can only be reused when they still route this demand: the same demand up to
    a common factor, and no flow on links closed since.
    """
    if warm is None or warm.flow.shape != (problem.network.n_links,):
        return None
    st = warm.state
    prev = getattr(st, "demand", None)
    if (
        prev is None
        or not isinstance(prev, np.ndarray)
        or prev.shape != (problem.network.n_zones,) * 2
    ):
        return None
    if (warm.flow[~problem.graph.open_mask] > 0).any():
        return None
    now = _full_demand(problem)
    total_prev = float(prev.sum())
    if total_prev <= 0:
        return None
    factor = float(now.sum()) / total_prev
    if not np.allclose(now, factor * prev, rtol=1e-12, atol=1e-12 * max(float(now.max()), 1.0)):
        return None
    return np.ascontiguousarray(warm.flow * factor)


def _result(
    problem: Problem,
    flow: FloatArray,
    *,
    iterations: int,
    history: list[tuple[int, float, float]],
    algorithm: str,
    converged: bool,
    state: object | None,
    warm_started: bool,
    t0: float,
    evaluated: tuple[float, float, float] | None = None,
) -> AssignmentResult:
    flow = np.ascontiguousarray(flow, dtype=np.float64)
    if (flow[~problem.graph.open_mask] != 0.0).any():
        raise RuntimeError("flow on a closed link")  # the kernels never route there
    if evaluated is not None and np.isfinite(evaluated[0]):
        # the algorithm's last evaluation was of exactly these flows
        rg, tstt, sptt = evaluated
    else:
        rg, tstt, sptt, _ = problem.gap(flow)
    gcost = problem.costs(flow)
    cost = link_travel_time(problem.network, flow)
    assigned = problem.assigned_demand
    return AssignmentResult(
        flow=flow,
        cost=cost,
        generalized_cost=gcost,
        relative_gap=rg,
        average_excess_cost=(tstt - sptt) / assigned if assigned > 0 else 0.0,
        objective=problem.objective(flow),
        tstt=tstt,
        sptt=sptt,
        total_travel_time=float(np.dot(flow, cost)),
        iterations=iterations,
        seconds=time.perf_counter() - t0,
        algorithm=algorithm,
        history=history,
        unassigned=problem.unassigned,
        unassigned_demand=problem.unassigned_demand,
        assigned_demand=assigned,
        converged=converged,
        state=state,
        warm_started=warm_started,
    )


def relative_gap(network: Network, demand: Demand, flow: FloatArray) -> float:
    """Relative gap ``(TSTT - SPTT) / TSTT`` of any link flows, recomputed from scratch.

    SPTT loads the routable demand all-or-nothing on the shortest paths at the costs of
    ``flow``; this is independent of the algorithm that produced ``flow``.

    Parameters
    ----------
    network : Network
        The network.
    demand : Demand
        The demand ``flow`` is meant to route.
    flow : numpy.ndarray
        Flow per link.

    Returns
    -------
    float
        The relative gap (0 at exact equilibrium).
    """
    problem = prepare(network, demand)
    x = np.ascontiguousarray(flow, dtype=np.float64)
    if x.shape != (network.n_links,):
        raise InputError("flow", f"has shape {x.shape}, expected ({network.n_links},)")
    return problem.gap(x)[0]
