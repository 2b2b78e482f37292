"""Read the TNTP formats (network, trips, flows) of the Transportation Networks for Research.

The format (https://github.com/bstabler/TransportationNetworks) is a free-whitespace text
format: metadata lines ``<KEY> value`` up to ``<END OF METADATA>``, comments starting with
``~`` (the column header is one), and records ending with ``;``. Node numbers are 1-based in
the files and 0-based in :class:`sim.network.Network`.

Every problem is raised as :class:`twin.errors.InputError` naming the file, the line and what
is wrong, never as a traceback.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "net.tntp").write_text(
...     "<NUMBER OF ZONES> 2\\n<NUMBER OF NODES> 2\\n<FIRST THRU NODE> 1\\n"
...     "<NUMBER OF LINKS> 1\\n<END OF METADATA>\\n"
...     "~ init term cap len fft b power speed toll type ;\\n"
...     "1 2 100 1 10 0.15 4 0 0 1 ;\\n"
... )
>>> net = read_network(d / "net.tntp")
>>> net.n_nodes, net.n_links, float(net.capacity[0])
(2, 1, 100.0)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.network import Demand, FloatArray, IntArray, Network
from twin.errors import InputError

__all__ = ["TntpFlows", "read_flows", "read_network", "read_trips"]

_META = re.compile(r"^\s*<([^>]*)>(.*)$")
_NET_REQUIRED = ("NUMBER OF ZONES", "NUMBER OF NODES", "FIRST THRU NODE", "NUMBER OF LINKS")
#: Columns of a network record; the last three are optional (default 0).
_NET_COLUMNS = (
    "init_node",
    "term_node",
    "capacity",
    "length",
    "free_flow_time",
    "b",
    "power",
    "speed",
    "toll",
    "link_type",
)
_NET_MIN_COLUMNS = 7


@dataclass(frozen=True)
class TntpFlows:
    """The link flows of a TNTP flow file (``From To Volume Cost``), node numbers as in the file.

    Attributes
    ----------
    init_node, term_node
        Tail and head node numbers (1-based, as written in the file).
    flow, cost
        Volume and cost per row.
    path
        The file read.
    """

    init_node: IntArray
    term_node: IntArray
    flow: FloatArray
    cost: FloatArray
    path: str

    def aligned(self, network: Network) -> tuple[FloatArray, FloatArray]:
        """Flows and costs in the link order of ``network`` (matched by tail and head node).

        Parameters
        ----------
        network : Network
            A network read from the matching ``_net.tntp`` file.

        Returns
        -------
        tuple of numpy.ndarray
            ``(flow, cost)``, one value per link of ``network``.

        Raises
        ------
        twin.errors.InputError
            If a link of the network has no row in the flow file (or the other way round).
        """
        ids = network.node_ids
        key = {
            (int(ids[a]), int(ids[b])): k
            for k, (a, b) in enumerate(zip(network.init_node, network.term_node, strict=True))
        }
        flow = np.full(network.n_links, np.nan)
        cost = np.full(network.n_links, np.nan)
        for row, (a, b) in enumerate(zip(self.init_node, self.term_node, strict=True)):
            k = key.get((int(a), int(b)))
            if k is None:
                raise InputError(self.path, f"link {a}->{b} is not in network {network.name!r}")
            flow[k] = self.flow[row]
            cost[k] = self.cost[row]
        missing = np.flatnonzero(np.isnan(flow))
        if missing.size:
            k = int(missing[0])
            a, b = ids[network.init_node[k]], ids[network.term_node[k]]
            raise InputError(self.path, f"no flow for link {a}->{b} ({missing.size} links missing)")
        return flow, cost


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a TNTP file") from None
    except OSError as e:
        raise InputError(path, f"cannot be read ({e.strerror})") from None


def _parse_metadata(path: Path, lines: list[str]) -> tuple[dict[str, tuple[str, int]], int]:
    """Metadata ``{KEY: (value, line)}`` and the index of the first line after it."""
    meta: dict[str, tuple[str, int]] = {}
    for i, line in enumerate(lines):
        m = _META.match(line)
        if m is None:
            if line.strip() and not line.strip().startswith("~"):
                raise InputError(
                    path,
                    "data before <END OF METADATA> (is the metadata block truncated?)",
                    line=i + 1,
                )
            continue
        key = " ".join(m.group(1).upper().split())
        if key == "END OF METADATA":
            return meta, i + 1
        meta[key] = (m.group(2).strip(), i + 1)
    raise InputError(path, "no <END OF METADATA> line: the file is truncated or not TNTP")


def _meta_int(path: Path, meta: dict[str, tuple[str, int]], key: str) -> int:
    if key not in meta:
        raise InputError(path, f"metadata <{key}> is missing")
    text, line = meta[key]
    try:
        value = float(text.split()[0]) if text else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value != int(value) or value < 0:
        raise InputError(path, f"<{key}> must be a whole number >= 0, got {text!r}", line=line)
    return int(value)


def _records(lines: list[str], start: int) -> list[tuple[int, list[str]]]:
    """Data records after the metadata: ``(line number, tokens)``, comments and ``;`` removed."""
    out = []
    for i in range(start, len(lines)):
        text = lines[i].split("~", 1)[0].strip()
        if not text:
            continue
        text = text.rstrip(";").strip()
        if text:
            out.append((i + 1, text.split()))
    return out


def _number(path: Path, token: str, field: str, line: int) -> float:
    try:
        value = float(token)
    except ValueError:
        raise InputError(path, f"{field} is not a number: {token!r}", line=line) from None
    if not math.isfinite(value):
        raise InputError(path, f"{field} is not finite: {token!r}", line=line)
    return value


def _node(path: Path, token: str, field: str, line: int, n_nodes: int) -> int:
    value = _number(path, token, field, line)
    if value != int(value):
        raise InputError(path, f"{field} must be a node number, got {token!r}", line=line)
    if not 1 <= value <= n_nodes:
        raise InputError(
            path, f"{field} {int(value)} is out of range 1..{n_nodes} (NUMBER OF NODES)", line=line
        )
    return int(value)


def read_network(path: str | Path, *, name: str | None = None) -> Network:
    """Read a TNTP network file (``*_net.tntp``) into a :class:`~sim.network.Network`.

    Parameters
    ----------
    path : str or pathlib.Path
        The network file.
    name : str, optional
        Label of the network; defaults to the file name without ``_net.tntp``.

    Returns
    -------
    Network
        Links in file order (``link_ids`` are the 1-based row numbers), node ``k`` of the file
        is index ``k - 1``; TNTP ``FIRST THRU NODE`` ``f`` becomes ``first_thru_node = f - 1``.

    Raises
    ------
    twin.errors.InputError
        For a missing or malformed metadata block, a truncated link table, non-numeric
        fields, node numbers out of range, negative capacity, free-flow time, ``b`` or power,
        or a positive ``b`` on a link without capacity.
    """
    path = Path(path)
    lines = _read_lines(path)
    meta, start = _parse_metadata(path, lines)
    n_zones, n_nodes, ftn, n_links = (_meta_int(path, meta, k) for k in _NET_REQUIRED)
    if n_nodes < 1:
        raise InputError(
            path, "<NUMBER OF NODES> must be at least 1", line=meta[_NET_REQUIRED[1]][1]
        )
    if n_zones > n_nodes:
        raise InputError(
            path,
            f"<NUMBER OF ZONES> {n_zones} exceeds <NUMBER OF NODES> {n_nodes}",
            line=meta["NUMBER OF ZONES"][1],
        )
    if ftn > n_nodes + 1:
        raise InputError(
            path, f"<FIRST THRU NODE> {ftn} is out of range", line=meta["FIRST THRU NODE"][1]
        )
    records = _records(lines, start)
    if len(records) < n_links:
        raise InputError(
            path,
            f"truncated: <NUMBER OF LINKS> is {n_links} but only {len(records)} link rows found",
        )
    if len(records) > n_links:
        raise InputError(
            path,
            f"more link rows than <NUMBER OF LINKS> {n_links}: unexpected row",
            line=records[n_links][0],
        )
    values = np.zeros((n_links, len(_NET_COLUMNS)))
    for k, (line, tokens) in enumerate(records):
        if len(tokens) < _NET_MIN_COLUMNS:
            raise InputError(
                path,
                f"link row has {len(tokens)} fields, expected at least {_NET_MIN_COLUMNS} "
                "(init_node term_node capacity length free_flow_time b power ...)",
                line=line,
            )
        if len(tokens) > len(_NET_COLUMNS):
            raise InputError(
                path,
                f"link row has {len(tokens)} fields, at most {len(_NET_COLUMNS)} expected",
                line=line,
            )
        values[k, 0] = _node(path, tokens[0], "init_node", line, n_nodes)
        values[k, 1] = _node(path, tokens[1], "term_node", line, n_nodes)
        for c in range(2, len(tokens)):
            values[k, c] = _number(path, tokens[c], _NET_COLUMNS[c], line)
        for c, field in ((2, "capacity"), (3, "length"), (4, "free_flow_time"), (6, "power")):
            if values[k, c] < 0:
                raise InputError(path, f"{field} is negative ({tokens[c]})", line=line)
        if values[k, 5] < 0:
            raise InputError(path, f"b is negative ({tokens[5]})", line=line)
        if values[k, 5] > 0 and values[k, 2] <= 0:
            raise InputError(path, "capacity must be > 0 where b > 0", line=line)
    init = values[:, 0].astype(np.int64) - 1
    term = values[:, 1].astype(np.int64) - 1
    if name is None:
        name = re.sub(r"(_net)?\.tntp$", "", path.name, flags=re.IGNORECASE)
    return Network(
        n_nodes=n_nodes,
        n_zones=n_zones,
        first_thru_node=max(ftn - 1, 0),
        init_node=init,
        term_node=term,
        capacity=values[:, 2].copy(),
        fft=values[:, 4].copy(),
        b=values[:, 5].copy(),
        power=values[:, 6].copy(),
        length=values[:, 3].copy(),
        toll=values[:, 8].copy(),
        link_ids=np.arange(1, n_links + 1, dtype=np.int64),
        node_ids=np.arange(1, n_nodes + 1, dtype=np.int64),
        name=name,
    )


def read_trips(path: str | Path, *, network: Network | None = None) -> Demand:
    """Read a TNTP trips file (``*_trips.tntp``) into a :class:`~sim.network.Demand`.

    Parameters
    ----------
    path : str or pathlib.Path
        The trips file: ``Origin o`` lines followed by ``destination : flow;`` pairs.
    network : Network, optional
        The network the demand is for; its zone count must match the file's.

    Returns
    -------
    Demand
        ``matrix[o - 1, d - 1]`` is the flow from zone ``o`` to zone ``d``.

    Raises
    ------
    twin.errors.InputError
        For malformed pairs, zones out of range, negative flows, duplicate pairs, a total
        that disagrees with ``<TOTAL OD FLOW>`` (a truncated file), or a zone count that
        differs from ``network``'s (a trips file for another network).
    """
    path = Path(path)
    lines = _read_lines(path)
    meta, start = _parse_metadata(path, lines)
    n_zones = _meta_int(path, meta, "NUMBER OF ZONES")
    if network is not None and n_zones != network.n_zones:
        raise InputError(
            path,
            f"trips file for another network: <NUMBER OF ZONES> is {n_zones} but network "
            f"{network.name!r} has {network.n_zones} zones",
            line=meta["NUMBER OF ZONES"][1],
        )
    matrix = np.zeros((n_zones, n_zones))
    seen = np.zeros((n_zones, n_zones), dtype=bool)
    origin = -1
    for i in range(start, len(lines)):
        text = lines[i].split("~", 1)[0].strip()
        if not text:
            continue
        line = i + 1
        head = text.split()
        if head[0].lower() == "origin":
            if len(head) != 2:
                raise InputError(path, "expected 'Origin <zone>'", line=line)
            origin = _zone(path, head[1], "origin", line, n_zones) - 1
            continue
        if origin < 0:
            raise InputError(path, "destination flows before any 'Origin' line", line=line)
        for pair in text.split(";"):
            pair = pair.strip()
            if not pair:
                continue
            parts = pair.split(":")
            if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
                raise InputError(path, f"expected 'destination : flow;', got {pair!r}", line=line)
            dest = _zone(path, parts[0].strip(), "destination", line, n_zones) - 1
            value = _number(path, parts[1].strip(), "flow", line)
            if value < 0:
                raise InputError(path, f"negative flow {value} to zone {dest + 1}", line=line)
            if seen[origin, dest]:
                raise InputError(path, f"flow {origin + 1} -> {dest + 1} is given twice", line=line)
            seen[origin, dest] = True
            matrix[origin, dest] = value
    if "TOTAL OD FLOW" in meta:
        text, line = meta["TOTAL OD FLOW"]
        declared = _number(path, text.split()[0] if text else "", "<TOTAL OD FLOW>", line)
        total = float(matrix.sum())
        if abs(total - declared) > 1e-3 * max(abs(declared), 1.0):
            raise InputError(
                path,
                f"<TOTAL OD FLOW> is {declared:g} but the rows sum to {total:g} (truncated file?)",
                line=line,
            )
    name = re.sub(r"(_trips)?\.tntp$", "", path.name, flags=re.IGNORECASE)
    return Demand(matrix=matrix, name=name, meta={"source": str(path)})


def _zone(path: Path, token: str, field: str, line: int, n_zones: int) -> int:
    value = _number(path, token, field, line)
    if value != int(value) or not 1 <= value <= n_zones:
        raise InputError(
            path, f"{field} zone {token} is out of range 1..{n_zones} (NUMBER OF ZONES)", line=line
        )
    return int(value)


def read_flows(path: str | Path) -> TntpFlows:
    """Read a TNTP flow file (``*_flow.tntp``: ``From To Volume Cost`` rows).

    Parameters
    ----------
    path : str or pathlib.Path
        The flow file; an optional metadata block and a header row are skipped.

    Returns
    -------
    TntpFlows
        The rows; use :meth:`TntpFlows.aligned` to put them in a network's link order.

    Raises
    ------
    twin.errors.InputError
        For rows with the wrong number of fields, non-numeric values or negative volumes.
    """
    path = Path(path)
    lines = _read_lines(path)
    start = 0
    if any(_META.match(line) for line in lines[:50]):
        _, start = _parse_metadata(path, lines)
    rows: list[tuple[int, int, float, float]] = []
    for line, tokens in _records(lines, start):
        if not rows and not _is_number(tokens[0]):
            continue  # the "From To Volume Cost" header
        if len(tokens) != 4:
            raise InputError(
                path, f"expected 4 fields (From To Volume Cost), got {len(tokens)}", line=line
            )
        a = _number(path, tokens[0], "From", line)
        b = _number(path, tokens[1], "To", line)
        if a != int(a) or b != int(b) or a < 1 or b < 1:
            raise InputError(path, "From and To must be node numbers >= 1", line=line)
        flow = _number(path, tokens[2], "Volume", line)
        if flow < 0:
            raise InputError(path, f"negative Volume {flow}", line=line)
        rows.append((int(a), int(b), flow, _number(path, tokens[3], "Cost", line)))
    if not rows:
        raise InputError(path, "no flow rows found")
    return TntpFlows(
        init_node=np.array([r[0] for r in rows], dtype=np.int64),
        term_node=np.array([r[1] for r in rows], dtype=np.int64),
        flow=np.array([r[2] for r in rows]),
        cost=np.array([r[3] for r in rows]),
        path=str(path),
    )


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True
