"""Benchmark: every games-family estimator against R's games 1.1.2, timed in the same run.

For each model of issue 10 (egame12 on war1800 and on Leblang's leblang2003, egame122,
egame123, ultimatum), times repeated fits from the formula and data frame with

* ``coercive.estimate``'s estimator, in this process: the timed unit is the fit call (formula
  parsing, starting values, optimization, the Hessian at the optimum and its inverse, the
  results object) **plus reading the standard errors** (``result.bse``), so nothing the
  standard errors need can hide outside the timer;
* games 1.1.2 through ``Rscript``: the timed unit is the fit call (``egame12(...)`` etc.),
  which in games also computes the Hessian and the covariance (``vcov``) before returning;
  ``system.time`` around each fit, after one warm-up fit;

when ``Rscript`` and games are installed; otherwise it says so and prints the Python
figures alone. Both sides run the same number of repeats, one after the other (R first, then
Python, so they never compete for the CPU). It prints, per model, the median wall-clock time
of each side, the ratio games / coercive of those medians, the same ratio on CPU time (R's
user time, Python's ``time.process_time``: less sensitive to other processes on a busy
machine) and on the fastest repeat, and both log-likelihoods (so a fast wrong answer shows).
Run: ``PYTHONPATH=src python benchmarks/bench_games.py [--repeats N]``. The data are read from
``COERCIVE_DATA_DIR`` (defaults to ../shared/data when it exists).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

F122 = "y ~ x1 + x2 | x3 + f1 | 0 | x4 + x5 | z1 + z2 | z3 + f2"
F123 = "y ~ x1 + x2 | 0 | x3 | x4 + x5 | 0 | x6 | x7 | x8"
FULT = "offer + accept ~ x1 + x2 + x3 + x4 + w1 + w2 | z1 + z2 + z3 + z4 + w1 + w2"
FLEBLANG = (
    "outcome ~ capcont + lreserves + overval + creditgrow + USinterest + service"
    " + contagion + prioratt - 1 | 1 | 1 | unifgov + lexports + preelec + postelec"
    " + rightgov + realinterest + capcont + lreserves"
)
FWAR = "esc + war ~ s_wt_re1 + revis1 | 0 | regime1 | balanc + regime2"

# name -> (R call, data set)
R_CALLS = {
    "egame12 war1800 (probit, agent)": (f"egame12({FWAR}, data = war1800)", "war1800"),
    "egame12 leblang2003 (probit, private)": (
        f'egame12({FLEBLANG}, data = leblang2003, link = "probit", type = "private")',
        "leblang2003",
    ),
    "egame122 data_122 (probit, agent)": (f"egame122({F122}, data = data_122)", "data_122"),
    "egame123 data_123 (probit, private)": (
        f'egame123({F123}, data = data_123, link = "probit", type = "private")',
        "data_123",
    ),
    "ultimatum data_ult (maxOffer 15)": (
        f"ultimatum({FULT}, data = data_ult, maxOffer = 15)",
        "data_ult",
    ),
}


def _python_fits() -> dict[str, Callable[[], object]]:
    from coercive.datasets import load
    from coercive.estimate import fit_deterrence
    from coercive.estimate.egame122 import fit_egame122
    from coercive.estimate.egame123 import fit_egame123
    from coercive.estimate.ultimatum import fit_ultimatum

    data = {name: load(name) for name in ("war1800", "leblang2003", "data_122", "data_123",
                                          "data_ult")}  # fmt: skip
    return {
        "egame12 war1800 (probit, agent)": lambda: fit_deterrence(FWAR, data["war1800"]),
        "egame12 leblang2003 (probit, private)": lambda: fit_deterrence(
            FLEBLANG, data["leblang2003"], error="private"
        ),
        "egame122 data_122 (probit, agent)": lambda: fit_egame122(F122, data["data_122"]),
        "egame123 data_123 (probit, private)": lambda: fit_egame123(
            F123, data["data_123"], error="private"
        ),
        "ultimatum data_ult (maxOffer 15)": lambda: fit_ultimatum(
            FULT, data["data_ult"], max_offer=15
        ),
    }


@dataclass(frozen=True)
class Timing:
    """Median wall-clock, median CPU and fastest wall-clock seconds of the repeats."""

    wall: float
    cpu: float
    fastest: float


def _fit_and_standard_errors(run: Callable[[], object]) -> object:
    result = run()
    _ = result.bse  # type: ignore[attr-defined]  # part of the timed unit (module docstring)
    return result


def _python_times(run: Callable[[], object], repeats: int) -> tuple[Timing, object]:
    """Timing of ``repeats`` fits + standard errors, after one warm-up (imports, caches)."""
    result = _fit_and_standard_errors(run)
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = _fit_and_standard_errors(run)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return Timing(statistics.median(wall), statistics.median(cpu), min(wall)), result



def _games_times(
    repeats: int, names: list[str] | None = None
) -> dict[str, tuple[Timing, float]] | str:
    """{name: (timing, loglik)} from games via Rscript, or why it could not run."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript not found: games' times are not measured in this run"
    lines = ["suppressPackageStartupMessages(library(games))"]
    for name, (call, dataset) in R_CALLS.items():
        if names is not None and name not in names:
            continue
        lines += [
            f'data("{dataset}")',
            f"invisible({call})",  # warm-up
            "wall <- numeric(0); cpu <- numeric(0)",
            f"for (i in 1:{repeats}) {{ t <- system.time(fit <- {call});"
            " wall <- c(wall, t[['elapsed']]); cpu <- c(cpu, t[['user.self']]) }",
            f'cat("{name}", median(wall), median(cpu), min(wall), sum(fit$log.likelihood),'
            ' sep = "\\t"); cat("\\n")',
        ]
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
        script = handle.name
    try:
        done = subprocess.run(
            [rscript, script], capture_output=True, text=True, timeout=1800, check=False
        )
    finally:
        os.unlink(script)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"Rscript failed (games installed?): {last}"
    out = {}
    for line in done.stdout.splitlines():
        name, wall, cpu, fastest, loglik = line.split("\t")
        out[name] = (Timing(float(wall), float(cpu), float(fastest)), float(loglik))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    if "COERCIVE_DATA_DIR" not in os.environ and shared.is_dir():
        os.environ["COERCIVE_DATA_DIR"] = str(shared)

    games = _games_times(args.repeats)
    if isinstance(games, str):
        print(games)
        games = {}
    print(
        f"{args.repeats} fits each; coercive: fit + bse; games: the fit call (system.time). "
        "Times in ms: median wall clock; ratios games/coercive on median wall, median CPU, "
        "fastest wall"
    )
    header = (
        f"{'model':<38} {'coercive':>9} {'games':>8} {'ratio':>6} {'cpu':>6} {'best':>6} "
        f"{'llf coercive':>13} {'llf games':>11}"
    )
    print(header)
    print("-" * len(header))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for name, fit in _python_fits().items():
            timing, result = _python_times(fit, args.repeats)
            llf = result.llf  # type: ignore[attr-defined]
            if name in games:
                r_timing, r_llf = games[name]
                print(
                    f"{name:<38} {timing.wall * 1e3:>9.1f} {r_timing.wall * 1e3:>8.1f} "
                    f"{r_timing.wall / timing.wall:>5.1f}x {r_timing.cpu / timing.cpu:>5.1f}x "
                    f"{r_timing.fastest / timing.fastest:>5.1f}x {llf:>13.4f} {r_llf:>11.4f}"
                )
            else:
                print(
                    f"{name:<38} {timing.wall * 1e3:>9.1f} {'-':>8} {'-':>6} {'-':>6} {'-':>6} "
                    f"{llf:>13.4f} {'-':>11}"
                )


if __name__ == "__main__":
    main()
