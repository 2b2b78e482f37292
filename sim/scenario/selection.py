"""Turn a scenario's ``where`` into twin edges (or zones), with errors a planner can act on.

Every key of a :class:`~sim.scenario.schema.Selection` narrows the set of edges; the result
must not be empty. Names are matched without regard to case or to the ``Jalan``/``Jl.``
prefix; an unknown street, kecamatan or kelurahan gets an error listing the closest names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import partial

import h3
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry import Polygon

from sim.scenario.schema import ScenarioError, Selection
from sim.zones import ZoneSystem
from twin.model import OUTSIDE, Twin
from twin.road_defaults import ROAD_CLASSES

IntArray = npt.NDArray[np.int64]
_PREFIX = re.compile(r"^(jalan|jln\.?|jl\.?)\s+")
_SPACE = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """Lower case, single spaces, without the ``Jalan``/``Jl.`` prefix.

    Examples
    --------
    >>> normalize_name("Jl.  Gatot Subroto"), normalize_name("JALAN Gatot Subroto")
    ('gatot subroto', 'gatot subroto')
    """
    s = _SPACE.sub(" ", name.strip().lower())
    return _PREFIX.sub("", s)


def street_index(twin: Twin) -> dict[str, tuple[str, IntArray]]:
    """Normalized street name -> (a display spelling, edge ids); cached on the twin."""
    cached = twin._cache.get("sim.street_index")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    buckets: dict[str, tuple[str, list[int]]] = {}
    for eid, name in zip(twin.edges["edge_id"].to_numpy(), twin.edges["name"], strict=True):
        if not isinstance(name, str) or not name:
            continue
        for part in name.split(";"):
            part = part.strip()
            if not part:
                continue
            key = normalize_name(part)
            if key not in buckets:
                buckets[key] = (part, [])
            buckets[key][1].append(int(eid))
    index = {
        k: (disp, np.unique(np.asarray(ids, dtype=np.int64))) for k, (disp, ids) in buckets.items()
    }
    twin._cache["sim.street_index"] = index
    return index


def _closest(query: str, choices: Iterable[str], n: int = 5) -> str:
    choices = list(choices)
    hits = difflib.get_close_matches(query, choices, n=n, cutoff=0.4)
    if not hits:
        q = query.lower()
        hits = [c for c in choices if q and q.split()[0] in c.lower()][:n]
    return ", ".join(repr(h) for h in hits) if hits else "none close"


def _admin_codes(
    table: pd.DataFrame, wanted: Iterable[str], *, level: str, source: str, field: str
) -> set[str]:
    codes = [str(c) for c in table["code"]]
    names = [str(n) for n in table["name"]]
    by_name = {normalize_name(str(n)): str(c) for c, n in zip(codes, names, strict=True)}
    out = set()
    for w in wanted:
        if w in codes:
            out.add(w)
            continue
        key = normalize_name(w)
        if key in by_name:
            out.add(by_name[key])
            continue
        # allow the name without its "Medan " prefix for kecamatan ("Sunggal")
        alt = [c for n, c in by_name.items() if n.removeprefix("medan ") == key]
        if len(alt) == 1:
            out.add(alt[0])
            continue
        raise ScenarioError(
            source,
            f"{field}: no {level} {w!r} in this twin; closest: {_closest(w, map(str, names))}",
        )
    return out


def city_polygon(twin: Twin) -> shapely.Geometry:
    """The city's polygon (union of the ``kota`` table), cached on the twin."""
    geom = twin._cache.get("sim.city_polygon")
    if geom is None:
        geom = shapely.union_all(np.asarray(twin.kota.geometry.to_numpy()))
        twin._cache["sim.city_polygon"] = geom
    return geom


def check_in_city(twin: Twin, lon: float, lat: float, *, source: str, field: str) -> None:
    """Raise when a point lies outside the city (with 1 km of slack for gateway roads)."""
    city = city_polygon(twin)
    pt = shapely.Point(lon, lat)
    if not city.contains(pt) and city.distance(pt) > 0.009:
        raise ScenarioError(
            source, f"{field}: point [{lon}, {lat}] lies outside {twin.profile.name}"
        )


