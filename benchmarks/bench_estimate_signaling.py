"""Wall time of the Lewis–Schultz signaling-game estimators (PL and NPL) on sigInt's data.

Run (from the repository root)::

    PYTHONPATH=src COERCIVE_DATA_DIR=../shared/data python benchmarks/bench_estimate_signaling.py

Prints, for the sanctions model of issue 3 (418 dyad-decades, 20 coefficients):

* ``coercive`` PL (phat = sigInt's PRnpl/PFnpl) and NPL (random-forest first stage, and from
  sigInt's PRhat/PFhat), median of repeated warm runs, whole ``fit_signaling`` call
  (formula parsing, fit, covariance, equilibrium check);
* same-run baselines: the same likelihood maximized by BFGS with a finite-difference
  gradient (scipy's default), an NPL loop built on those BFGS fits, and one evaluation of a
  per-row scalar likelihood (a Python loop with scipy.stats' bivariate normal) against one
  vectorized evaluation;
* sigInt 0.2.0 run in the same run through ``Rscript`` when it is installed (its NPL fit
  with the default random-forest first stage and its PL fit at ``PRnpl``/``PFnpl``, timed
  inside R with ``system.time``, so R's start-up and package loading are not counted); without
  R, the times quoted from issue 3 (NPL 8.2 s, PL 0.75 s) are printed and marked as quoted;
* issue 10's goals: NPL >= 20x sigInt's NPL; a 200-replicate NPL bootstrap
  (``fit_signaling(..., bootstrap=200)``, two worker processes) faster than one sigInt NPL
  fit; the CMLE (``method="cmle"``) under 5 s; ``--mle`` also times the all-equilibria MLE.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable

import numpy as np
from scipy import stats
from scipy.optimize import minimize

from coercive.datasets import PUBLISHED_MODELS, load
from coercive.estimate import fit_signaling
from coercive.estimate.formula import parse_formula
from coercive.estimate.signaling.likelihood import (
    PARTS,
    PayoffDesign,
    PseudoLikelihood,
    best_responses,
    payoff_values,
)

FORMULA = PUBLISHED_MODELS["sanctions"]
SIGINT_SECONDS = {"NPL": 8.2, "PL": 0.75}  # issue 3, measured by its author on this machine

SIGINT_SCRIPT = r"""
suppressPackageStartupMessages(library(sigInt))
data(sanctionsData)
f1 <- sq + cd + sf + bd ~ sqrt(senderecondep) + senderdemocracy + contig + ally - 1 |
  anticipatedsendercosts | sqrt(targetecondep) + anticipatedtargetcosts + contig + ally |
  sqrt(senderecondep) + senderdemocracy + lncaprat | targetdemocracy + lncaprat |
  senderdemocracy | -1
phat <- list(PRhat = sanctionsData$PRnpl, PFhat = sanctionsData$PFnpl)
pl <- system.time(fit_pl <- sigint(f1, data = sanctionsData, method = "pl", phat = phat))
npl <- system.time(fit_npl <- suppressWarnings(sigint(f1, data = sanctionsData)))
cat(sprintf("PL %.4f %.4f\nNPL %.4f %.4f\n", pl[["elapsed"]], fit_pl$logLik,
            npl[["elapsed"]], fit_npl$logLik))
"""


def run_sigint() -> dict[str, tuple[float, float]] | None:
    """sigInt's (seconds, log-likelihood) for PL and NPL, timed inside R; None without R."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as handle:
        handle.write(SIGINT_SCRIPT)
    try:
        completed = subprocess.run(
            [rscript, handle.name], capture_output=True, text=True, timeout=600, check=False
        )
    finally:
        os.unlink(handle.name)
    if completed.returncode != 0:
        print(f"Rscript failed ({completed.stderr.strip().splitlines()[-1:]}); quoting issue 3")
        return None
    figures = {}
    for line in completed.stdout.splitlines():
        name, seconds, llf = line.split()
        figures[name] = (float(seconds), float(llf))
    return figures


