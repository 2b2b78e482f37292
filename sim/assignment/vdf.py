"""Volume-delay functions (BPR) and the Beckmann objective, as numba kernels.

The link cost is ``fft * (1 + b * (x / capacity) ** power)``; ``b == 0`` gives a constant cost
(capacity is then not used, so it may be 0) and ``fft == 0`` a free link.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.network import FloatArray, Network

__all__ = ["beckmann", "link_travel_time"]


@nb.njit(cache=True, inline="always")
def _cost1(fft: float, b: float, power: float, cap: float, x: float) -> float:
    if b == 0.0 or fft == 0.0:
        return fft
    r = x / cap
    if r <= 0.0:
        return fft if power > 0.0 else fft * (1.0 + b)
    if power == 4.0:
        r2 = r * r
        return fft * (1.0 + b * r2 * r2)
    return fft * (1.0 + b * float(r**power))


@nb.njit(cache=True, inline="always")
def _deriv1(fft: float, b: float, power: float, cap: float, x: float) -> float:
    if b == 0.0 or fft == 0.0 or power == 0.0:
        return 0.0
    r = x / cap
    if power == 1.0:
        return fft * b / cap
    if r <= 0.0:
        # power < 1 has an unbounded slope at 0; a large finite one keeps Newton steps sane.
        return 0.0 if power > 1.0 else 1e12
    if power == 4.0:
        return fft * b * 4.0 * r * r * r / cap
    return fft * b * power * float(r ** (power - 1.0)) / cap


@nb.njit(cache=True, inline="always")
def _integral1(fft: float, b: float, power: float, cap: float, x: float) -> float:
    if b == 0.0 or fft == 0.0:
        return fft * x
    r = x / cap
    if r <= 0.0:
        return 0.0
    return fft * x * (1.0 + b / (power + 1.0) * float(r**power))


@nb.njit(cache=True)
def _costs(
    fft: FloatArray,
    b: FloatArray,
    power: FloatArray,
    cap: FloatArray,
    fixed: FloatArray,
    x: FloatArray,
    out: FloatArray,
) -> None:
    for a in range(x.shape[0]):
        out[a] = _cost1(fft[a], b[a], power[a], cap[a], x[a]) + fixed[a]


@nb.njit(cache=True)
def _costs_and_derivs(
    fft: FloatArray,
    b: FloatArray,
    power: FloatArray,
    cap: FloatArray,
    fixed: FloatArray,
    x: FloatArray,
    cost: FloatArray,
    deriv: FloatArray,
) -> None:
    for a in range(x.shape[0]):
        cost[a] = _cost1(fft[a], b[a], power[a], cap[a], x[a]) + fixed[a]
        deriv[a] = _deriv1(fft[a], b[a], power[a], cap[a], x[a])


@nb.njit(cache=True)
def _beckmann(
    fft: FloatArray,
    b: FloatArray,
    power: FloatArray,
    cap: FloatArray,
    fixed: FloatArray,
    x: FloatArray,
) -> float:
    total = 0.0
    for a in range(x.shape[0]):
        total += _integral1(fft[a], b[a], power[a], cap[a], x[a]) + fixed[a] * x[a]
    return total


def link_travel_time(network: Network, flow: FloatArray) -> FloatArray:
    """Travel time of every link at the given flows (without toll and distance terms).

    Parameters
    ----------
    network : Network
        The network.
    flow : numpy.ndarray
        Flow per link.

    Returns
    -------
    numpy.ndarray
        ``fft * (1 + b * (flow / capacity) ** power)`` per link.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.network import Network
    >>> one = np.ones(1)
    >>> net = Network(2, 2, 0, np.array([0]), np.array([1]), 2 * one, 10 * one, 0.15 * one,
    ...               4 * one, one, 0 * one, np.array([1]), np.array([1, 2]))
    >>> float(link_travel_time(net, np.array([2.0]))[0])
    11.5
    """
    out = np.empty(network.n_links)
    x = np.ascontiguousarray(flow, dtype=np.float64)
    zero = np.zeros(network.n_links)
    _costs(network.fft, network.b, network.power, network.capacity, zero, x, out)
    return out


def beckmann(network: Network, flow: FloatArray) -> float:
    """The Beckmann objective: the sum over links of the integral of the generalized cost.

    Parameters
    ----------
    network : Network
        The network (toll and distance factors included in the integrand).
    flow : numpy.ndarray
        Flow per link.

    Returns
    -------
    float
        ``sum_a integral_0^x_a (t_a(s) + fixed_a) ds``.
    """
    x = np.ascontiguousarray(flow, dtype=np.float64)
    return float(
        _beckmann(network.fft, network.b, network.power, network.capacity, network.fixed_cost(), x)
    )
