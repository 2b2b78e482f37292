"""The compact graph the kernels run on: forward and backward stars over the open links."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.network import FloatArray, IntArray, Network
from twin.errors import InputError

__all__: list[str] = []


@dataclass(frozen=True)
class Graph:
    """Compressed adjacency of a :class:`Network`, closed links left out.

    ``out_links[out_ptr[i]:out_ptr[i + 1]]`` are the open links leaving node ``i`` and
    ``in_links[in_ptr[j]:in_ptr[j + 1]]`` those entering ``j`` (indices into the network's
    per-link arrays, so results stay in the network's link order).
    """

    n_nodes: int
    n_zones: int
    first_thru_node: int
    init_node: IntArray
    term_node: IntArray
    out_ptr: IntArray
    out_links: IntArray
    in_ptr: IntArray
    in_links: IntArray
    open_mask: np.ndarray
    fft: FloatArray
    b: FloatArray
    power: FloatArray
    capacity: FloatArray
    fixed: FloatArray


def build_graph(network: Network) -> Graph:
    """Check the network's arrays and build its :class:`Graph`.

    Raises
    ------
    twin.errors.InputError
        If arrays have different lengths, node indices are out of range, or costs are
        negative or undefined (capacity <= 0 with b > 0 on an open link).
    """
    src = f"network {network.name!r}" if network.name else "network"
    L = network.n_links
    arrays = {
        "term_node": network.term_node,
        "capacity": network.capacity,
        "fft": network.fft,
        "b": network.b,
        "power": network.power,
        "length": network.length,
        "toll": network.toll,
    }
    for field, arr in arrays.items():
        if np.shape(arr) != (L,):
            raise InputError(src, f"{field} has shape {np.shape(arr)}, expected ({L},)")
    n = network.n_nodes
    init = np.ascontiguousarray(network.init_node, dtype=np.int64)
    term = np.ascontiguousarray(network.term_node, dtype=np.int64)
    if L and (init.min() < 0 or term.min() < 0 or init.max() >= n or term.max() >= n):
        raise InputError(src, f"link node index out of range 0..{n - 1}")
    if not 0 <= network.n_zones <= n:
        raise InputError(src, f"n_zones {network.n_zones} out of range 0..{n}")
    if network.closed is None:
        open_mask = np.ones(L, dtype=bool)
    else:
        if np.shape(network.closed) != (L,):
            raise InputError(src, f"closed mask has shape {np.shape(network.closed)}")
        open_mask = ~np.asarray(network.closed, dtype=bool)
    fft = np.ascontiguousarray(network.fft, dtype=np.float64)
    b = np.ascontiguousarray(network.b, dtype=np.float64)
    power = np.ascontiguousarray(network.power, dtype=np.float64)
    cap = np.ascontiguousarray(network.capacity, dtype=np.float64)
    fixed = np.ascontiguousarray(network.fixed_cost(), dtype=np.float64)
    bad = open_mask & ~(
        np.isfinite(fft)
        & (fft >= 0)
        & np.isfinite(b)
        & (b >= 0)
        & np.isfinite(power)
        & (power >= 0)
        & np.isfinite(fixed)
        & (fixed >= 0)
    )
    bad |= open_mask & (b > 0) & (fft > 0) & ~(cap > 0)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            src,
            f"link {network.link_ids[k]} ({k}): costs must be finite and >= 0 and capacity > 0 "
            f"where b > 0 (fft={fft[k]}, b={b[k]}, power={power[k]}, capacity={cap[k]}, "
            f"fixed cost={fixed[k]}); {int(bad.sum())} such links",
        )
    out_ptr, out_links = star(init, open_mask, n)
    in_ptr, in_links = star(term, open_mask, n)
    return Graph(
        n_nodes=n,
        n_zones=network.n_zones,
        first_thru_node=int(network.first_thru_node),
        init_node=init,
        term_node=term,
        out_ptr=out_ptr,
        out_links=out_links,
        in_ptr=in_ptr,
        in_links=in_links,
        open_mask=open_mask,
        fft=fft,
        b=b,
        power=power,
        capacity=cap,
        fixed=fixed,
    )


def star(ends: IntArray, open_mask: np.ndarray, n: int) -> tuple[IntArray, IntArray]:
    """The open links grouped by one of their end nodes: node ``i``'s are
    ``links[ptr[i]:ptr[i + 1]]`` (forward star with ``ends`` = tail nodes, backward with heads).

    >>> ptr, links = star(np.array([1, 0, 1]), np.array([True, True, False]), 2)
    >>> ptr.tolist(), links.tolist()
    ([0, 1, 2], [1, 0])
    """
    idx = np.flatnonzero(open_mask).astype(np.int64)
    links = idx[np.argsort(ends[idx], kind="stable")]
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends[idx], minlength=n), out=ptr[1:])
    return ptr, links
