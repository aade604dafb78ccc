"""The first ``coercive assess`` after install: cold (numba compiles) and warm, against a baseline.

    python benchmarks/bench_first_assess.py [--baseline 15e0ed8] [--case dprk-2017]

Exports this checkout's committed ``src/`` and the baseline commit's into temporary
directories and runs ``python -m coercive assess CASE`` from each with an empty
``NUMBA_CACHE_DIR`` (a fresh install: every kernel compiles), then again with the cache
filled (every later run). Reports wall time and the CPU time of the process (user + system,
which does not depend on how busy the machine is), and the ratios to the baseline.
``--baseline`` defaults to 15e0ed8, the commit before the compile-time work of issue 11.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _export(ref: str, target: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", ref, "src"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target / "src"


def _time(src: Path, cache: Path, case: str) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(src), "NUMBA_CACHE_DIR": str(cache)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "coercive", "assess", case],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="15e0ed8")
    parser.add_argument("--case", default="dprk-2017")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coercive-first-assess-") as tmp:
        root = Path(tmp)
        results = {}
        for label, ref in (("baseline " + args.baseline, args.baseline), ("this checkout", "HEAD")):
            src = _export(ref, root / label.replace(" ", "_"))
            cache = root / f"cache_{label.replace(' ', '_')}"
            cold = _time(src, cache, args.case)
            warm = _time(src, cache, args.case)
            results[label] = (cold, warm)
    print(
        f"coercive assess {args.case}; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )
    print(f"{'':22} {'first wall':>10} {'first CPU':>10} {'warm wall':>10} {'warm CPU':>10}")
    for label, ((cold_wall, cold_cpu), (warm_wall, warm_cpu)) in results.items():
        print(f"{label:22} {cold_wall:9.1f}s {cold_cpu:9.1f}s {warm_wall:9.1f}s {warm_cpu:9.1f}s")
    (base_cold, base_warm), (ours_cold, ours_warm) = results.values()
    print(
        f"ratio to baseline: first run CPU {ours_cold[1] / base_cold[1]:.2f}, "
        f"wall {ours_cold[0] / base_cold[0]:.2f}; warm CPU {ours_warm[1] / base_warm[1]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
