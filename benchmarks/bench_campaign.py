"""Speed of ``coercive campaign``: 10,000 draws x 36 months (issue 8, section 4: under 2 s).

Times, in one run: mapping the phases (``campaign_inputs``: the policy mapping of every phase
for every draw) and the dynamic model (``simulate``: exact Bayesian beliefs, backward
induction for 16 target types per draw, the expected trajectories), against a naive
implementation — Python loops over draws, types and months doing the same arithmetic —
timed on a subset of draws in the same run and scaled linearly to 10,000 (its cost is linear
in draws). The naive result is checked against the vectorized one on that subset.

    PYTHONPATH=src python benchmarks/bench_campaign.py [--case dprk-2017-2018] [--naive-draws 100]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np


def naive_first_compliance(inputs, draws: int) -> np.ndarray:
    """Beliefs and the stopping month by plain loops (the same model, no numpy vectors)."""
    from coercive.campaign.model import TYPE_NODES

    nodes, _ = np.polynomial.hermite_e.hermegauss(TYPE_NODES)
    months = inputs.comply.shape[1]
    stops = np.empty((draws, TYPE_NODES), dtype=np.int64)
    for i in range(draws):
        cuts = sorted(float(k) for k in inputs.threshold[i])
        edges = [-math.inf, *cuts, math.inf]
        cdf = [0.5 * math.erfc(-e / 2.0) for e in edges]  # Phi(e / sqrt 2)
        weight = [cdf[j + 1] - cdf[j] for j in range(len(cuts) + 1)]
        strike = []
        for t in range(months):
            k = float(inputs.threshold[i, inputs.phase[t]])
            resolute = [j > 0 and edges[j] >= k for j in range(len(weight))]
            total = sum(weight)
            mu = sum(w for w, r in zip(weight, resolute, strict=True) if r) / total
            h = float(inputs.hazard[i, t])
            strike.append(mu * h)
            weight = [w * (1 - h) if r else w for w, r in zip(weight, resolute, strict=True)]
        for j, e_b in enumerate(nodes):
            value = float(inputs.terminal[i])
            stop = months
            for t in range(months - 1, -1, -1):
                p = strike[t]
                hold = float(inputs.flow[i, t]) + inputs.delta * (
                    p * (float(inputs.war[i, t]) + e_b) + (1 - p) * value
                )
                comply = float(inputs.comply[i, t])
                if comply >= hold:
                    stop = t
                value = max(comply, hold)
            stops[i, j] = stop
    return stops


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", default="dprk-2017-2018")
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--naive-draws", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from coercive.campaign import load_campaign
    from coercive.campaign.model import (
        TYPE_NODES,
        beliefs,
        campaign_inputs,
        first_compliance,
        simulate,
    )

    campaign = load_campaign(args.case, months=args.months)
    campaign_inputs(campaign, 100)  # warm-up (imports, caches)
    mapping, model = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        inputs = campaign_inputs(campaign, args.draws)
        middle = time.perf_counter()
        simulate(inputs, campaign.months)
        end = time.perf_counter()
        mapping.append(middle - start)
        model.append(end - middle)
    best_map, best_model = min(mapping), min(model)
    total = best_map + best_model
    print(
        f"{args.case}: {args.draws} draws x {campaign.months} months (+ solved tail), "
        f"{TYPE_NODES} target types per draw; best of {args.repeat}"
    )
    print(f"  mapping the phases   {best_map:7.3f} s")
    print(f"  dynamic model        {best_model:7.3f} s")
    print(
        f"  total                {total:7.3f} s   (goal < 2 s: {'met' if total < 2 else 'NOT met'})"
    )

    n = args.naive_draws
    sub = campaign_inputs(campaign, n)
    start = time.perf_counter()
    naive = naive_first_compliance(sub, n)
    naive_time = time.perf_counter() - start
    mu, _ = beliefs(sub.threshold, sub.phase, sub.hazard)
    x, _ = np.polynomial.hermite_e.hermegauss(TYPE_NODES)
    start = time.perf_counter()
    fast = first_compliance(
        sub.flow, sub.comply, sub.war, mu * sub.hazard, sub.terminal, sub.delta, x
    )
    assert np.array_equal(naive, fast), "naive and vectorized stopping months differ"
    scaled = naive_time * args.draws / n
    print(
        f"  naive loop           {naive_time:7.3f} s on {n} draws -> {scaled:7.1f} s scaled "
        f"to {args.draws} (same stopping months as the vectorized solver)"
    )
    print(f"  ratio naive / vectorized dynamic model: {scaled / best_model:,.0f}x")


if __name__ == "__main__":
    main()
