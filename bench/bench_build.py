"""Build and load times of the offline Medan twin (targets: build <= 60 s, load <= 2 s).

Run: ``TWIN_DATA_DIR=../shared/data .venv/bin/python bench/bench_build.py [--repeat N]``.
Builds into a scratch TWIN_HOME with ``force`` (so nothing is reused), prints the time of
each build step, then times :func:`twin.snapshot.load_snapshot` in this process and the
whole ``import twin; load_snapshot(...)`` in a fresh interpreter.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="load timings to take")
    args = parser.parse_args()
    if not os.environ.get("TWIN_DATA_DIR"):
        sys.exit("set TWIN_DATA_DIR to the offline data folder (../shared/data)")

    from twin.build import build_twin
    from twin.settings import get_settings
    from twin.snapshot import load_snapshot

    with tempfile.TemporaryDirectory(prefix="twin-bench-") as home:
        settings = get_settings().with_(home=Path(home))
        marks: list[tuple[float, str]] = []
        t0 = time.perf_counter()
        path = build_twin(
            city="medan",
            force=True,
            settings=settings,
            progress=lambda line: marks.append((time.perf_counter(), line)),
        )
        build_s = time.perf_counter() - t0
        print("step timings (seconds since the previous step):")
        prev = t0
        for t, line in marks:
            print(f"  {t - prev:6.2f}  {line[:100]}")
            prev = t

        loads = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            twin = load_snapshot(path)
            loads.append(time.perf_counter() - t)
        code = (
            "import time; t=time.perf_counter(); from twin.snapshot import load_snapshot; "
            f"load_snapshot({str(path)!r}); print(time.perf_counter()-t)"
        )
        cold = float(
            subprocess.run(
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            ).stdout
        )
        print(
            f"nodes {len(twin.nodes)}, edges {len(twin.edges)}, "
            f"edge_cells {len(twin.edge_cells)}, h3_cells {len(twin.h3_cells)}"
        )
        print(f"build_seconds {build_s:.2f}  (target <= 60)")
        print(f"load_seconds {min(loads):.3f}  (best of {args.repeat}, imports done; target <= 2)")
        print(f"load_seconds_cold_process {cold:.3f}  (fresh interpreter, incl. imports)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
