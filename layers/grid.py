"""Vectorized H3 indexing of point arrays, agreeing cell for cell with h3-py.

h3-py 4.x converts one point per Python call; ingest and aggregation index millions of
points. Two exact paths:

* h3ronpy (Rust, releases the GIL), in chunks on a few threads: about 3 M points/s here.
* A face-lattice path for the many points of one city (:class:`_FaceLattice`). H3 assigns a
  point to a cell by projecting it gnomonically onto the nearest icosahedron face and
  finding the containing hexagon of a regular hexagonal lattice in that plane. So, for
  points within 20° of one face centre (well inside that face's region), this module does the
  same: a numba kernel projects each point, finds the nearest lattice centre among the four
  corners of its lattice rhombus, and the few thousand distinct lattice centres are indexed
  with h3ronpy. The lattice is fitted to H3's own cell centres, so it is H3's lattice; a
  point closer than 5e-9 cell spacings to a cell border (or outside the cap) goes to h3-py
  itself, so even exact border ties fall as h3-py says. Tests compare with h3-py on large
  random samples and on cell vertices and edge midpoints.

h3ronpy is built on h3o, a Rust port of H3: it agrees with h3-py everywhere except on exact
border ties (a cell vertex or edge midpoint), which it may give to the other cell.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import h3
import numba
import numpy as np
import pyarrow as pa
from h3ronpy import cells_to_string, change_resolution
from h3ronpy import vector as _vector

#: Below this many points one thread is faster than splitting.
_MIN_CHUNK = 200_000


def _threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _h3ronpy_cells(lat: np.ndarray, lon: np.ndarray, res: int, threads: int) -> np.ndarray:
    """Exact cells with h3ronpy, split over ``threads``."""
    n = len(lat)
    if threads <= 1 or n < 2 * _MIN_CHUNK:
        return np.asarray(_vector.coordinates_to_cells(lat, lon, res), dtype=np.uint64)
    bounds = np.linspace(0, n, threads + 1).astype(int)
    out = np.empty(n, dtype=np.uint64)

    def work(i: int) -> None:
        a, b = bounds[i], bounds[i + 1]
        out[a:b] = np.asarray(_vector.coordinates_to_cells(lat[a:b], lon[a:b], res))

    with ThreadPoolExecutor(threads) as ex:
        list(ex.map(work, range(threads)))
    return out


#: Points nearer than this (in cell spacings) to a cell border go to the exact path.
_BORDER_TOL = 5e-9
#: Half-angle of the cap around a face centre where the face is surely the nearest one
#: (adjacent face centres are 41.8° apart).
_CAP_DEG = 20.0
#: Smallest array worth the lattice path (below it h3ronpy alone is as fast).
_LATTICE_MIN = 20_000
#: Most points sent one by one to h3-py when they miss the lattice (border ties, far away).
_SCALAR_MAX = 20_000


def _unit(lat_deg: float, lon_deg: float) -> np.ndarray:
    la, lo = math.radians(lat_deg), math.radians(lon_deg)
    return np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])


def _plane(cell: str, c: np.ndarray, e1: np.ndarray, e2: np.ndarray) -> np.ndarray:
    """Gnomonic plane coordinates (about face centre ``c``) of a cell's centre."""
    p = _unit(*h3.cell_to_latlng(cell))
    d = p @ c
    return np.array([(p @ e1) / d, (p @ e2) / d])


