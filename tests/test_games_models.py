"""Properties of the games-family likelihoods (egame122, egame123, ultimatum) from the game.

The peer comparison is tests/test_against_games.py; these check what games cannot: the
analytic derivatives, the Hessian, and the private-information formulas against games played
with simulated shocks (games 1.1.2's egame122 fails for type = "private"). About 4 s.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _helpers import ultimatum_rows_data
from hypothesis import given, settings
from hypothesis import strategies as st

from coercive.estimate.covariance import numerical_gradient
from coercive.estimate.egame122.model import probabilities as probabilities_122
from coercive.estimate.egame122.model import row_loglik as rows_122
from coercive.estimate.egame122.model import row_loglik_and_gradient as gradient_122
from coercive.estimate.egame123.model import probabilities as probabilities_123
from coercive.estimate.egame123.model import row_loglik as rows_123
from coercive.estimate.egame123.model import row_loglik_and_gradient as gradient_123
from coercive.estimate.strategic import IndexLikelihood, log_cdf_and_score
from coercive.estimate.ultimatum.model import row_loglik as rows_ult
from coercive.estimate.ultimatum.model import row_loglik_and_gradient as gradient_ult
from coercive.games.deterrence import link_functions

COMBINATIONS = [(link, error) for link in ("probit", "logit") for error in ("agent", "private")]


def _numerical_index_gradient(rows, utilities: np.ndarray, step: float = 1e-6) -> np.ndarray:
    out = np.empty_like(utilities)
    for j in range(utilities.shape[0]):
        shift = np.zeros_like(utilities)
        shift[j] = step
        out[j] = (rows(utilities + shift) - rows(utilities - shift)) / (2 * step)
    return out


@pytest.mark.parametrize("link, error", COMBINATIONS)
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_tree_game_gradients_are_exact(link: str, error: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    functions = link_functions(link)
    for rows, gradient, j in ((rows_122, gradient_122, 6), (rows_123, gradient_123, 8)):
        utilities = rng.normal(scale=1.5, size=(j, 50))
        outcome = rng.integers(0, 4, size=50)
        values, analytic = gradient(utilities, outcome, functions, error)
        np.testing.assert_allclose(values, rows(utilities, outcome, functions, error), atol=1e-12)
        numerical = _numerical_index_gradient(
            lambda u, rows=rows, outcome=outcome: rows(u, outcome, functions, error), utilities
        )
        np.testing.assert_allclose(analytic, numerical, rtol=1e-6, atol=1e-7)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_ultimatum_gradient_is_exact(seed: int) -> None:
    rng = np.random.default_rng(seed)
    offer, position, accept, utilities = ultimatum_rows_data(rng, 60, 8, 4, 1.0, 0.2)
    for observed in (accept, None):
        values, analytic = gradient_ult(utilities, offer, observed, position, 15.0)
        np.testing.assert_allclose(values, rows_ult(utilities, offer, observed, position, 15.0))
        step = 1e-6
        numerical = _numerical_index_gradient(
            lambda u, observed=observed: rows_ult(u, offer, observed, position, 15.0),
            utilities,
            step,
        )
        # central differences lose ~eps |l| / step to rounding: large offers against a low
        # reservation value give |l| ~ 1e5, where that alone is ~1e-4 (seed 828)
        rounding = 4.0 * np.finfo(float).eps * np.abs(values) / step
        assert np.all(np.abs(analytic - numerical) <= 1e-5 * np.abs(numerical) + 1e-6 + rounding)


def test_hessian_matches_differences_of_the_gradient() -> None:
    rng = np.random.default_rng(3)
    n = 400
    matrices = tuple(
        np.column_stack([np.ones(n), rng.normal(size=n)]) if j != 2 else np.zeros((n, 0))
        for j in range(6)
    )
    outcome = rng.integers(0, 4, n)
    functions = link_functions("probit")
    model = IndexLikelihood(
        matrices,
        lambda u: rows_122(u, outcome, functions, "private"),
        lambda u: gradient_122(u, outcome, functions, "private"),
    )
    theta = rng.normal(scale=0.5, size=model.n_params)
    numerical = np.column_stack(
        [
            numerical_gradient(lambda t, i=i: model.gradient(t)[i], theta, relative_step=1e-5)
            for i in range(model.n_params)
        ]
    )
    np.testing.assert_allclose(model.hessian(theta), numerical, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        model.gradient(theta), numerical_gradient(model.loglik, theta), rtol=1e-6, atol=1e-6
    )


def test_log_cdf_and_score_in_the_tails() -> None:
    from scipy import special

    x = np.array([-60.0, -35.0, -29.0, -5.0, 0.0, 3.0, 9.0, 40.0])
    log_cdf, score = log_cdf_and_score(link_functions("probit"), x)
    np.testing.assert_allclose(log_cdf, special.log_ndtr(x), rtol=1e-12, atol=1e-15)
    expected = np.exp(-0.5 * x**2 - 0.5 * math.log(2 * math.pi) - special.log_ndtr(x))
    np.testing.assert_allclose(score, expected, rtol=1e-10)


def _monte_carlo_check(simulated: np.ndarray, predicted: np.ndarray) -> None:
    draws = simulated.shape[0]
    frequencies = simulated.mean(axis=0)
    tolerance = 4.5 * np.sqrt(predicted * (1 - predicted) / draws) + 1e-4
    assert np.all(np.abs(frequencies - predicted) < tolerance)


@pytest.mark.parametrize("error", ["agent", "private"])
def test_egame122_probit_matches_the_game_played_with_shocks(error: str) -> None:
    # Utilities u11, u12, u13, u14, u22, u24; probit = normal shocks of variance 1.
    u11, u12, u13, u14, u22, u24 = 0.3, -0.4, 0.2, 0.9, 0.5, -0.7
    rng = np.random.default_rng(122)
    draws = 400_000
    if error == "agent":
        # every action carries its own shock, drawn at its node
        left2 = u22 + rng.normal(size=draws) > rng.normal(size=draws)
        right2 = u24 + rng.normal(size=draws) > rng.normal(size=draws)
        p2, p4 = 1 - 0.5 * math.erfc(u22 / 2), 1 - 0.5 * math.erfc(u24 / 2)
        gain = p4 * u14 + (1 - p4) * u13 - p2 * u12 - (1 - p2) * u11
        first = gain + rng.normal(size=draws) > rng.normal(size=draws)
    else:
        # every outcome payoff carries a shock known to its owner only
        e = rng.normal(size=(draws, 4))  # player 1's shocks on LL, LR, RL, RR
        e2 = rng.normal(size=(draws, 4))  # player 2's on LL, LR, RL, RR
        left2 = u22 + e2[:, 1] > e2[:, 0]
        right2 = u24 + e2[:, 3] > e2[:, 2]
        # player 1 knows the distribution of player 2's shocks, not their values
        p2 = 1 - 0.5 * math.erfc(u22 / 2)
        p4 = 1 - 0.5 * math.erfc(u24 / 2)
        right_value = p4 * (u14 + e[:, 3]) + (1 - p4) * (u13 + e[:, 2])
        left_value = p2 * (u12 + e[:, 1]) + (1 - p2) * (u11 + e[:, 0])
        first = right_value > left_value
    outcome = np.where(first, 2 + right2, left2.astype(int))
    simulated = np.column_stack([outcome == k for k in range(4)])
    utilities = np.array([[u11], [u12], [u13], [u14], [u22], [u24]])
    p1, q2, q4 = probabilities_122(utilities, link_functions("probit"), error)
    predicted = np.array([(1 - p1) * (1 - q2), (1 - p1) * q2, p1 * (1 - q4), p1 * q4]).reshape(-1)
    _monte_carlo_check(simulated, predicted)


@pytest.mark.parametrize("error", ["agent", "private"])
def test_egame123_probit_matches_the_game_played_with_shocks(error: str) -> None:
    u11, u13, u15, u16, u23, u25, u26, u36 = -0.2, 0.4, -0.6, 0.8, 0.1, -0.3, 0.6, 0.4
    rng = np.random.default_rng(123)
    draws = 400_000
    phi = lambda x: 1 - 0.5 * math.erfc(x / math.sqrt(2))  # noqa: E731
    p3 = phi(u36 / math.sqrt(2))
    if error == "agent":
        third = u36 + rng.normal(size=draws) > rng.normal(size=draws)
        gain2 = p3 * u26 + (1 - p3) * u25 - u23
        second = gain2 + rng.normal(size=draws) > rng.normal(size=draws)
        p2 = phi(gain2 / math.sqrt(2))
        gain1 = (1 - p2) * u13 + p2 * (1 - p3) * u15 + p2 * p3 * u16 - u11
        first = gain1 + rng.normal(size=draws) > rng.normal(size=draws)
    else:
        e1 = rng.normal(size=(draws, 4))  # player 1's shocks on outcomes 1, 3, 5, 6
        e2 = rng.normal(size=(draws, 3))  # player 2's on 3, 5, 6
        e3 = rng.normal(size=(draws, 2))  # player 3's on 5, 6
        third = u36 + e3[:, 1] > e3[:, 0]
        second = p3 * (u26 + e2[:, 2]) + (1 - p3) * (u25 + e2[:, 1]) > u23 + e2[:, 0]
        p2 = phi((p3 * u26 + (1 - p3) * u25 - u23) / math.sqrt(1 + p3**2 + (1 - p3) ** 2))
        value = (
            (1 - p2) * (u13 + e1[:, 1])
            + p2 * (1 - p3) * (u15 + e1[:, 2])
            + p2 * p3 * (u16 + e1[:, 3])
        )
        first = value > u11 + e1[:, 0]
    outcome = np.where(~first, 0, np.where(~second, 1, np.where(~third, 2, 3)))
    simulated = np.column_stack([outcome == k for k in range(4)])
    utilities = np.array([[u11], [u13], [u15], [u16], [u23], [u25], [u26], [u36]])
    q1, q2, q3 = probabilities_123(utilities, link_functions("probit"), error)
    predicted = np.array([1 - q1, q1 * (1 - q2), q1 * q2 * (1 - q3), q1 * q2 * q3]).reshape(-1)
    _monte_carlo_check(simulated, predicted)
