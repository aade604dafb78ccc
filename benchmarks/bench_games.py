"""Benchmark: every games-family estimator against R's games 1.1.2, timed in the same run.

For each model of issue 10 (egame12 on war1800 and on Leblang's leblang2003, egame122,
egame123, ultimatum), times the median of repeated fits from the formula and data frame
(formula parsing, starting values, optimization and covariance included, as in games) with

* ``coercive.estimate``'s estimator, in this process, and
* games 1.1.2 through ``Rscript`` (``system.time`` around each fit, median of the same number
  of repeats, after one warm-up fit), when ``Rscript`` and games are installed; otherwise it
  says so and prints the Python figures alone.

It prints both times, the ratio games / coercive, and both log-likelihoods (so a fast wrong
answer shows). Run: ``PYTHONPATH=src python benchmarks/bench_games.py [--repeats N]``.
The data are read from ``COERCIVE_DATA_DIR`` (defaults to ../shared/data when it exists).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

F122 = "y ~ x1 + x2 | x3 + f1 | 0 | x4 + x5 | z1 + z2 | z3 + f2"
F123 = "y ~ x1 + x2 | 0 | x3 | x4 + x5 | 0 | x6 | x7 | x8"
FULT = "offer + accept ~ x1 + x2 + x3 + x4 + w1 + w2 | z1 + z2 + z3 + z4 + w1 + w2"
FLEBLANG = (
    "outcome ~ capcont + lreserves + overval + creditgrow + USinterest + service"
    " + contagion + prioratt - 1 | 1 | 1 | unifgov + lexports + preelec + postelec"
    " + rightgov + realinterest + capcont + lreserves"
)
FWAR = "esc + war ~ s_wt_re1 + revis1 | 0 | regime1 | balanc + regime2"

# name -> (R call, data set)
R_CALLS = {
    "egame12 war1800 (probit, agent)": (f"egame12({FWAR}, data = war1800)", "war1800"),
    "egame12 leblang2003 (probit, private)": (
        f'egame12({FLEBLANG}, data = leblang2003, link = "probit", type = "private")',
        "leblang2003",
    ),
    "egame122 data_122 (probit, agent)": (f"egame122({F122}, data = data_122)", "data_122"),
    "egame123 data_123 (probit, private)": (
        f'egame123({F123}, data = data_123, link = "probit", type = "private")',
        "data_123",
    ),
    "ultimatum data_ult (maxOffer 15)": (
        f"ultimatum({FULT}, data = data_ult, maxOffer = 15)",
        "data_ult",
    ),
}


def _python_fits() -> dict[str, Callable[[], object]]:
    from coercive.datasets import load
    from coercive.estimate import fit_deterrence
    from coercive.estimate.egame122 import fit_egame122
    from coercive.estimate.egame123 import fit_egame123
    from coercive.estimate.ultimatum import fit_ultimatum

    data = {name: load(name) for name in ("war1800", "leblang2003", "data_122", "data_123",
                                          "data_ult")}  # fmt: skip
    return {
        "egame12 war1800 (probit, agent)": lambda: fit_deterrence(FWAR, data["war1800"]),
        "egame12 leblang2003 (probit, private)": lambda: fit_deterrence(
            FLEBLANG, data["leblang2003"], error="private"
        ),
        "egame122 data_122 (probit, agent)": lambda: fit_egame122(F122, data["data_122"]),
        "egame123 data_123 (probit, private)": lambda: fit_egame123(
            F123, data["data_123"], error="private"
        ),
        "ultimatum data_ult (maxOffer 15)": lambda: fit_ultimatum(
            FULT, data["data_ult"], max_offer=15
        ),
    }


def _median_seconds(run: Callable[[], object], repeats: int) -> tuple[float, object]:
    result = run()  # warm-up (imports, caches)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _games_times(
    repeats: int, names: list[str] | None = None
) -> dict[str, tuple[float, float]] | str:
    """{name: (median seconds, loglik)} from games via Rscript, or why it could not run."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript not found: games' times are not measured in this run"
    lines = ["suppressPackageStartupMessages(library(games))"]
    for name, (call, dataset) in R_CALLS.items():
        if names is not None and name not in names:
            continue
        lines += [
            f'data("{dataset}")',
            f"invisible({call})",  # warm-up
            "times <- numeric(0)",
            f"for (i in 1:{repeats}) {{ t <- system.time(fit <- {call})[['elapsed']];"
            " times <- c(times, t) }",
            f'cat("{name}", median(times), sum(fit$log.likelihood), sep = "\\t"); cat("\\n")',
        ]
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
        script = handle.name
    try:
        done = subprocess.run(
            [rscript, script], capture_output=True, text=True, timeout=1800, check=False
        )
    finally:
        os.unlink(script)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"Rscript failed (games installed?): {last}"
    out = {}
    for line in done.stdout.splitlines():
        name, seconds, loglik = line.split("\t")
        out[name] = (float(seconds), float(loglik))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    if "COERCIVE_DATA_DIR" not in os.environ and shared.is_dir():
        os.environ["COERCIVE_DATA_DIR"] = str(shared)

    games = _games_times(args.repeats)
    if isinstance(games, str):
        print(games)
        games = {}
    print(f"median of {args.repeats} fits each (games' time measured by system.time in R)")
    header = f"{'model':<40} {'coercive s':>10} {'games s':>9} {'ratio':>7} " \
             f"{'llf coercive':>14} {'llf games':>14}"  # fmt: skip
    print(header)
    print("-" * len(header))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for name, fit in _python_fits().items():
            seconds, result = _median_seconds(fit, args.repeats)
            llf = result.llf  # type: ignore[attr-defined]
            if name in games:
                r_seconds, r_llf = games[name]
                ratio = r_seconds / seconds
                print(f"{name:<40} {seconds:>10.4f} {r_seconds:>9.4f} {ratio:>6.1f}x "
                      f"{llf:>14.4f} {r_llf:>14.4f}")  # fmt: skip
            else:
                print(f"{name:<40} {seconds:>10.4f} {'-':>9} {'-':>7} {llf:>14.4f} {'-':>14}")


if __name__ == "__main__":
    main()
