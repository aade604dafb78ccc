"""The solver's warm-up thread compiles what the real calls use (issue 11: the first assess).

A warm-up that compiled another signature than the callers' would not shorten the first
run: it would double its compile. Every caller's inputs (a CrisisGame's read-only payoff
arrays, the Monte Carlo's writable ones, views, other dtypes) must reach the kernel as one
type, the type the warm-up compiles.
"""

from __future__ import annotations

import numpy as np

from coercive.games import CrisisGame, _solve
from coercive.games._warmup import start_solver_warmup
from coercive.games.crisis import solve_arrays


def test_warmup_thread_is_started_once_and_finishes() -> None:
    first = start_solver_warmup()
    assert start_solver_warmup() is first
    first.join(timeout=600)
    assert not first.is_alive()
    assert len(_solve._solve_block.signatures) >= 1


def test_every_caller_reaches_the_one_signature_the_warmup_compiled() -> None:
    start_solver_warmup().join(timeout=600)
    compiled = set(_solve._solve_block.signatures)
    assert len(compiled) == 1
    game = dict(SA=0.0, VA=1.0, CB=0.0, WA=-1.9, WB=-2.85, a=-1.2, VB=1.0)
    # A CrisisGame keeps read-only payoff arrays (a distinct numba type if passed as is).
    CrisisGame(**game).equilibria()
    rng = np.random.default_rng(0)
    n = 5
    payoffs = {name: value + 0.01 * rng.standard_normal(n) for name, value in game.items()}
    # Writable arrays, as the policy layer's Monte Carlo passes them.
    solve_arrays(*payoffs.values(), np.ones(n))
    # A strided view and float32 inputs.
    strided = {name: np.repeat(value, 2)[::2] for name, value in payoffs.items()}
    solve_arrays(*strided.values(), np.ones(n, dtype=np.float32))
    assert set(_solve._solve_block.signatures) == compiled


def test_warm_solver_gives_the_documented_three_equilibria() -> None:
    # The warm-up must leave the solver as it was: the README's example still has its
    # three equilibria, pR increasing.
    start_solver_warmup().join(timeout=600)
    table = CrisisGame(SA=0, VA=1, CB=0, WA=-1.9, WB=-2.85, a=-1.2, VB=1).equilibria()
    assert len(table) == 3
    assert np.all(np.diff(table["pR"].to_numpy()) > 0)