def _median_time(run: Callable[[], object], repeats: int) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _bfgs_pl(likelihood: PseudoLikelihood, start: np.ndarray) -> tuple[np.ndarray, float]:
    """Baseline PL fit: BFGS with scipy's finite-difference gradient."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = minimize(
            lambda theta: -likelihood.loglike(theta),
            start,
            method="BFGS",
            options={"maxiter": 5000, "gtol": 1e-4},
        )
    return fit.x, -float(fit.fun)


def _bfgs_npl(
    design: PayoffDesign, resist: np.ndarray, firm: np.ndarray, tol: float = 1e-7, maxit: int = 25
) -> tuple[float, int]:
    """Baseline NPL: the same iteration, inner fits by finite-difference BFGS."""
    theta = np.zeros(design.n_params)
    value = math.nan
    iterations = 0
    for iteration in range(1, maxit + 1):
        iterations = iteration
        likelihood = PseudoLikelihood(design, resist, firm)
        new_theta, value = _bfgs_pl(likelihood, theta)
        _, firm_new, resist_new = best_responses(payoff_values(new_theta, design), resist, firm)
        change = max(
            np.abs(new_theta - theta).max(),
            np.abs(resist_new - resist).max(),
            np.abs(firm_new - firm).max(),
        )
        theta, resist, firm = new_theta, resist_new, firm_new
        if change < tol:
            break
    return value, iterations


def _scalar_loglike(
    theta: np.ndarray, design: PayoffDesign, resist: np.ndarray, firm: np.ndarray
) -> float:
    """Per-row scalar likelihood: one game at a time, scipy.stats for Φ and Φ₂."""
    payoffs = payoff_values(theta, design)
    bivariate = stats.multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, 0.5**0.5], [0.5**0.5, 1.0]])
    total = 0.0
    for i in range(design.n_rows):
        SA, VA, CB, WA, WB, a, VB = (float(payoffs[p][i]) for p in PARTS)
        c = (SA - (1.0 - resist[i]) * VA) / resist[i]
        stay = stats.norm.cdf(c - WA) * stats.norm.cdf(c - a)
        challenge = 1.0 - stay
        firm_joint = bivariate.cdf([WA - c, (WA - a) / 2**0.5])
        pf = firm_joint / challenge
        pr = stats.norm.cdf(WB + ((1.0 - firm[i]) * VB - CB) / firm[i])
        outcome = [stay, challenge * (1 - pr), challenge * pr * pf, challenge * pr * (1 - pf)]
        for count, probability in zip(design.counts[i], outcome, strict=True):
            if count > 0:
                total += count * math.log(probability)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="warm runs per timing")
    parser.add_argument("--skip-npl-baseline", action="store_true", help="skip the slow baseline")
    parser.add_argument("--replicates", type=int, default=200, help="bootstrap replicates")
    parser.add_argument("--mle", action="store_true", help="also time the all-equilibria MLE")
    parser.add_argument("--no-r", action="store_true", help="do not run sigInt through Rscript")
    args = parser.parse_args()
    sigint = None if args.no_r else run_sigint()
    if sigint is not None:
        SIGINT_SECONDS.update({name: figures[0] for name, figures in sigint.items()})
    source = "Rscript, this run" if sigint is not None else "quoted, issue 3"

    data = load("sanctions")
    # Warm-up: imports, numba caches of the engine, scikit-learn.
    fit_signaling(FORMULA, data, method="npl")

    pl_time, pl = _median_time(
        lambda: fit_signaling(FORMULA, data, method="pl", phat=("PRnpl", "PFnpl")), args.repeats
    )
    npl_time, npl = _median_time(lambda: fit_signaling(FORMULA, data, method="npl"), args.repeats)
    npl_given_time, npl_given = _median_time(
        lambda: fit_signaling(FORMULA, data, method="npl", phat=("PRhat", "PFhat")), args.repeats
    )

    parsed = parse_formula(FORMULA, data, PARTS)
    design = PayoffDesign(tuple(parsed.matrices()), (0.0,) * 7, parsed.outcome)
    resist_npl, firm_npl = data["PRnpl"].to_numpy(), data["PFnpl"].to_numpy()
    likelihood = PseudoLikelihood(design, resist_npl, firm_npl)
    start = np.zeros(design.n_params)
    bfgs_time, (_, bfgs_llf) = _median_time(lambda: _bfgs_pl(likelihood, start), 3)
    theta = pl.params.to_numpy()

    def fresh(method: Callable[[np.ndarray], object]) -> Callable[[], object]:
        # The likelihood memoizes its last evaluation; time the computation, not the memo.
        def run() -> object:
            likelihood._memo = None
            return method(theta)

        return run

    eval_time, _ = _median_time(fresh(likelihood.derivatives), 50)
    value_time, _ = _median_time(fresh(likelihood.loglike), 50)
    scalar_time, scalar_llf = _median_time(
        lambda: _scalar_loglike(theta, design, resist_npl, firm_npl), 3
    )

    print("Lewis-Schultz signaling game, sigInt's sanctions model (418 rows, 20 coefficients)")
    load_1, load_5, _ = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load_1:.2f} (1 min) {load_5:.2f} (5 min)")
    print(f"{'fit':<52}{'seconds':>10}{'log-lik':>14}  note")
    rows = [
        (
            "coercive PL, phat = (PRnpl, PFnpl)",
            pl_time,
            pl.llf,
            f"{pl.extra['newton_iterations']} Newton steps",
        ),
        (
            "coercive NPL, random-forest first stage",
            npl_time,
            npl.llf,
            f"{npl.extra['iterations']} NPL iterations",
        ),
        (
            "coercive NPL, phat = (PRhat, PFhat)",
            npl_given_time,
            npl_given.llf,
            f"{npl_given.extra['iterations']} NPL iterations",
        ),
        ("baseline PL: BFGS + finite-difference gradient", bfgs_time, bfgs_llf, "same run"),
    ]
    if not args.skip_npl_baseline:
        start_time = time.perf_counter()
        npl_base_llf, npl_base_iterations = _bfgs_npl(
            design, data["PRhat"].to_numpy(), data["PFhat"].to_numpy()
        )
        npl_base_time = time.perf_counter() - start_time
        rows.append(
            (
                "baseline NPL from (PRhat, PFhat): BFGS + FD gradient",
                npl_base_time,
                npl_base_llf,
                f"same run, {npl_base_iterations} NPL iterations",
            )
        )
    rows += [
        (
            f"sigInt 0.2.0 PL ({source})",
            SIGINT_SECONDS["PL"],
            sigint["PL"][1] if sigint else -3932.447,
            "timed inside R" if sigint else "issue author, this machine",
        ),
        (
            f"sigInt 0.2.0 NPL ({source})",
            SIGINT_SECONDS["NPL"],
            sigint["NPL"][1] if sigint else -3932.447,
            "timed inside R" if sigint else "issue author, this machine",
        ),
    ]
    # Issue 10: the 200-replicate bootstrap and the CMLE (and optionally the MLE).
    fit_signaling(FORMULA, data, method="npl", bootstrap=2, n_jobs=2)  # start the workers
    start_time = time.perf_counter()
    boot = fit_signaling(FORMULA, data, method="npl", bootstrap=args.replicates, n_jobs=2)
    boot_time = time.perf_counter() - start_time
    replicates = boot.extra["bootstrap"]
    rows.append(
        (
            f"coercive NPL + {args.replicates}-replicate bootstrap (2 processes)",
            boot_time,
            boot.llf,
            f"{replicates.n_ok} used, {replicates.failed} failed; workers already started",
        )
    )
    cmle_time, cmle = _median_time(
        lambda: fit_signaling(FORMULA, data, method="cmle", phat=("PRnpl", "PFnpl")), 3
    )
    rows.append(
        (
            "coercive CMLE from sigInt's NPL fixed point",
            cmle_time,
            cmle.llf,
            f"{cmle.extra['cmle_iterations']} trust-constr iterations; published -3927.91",
        )
    )
    cmle_npl_time, cmle_npl = _median_time(lambda: fit_signaling(FORMULA, data, method="cmle"), 3)
    rows.append(
        ("coercive CMLE, NPL from the forest first", cmle_npl_time, cmle_npl.llf, "whole call")
    )
    if args.mle:
        start_time = time.perf_counter()
        mle = fit_signaling(FORMULA, data, method="mle", phat=("PRnpl", "PFnpl"))
        mle_time = time.perf_counter() - start_time
        rows.append(
            (
                "coercive MLE over all equilibria (5 starts)",
                mle_time,
                mle.llf,
                f"beats CMLE: {mle.extra['beats_cmle']}; rows with >1 equilibrium: "
                f"{mle.extra['rows_with_several_equilibria']}",
            )
        )
    for name, seconds, llf, note in rows:
        print(f"{name:<52}{seconds:>10.4f}{llf:>14.4f}  {note}")
    print()
    print(
        f"one log-likelihood evaluation: vectorized {value_time * 1e3:.3f} ms "
        f"(with gradient and Hessian {eval_time * 1e3:.3f} ms); per-row scalar loop "
        f"{scalar_time * 1e3:.1f} ms (log-lik {scalar_llf:.4f}) -> "
        f"{scalar_time / value_time:.0f}x"
    )
    print(
        f"PL : {bfgs_time / pl_time:.1f}x faster than the same-run BFGS baseline; "
        f"{SIGINT_SECONDS['PL'] / pl_time:.1f}x faster than sigInt's PL "
        f"({SIGINT_SECONDS['PL']:.2f} s, {source}) "
        f"(goal: <= 0.04 s -> {'met' if pl_time <= 0.04 else 'NOT met'})"
    )
    if not args.skip_npl_baseline:
        print(
            f"NPL: {npl_base_time / npl_given_time:.1f}x faster than the same-run BFGS NPL "
            "baseline (both from PRhat/PFhat)"
        )
    npl_ratio = SIGINT_SECONDS["NPL"] / npl_time
    print(
        f"NPL: {npl_ratio:.1f}x faster than sigInt's NPL ({SIGINT_SECONDS['NPL']:.2f} s, "
        f"{source}) (goal >= 20x: {'met' if npl_ratio >= 20 else 'NOT met'})"
    )
    print(
        f"bootstrap: {args.replicates} replicates in {boot_time:.2f} s = "
        f"{SIGINT_SECONDS['NPL'] / boot_time:.2f}x one sigInt NPL fit "
        f"(goal: faster than one fit: {'met' if boot_time < SIGINT_SECONDS['NPL'] else 'NOT met'})"
    )
    print(
        f"CMLE: {cmle_time:.2f} s, log-likelihood {cmle.llf:.4f} (published -3927.91; goal "
        f"< 5 s: {'met' if cmle_time < 5 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
