"""Wall time of a design frontier (``coercive design``) against a naive loop, in one run.

Issue 8, section 4: a design frontier under 60 s, with the ratio to a naive loop
implementation timed in the same run. The design evaluates each NSGA-II generation in ONE
batched call of the policy layer (``mapping.payoffs`` + one engine call for the whole
population on common draws). The naive loop evaluates the same candidates one at a time
(one ``payoffs`` + one engine call per candidate, i.e. one assessment's worth of work per
candidate, without assess's counterfactuals). The loop is timed on ``--naive-sample``
candidates of the run and scaled to the run's candidate count (stated in the output).

A campaign (``--case dprk-2017-2018``) searches every phase's instruments and start month;
each generation is mapped in one call per phase and solved by the campaign model in one call
(``coercive.campaign.model.solve_rows``, per-row timings); the naive loop evaluates one
candidate at a time.

    PYTHONPATH=src python benchmarks/bench_design.py [--case dprk-2018] [--naive-sample 120]
    PYTHONPATH=src python benchmarks/bench_design.py --case dprk-2017-2018 [--months 36]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

GOAL_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", default="dprk-2018")
    parser.add_argument("--draws", type=int, default=None)
    parser.add_argument("--pop-size", type=int, default=None)
    parser.add_argument("--generations", type=int, default=None)
    parser.add_argument("--months", type=int, default=None)
    parser.add_argument("--naive-sample", type=int, default=120)
    args = parser.parse_args()

    from coercive.design import PhaseEvaluator, design, is_campaign

    if is_campaign(args.case):
        campaign_main(args)
        return
    from coercive.design.frontier import today_vector
    from coercive.design.space import clean
    from coercive.policy.loader import load_scenario
    from coercive.policy.mapping import constants, scenario_inputs
    from coercive.policy.montecarlo import sample_inputs

    # warm the engine (numba) so neither timing pays compilation
    design(args.case, draws=10, pop_size=8, generations=1)
    args.draws = args.draws or 200
    args.pop_size = args.pop_size or 60
    args.generations = args.generations or 40

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


def campaign_main(args: argparse.Namespace) -> None:
    from coercive.campaign.schema import load_campaign
    from coercive.design import design
    from coercive.design.campaign import CampaignEvaluator
    from coercive.policy.mapping import constants

    design(args.case, draws=10, pop_size=8, generations=1, months=args.months)  # warm up
    counted = {"candidates": 0}
    original = CampaignEvaluator.evaluate

    def counting(self, x):
        counted["candidates"] += np.atleast_2d(x).shape[0]
        return original(self, x)

    CampaignEvaluator.evaluate = counting  # type: ignore[method-assign]
    start = time.perf_counter()
    result = design(args.case, draws=args.draws, pop_size=args.pop_size,
                    generations=args.generations, months=args.months)
    batched = time.perf_counter() - start
    CampaignEvaluator.evaluate = original  # type: ignore[method-assign]
    n = counted["candidates"]
    s = result.settings
    campaign = load_campaign(args.case, None, args.months)
    ev = CampaignEvaluator(campaign, constants().mapping, None, None, s["draws"], None)
    rng = np.random.default_rng(0)
    sample = ev.clean(ev.low + rng.random((args.naive_sample, len(ev.names))) * (ev.high - ev.low))
    start = time.perf_counter()
    for row in sample:
        ev.evaluate(row[None, :])
    per_candidate = (time.perf_counter() - start) / args.naive_sample
    naive = per_candidate * n
    print(f"campaign {args.case}: {s['months']} months, {len(ev.names)} decision variables, "
          f"{s['draws']} common draws, population {s['pop_size']}, {s['generations']} "
          f"generations, {n} candidates evaluated")
    print(f"frontier: {len(result.to_frame())} mixes")
    print(f"design (batched, one mapping call per phase per generation): {batched:.2f} s "
          f"(goal < {GOAL_SECONDS:.0f} s: {'met' if batched < GOAL_SECONDS else 'NOT met'})")
    print(f"naive loop (one evaluation per candidate): {per_candidate * 1e3:.1f} ms/candidate "
          f"on {args.naive_sample} candidates -> {naive:.1f} s for {n}")
    print(f"ratio naive / batched: {naive / batched:.1f}x")


if __name__ == "__main__":
    main()
