"""Benchmark (issue 7 §4): structural estimation on all coded TIES threat cases (budget
60 s) and ``validate ties`` on the 1989 time split (budget 30 s), each beside a baseline
timed in the same run (the logistic regression on the same coded features). Both for the
v1 specification and the v2 one that ``calibrations/ties-v2.json`` records, plus the v2
protocol's inner selection (four fits on the cases by 1979).

Run: ``COERCIVE_DATA_DIR=../shared/data PYTHONPATH=src python benchmarks/bench_ties.py``
"""

from __future__ import annotations

import time
import warnings


def main() -> None:
    from coercive.policy.structural import fit_mapping
    from coercive.policy.ties import Coding, load_coded
    from coercive.policy.validation import logistic_predictions, validate_ties

    warnings.simplefilter("ignore", RuntimeWarning)
    start = time.perf_counter()
    cases = load_coded()
    load_seconds = time.perf_counter() - start

    coding = Coding.fit(cases)
    logistic_predictions(cases, cases, coding)  # warm-up: scikit-learn's import is not timed
    start = time.perf_counter()
    logistic_predictions(cases, cases, coding)
    logistic_seconds = time.perf_counter() - start

    from coercive.policy.validation import resolve_spec, select_specification

    n = len(cases.frame)
    print(f"load + code TIES ({n} usable of {cases.n_rows_read} rows): {load_seconds:.2f} s")
    print(f"baseline, logistic regression on {n} cases: {logistic_seconds:.3f} s")
    for spec in ("v1", resolve_spec("v2")):
        start = time.perf_counter()
        fit = fit_mapping(cases, spec=spec)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        validate_ties(1989, spec=spec)
        validate_seconds = time.perf_counter() - start
        print(
            f"[{spec}] structural ML through the mapping on {n} cases: {fit_seconds:.1f} s "
            f"(budget 60 s; {fit_seconds / logistic_seconds:.0f}x the logistic regression; "
            f"{fit.results.extra['iterations']} BFGS iterations, converged "
            f"{fit.results.converged})"
        )
        print(
            f"[{spec}] validate ties --train-until 1989: {validate_seconds:.1f} s (budget 30 s; "
            f"{validate_seconds / logistic_seconds:.0f}x the logistic regression)"
        )
    start = time.perf_counter()
    select_specification(cases)
    select_seconds = time.perf_counter() - start
    print(
        f"v2 inner selection (v1 + 3 candidates fitted on cases by 1979): {select_seconds:.1f} s "
        f"({select_seconds / logistic_seconds:.0f}x the logistic regression)"
    )


if __name__ == "__main__":
    main()