@dataclass(frozen=True)
class _FaceLattice:
    """H3's hexagonal lattice of one resolution on one icosahedron face (gnomonic plane)."""

    res: int
    centre: np.ndarray  # face centre, unit vector
    e1: np.ndarray  # tangent basis at the centre
    e2: np.ndarray
    origin: np.ndarray  # plane coordinates of the origin cell's centre
    a: np.ndarray  # lattice basis vectors (60° apart)
    b: np.ndarray
    inv: np.ndarray  # inverse of [a b]

    @classmethod
    def build(cls, face: int, res: int, lat: float, lon: float) -> _FaceLattice:
        """The lattice of ``res`` on ``face``, anchored at the cell of (``lat``, ``lon``)."""
        # Icosahedron vertices are the res-0 pentagons; a face centre is the normalized
        # mean of its three vertices (this agrees with H3's face centres to 1e-16 rad).
        verts = [p for p in h3.get_pentagons(0) if face in h3.get_icosahedron_faces(p)]
        c = sum((_unit(*h3.cell_to_latlng(p)) for p in verts), np.zeros(3))
        c = c / np.linalg.norm(c)
        axis = np.array([0.0, 0.0, 1.0]) if abs(c[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
        e1 = np.cross(axis, c)
        e1 /= np.linalg.norm(e1)
        e2 = np.cross(c, e1)
        o = h3.latlng_to_cell(lat, lon, res)
        p0 = _plane(o, c, e1, e2)
        # The basis from cells N steps away along H3's local i and j axes: the rounding
        # error of cell centres is divided by N.
        i0, j0 = h3.cell_to_local_ij(o, o)
        for n in (4096, 512, 64, 8, 1):
            try:
                ca = h3.local_ij_to_cell(o, i0 + n, j0)
                cb = h3.local_ij_to_cell(o, i0, j0 + n)
            except h3.H3BaseException:
                continue
            if face in h3.get_icosahedron_faces(ca) and face in h3.get_icosahedron_faces(cb):
                break
        a = (_plane(ca, c, e1, e2) - p0) / n
        b = (_plane(cb, c, e1, e2) - p0) / n
        inv = np.linalg.inv(np.column_stack([a, b]))
        return cls(res, c, e1, e2, p0, a, b, inv)

    def residual(self, cells: list[str]) -> float:
        """Largest distance (in lattice units) of H3 cell centres from lattice points."""
        worst = 0.0
        for cell in cells:
            uv = self.inv @ (_plane(cell, self.centre, self.e1, self.e2) - self.origin)
            worst = max(worst, float(np.abs(uv - np.round(uv)).max()))
        return worst

    def centres_latlng(self, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lat/lon (degrees) of lattice centres ``origin + i a + j b``."""
        x = self.origin[0] + i * self.a[0] + j * self.b[0]
        y = self.origin[1] + i * self.a[1] + j * self.b[1]
        p = self.centre[None, :] + x[:, None] * self.e1[None, :] + y[:, None] * self.e2[None, :]
        p /= np.linalg.norm(p, axis=1)[:, None]
        return np.degrees(np.arcsin(p[:, 2])), np.degrees(np.arctan2(p[:, 1], p[:, 0]))


# error_model="numpy" drops numba's zero-division checks (the loop stays tight); fastmath
# without "nnan"/"ninf" keeps NaN tests honest, and its reassociation error (~1e-16) is far
# below the border tolerance.
@numba.njit(
    cache=True, nogil=True, error_model="numpy", fastmath={"nsz", "arcp", "contract", "reassoc"}
)
def _quantize(lat, lon, c, e1, e2, p0, inv, a, b, cos_cap, tol, out_i, out_j, ok):  # type: ignore[no-untyped-def]
    deg = math.pi / 180.0
    for k in range(lat.shape[0]):
        la = lat[k] * deg
        lo = lon[k] * deg
        cl = math.cos(la)
        px = cl * math.cos(lo)
        py = cl * math.sin(lo)
        pz = math.sin(la)
        d = px * c[0] + py * c[1] + pz * c[2]
        x = (px * e1[0] + py * e1[1] + pz * e1[2]) / d - p0[0]
        y = (px * e2[0] + py * e2[1] + pz * e2[2]) / d - p0[1]
        u = inv[0, 0] * x + inv[0, 1] * y
        v = inv[1, 0] * x + inv[1, 1] * y
        fu = math.floor(u)
        fv = math.floor(v)
        # The lattice rhombus is two equilateral triangles split by its short diagonal; the
        # nearest lattice point is a vertex of the triangle holding the point.
        base = 1.0 if (u - fu) + (v - fv) > 1.0 else 0.0
        x0 = x - ((fu + base) * a[0] + (fv + base) * b[0])
        y0 = y - ((fu + base) * a[1] + (fv + base) * b[1])
        x1 = x - ((fu + 1.0) * a[0] + fv * b[0])
        y1 = y - ((fu + 1.0) * a[1] + fv * b[1])
        x2 = x - (fu * a[0] + (fv + 1.0) * b[0])
        y2 = y - (fu * a[1] + (fv + 1.0) * b[1])
        d0 = x0 * x0 + y0 * y0
        d1 = x1 * x1 + y1 * y1
        d2 = x2 * x2 + y2 * y2
        bi = fu + base
        bj = fv + base
        best = d0
        if d1 < best:
            second = best
            best = d1
            bi = fu + 1.0
            bj = fv
        else:
            second = d1
        if d2 < best:
            second = best
            best = d2
            bi = fu
            bj = fv + 1.0
        elif d2 < second:
            second = d2
        # A NaN or far point fails "d >= cos_cap" and goes to the exact path.
        good = (second - best > tol) and (d >= cos_cap)
        out_i[k] = np.int64(bi) if good else 0
        out_j[k] = np.int64(bj) if good else 0
        ok[k] = good


@numba.njit(cache=True, nogil=True)
def _ij_bounds(out_i, out_j, ok):  # type: ignore[no-untyped-def]
    lo_i = lo_j = np.iinfo(np.int64).max
    hi_i = hi_j = np.iinfo(np.int64).min
    n_ok = 0
    for k in range(out_i.shape[0]):
        if ok[k]:
            n_ok += 1
            lo_i = min(lo_i, out_i[k])
            hi_i = max(hi_i, out_i[k])
            lo_j = min(lo_j, out_j[k])
            hi_j = max(hi_j, out_j[k])
    return n_ok, lo_i, hi_i, lo_j, hi_j


@numba.njit(cache=True, nogil=True)
def _mark(out_i, out_j, ok, i0, j0, width, present):  # type: ignore[no-untyped-def]
    for k in range(out_i.shape[0]):
        if ok[k]:
            present[(out_i[k] - i0) * width + (out_j[k] - j0)] = True


@numba.njit(cache=True, nogil=True)
def _gather(out_i, out_j, ok, i0, j0, width, table, out):  # type: ignore[no-untyped-def]
    for k in range(out_i.shape[0]):
        if ok[k]:
            out[k] = table[(out_i[k] - i0) * width + (out_j[k] - j0)]


_LATTICES: dict[tuple[int, int], _FaceLattice] = {}


def _lattice(face: int, res: int, lat: float, lon: float) -> _FaceLattice:
    key = (face, res)
    if key not in _LATTICES:
        _LATTICES[key] = _FaceLattice.build(face, res, lat, lon)
    return _LATTICES[key]


def _lattice_cells(lat: np.ndarray, lon: np.ndarray, res: int, threads: int) -> np.ndarray:
    n = len(lat)
    fin = np.isfinite(lat) & np.isfinite(lon)
    k0 = n // 2 if fin[n // 2] else int(np.argmax(fin))
    if not fin[k0]:
        return _h3ronpy_cells(lat, lon, res, threads)
    la0, lo0 = float(lat[k0]), float(lon[k0])
    face = h3.get_icosahedron_faces(h3.latlng_to_cell(la0, lo0, 15))[0]
    lat_ = _lattice(face, res, la0, lo0)
    # Calibrate the border tolerance on H3's own centres at the corners of the data: the
    # lattice's error grows with the distance from its anchor.
    box = (np.nanmin(lat), np.nanmax(lat), np.nanmin(lon), np.nanmax(lon))
    probes = [
        h3.latlng_to_cell(float(y), float(x), res)
        for y in (box[0], box[1], la0)
        for x in (box[2], box[3], lo0)
        if abs(y) <= 90 and abs(x) <= 180
    ]
    cos_cap = math.cos(math.radians(_CAP_DEG))
    probes = [c for c in probes if _unit(*h3.cell_to_latlng(c)) @ lat_.centre >= cos_cap]
    border = max(_BORDER_TOL, 20.0 * lat_.residual(probes))
    out_i = np.empty(n, dtype=np.int64)
    out_j = np.empty(n, dtype=np.int64)
    ok = np.empty(n, dtype=np.bool_)
    spacing2 = float(lat_.a @ lat_.a)
    # d2 - d1 = 2 |a| * distance to the border, for neighbours one spacing apart.
    tol = 2.0 * border * spacing2
    args = (lat_.centre, lat_.e1, lat_.e2, lat_.origin, lat_.inv, lat_.a, lat_.b,
            cos_cap, tol)  # fmt: skip
    if threads <= 1 or n < 2 * _MIN_CHUNK:
        _quantize(lat, lon, *args, out_i, out_j, ok)
    else:
        bounds = np.linspace(0, n, threads + 1).astype(int)

        def work(t: int) -> None:
            s = slice(bounds[t], bounds[t + 1])
            _quantize(lat[s], lon[s], *args, out_i[s], out_j[s], ok[s])

        with ThreadPoolExecutor(threads) as ex:
            list(ex.map(work, range(threads)))
    out = np.zeros(n, dtype=np.uint64)
    n_ok, i0, i1, j0, j1 = _ij_bounds(out_i, out_j, ok)
    width = int(j1 - j0 + 1)
    span = int(i1 - i0 + 1) * width if n_ok else 0
    if n_ok and span <= 8_000_000:
        present = np.zeros(span, dtype=np.bool_)
        _mark(out_i, out_j, ok, i0, j0, width, present)
        keys = np.flatnonzero(present)
        table = np.zeros(span, dtype=np.uint64)
        clat, clon = lat_.centres_latlng(keys // width + i0, keys % width + j0)
        table[keys] = np.asarray(_vector.coordinates_to_cells(clat, clon, res))
        _gather(out_i, out_j, ok, i0, j0, width, table, out)
    elif n_ok:
        good = np.flatnonzero(ok)
        key = (out_i[good] - i0) * width + (out_j[good] - j0)
        uniq, inverse = np.unique(key, return_inverse=True)
        clat, clon = lat_.centres_latlng(uniq // width + i0, uniq % width + j0)
        out[good] = np.asarray(_vector.coordinates_to_cells(clat, clon, res))[inverse]
    rest = np.flatnonzero(~ok)
    if len(rest) > _SCALAR_MAX:
        out[rest] = _h3ronpy_cells(lat[rest], lon[rest], res, threads)
    elif len(rest):
        # h3-py (the C library) itself, so that exact border ties fall as h3-py says.
        out[rest] = [
            h3.str_to_int(h3.latlng_to_cell(y, x, res))
            for y, x in zip(lat[rest].tolist(), lon[rest].tolist(), strict=True)
        ]
    return out


def latlng_to_cells(
    lat: np.ndarray,
    lon: np.ndarray,
    res: int,
    *,
    threads: int | None = None,
    method: str = "auto",
) -> np.ndarray:
    """H3 cells (``uint64``) of WGS84 points at resolution ``res``, exactly as h3-py.

    Parameters
    ----------
    lat, lon
        Degrees, same length.
    res
        H3 resolution 0..15.
    threads
        Worker threads (default: CPU count, at most 4).
    method
        ``"lattice"`` (face-lattice path, h3-py for border ties), ``"h3ronpy"``, or
        ``"auto"`` (the lattice for arrays of 20,000 points or more).

    Examples
    --------
    >>> c = latlng_to_cells(np.array([3.5952]), np.array([98.6722]), 9)
    >>> cells_to_strings(c)[0] == h3.latlng_to_cell(3.5952, 98.6722, 9)
    True
    """
    lat = np.ascontiguousarray(lat, dtype=np.float64)
    lon = np.ascontiguousarray(lon, dtype=np.float64)
    if len(lat) == 0:
        return np.zeros(0, dtype=np.uint64)
    k = threads or _threads()
    use_lattice = method == "lattice" or (method == "auto" and len(lat) >= _LATTICE_MIN)
    if use_lattice:
        return _lattice_cells(lat, lon, res, k)
    return _h3ronpy_cells(lat, lon, res, k)


def cells_to_strings(cells: np.ndarray) -> np.ndarray:
    """Hex strings (object array) of ``uint64`` cells."""
    if len(cells) == 0:
        return np.zeros(0, dtype=object)
    arr = pa.array(cells_to_string(np.asarray(cells, dtype=np.uint64)))
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)


def strings_to_cells(cells: np.ndarray | list[str]) -> np.ndarray:
    """``uint64`` cells of hex strings (no validation: callers pass cells they produced)."""
    return np.array([int(c, 16) for c in cells], dtype=np.uint64)


def parent_cells(cells: np.ndarray, res: int) -> np.ndarray:
    """Parents (``uint64``) of ``uint64`` cells at the coarser resolution ``res``."""
    if len(cells) == 0:
        return np.zeros(0, dtype=np.uint64)
    return np.asarray(change_resolution(np.asarray(cells, dtype=np.uint64), res), np.uint64)


def latlng_to_cell_strings(lat: np.ndarray, lon: np.ndarray, res: int) -> np.ndarray:
    """Hex cells of points: :func:`latlng_to_cells` then :func:`cells_to_strings`."""
    return cells_to_strings(latlng_to_cells(lat, lon, res))
