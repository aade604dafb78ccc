"""Benchmark: the egame12 (deterrence game) fit on war1800, against a same-run baseline.

Times ``coercive.estimate.fit_deterrence`` on games' example model
(``esc + war ~ s_wt_re1 + revis1 | 0 | regime1 | balanc + regime2``, probit, agent error;
282 rows) as the median of repeated fits, and compares it with

* a baseline measured in this run: the same log-likelihood, same starting values, maximized by
  scipy's BFGS with finite-difference gradients (scipy's default when no gradient is given),
  plus a finite-difference Hessian of the log-likelihood for the standard errors;
* games 1.1.2's time for this fit, measured in the same run through ``Rscript`` (median of the
  same number of repeats, see ``bench_games.py``); without ``Rscript`` it says so.

Run: ``PYTHONPATH=src python benchmarks/bench_estimate_deterrence.py [--repeats N]``.
The data are read from ``COERCIVE_DATA_DIR`` (defaults to ../shared/data when it exists).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import optimize

from coercive.datasets import PUBLISHED_MODELS

FORMULA = PUBLISHED_MODELS["war1800"]


def _median_seconds(run: Callable[[], object], repeats: int) -> tuple[float, object]:
    result = run()  # warm-up (imports, caches)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=25)
    args = parser.parse_args()

    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    if "COERCIVE_DATA_DIR" not in os.environ and shared.is_dir():
        os.environ["COERCIVE_DATA_DIR"] = str(shared)

    from coercive.datasets import load
    from coercive.estimate import fit_deterrence
    from coercive.estimate.covariance import hessian_covariance
    from coercive.estimate.deterrence.model import DeterrenceModel, _outcome_codes
    from coercive.estimate.formula import parse_formula

    data = load("war1800")

    fit_seconds, fit = _median_seconds(lambda: fit_deterrence(FORMULA, data), args.repeats)

    # Baseline: same likelihood and start, numerical gradients (scipy default) + numerical Hessian.
    design = parse_formula(FORMULA, data, ["u11", "u13", "u14", "u24"])
    codes, _ = _outcome_codes(design)
    model = DeterrenceModel(tuple(design.matrices()), codes, "probit", "agent")

    def baseline() -> tuple[float, np.ndarray, np.ndarray]:
        start = model.backwards_induction_start()
        result = optimize.minimize(
            lambda theta: -model.loglik(theta), start, method="BFGS", options={"gtol": 1e-6}
        )
        theta = result.x
        hessian = optimize.approx_fprime(
            theta, lambda point: optimize.approx_fprime(point, model.loglik, 1e-5), 1e-5
        )
        se = np.sqrt(np.diag(hessian_covariance(0.5 * (hessian + hessian.T)).matrix))
        return -result.fun, theta, se

    baseline_seconds, (baseline_llf, baseline_theta, _) = _median_seconds(baseline, args.repeats)

    print(
        f"egame12 fit on war1800 ({fit.nobs} rows, probit, agent error), "
        f"median of {args.repeats} repeats"
    )
    print(
        f"  coercive fit_deterrence (analytic gradient)    : {fit_seconds * 1e3:8.2f} ms   "
        f"llf {fit.llf:.6f}"
    )
    print(
        f"  baseline, same run (BFGS, numerical gradients) : {baseline_seconds * 1e3:8.2f} ms   "
        f"llf {baseline_llf:.6f}"
    )
    print(
        f"  speed-up over the same-run baseline            : {baseline_seconds / fit_seconds:8.2f}x"
    )
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_games import _games_times

    name = "egame12 war1800 (probit, agent)"
    games = _games_times(args.repeats, names=[name])
    if isinstance(games, str):
        print(f"  games 1.1.2                                    : not measured ({games})")
    else:
        timing, games_llf = games[name]
        seconds = timing.wall  # median wall clock, as the coercive figure above
        print(
            f"  games 1.1.2, same run (Rscript, system.time)   : {seconds * 1e3:8.2f} ms   "
            f"llf {games_llf:.6f}   -> ratio games/coercive {seconds / fit_seconds:.2f}x"
        )
    print(
        f"  largest |parameter difference| vs baseline     : "
        f"{np.max(np.abs(fit.params.to_numpy() - baseline_theta)):.2e}"
    )


if __name__ == "__main__":
    main()
