"""Wall time of a design frontier (``coercive design``) against a naive loop, in one run.

Issue 8, section 4: a design frontier under 60 s, with the ratio to a naive loop
implementation timed in the same run. The design evaluates each NSGA-II generation in ONE
batched call of the policy layer (``mapping.payoffs`` + one engine call for the whole
population on common draws). The naive loop evaluates the same candidates one at a time
(one ``payoffs`` + one engine call per candidate, i.e. one assessment's worth of work per
candidate, without assess's counterfactuals). The loop is timed on ``--naive-sample``
candidates of the run and scaled to the run's candidate count (stated in the output).

    PYTHONPATH=src python benchmarks/bench_design.py [--case dprk-2018] [--naive-sample 120]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

GOAL_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", default="dprk-2018")
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--pop-size", type=int, default=60)
    parser.add_argument("--generations", type=int, default=40)
    parser.add_argument("--naive-sample", type=int, default=120)
    args = parser.parse_args()

    from coercive.design import PhaseEvaluator, design
    from coercive.design.frontier import today_vector
    from coercive.design.space import clean
    from coercive.policy.loader import load_scenario
    from coercive.policy.mapping import constants, scenario_inputs
    from coercive.policy.montecarlo import sample_inputs

    # warm the engine (numba) so neither timing pays compilation
    design(args.case, draws=10, pop_size=8, generations=1)

    counted = {"candidates": 0}
    original = PhaseEvaluator.evaluate

    def counting(self, x):  # count what the design evaluates
        counted["candidates"] += np.atleast_2d(x).shape[0]
        return original(self, x)

    PhaseEvaluator.evaluate = counting  # type: ignore[method-assign]
    start = time.perf_counter()
    result = design(args.case, draws=args.draws, pop_size=args.pop_size,
                    generations=args.generations)
    batched = time.perf_counter() - start
    PhaseEvaluator.evaluate = original  # type: ignore[method-assign]
    n = counted["candidates"]

    scenario = load_scenario(args.case)
    const = constants().mapping
    inputs = scenario_inputs(scenario, sample_inputs(scenario, n=args.draws))
    ev = PhaseEvaluator(inputs, const)
    rng = np.random.default_rng(0)
    sample = clean(ev.low + rng.random((args.naive_sample, len(ev.names))) * (ev.high - ev.low))
    start = time.perf_counter()
    for row in sample:
        ev.evaluate(row[None, :])
    per_candidate = (time.perf_counter() - start) / args.naive_sample
    naive = per_candidate * n
    ev.evaluate(today_vector(inputs)[None, :])

    print(f"case {args.case}: {args.draws} common draws, population {args.pop_size}, "
          f"{args.generations} generations, {n} candidates evaluated")
    print(f"frontier: {len(result.to_frame())} mixes")
    print(f"design (batched, one call per generation): {batched:.2f} s "
          f"(goal < {GOAL_SECONDS:.0f} s: {'met' if batched < GOAL_SECONDS else 'NOT met'})")
    print(f"naive loop (one evaluation per candidate): {per_candidate * 1e3:.1f} ms/candidate "
          f"on {args.naive_sample} candidates -> {naive:.1f} s for {n}")
    print(f"ratio naive / batched: {naive / batched:.1f}x")


if __name__ == "__main__":
    main()
