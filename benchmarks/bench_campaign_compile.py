"""First-use cost of the campaign kernel: numba compiles it on a fresh checkout.

Copies ``src/`` to a temporary directory with no numba cache and times, in a fresh process,
the first ``run_campaign`` (50 draws: compile + solve), then the same call in a second fresh
process (the cache now written: load + solve), and prints both and their ratio. Optionally
``--baseline DIR`` times another source tree (e.g. an older ``src/``) the same way, in the
same run.

    COERCIVE_DATA_DIR=/work/shared/data python benchmarks/bench_campaign_compile.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CALL = (
    "from coercive.campaign import run_campaign; "
    "run_campaign('dprk-2017-2018', draws=50)"
)


def first_and_cached(src: Path) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(src, copy, ignore=shutil.ignore_patterns("__pycache__"))
        env = {**os.environ, "PYTHONPATH": str(copy)}
        times = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", CALL], env=env, check=True)
            times.append(time.perf_counter() - start)
        return times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", type=Path, default=None, help="another src/ to time")
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1] / "src"
    trees = [("this tree", here)] + ([("baseline", args.baseline)] if args.baseline else [])
    for name, src in trees:
        first, cached = first_and_cached(src)
        print(f"{name:10s} first call (compile) {first:6.1f} s   cached {cached:5.1f} s   "
              f"ratio {first / cached:5.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
