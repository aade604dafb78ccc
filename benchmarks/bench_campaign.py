"""Speed of ``coercive campaign``: 10,000 draws x 36 months (issue 8, section 4: under 2 s).

Times, in one run: mapping the phases at every rung (``campaign_inputs``), and the game
(``simulate``: each draw's equilibrium by iterated joint backward passes and Bayes' rule,
both players' types integrated out into the trajectories; numba, draws in series),
against a naive implementation - the same functions run as plain Python loops (numba's
``py_func``), one draw at a time - timed on a subset of draws in the same run and scaled
linearly to 10,000 (its cost is linear in draws). The naive solutions (rounds used, main
path of rungs, beliefs) are checked equal to the compiled ones on that subset.

    PYTHONPATH=src python benchmarks/bench_campaign.py [--case dprk-2017-2018] [--naive-draws 20]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def naive_solve_draw(inputs, i):
    """:func:`coercive.campaign.game.solve_draw` with every inner function as plain Python."""
    from coercive.campaign import game
    from coercive.campaign.model import COERCER_NODES, TYPE_NODES, type_nodes

    x, wx, th, wth = type_nodes()
    T, R = inputs.e0.size, game.RUNGS
    a = game.scratch(T, R, TYPE_NODES, COERCER_NODES)
    W1, V, act, done1, A1, U, strike, rho, path, pi, mu, surv = a.values()
    args = (inputs.rung_coefs, inputs.phase_coefs, inputs.phase, inputs.e0)
    game._first_step_completion.py_func(i, *args, inputs.e_end, inputs.delta, done1)
    game._after_first_step.py_func(i, *args, inputs.e_end, inputs.delta, done1, W1, A1)
    mu[:] = wth
    pi[:] = wx
    result = -1
    for rungs_free in (True, False):
        back = (np.full_like(mu, -1.0), np.full_like(pi, -1.0))
        for iteration in range(game.MAX_ITERATIONS):
            used = (mu.copy(), pi.copy())
            game._joint_backward.py_func(
                i, *args, inputs.e1, inputs.e_end, inputs.deadline, inputs.hazard,
                inputs.reset, inputs.divisible, inputs.delta, x, th, mu, pi, rungs_free,
                W1, V, act, done1, A1, U, strike, rho,
            )  # fmt: skip
            game._forward.py_func(
                act, strike, rho, inputs.hazard, wx, wth, inputs.reset[0], path, pi, mu, surv
            )
            if np.array_equal(mu, used[0]) and np.array_equal(pi, used[1]):
                result = iteration + 1 if rungs_free else game.MAX_ITERATIONS + iteration + 1
                return result, path.copy()
            if np.array_equal(mu, back[0]) and np.array_equal(pi, back[1]):
                break
            back = used
    return result, path.copy()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", default="dprk-2017-2018")
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--naive-draws", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()


    from coercive.campaign import load_campaign
    from coercive.campaign.model import (
        COERCER_NODES,
        EXTRA_MONTHS,
        TYPE_NODES,
        campaign_inputs,
        simulate,
        solve_one,
    )

    campaign = load_campaign(args.case, months=args.months)
    trend = campaign.spec.economy.trend_growth
    simulate(campaign_inputs(campaign, 50), campaign.months, trend)  # warm-up (JIT cache)
    mapping, model = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        inputs = campaign_inputs(campaign, args.draws)
        middle = time.perf_counter()
        paths = simulate(inputs, campaign.months, trend)
        end = time.perf_counter()
        mapping.append(middle - start)
        model.append(end - middle)
    best_map, best_model = min(mapping), min(model)
    total = best_map + best_model
    print(
        f"{args.case}: {args.draws} draws x {campaign.months} months (+ {EXTRA_MONTHS} solved), "
        f"{TYPE_NODES} target x {COERCER_NODES} coercer types, 4 rungs; best of {args.repeat}; "
        "one thread (the kernel is serial)"
    )
    print(f"  mapping the phases at every rung  {best_map:7.3f} s")
    print(f"  the game (equilibria, series)     {best_model:7.3f} s")
    verdict = "met" if total < 2 else "NOT met"
    print(f"  total                             {total:7.3f} s   (goal < 2 s: {verdict})")
    full = paths.converged.mean()
    held = paths.rungs_held.mean()
    print(f"  equilibrium with rung moves {full:.1%}, with coded rungs held {held:.1%}, "
          f"none {1 - full - held:.1%}")  # fmt: skip

    n = args.naive_draws
    sub = campaign_inputs(campaign, n)
    start = time.perf_counter()
    naive = [naive_solve_draw(sub, i) for i in range(n)]
    naive_time = time.perf_counter() - start
    for i, (rounds, path) in enumerate(naive):
        fast = solve_one(sub, i)
        assert rounds == int(fast["iterations"]), (i, rounds, int(fast["iterations"]))
        assert np.array_equal(path, fast["path"]), i
    scaled = naive_time * args.draws / n
    print(
        f"  naive Python loops                {naive_time:7.3f} s on {n} draws -> {scaled:7.1f} s "
        f"scaled to {args.draws} (same equilibria as the compiled solver)"
    )
    print(f"  ratio naive / compiled game: {scaled / best_model:,.0f}x")


if __name__ == "__main__":
    main()
