"""Issue 11 §1: how often the engine fails at payoffs up to 1e9·σ (refusals, even counts).

Draws seeded games with payoffs of random sign and log-uniform magnitude 1e-3..1e9 and σ
log-uniform in 1e-3..1e3, solves them with the compiled kernel directly (so that one
refused game does not stop the count) and prints, per million games: games refused
(a polished point failed its certificate, or a truncated search), games with an even
number of equilibria (a root lost or a spurious pair), and roots failing an independent
sign-change check of the engine's own ``F`` within relative width 2e-9.

    PYTHONPATH=src python benchmarks/bench_extreme_payoffs.py [--games 1000000] [--seeds 11 12]

With ``--ratios``, payoffs and σ are instead log-uniform over 1e-300..1e300 (a tenth of
the payoffs exactly 0), keeping the games inside the engine's range |payoff| <= 1e150·σ
(about 39% of the draws): the regime of the refusals below 5e-324 and within 2e-15 of 1.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

PAYOFFS = ("SA", "VA", "CB", "WA", "WB", "a", "VB")


def extreme_games(n: int, seed: int, top: float = 9.0) -> tuple[list[np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    values = rng.choice([-1.0, 1.0], (n, 7)) * 10.0 ** rng.uniform(-3, top, (n, 7))
    sigma = 10.0 ** rng.uniform(-3, 3, n)
    return [np.ascontiguousarray(values[:, k]) for k in range(7)], sigma


def ratio_games(n: int, seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    sigma = 10.0 ** rng.uniform(-300, 300, n)
    values = rng.choice([-1.0, 1.0], (n, 7)) * 10.0 ** rng.uniform(-300, 300, (n, 7))
    values = np.where(rng.random((n, 7)) < 0.1, 0.0, values)
    with np.errstate(over="ignore"):
        inside = np.all(np.abs(values) <= 1e150 * sigma[:, None], axis=1)
    values, sigma = values[inside], sigma[inside]
    return [np.ascontiguousarray(values[:, k]) for k in range(7)], sigma


def count_failures(payoffs: list[np.ndarray], sigma: np.ndarray) -> dict[str, int]:
    from coercive.games import lewis_schultz as ls
    from coercive.games._solve import solve_many

    counts, rejected, truncated, roots, *_ = solve_many(*payoffs, sigma)
    refused = (rejected > 0) | (truncated > 0)
    kept = ~refused
    even = kept & (counts % 2 == 0)
    # Sign-change check of every returned root with the engine's own F (as the issue did).
    game = np.repeat(np.arange(counts.size), counts)
    column = np.concatenate([np.arange(c) for c in counts]) if counts.size else game
    root = roots[game, column]
    args = [p[game] for p in payoffs] + [sigma[game]]
    with np.errstate(all="ignore"):  # overflow to ±inf in B's index is Φ's right limit
        lo = np.maximum(root * (1 - 1e-9), 0.0)
        hi = np.minimum(np.where(root > 0, root * (1 + 1e-9), 1e-300), 1.0)
        residual = root - ls._response_ufunc(root, *args)
        g_lo = lo - ls._response_ufunc(lo, *args)
        g_hi = hi - ls._response_ufunc(hi, *args)
    ok = (np.abs(residual) <= 1e-10 * root) | (residual == 0) | (g_lo * g_hi <= 0)
    return {
        "games": int(counts.size),
        "refused": int(refused.sum()),
        "below 5e-324": int(((truncated & 4) > 0).sum()),  # bits of _solve (after issue 11)
        "within 2e-15 of 1": int(((truncated & 8) > 0).sum()),
        "even": int(even.sum()),
        "uncertified roots": int((~ok & kept[game]).sum()),
        "first refused": int(np.flatnonzero(refused)[0]) if refused.any() else -1,
        "first even": int(np.flatnonzero(even)[0]) if even.any() else -1,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--games", type=int, default=1_000_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12])
    parser.add_argument("--top", type=float, default=9.0, help="log10 of the largest payoff")
    parser.add_argument("--chunk", type=int, default=250_000)
    parser.add_argument("--ratios", action="store_true", help="payoff/σ ratios to 1e150")
    options = parser.parse_args()
    for seed in options.seeds:
        if options.ratios:
            payoffs, sigma = ratio_games(options.games, seed)
        else:
            payoffs, sigma = extreme_games(options.games, seed, options.top)
        total: dict[str, int] = {}
        start = time.perf_counter()
        n = sigma.size
        for lo in range(0, n, options.chunk):
            end = lo + options.chunk
            part = count_failures([p[lo:end] for p in payoffs], sigma[lo:end])
            for key in ("first refused", "first even"):
                if part[key] >= 0 and total.get(key, -1) < 0:
                    part[key] += lo
                else:
                    part[key] = total.get(key, -1)
            for key, value in part.items():
                total[key] = value if key.startswith("first") else total.get(key, 0) + value
        elapsed = time.perf_counter() - start
        kind = (
            "payoff/σ ratios to 1e150"
            if options.ratios
            else f"payoffs 1e-3..1e{options.top:g}, σ 1e-3..1e3"
        )
        print(
            f"seed {seed}: {total['games']:,} games ({kind}) in {elapsed:.1f} s: refused "
            f"{total['refused']} (below 5e-324: {total['below 5e-324']}, within 2e-15 of 1: "
            f"{total['within 2e-15 of 1']}), even count "
            f"{total['even']}, uncertified roots {total['uncertified roots']} "
            f"(first refused game {total['first refused']}, first even {total['first even']})"
        )


if __name__ == "__main__":
    main()
