"""End-to-end wall time of ``coercive assess dprk-2017 --json`` (issue 4, section 6: goal < 2 s).

Interpreter start is included: each run is a fresh ``python -m coercive.cli`` process. The
baselines are measured in the same run: ``python -c pass`` (the interpreter alone),
``python -c "import coercive.games"`` and the import of the engine's numba solver (which
``assess`` needs and which dominates its start-up). Also reported: the import time of
the assess path and the in-process time of one assessment (2000 draws x 5 variants in one
engine call).

    PYTHONPATH=src python benchmarks/bench_assess.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
GOAL_SECONDS = 2.0


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def wall(args: list[str], repeat: int) -> list[float]:
    """Wall times of ``repeat`` fresh processes running ``python args...``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, *args], capture_output=True, text=True, env=_env(), check=False
        )
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    repeat = options.repeat

    wall(["-m", "coercive.cli", "assess", "dprk-2017", "--json"], 1)  # warm caches (numba, pyc)
    cases = {
        "python -c pass": ["-c", "pass"],
        "python -c 'import coercive.games'": ["-c", "import coercive.games"],
        "import the engine's solver (numba)": [
            "-c",
            "import coercive.games._solve, coercive.games.lewis_schultz",
        ],
        "import coercive.cli + policy.assess": [
            "-c",
            "import coercive.cli, coercive.policy.assess",
        ],
        "coercive assess dprk-2017 --json": ["-m", "coercive.cli", "assess", "dprk-2017", "--json"],
        "coercive assess dprk-2017 (terminal view)": ["-m", "coercive.cli", "assess", "dprk-2017"],
    }
    results = {name: wall(args, repeat) for name, args in cases.items()}
    base = statistics.median(results["python -c pass"])
    print(f"median of {repeat} fresh processes (wall time, s); ratio to `python -c pass`")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"  {name:45s} {median:7.3f} s   x{median / base:6.1f}   (min {min(times):.3f})")
    end_to_end = statistics.median(results["coercive assess dprk-2017 --json"])
    engine = statistics.median(results["import the engine's solver (numba)"])
    print(f"  assess --json minus the engine solver's import: {end_to_end - engine:.3f} s")

    sys.path.insert(0, str(SRC))
    from coercive.policy.assess import assess

    assess("dprk-2017")  # warm
    start = time.perf_counter()
    runs = 5
    for _ in range(runs):
        assess("dprk-2017")
    per_run = (time.perf_counter() - start) / runs
    print(f"  in-process assess('dprk-2017'): {per_run:.3f} s (10,000 games incl. counterfactuals)")
    verdict = "meets" if end_to_end < GOAL_SECONDS else "MISSES"
    print(f"goal < {GOAL_SECONDS:.1f} s end to end: {verdict} ({end_to_end:.3f} s)")


if __name__ == "__main__":
    main()
