"""Bi-conjugate Frank-Wolfe (Mitradjieva and Lindberg, 2013): the robust link-based baseline.

Each iteration loads all demand on the current shortest paths (all-or-nothing), combines that
with the two previous search targets into a direction conjugate to the last two with respect
to the Hessian of the Beckmann objective, and steps along it by an exact line search.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numba as nb
import numpy as np

from sim.assignment.problem import Problem, _relative
from sim.assignment.vdf import _cost1, _costs_and_derivs
from sim.network import FloatArray

__all__: list[str] = []


@nb.njit(cache=True)
def _line_search(
    x: FloatArray,
    d: FloatArray,
    fft: FloatArray,
    b: FloatArray,
    power: FloatArray,
    cap: FloatArray,
    fixed: FloatArray,
) -> float:
    """Step in [0, 1] minimising the Beckmann objective along ``x + tau * d`` (bisection)."""

    def slope(tau: float) -> float:
        s = 0.0
        for a in range(x.shape[0]):
            if d[a] != 0.0:
                s += d[a] * (_cost1(fft[a], b[a], power[a], cap[a], x[a] + tau * d[a]) + fixed[a])
        return s

    if slope(1.0) <= 0.0:
        return 1.0
    if slope(0.0) >= 0.0:
        return 0.0
    lo, hi = 0.0, 1.0
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        if slope(mid) > 0.0:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-16:
            break
    return 0.5 * (lo + hi)


def solve(
    problem: Problem,
    *,
    gap: float,
    max_iter: int,
    max_seconds: float | None,
    x0: FloatArray | None,
    progress: Callable[[int, float], None] | None,
    t0: float,
) -> tuple[FloatArray, int, list[tuple[int, float, float]], bool]:
    """Run BFW from ``x0`` (or all-or-nothing at free flow); returns flows and history."""
    g = problem.graph
    L = g.init_node.shape[0]
    cost = np.empty(L)
    deriv = np.empty(L)
    if x0 is None:
        _costs_and_derivs(g.fft, g.b, g.power, g.capacity, g.fixed, np.zeros(L), cost, deriv)
        x, _ = problem.all_or_nothing(cost)
    else:
        x = x0.copy()
    history: list[tuple[int, float, float]] = []
    s1: FloatArray | None = None  # previous search target
    s2: FloatArray | None = None  # the one before
    tau = 1.0
    it = 1
    converged = False
    while True:
        _costs_and_derivs(g.fft, g.b, g.power, g.capacity, g.fixed, x, cost, deriv)
        y, sptt = problem.all_or_nothing(cost)
        tstt = float(np.dot(cost, x))
        rg = _relative(tstt, sptt)
        history.append((it, rg, time.perf_counter() - t0))
        if progress is not None:
            progress(it, rg)
        if rg <= gap:
            converged = True
            break
        if it >= max_iter or (max_seconds is not None and time.perf_counter() - t0 > max_seconds):
            break
        s = _direction(x, y, s1, s2, tau, deriv)
        d = s - x
        if float(np.dot(d, cost)) >= 0.0:
            # not a descent direction (numerical noise in the conjugation): plain FW
            s = y
            d = s - x
            s1 = s2 = None
        tau = _line_search(x, d, g.fft, g.b, g.power, g.capacity, g.fixed)
        x = x + tau * d
        np.maximum(x, 0.0, out=x)
        if tau > 1.0 - 1e-9 or tau <= 0.0:
            # a full (or null) step breaks the conjugacy formulas: restart from FW
            s1 = s2 = None
        else:
            s2, s1 = s1, s
        it += 1
    return x, it, history, converged


def _direction(
    x: FloatArray,
    y: FloatArray,
    s1: FloatArray | None,
    s2: FloatArray | None,
    tau: float,
    deriv: FloatArray,
) -> FloatArray:
    """Search target: FW (no history), conjugate FW (one previous) or bi-conjugate FW."""
    if s1 is None:
        return y
    d1 = s1 - x
    y_x = y - x
    if s2 is None:
        num = float(np.dot(d1 * deriv, y_x))
        den = float(np.dot(d1 * deriv, y - s1))
        alpha = num / den if den != 0.0 else 0.0
        alpha = min(max(alpha, 0.0), 1.0 - 1e-6)
        return alpha * s1 + (1.0 - alpha) * y
    d2 = tau * s1 - x + (1.0 - tau) * s2
    mu_den = float(np.dot(d2 * deriv, s2 - s1))
    mu = -float(np.dot(d2 * deriv, y_x)) / mu_den if mu_den != 0.0 else 0.0
    mu = max(mu, 0.0)
    nu_den = float(np.dot(d1 * deriv, d1))
    nu = -float(np.dot(d1 * deriv, y_x)) / nu_den if nu_den != 0.0 else 0.0
    nu = max(nu + mu * tau / (1.0 - tau), 0.0)
    beta0 = 1.0 / (1.0 + mu + nu)
    return beta0 * y + (nu * beta0) * s1 + (mu * beta0) * s2
