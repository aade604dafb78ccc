"""Benchmark: every equilibrium of 1,000,000 random Lewis–Schultz games.

Payoffs uniform on SA∈[−1,1], VA∈[0,2], CB∈[−2,1], WA,WB,a∈[−3,0], VB∈[0,2] (issue 2).
Prints games/s and peak memory for ``CrisisGame(...).equilibria()`` in chunks, and the
ratio to a straightforward per-game root finder (a 200-point grid of sign changes,
each bracket polished by scipy's brentq, with Φ₂ from scipy.stats) timed in the same run
on a sample of games.

    python benchmarks/bench_engine.py [--games 1000000] [--chunk 250000] [--baseline 200]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np


def random_games(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "SA": rng.uniform(-1, 1, n),
        "VA": rng.uniform(0, 2, n),
        "CB": rng.uniform(-2, 1, n),
        "WA": rng.uniform(-3, 0, n),
        "WB": rng.uniform(-3, 0, n),
        "a": rng.uniform(-3, 0, n),
        "VB": rng.uniform(0, 2, n),
    }


def baseline_equilibria(SA, VA, CB, WA, WB, a, VB, grid_points=200):  # noqa: ANN001, ANN201
    """The textbook approach: scan a grid for sign changes of p − F(p), then brentq."""
    from scipy.optimize import brentq
    from scipy.special import ndtr
    from scipy.stats import multivariate_normal

    rho = 1 / np.sqrt(2)
    mvn = multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]])

    def F(p: float) -> float:
        c = (SA - (1 - p) * VA) / p
        pC = 1 - ndtr(c - WA) * ndtr(c - a)
        pF = mvn.cdf([(WA - a) / np.sqrt(2), WA - c]) / pC
        return ndtr((pF * WB + (1 - pF) * VB - CB) / pF)

    grid = np.linspace(1e-4, 1 - 1e-4, grid_points)
    with np.errstate(all="ignore"):  # the naive ratio is 0/0 in the tails: one more reason
        g = np.array([p - F(p) for p in grid])
        roots = []
        for i in np.nonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0)[0]:
            try:
                roots.append(brentq(lambda p: p - F(p), grid[i], grid[i + 1], xtol=1e-12))
            except ValueError:  # NaN inside the bracket
                pass
    return roots


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--games", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=250_000)
    parser.add_argument("--baseline", type=int, default=200)
    options = parser.parse_args()

    from coercive.games import CrisisGame

    games = random_games(options.games)
    CrisisGame(**{k: v[:100] for k, v in games.items()}).equilibria()  # compile / load cache
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    counts = np.zeros(4, dtype=np.int64)
    start = time.perf_counter()
    for lo in range(0, options.games, options.chunk):
        chunk = {k: v[lo : lo + options.chunk] for k, v in games.items()}
        table = CrisisGame(**chunk).equilibria()
        per_game = np.bincount(table["game"].to_numpy(), minlength=len(chunk["SA"]))
        counts += np.bincount(per_game, minlength=4)[:4]
    elapsed = time.perf_counter() - start
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = options.games / elapsed

    sample = random_games(options.baseline, seed=1)
    start = time.perf_counter()
    for i in range(options.baseline):
        baseline_equilibria(*(sample[k][i] for k in ("SA", "VA", "CB", "WA", "WB", "a", "VB")))
    base_rate = options.baseline / (time.perf_counter() - start)

    print(f"games: {options.games:,} in chunks of {options.chunk:,}")
    print(
        f"equilibria per game: 1 → {counts[1]:,}, 3 → {counts[3]:,}, other → "
        f"{options.games - counts[1] - counts[3]:,}"
    )
    print(f"coercive: {elapsed:.2f} s, {rate:,.0f} games/s")
    print(f"peak memory (max RSS): {rss_peak:,.0f} MiB (after warm-up {rss_before:,.0f} MiB)")
    print(
        f"baseline (per-game grid + brentq, scipy Φ₂), {options.baseline} games: "
        f"{base_rate:,.0f} games/s"
    )
    print(f"speed-up: {rate / base_rate:,.0f}×")


if __name__ == "__main__":
    main()
