"""The Lewis–Schultz engine: every equilibrium, exact residuals, safe tails, clear errors."""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coercive._errors import InputError
from coercive.games import CrisisGame
from coercive.games import lewis_schultz as ls

PAYOFF_NAMES = ("SA", "VA", "CB", "WA", "WB", "a", "VB")


def sigint_example() -> CrisisGame:
    x = np.linspace(-1.0, 2.0, 101)
    return CrisisGame(SA=0, VA=1, CB=0, WA=-1.9, WB=-2.9 + 0.1 * x, a=-1.2, VB=1)


def test_sigint_documentation_example_counts() -> None:
    # sigInt's generate.eq example: three equilibria at 67 of 101 points, one elsewhere.
    counts = sigint_example().equilibria().groupby("game").size()
    assert len(counts) == 101
    assert (counts == 3).sum() == 67
    assert (counts == 1).sum() == 34


def test_equilibria_are_fixed_points_and_probabilities_add_up() -> None:
    game = sigint_example()
    eq = game.equilibria()
    F = game.best_response(np.zeros(game.n_games))  # shape check of broadcasting
    assert F.shape == (game.n_games,)
    residual = eq["pR"] - ls.best_response(
        eq["pR"], *(getattr(game, name)[eq["game"]] for name in PAYOFF_NAMES)
    )
    assert np.max(np.abs(residual)) <= 1e-10
    total = eq[["SQ", "CD", "SF", "BD"]].sum(axis=1)
    np.testing.assert_allclose(total, 1.0, atol=1e-12)
    # the middle of three equilibria is the unstable one
    triples = eq.groupby("game").filter(lambda g: len(g) == 3)
    middle = triples.groupby("game").nth(1)
    assert not middle["stable"].any()
    assert triples.groupby("game").nth(0)["stable"].all()


def test_selection_rules() -> None:
    game = sigint_example()
    eq = game.equilibria()
    most = game.equilibria("most_resistance")
    least = game.equilibria("least_resistance")
    stable = game.equilibria("stable")
    assert len(most) == len(least) == len(stable) == 101
    np.testing.assert_allclose(most["pR"], eq.groupby("game")["pR"].max().to_numpy())
    np.testing.assert_allclose(least["pR"], eq.groupby("game")["pR"].min().to_numpy())
    assert stable["stable"].all()
    with pytest.raises(InputError, match="select"):
        game.equilibria("biggest")


payoff = st.floats(-4.0, 4.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    SA=payoff,
    VA=payoff,
    CB=payoff,
    WA=payoff,
    WB=payoff,
    a=payoff,
    VB=payoff,
    sigma=st.floats(0.2, 3.0),
)
def test_no_missed_equilibrium_and_tiny_residuals(
    SA: float, VA: float, CB: float, WA: float, WB: float, a: float, VB: float, sigma: float
) -> None:
    kwargs = dict(SA=SA, VA=VA, CB=CB, WA=WA, WB=WB, a=a, VB=VB, sigma=sigma)
    eq = CrisisGame(**kwargs).equilibria()
    roots = eq["pR"].to_numpy()
    assert len(roots) % 2 == 1  # g(0) < 0 < g(1) generically: an odd number of crossings
    gap = roots - ls.best_response(roots, **kwargs)
    assert np.all(np.abs(gap) <= 1e-10)
    # Brute force: every sign change of p − F(p) on a fine grid holds one of our roots.
    grid = np.concatenate([[0.0], np.logspace(-12, -3, 200), np.linspace(1e-3, 1.0, 20000)])
    g = grid - ls.best_response(grid, **kwargs)
    change = np.nonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0)[0]
    for i in change:
        assert np.any((roots >= grid[i]) & (roots <= grid[i + 1])), (grid[i], grid[i + 1])
    assert len(roots) >= len(change)
    for column in ("pC", "pR", "pF", "SQ", "CD", "SF", "BD"):
        assert eq[column].between(0.0, 1.0).all()


@settings(max_examples=40, deadline=None)
@given(SA=payoff, VA=payoff, CB=payoff, WA=payoff, WB=payoff, a=payoff, VB=payoff)
def test_best_response_is_monotone_in_the_stated_direction(
    SA: float, VA: float, CB: float, WA: float, WB: float, a: float, VB: float
) -> None:
    # The solver's certification rests on this: F rises iff (SA−VA)(WA−a)(VB−CB) > 0
    # (up to the ~1e-12 relative accuracy of the orthant probabilities).
    p = np.linspace(1e-6, 1.0, 400)
    F = ls.best_response(p, SA, VA, CB, WA, WB, a, VB)
    step = np.diff(F)
    if (SA - VA) * (WA - a) * (VB - CB) > 0:
        assert np.all(step >= -1e-11)
    else:
        assert np.all(step <= 1e-11)


def _firmness_reference(resist: float, SA: float, VA: float, WA: float, a: float) -> float:
    # pF = N/(N + M) with N, M orthant integrals, by mpmath at 40 digits.
    mpmath.mp.dps = 40
    c = mpmath.mpf(VA) + (mpmath.mpf(SA) - VA) / resist
    delta = WA - a

    def orthant(z0: mpmath.mpf, d: float) -> mpmath.mpf:
        mode = max(z0, mpmath.mpf(max(0.0, -d / 2)))
        points = [z0] + [mode + k for k in (0.01, 0.1, 1, 3, 10, 30)] + [mpmath.inf]
        return mpmath.quad(lambda z: mpmath.npdf(z) * mpmath.ncdf(z + d), sorted(set(points)))

    firm = orthant(c - WA, delta)
    back = orthant(c - a, -delta)
    return float(firm / (firm + back))


