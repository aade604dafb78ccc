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
``COERCIVE_DATA_DIR`` is passed through for the tests (they never use the network); unset,
it is set to this checkout's ``../shared/data``.

Each step's CPU time (user + system of its processes) is printed beside its wall time: on a
shared machine the wall time depends on the other load, the CPU time much less. With
``--serial`` the suite is timed a second time in the same venv with ``-n 0`` (one process,
as before pytest-xdist), the reference for the parallel run. A failing step is reported
with its time and the run goes on; the exit status is 1 if any step failed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIMIT_S = 180.0  # issue 11: each README command in under 3 minutes
FIRST_ASSESS_LIMIT_S = 10.0


Step = dict[str, float | bool]


def _run(command: list[str], cwd: Path, env: dict[str, str], label: str) -> Step:
    """Wall and CPU seconds of one command (its processes and their children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    ok = result.returncode == 0
    if not ok:
        # The failures' own lines (a hypothesis example, the assertion), then the summary.
        lines = (result.stdout + result.stderr).splitlines()
        wanted = [ln for ln in lines if ln.startswith(("E  ", "FAILED", "ERROR"))][:60]
        tail = "\n".join(wanted + lines[-5:])
        message = f"{label} failed (exit {result.returncode}) after {wall:.1f}s:\n{tail}"
        print(message, file=sys.stderr)
    return {"wall_s": wall, "cpu_s": cpu, "ok": ok}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=REPO, help="repository to clone")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--serial", action="store_true", help="also time the suite with -n 0 (the reference)"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="coercive-fresh-"))
    clone, venv = workdir / "coercive", workdir / "venv"
    env = {
        key: value
        for key, value in os.environ.items()
        # a fresh machine: no caches or interpreters pointed at by the caller's environment
        if key not in {"NUMBA_CACHE_DIR", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    }
    # The tests read the reference data from ../shared/data beside the repository, which a
    # clone in a temporary directory lacks: point them at this checkout's (or the caller's).
    shared = REPO.parent / "shared" / "data"
    if "COERCIVE_DATA_DIR" not in env and shared.is_dir():
        env["COERCIVE_DATA_DIR"] = str(shared)
    env["PIP_ONLY_BINARY"] = ":all:"  # nothing compiled from source
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    steps: dict[str, Step] = {}
    load_start = os.getloadavg()[0]
    try:
        subprocess.run(["git", "clone", "--quiet", str(args.repo), str(clone)], check=True, env=env)
        steps["venv"] = _run([sys.executable, "-m", "venv", str(venv)], workdir, env, "venv")
        bin_dir = venv / "bin"
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(venv)
        python = str(bin_dir / "python")
        coercive = str(bin_dir / "coercive")

        steps["install"] = _run(
            [python, "-m", "pip", "install", "--quiet", "-e", "."], clone, env, "pip install -e ."
        )
        steps["first_assess"] = _run([coercive, "assess", "dprk-2017"], clone, env, "first assess")
        steps["warm_assess"] = _run([coercive, "assess", "dprk-2017"], clone, env, "warm assess")
        steps["install_test"] = _run(
            [python, "-m", "pip", "install", "--quiet", "-e", ".[test]"],
            clone,
            env,
            "pip install -e .[test]",
        )
        steps["ruff"] = _run([python, "-m", "ruff", "check", "."], clone, env, "ruff")
        steps["pytest"] = _run([python, "-m", "pytest", "-q"], clone, env, "pytest")
        if args.serial:
            steps["pytest_serial"] = _run(
                [python, "-m", "pytest", "-q", "-n", "0"], clone, env, "pytest -n 0"
            )
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    def total(*names: str) -> Step:
        return {
            "wall_s": sum(float(steps[n]["wall_s"]) for n in names),
            "cpu_s": sum(float(steps[n]["cpu_s"]) for n in names),
            "ok": all(bool(steps[n]["ok"]) for n in names),
        }

    steps["command1"] = total("install", "first_assess")
    steps["command2"] = total("install_test", "ruff", "pytest")
    failed = not all(step["ok"] for step in steps.values())
    if args.json:
        print(json.dumps(steps, indent=2))
        return int(failed)

    def line(label: str, name: str, note: str = "") -> None:
        step = steps[name]
        mark = "" if step["ok"] else "  FAILED"
        print(f"{label:46} {step['wall_s']:7.1f} s {step['cpu_s']:7.1f} s{note}{mark}")

    print(
        f"cores {os.cpu_count()}, load average {load_start:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    print(f"{'':46} {'wall':>9} {'CPU':>9}")
    line("reference: python -m venv", "venv")
    line("1. pip install -e .", "install")
    line("   coercive assess dprk-2017 (first, compiles)", "first_assess",
         f"  (limit {FIRST_ASSESS_LIMIT_S:.0f} s)")
    first, warm = steps["first_assess"], steps["warm_assess"]
    line("   coercive assess dprk-2017 (warm reference)", "warm_assess",
         f"  first/warm {float(first['wall_s']) / float(warm['wall_s']):.1f}x wall, "
         f"{float(first['cpu_s']) / float(warm['cpu_s']):.1f}x CPU")
    line("   command 1 total", "command1", f"  (limit {LIMIT_S:.0f} s)")
    line("2. pip install -e '.[test]'", "install_test")
    line("   ruff check .", "ruff")
    line("   pytest (-n auto, from addopts)", "pytest")
    line("   command 2 total", "command2", f"  (limit {LIMIT_S:.0f} s)")
    if "pytest_serial" in steps:
        serial, parallel = steps["pytest_serial"], steps["pytest"]
        line("reference: pytest -n 0 (serial)", "pytest_serial",
             f"  parallel/serial {float(parallel['wall_s']) / float(serial['wall_s']):.2f} wall")
    return int(failed)


if __name__ == "__main__":
    sys.exit(main())
