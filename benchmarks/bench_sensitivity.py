"""Wall time of ``coercive sensitivity dprk-2017`` with 2^12 Saltelli base samples (goal < 30 s).

Issue 8, section 4. Timed in one process, after a warm-up (numba's compiled engine loaded):

* the whole analysis (``sensitivity(..., samples=4096)``: sampling, the model on all
  ``N (D + 2)`` rows x 5 variants in one engine call, SALib's indices for 5 outputs, and the
  recoding search) and its parts;
* the naive loop it replaces: the same model evaluated row by row (one map + one engine call
  per Saltelli row, its 5 variants together), timed on ``--naive-rows`` rows of the same
  sample and scaled to all rows (a full naive run would take tens of minutes).

Prints each figure and the ratio naive / vectorized for the model evaluation.

    PYTHONPATH=src COERCIVE_DATA_DIR=/work/shared/data python benchmarks/bench_sensitivity.py

``--assess-top-inputs`` times instead what naming the three inputs that matter most adds to
``assess`` (budget 0.3 s): ``assess(case)`` alone against the Morris screening
(``coercive.cli.assess.top_inputs_block``) and the quick Sobol ``top_inputs`` it replaces,
each the median of ``--repeats`` runs in the same process, on dprk-2017 and dprk-2018.
"""

from __future__ import annotations

import argparse
import time

GOAL_SECONDS = 30.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--naive-rows", type=int, default=300)
    parser.add_argument("--assess-top-inputs", action="store_true")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    if args.assess_top_inputs:
        assess_top_inputs(args.repeats)
        return

    from SALib.sample import sobol as sobol_sample

    from coercive.policy.loader import load_scenario
    from coercive.policy.mapping import constants
    from coercive.sensitivity import build_factors, sensitivity
    from coercive.sensitivity.analysis import evaluate

    scenario = load_scenario("dprk-2017")
    const = constants()
    sensitivity(scenario, samples=16, recode=False)  # warm-up: load the compiled engine

    start = time.perf_counter()
    result = sensitivity(scenario, samples=args.samples)
    total = time.perf_counter() - start
    start = time.perf_counter()
    sensitivity(scenario, samples=args.samples, recode=False)
    sobol_only = time.perf_counter() - start

    fs = build_factors(scenario)
    problem = {"num_vars": len(fs.factors), "names": fs.names,
               "bounds": [[0.0, 1.0]] * len(fs.factors)}
    unit = sobol_sample.sample(problem, args.samples, calc_second_order=False,
                               seed=scenario.model.seed)
    start = time.perf_counter()
    evaluate(scenario, fs, unit, const)
    vectorized = time.perf_counter() - start
    rows = unit.shape[0]
    k = min(args.naive_rows, rows)
    start = time.perf_counter()
    for i in range(k):
        evaluate(scenario, fs, unit[i : i + 1], const)
    naive_rows = time.perf_counter() - start
    naive = naive_rows / k * rows

    print(f"factors: {len(fs.factors)}, base samples N = {args.samples}, Saltelli rows: {rows:,}"
          f" (x5 variants = {5 * rows:,} games)")
    print(f"whole analysis incl. recoding search: {total:.2f} s "
          f"(goal < {GOAL_SECONDS:.0f} s: {'met' if total < GOAL_SECONDS else 'NOT met'})")
    print(f"Sobol analysis without the recoding search: {sobol_only:.2f} s")
    print(f"model on all rows, one vectorized call: {vectorized:.2f} s")
    print(f"naive loop, one call per row: {naive_rows:.2f} s for {k} rows -> "
          f"{naive:.0f} s for all {rows:,} rows (scaled)")
    print(f"ratio naive / vectorized (model evaluation): {naive / vectorized:.0f}x")
    print("top 3 by total order: "
          + "; ".join(f"{r['label']} {r['total_order']:.2f}"
                      for r in result.ranking("compliance", 3)))


def assess_top_inputs(repeats: int) -> None:
    import statistics

    from coercive.cli.assess import top_inputs_block
    from coercive.policy.assess import assess
    from coercive.sensitivity import top_inputs

    budget = 0.3

    def median(fn) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    for case in ("dprk-2017", "dprk-2018"):
        assessment = assess(case)  # warm-up: compiled engine, caches
        top_inputs_block(assessment)
        alone = median(lambda: assess(case))  # noqa: B023 (called at once)
        screen = median(lambda: top_inputs_block(assessment))  # noqa: B023
        sobol = median(lambda: top_inputs(assessment.scenario))  # noqa: B023
        print(f"{case}: assess alone {alone:.3f} s; + Morris top inputs {screen:.3f} s "
              f"({'within' if screen <= budget else 'OVER'} the {budget} s budget; "
              f"+{100 * screen / alone:.0f}% of assess); quick Sobol top_inputs (N=256) "
              f"{sobol:.3f} s (ratio Sobol / Morris {sobol / screen:.1f}x); median of {repeats}")


if __name__ == "__main__":
    main()
