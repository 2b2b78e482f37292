"""Benchmark: ingest of complaint records and H3 indexing of points; prints its figures.

Usage::

    TWIN_DATA_DIR=/work/shared/data .venv/bin/python bench/bench_ingest.py [--n 1000000]

1. Writes a CSV of ``n`` complaint records, 10 % of them malformed in varied ways (bad
   coordinates, outside the city, bad or future times, missing fields, wrong field count),
   and ingests it with ``layers.ingest.ingest_file`` into a fresh store: prints records/s
   (target >= 20,000/s), accepted and quarantined counts.
2. Indexes ``n`` random points in Medan on H3 res 9 (``layers.grid.latlng_to_cells``), with the
   face-lattice path and with plain h3ronpy: prints points/s for the indexing step (target
   >= 5,000,000/s), checks both give the same cells, then times the whole aggregation
   (index + count per cell).

The machine is shared: run it when it is quiet, the figures scale with the free CPU.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from layers.context import CityContext
from layers.grid import latlng_to_cells
from layers.ingest import ingest_file
from layers.store import Store

CATS = ["Jalan rusak", "Banjir", "Sampah", "PJU mati", "Parkir liar", "Macet", "Kucing hilang"]
STATUSES = ["Baru", "Diproses", "Selesai", "Ditolak", "open", "closed"]


def write_csv(path: Path, n: int, *, seed: int = 1) -> int:
    """Write ``n`` rows, 10 % malformed; returns the number of malformed rows."""
    rnd = random.Random(seed)
    bad = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "source_id",
                "category",
                "description",
                "status",
                "requested_at",
                "updated_at",
                "lat",
                "lon",
                "address",
            ]
        )
        for i in range(n):
            lat = 3.56 + rnd.random() * 0.05
            lon = 98.64 + rnd.random() * 0.06
            day = 1 + i % 28
            row = [
                f"B{i}",
                CATS[i % len(CATS)],
                f"Laporan warga <img src=x onerror=alert(1)> nomor {i}",
                STATUSES[i % len(STATUSES)],
                f"2025-10-{day:02d}T08:{i % 60:02d}:00+07:00",
                f"2025-10-{day:02d}T10:{i % 60:02d}:00+07:00",
                f"{lat:.6f}",
                f"{lon:.6f}",
                "Jl. Contoh",
            ]
            if i % 10 == 9:
                bad += 1
                k = (i // 10) % 5
                if k == 0:
                    row[6] = "abc"
                elif k == 1:
                    row[6], row[7] = "-6.2", "106.8"  # Jakarta: outside the city
                elif k == 2:
                    row[4] = "2099-01-01T00:00:00+07:00"
                elif k == 3:
                    row[0] = ""
                else:
                    row = row[:5]
            w.writerow(row)
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--points", type=int, default=1_000_000)
    args = ap.parse_args()
    data = Path(os.environ.get("TWIN_DATA_DIR", "../shared/data"))
    ctx = CityContext.from_admin_dir(data / "medan" / "admin")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "complaints.csv"
        t0 = time.perf_counter()
        bad = write_csv(src, args.n)
        print(
            f"generated {args.n:,} records ({bad:,} malformed) in {time.perf_counter() - t0:.1f} s"
        )
        with Store(Path(tmp) / "bench.sqlite") as store:
            t0, c0 = time.perf_counter(), time.process_time()
            rep = ingest_file(src, store, ctx, kind="complaints", fmt="csv")
            dt_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"ingest: {args.n / dt_s:,.0f} records/s wall-clock ({dt_s:.1f} s, target >= 20,000/s)"
        )
        print(
            f"  {args.n / cpu_s:,.0f} records per CPU-second ({cpu_s:.1f} s of CPU: the rate on "
            f"an idle core)"
        )
        print(
            f"  accepted {rep.accepted:,}  quarantined {rep.rejected:,}  "
            f"duplicates {rep.duplicates:,}  reasons {dict(rep.reasons)}"
        )

    rng = np.random.default_rng(0)
    lat = rng.uniform(3.48, 3.80, args.points)
    lon = rng.uniform(98.59, 98.75, args.points)
    for method in ("lattice", "h3ronpy"):
        latlng_to_cells(lat[:30_000], lon[:30_000], 9, method=method)  # warm-up (numba cache)
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            cells = latlng_to_cells(lat, lon, 9, method=method)
            best = min(best, time.perf_counter() - t0)
        print(
            f"H3 indexing ({method}): {args.points / best:,.0f} points/s "
            f"(res 9, best of 3, target >= 5,000,000/s)"
        )
    exact = latlng_to_cells(lat, lon, 9, method="h3ronpy")
    diff = int((latlng_to_cells(lat, lon, 9) != exact).sum())
    print(f"  lattice vs h3ronpy on these points: {diff} cells differ")
    t0 = time.perf_counter()
    cells = latlng_to_cells(lat, lon, 9)
    uniq, counts = np.unique(cells, return_counts=True)
    dt_s = time.perf_counter() - t0
    print(
        f"H3 aggregation (index + count per cell): {args.points / dt_s:,.0f} points/s, "
        f"{len(uniq):,} cells, max {counts.max()} per cell"
    )


if __name__ == "__main__":
    main()
