"""A fresh machine in minutes: time the README's two commands in a new venv on a clean clone.

    python benchmarks/bench_fresh_machine.py [--repo PATH] [--keep] [--json]

Clones ``--repo`` (default: this checkout's repository, its committed HEAD) into a temporary
directory, makes a new virtual environment there and times, in it:

1. ``python -m pip install -e . && coercive assess dprk-2017`` (the install and the first
   assessment, which compiles the numba kernels into the clone's empty cache);
2. ``python -m pip install -e ".[test]" && python -m ruff check . && python -m pytest``.

pip's download/wheel cache may be used (a machine that has installed Python packages
before), but nothing may be compiled from source: pip runs with ``--only-binary=:all:`` for
every dependency. References timed in the same run: creating the venv, and a second (warm)
``coercive assess dprk-2017``, so the first run's compile cost is the difference.
``COERCIVE_DATA_DIR`` is passed through for the tests (they never use the network).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIMIT_S = 180.0  # issue 11: each README command in under 3 minutes
FIRST_ASSESS_LIMIT_S = 10.0


def _run(command: list[str], cwd: Path, env: dict[str, str], label: str) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise SystemExit(f"{label} failed (exit {result.returncode}) after {elapsed:.1f}s:\n{tail}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=REPO, help="repository to clone")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="coercive-fresh-"))
    clone, venv = workdir / "coercive", workdir / "venv"
    env = {
        key: value
        for key, value in os.environ.items()
        # a fresh machine: no caches or interpreters pointed at by the caller's environment
        if key not in {"NUMBA_CACHE_DIR", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    }
    env["PIP_ONLY_BINARY"] = ":all:"  # nothing compiled from source
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    figures: dict[str, float] = {}
    try:
        subprocess.run(["git", "clone", "--quiet", str(args.repo), str(clone)], check=True, env=env)
        figures["venv_s"] = _run([sys.executable, "-m", "venv", str(venv)], workdir, env, "venv")
        bin_dir = venv / "bin"
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(venv)
        python = str(bin_dir / "python")

        figures["install_s"] = _run(
            [python, "-m", "pip", "install", "--quiet", "-e", "."], clone, env, "pip install -e ."
        )
        figures["first_assess_s"] = _run(
            [str(bin_dir / "coercive"), "assess", "dprk-2017"], clone, env, "first assess"
        )
        figures["warm_assess_s"] = _run(
            [str(bin_dir / "coercive"), "assess", "dprk-2017"], clone, env, "warm assess"
        )
        figures["command1_s"] = figures["install_s"] + figures["first_assess_s"]

        figures["install_test_s"] = _run(
            [python, "-m", "pip", "install", "--quiet", "-e", ".[test]"],
            clone,
            env,
            "pip install -e .[test]",
        )
        figures["ruff_s"] = _run([python, "-m", "ruff", "check", "."], clone, env, "ruff")
        figures["pytest_s"] = _run([python, "-m", "pytest", "-q"], clone, env, "pytest")
        figures["command2_s"] = figures["install_test_s"] + figures["ruff_s"] + figures["pytest_s"]
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    figures["first_over_warm_assess"] = figures["first_assess_s"] / figures["warm_assess_s"]
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"reference: python -m venv                     {figures['venv_s']:7.1f} s")
    print(f"1. pip install -e .                           {figures['install_s']:7.1f} s")
    print(
        f"   coercive assess dprk-2017 (first, compiles) {figures['first_assess_s']:7.1f} s "
        f"(limit {FIRST_ASSESS_LIMIT_S:.0f} s)"
    )
    print(
        f"   coercive assess dprk-2017 (warm reference)  {figures['warm_assess_s']:7.1f} s "
        f"-> first/warm {figures['first_over_warm_assess']:.1f}x"
    )
    print(
        f"   command 1 total                             {figures['command1_s']:7.1f} s "
        f"(limit {LIMIT_S:.0f} s)"
    )
    print(f"2. pip install -e '.[test]'                   {figures['install_test_s']:7.1f} s")
    print(f"   ruff check .                               {figures['ruff_s']:7.1f} s")
    print(f"   pytest                                     {figures['pytest_s']:7.1f} s")
    print(
        f"   command 2 total                             {figures['command2_s']:7.1f} s "
        f"(limit {LIMIT_S:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