@pytest.mark.parametrize(
    ("resist", "SA", "VA", "WA", "a"),
    [
        (0.3, 0.0, 1.0, -1.9, -1.2),  # the bulk
        (1e-3, 2.0, 1.0, -1.0, 0.5),  # threshold 1001: A almost never challenges
        (1e-6, 3.0, 0.0, -2.0, -4.0),  # threshold 3e6: pC underflows to 0
        (0.02, 0.9, 0.0, -3.0, -1.0),  # firm share ~1e-35 in the tail
        (0.5, 0.0, 1.0, -30.0, 0.0),  # A almost always backs down
    ],
)
def test_firmness_in_the_tails_matches_high_precision(
    resist: float, SA: float, VA: float, WA: float, a: float
) -> None:
    got = float(ls.firmness_probability(resist, SA, VA, WA, a))
    want = _firmness_reference(resist, SA, VA, WA, a)
    assert math.isfinite(got) and 0.0 <= got <= 1.0
    if want > 1e-300:
        assert got == pytest.approx(want, rel=1e-8)
    else:
        assert got <= 1e-290


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=7, max_size=7),
    sigma=st.floats(1e-3, 1e3),
)
def test_every_probability_is_finite_for_any_finite_payoffs(
    values: list[float], sigma: float
) -> None:
    eq = CrisisGame(**dict(zip(PAYOFF_NAMES, values, strict=True)), sigma=sigma).equilibria()
    assert len(eq) >= 1
    probabilities = eq[["pC", "pR", "pF", "SQ", "CD", "SF", "BD"]].to_numpy()
    assert np.all(np.isfinite(probabilities))
    assert np.all((probabilities >= 0.0) & (probabilities <= 1.0))


def test_extreme_tail_game_reports_finite_firmness() -> None:
    # A prefers the status quo by a mile: pC underflows but pF stays a proper probability.
    eq = CrisisGame(SA=40, VA=0, CB=-1, WA=-3, WB=-2, a=-5, VB=0.5).equilibria()
    assert np.isfinite(eq["pF"]).all()
    assert (eq["pC"] < 1e-300).all()
    assert eq["pF"].between(0, 1).all()


def test_arrays_broadcast_one_row_per_game() -> None:
    game = CrisisGame(SA=np.zeros((2, 3)), VA=1, CB=0, WA=-1.9, WB=-2.0, a=-1.2, VB=1)
    assert game.n_games == 6
    assert sorted(game.equilibria("stable")["game"]) == list(range(6))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"SA": float("nan")}, "SA: must be finite"),
        ({"WB": np.array([0.0, np.inf])}, "WB: must be finite"),
        ({"sigma": 0.0}, "sigma: must be > 0"),
        ({"sigma": -1.0}, "sigma: must be > 0"),
        ({"SA": np.zeros(2), "VA": np.zeros(3)}, "do not broadcast"),
        ({"CB": "high"}, "CB: expected a real number"),
    ],
)
def test_bad_input_names_the_parameter(kwargs: dict, message: str) -> None:
    base = dict(SA=0, VA=1, CB=0, WA=-1.9, WB=-2.9, a=-1.2, VB=1)
    base.update(kwargs)
    with pytest.raises((InputError, TypeError), match=message):
        CrisisGame(**base)


def test_public_equations_refuse_non_probabilities() -> None:
    with pytest.raises(InputError, match="resist: must be a probability"):
        ls.firmness_probability(1.5, 0, 1, -1, -1)
    with pytest.raises(InputError, match="firm: must be finite"):
        ls.resistance_probability(np.nan, 0, -1, 1)


def test_equilibrium_far_below_the_grid_is_found() -> None:
    # B almost never resists (F ~ 1e-54 everywhere): the root sits near 1e-54, and the
    # cell test must not lose F to cancellation in p − F(p) (a regression).
    kwargs = dict(
        SA=0,
        VA=0.8659090392823772,
        CB=0.17238381584646417,
        WA=0.48538261090016727,
        WB=-15.023517433052906,
        a=-0.13075040075648978,
        VB=-0.14681100275680273,
    )
    eq = CrisisGame(**kwargs).equilibria()
    assert len(eq) == 1
    resist = eq["pR"].iloc[0]
    assert 0.0 < resist < 1e-50
    assert resist == pytest.approx(float(ls.best_response(resist, **kwargs)), rel=1e-12)


def test_extreme_random_games_are_solved_cleanly() -> None:
    # Payoffs over nine orders of magnitude, sigma over six, ties WA == a: every game has
    # an equilibrium, every probability is finite, no floating-point warning escapes.
    rng = np.random.default_rng(5)
    n = 20_000
    values = rng.standard_normal((n, 7)) * 10.0 ** rng.uniform(-3, 6, (n, 1))
    tie = rng.random(n) < 0.1
    values[tie, 5] = values[tie, 3]
    sigma = 10.0 ** rng.uniform(-3, 3, n)
    payoffs = dict(zip(PAYOFF_NAMES, values.T, strict=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        eq = CrisisGame(**payoffs, sigma=sigma).equilibria()
        F = ls.best_response(
            eq["pR"], *(payoffs[name][eq["game"]] for name in PAYOFF_NAMES), sigma[eq["game"]]
        )
    per_game = np.bincount(eq["game"], minlength=n)
    assert np.all(per_game % 2 == 1)
    probabilities = eq[["pC", "pR", "pF", "SQ", "CD", "SF", "BD"]].to_numpy()
    assert np.all(np.isfinite(probabilities))
    assert np.all((probabilities >= 0.0) & (probabilities <= 1.0))
    assert np.max(np.abs(eq["pR"] - F)) <= 1e-10
