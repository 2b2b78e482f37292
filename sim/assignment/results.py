"""The result of an assignment and its JSON summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.network import FloatArray

__all__ = ["AssignmentResult"]


@dataclass
class AssignmentResult:
    """Link flows at (approximate) user equilibrium and how close to it they are.

    Every figure is recomputed from ``flow`` itself after the algorithm stops, so it does
    not depend on the algorithm's own bookkeeping.

    Attributes
    ----------
    flow : numpy.ndarray
        Flow per link (network link order); 0 on closed links.
    cost : numpy.ndarray
        Link travel time at ``flow`` (free-flow time on closed links, which carry nothing).
    generalized_cost : numpy.ndarray
        ``cost + toll_factor * toll + distance_factor * length``: what routes minimise.
    relative_gap : float
        ``(TSTT - SPTT) / TSTT`` in generalized cost.
    average_excess_cost : float
        ``(TSTT - SPTT) / assigned demand``: the mean extra cost per trip over its best path.
    objective : float
        The Beckmann objective (integral of the generalized cost).
    tstt, sptt : float
        Total generalized cost of the flows, and of sending all demand on current shortest
        paths. Both are travel time when the toll and distance factors are 0.
    total_travel_time : float
        ``sum(flow * cost)``: vehicle-time, without toll and distance terms.
    iterations : int
        Outer iterations done.
    seconds : float
        Wall time of the assignment (including set-up and the final gap evaluation).
    algorithm : str
        The algorithm that ran (``"bfw"`` or ``"algb"``).
    history : list of tuple
        ``(iteration, relative gap, seconds)`` at each exact gap evaluation.
    unassigned : list of tuple
        ``(origin zone, destination zone, demand)`` (0-based zones) that no open path joins.
    unassigned_demand : float
        Their total.
    assigned_demand : float
        Demand that was routed.
    converged : bool
        Whether the requested gap was reached.
    state : object or None
        The algorithm's own state (bushes for ``"algb"``) used by warm starts.
    warm_started : bool
        Whether a previous result was used as the start.
    """

    flow: FloatArray
    cost: FloatArray
    generalized_cost: FloatArray
    relative_gap: float
    average_excess_cost: float
    objective: float
    tstt: float
    sptt: float
    total_travel_time: float
    iterations: int
    seconds: float
    algorithm: str
    history: list[tuple[int, float, float]] = field(default_factory=list)
    unassigned: list[tuple[int, int, float]] = field(default_factory=list)
    unassigned_demand: float = 0.0
    assigned_demand: float = 0.0
    converged: bool = False
    state: object | None = None
    warm_started: bool = False

    def to_dict(self) -> dict[str, object]:
        """The JSON summary (scalars only; flows go to ``flows.csv``).

        Returns
        -------
        dict
            ``relative_gap``, ``average_excess_cost``, ``objective``, ``tstt``, ``sptt``,
            ``total_travel_time``, ``iterations``, ``seconds``, ``algorithm``, ``converged``,
            ``warm_started``, ``assigned_demand``, ``unassigned_demand``,
            ``unassigned_pairs`` and ``unassigned`` (up to 100 pairs, 0-based zones).
        """
        return {
            "relative_gap": float(self.relative_gap),
            "average_excess_cost": float(self.average_excess_cost),
            "objective": float(self.objective),
            "tstt": float(self.tstt),
            "sptt": float(self.sptt),
            "total_travel_time": float(self.total_travel_time),
            "iterations": int(self.iterations),
            "seconds": float(self.seconds),
            "algorithm": self.algorithm,
            "converged": bool(self.converged),
            "warm_started": bool(self.warm_started),
            "assigned_demand": float(self.assigned_demand),
            "unassigned_demand": float(self.unassigned_demand),
            "unassigned_pairs": len(self.unassigned),
            "unassigned": [[int(o), int(d), float(q)] for o, d, q in self.unassigned[:100]],
        }