def select_edges(
    sel: Selection, twin: Twin, *, source: str = "<scenario>", field: str = "where"
) -> IntArray:
    """The edge ids a selection picks.

    Raises
    ------
    ScenarioError
        For an unknown name (with the closest names), a polygon outside the city, an invalid
        H3 cell or class, or an empty result.
    """
    edges = twin.edges
    all_ids = edges["edge_id"].to_numpy(np.int64)
    mask = np.ones(all_ids.size, dtype=bool)
    if sel.edge_ids is not None:
        ids = np.asarray(sel.edge_ids, dtype=np.int64)
        unknown = np.setdiff1d(ids, all_ids)
        if unknown.size:
            raise ScenarioError(
                source,
                f"{field}.edge_ids: no edge {int(unknown[0])} in snapshot {twin.snapshot_id} "
                f"(edge ids run 0..{all_ids.max()})",
            )
        mask &= np.isin(all_ids, ids)
    kec_codes: set[str] | None = None
    if sel.kecamatan is not None:
        kec_codes = _admin_codes(
            twin.kecamatan,
            [sel.kecamatan],
            level="kecamatan",
            source=source,
            field=f"{field}.kecamatan",
        )
        mask &= edges["kec_code"].isin(kec_codes).to_numpy()
    if sel.street is not None:
        index = street_index(twin)
        key = normalize_name(sel.street)
        if key not in index:
            raise ScenarioError(
                source,
                f"{field}.street: no street {sel.street!r} in snapshot {twin.snapshot_id}; "
                f"closest names: {_closest(sel.street, [d for d, _ in index.values()])}",
            )
        on_street = np.isin(all_ids, index[key][1])
        if kec_codes is not None and not (mask & on_street).any():
            through = sorted(set(edges.loc[on_street, "kec_code"]) - {OUTSIDE})
            names = dict(zip(twin.kecamatan["code"], twin.kecamatan["name"], strict=True))
            raise ScenarioError(
                source,
                f"{field}: street {sel.street!r} does not run through {sel.kecamatan}; it runs "
                f"through {', '.join(names.get(c, c) for c in through) or 'no kecamatan'}",
            )
        mask &= on_street
    if sel.kelurahan is not None:
        kel = _admin_codes(
            twin.kelurahan,
            sel.kelurahan,
            level="kelurahan",
            source=source,
            field=f"{field}.kelurahan",
        )
        mask &= edges["kel_code"].isin(kel).to_numpy()
    if sel.polygon is not None:
        poly = Polygon(sel.polygon)
        if not poly.is_valid:
            poly = poly.buffer(0)
        if poly.is_empty or poly.area == 0:
            raise ScenarioError(source, f"{field}.polygon: not a valid polygon")
        if not poly.intersects(city_polygon(twin)):
            raise ScenarioError(
                source,
                f"{field}.polygon: lies entirely outside {twin.profile.name} "
                f"(its centre is [{poly.centroid.x:.5f}, {poly.centroid.y:.5f}])",
            )
        hit = edges.geometry.sindex.query(poly, predicate="intersects")
        in_poly = np.zeros(all_ids.size, dtype=bool)
        in_poly[hit] = True
        mask &= in_poly
    if sel.h3 is not None:
        mask &= _h3_mask(sel.h3, twin, all_ids, source=source, field=f"{field}.h3")
    if sel.highway is not None:
        bad = [h for h in sel.highway if h not in ROAD_CLASSES]
        if bad:
            raise ScenarioError(
                source,
                f"{field}.highway: unknown class {bad[0]!r} (known: {', '.join(ROAD_CLASSES)})",
            )
        mask &= edges["highway"].isin(sel.highway).to_numpy()
    if not mask.any():
        raise ScenarioError(source, f"{field}: the selection ({sel.describe()}) matches no road")
    return np.sort(all_ids[mask])


def _h3_mask(
    cells: tuple[str, ...], twin: Twin, all_ids: IntArray, *, source: str, field: str
) -> npt.NDArray[np.bool_]:
    base_res = twin.profile.h3_resolution
    wanted: dict[int, set[str]] = {}
    for c in cells:
        if not h3.is_valid_cell(c):
            raise ScenarioError(source, f"{field}: {c!r} is not an H3 cell")
        r = h3.get_resolution(c)
        if r > base_res:
            raise ScenarioError(
                source, f"{field}: cell {c} (res {r}) is finer than the twin's res {base_res}"
            )
        wanted.setdefault(r, set()).add(c)
    ec = twin.edge_cells
    hit = np.zeros(len(ec), dtype=bool)
    cell_col = ec["cell"].astype(str)
    for r, cs in wanted.items():
        parents = cell_col if r == base_res else cell_col.map(partial(h3.cell_to_parent, res=r))
        hit |= parents.isin(cs).to_numpy()
    if not hit.any():
        raise ScenarioError(source, f"{field}: none of the cells covers a road of the twin")
    return np.isin(all_ids, ec["edge_id"].to_numpy()[hit])


def select_zones(
    sel: Selection,
    twin: Twin,
    zones: ZoneSystem,
    *,
    source: str = "<scenario>",
    field: str = "where",
) -> IntArray:
    """The internal zones a selection covers: those holding the tail nodes of its edges."""
    ids = select_edges(sel, twin, source=source, field=field)
    tails = twin.edges.set_index("edge_id").loc[ids, "u"]
    z = zones.node_zone.reindex(tails).to_numpy()
    z = np.unique(z[z >= 0])
    if z.size == 0:
        raise ScenarioError(source, f"{field}: the selection covers no zone of the city")
    return z.astype(np.int64)
