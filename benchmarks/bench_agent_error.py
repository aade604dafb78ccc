"""Benchmark: agent-error crisis games (coercive.games.agent_error) and comparative statics.

Run: ``PYTHONPATH=src python benchmarks/bench_agent_error.py``. Prints games per second of the
vectorised backward induction on 1,000,000 random games (best of 3 runs; the payoff ranges of
issue 2's engine benchmark) against a straightforward per-game Python loop measured in the same
run, and the time of a 10,001-point comparative-statics sweep against solving the grid points
one game at a time.
"""

from __future__ import annotations

import math
import time

import numpy as np

from coercive.games import CrisisGame
from coercive.games.agent_error import AgentErrorGame
from coercive.games.statics import sweep

N_GAMES = 1_000_000
N_BASELINE = 20_000
REPEATS = 3
RANGES = {
    "SA": (-1, 1),
    "VA": (0, 2),
    "CB": (-2, 1),
    "WA": (-3, 0),
    "WB": (-3, 0),
    "a": (-3, 0),
    "VB": (0, 2),
}


def _logit_per_game(SA: float, VA: float, CB: float, WA: float, WB: float, a: float, VB: float):  # noqa: ANN202
    """The baseline: one game at a time with the math module (lambda = 1)."""
    firm = 1.0 / (1.0 + math.exp(-(WA - a)))
    resist = 1.0 / (1.0 + math.exp(-(firm * WB + (1 - firm) * VB - CB)))
    value = (1 - resist) * VA + resist * (firm * WA + (1 - firm) * a)
    challenge = 1.0 / (1.0 + math.exp(-(value - SA)))
    return challenge, resist, firm


def main() -> None:
    rng = np.random.default_rng(1)
    payoffs = {name: rng.uniform(low, high, N_GAMES) for name, (low, high) in RANGES.items()}

    for link in ("logit", "probit"):
        elapsed = math.inf
        for _ in range(REPEATS):  # best of a few: the first run pays for fresh memory pages
            start = time.perf_counter()
            result = AgentErrorGame(**payoffs, link=link).probabilities()
            elapsed = min(elapsed, time.perf_counter() - start)
        assert np.all(np.isfinite(result["pR"]))
        print(f"agent error {link:6s}: {N_GAMES / elapsed:,.0f} games/s ({elapsed:.3f} s)")
        if link == "logit":
            vectorised_rate = N_GAMES / elapsed
            vectorised = result

    rows = [tuple(payoffs[name][i] for name in RANGES) for i in range(N_BASELINE)]
    baseline_time = math.inf
    for _ in range(REPEATS):
        start = time.perf_counter()
        baseline = [_logit_per_game(*row) for row in rows]
        baseline_time = min(baseline_time, time.perf_counter() - start)
    baseline_rate = N_BASELINE / baseline_time
    worst = max(abs(baseline[i][1] - vectorised["pR"][i]) for i in range(N_BASELINE))
    print(f"per-game Python loop (logit): {baseline_rate:,.0f} games/s (max |diff pR| {worst:.1e})")
    print(f"ratio vectorised / loop: {vectorised_rate / baseline_rate:,.0f}x")

    fixed = {"SA": 0.0, "VA": 1.0, "CB": 0.0, "WA": -1.9, "a": -1.2, "VB": 1.0}
    sweep(fixed, "WB", np.linspace(-3.0, -2.7, 11))  # compile the engine outside the timing
    grid = np.linspace(-3.0, -2.7, 10_001)
    start = time.perf_counter()
    table = sweep(fixed, "WB", grid)
    sweep_time = time.perf_counter() - start
    subset = grid[:: len(grid) // 200]
    start = time.perf_counter()
    for value in subset:
        CrisisGame(**fixed, WB=value).equilibria()
    per_point = (time.perf_counter() - start) / len(subset)
    print(f"sweep of {len(grid):,} points ({len(table):,} equilibria): {sweep_time:.3f} s")
    print(
        f"one CrisisGame per point: {per_point * len(grid):.3f} s (extrapolated from "
        f"{len(subset)} points); ratio {per_point * len(grid) / sweep_time:.1f}x"
    )


if __name__ == "__main__":
    main()
