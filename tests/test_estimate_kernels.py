"""The compiled (numba) likelihood kernels against the numpy formulas they replace.

Each games-family model keeps its numpy row function as the readable reference; the fits use
a compiled kernel of the same formulas (``coercive.estimate.<model>.kernel``). These tests
check the kernels reproduce the references (values and exact gradients, both links, both
error types, moderate and far-tail utilities), that the exact second derivatives (egame12,
egame123, ultimatum) are the derivatives of their gradients, and the compiled helpers (binary
starts, Cholesky solve, trust-region branch). About 6 s once the kernels are compiled and
cached (the first run on a fresh clone also compiles them).
"""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import ultimatum_rows_data

from coercive.estimate._kernels import cholesky_solve
from coercive.estimate.deterrence.kernel import deterrence_rows
from coercive.estimate.deterrence.model import DeterrenceModel
from coercive.estimate.egame122.kernel import egame122_rows
from coercive.estimate.egame122.model import row_loglik_and_gradient as reference_122
from coercive.estimate.egame123.kernel import egame123_rows
from coercive.estimate.egame123.model import row_loglik_and_gradient as reference_123
from coercive.estimate.strategic import IndexLikelihood, binary_fit, compiled_rows, maximize
from coercive.estimate.ultimatum.kernel import ultimatum_rows
from coercive.estimate.ultimatum.model import row_loglik_and_gradient as reference_ult
from coercive.games.deterrence import link_functions

COMBINATIONS = [(link, error) for link in ("probit", "logit") for error in ("agent", "private")]
# moderate utilities, and ones that push indices into the far tails (log F ~ -1e3)
SCALES = (1.5, 40.0)


def _close(actual: np.ndarray, expected: np.ndarray) -> None:
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("link, error", COMBINATIONS)
@pytest.mark.parametrize("scale", SCALES)
def test_deterrence_kernel_is_the_numpy_formula(link: str, error: str, scale: float) -> None:
    rng = np.random.default_rng(11)
    n = 200
    outcome = rng.integers(0, 3, n)
    model = DeterrenceModel(
        matrices=tuple(np.ones((n, 1)) for _ in range(4)), outcome=outcome, link=link, error=error
    )
    utilities = rng.normal(scale=scale, size=(4, n))
    pieces = model.pieces_from_utilities(utilities)
    rows, first, _ = deterrence_rows(
        utilities, False, *model._signs, link == "logit", error == "private"
    )
    _close(rows, pieces["loglik"])
    _close(first, np.stack([pieces[f"d_{name}"] for name in ("u11", "u13", "u14", "u24")]))


@pytest.mark.parametrize("link, error", COMBINATIONS)
def test_deterrence_second_derivatives_are_exact(link: str, error: str) -> None:
    rng = np.random.default_rng(5)
    n = 150
    signs = (
        np.where(rng.random(n) < 0.5, 1.0, -1.0),
        np.where(rng.random(n) < 0.5, 1.0, -1.0),
        rng.random(n) < 0.6,
    )
    flags = (link == "logit", error == "private")
    utilities = rng.normal(scale=1.5, size=(4, n))
    _, _, second = deterrence_rows(utilities, True, *signs, *flags)
    step = 1e-6
    for j in range(4):
        shift = np.zeros_like(utilities)
        shift[j] = step
        plus = deterrence_rows(utilities + shift, False, *signs, *flags)[1]
        minus = deterrence_rows(utilities - shift, False, *signs, *flags)[1]
        np.testing.assert_allclose(second[:, j], (plus - minus) / (2 * step), atol=1e-7)
    np.testing.assert_allclose(second, second.transpose(1, 0, 2))


@pytest.mark.parametrize("link, error", COMBINATIONS)
def test_egame123_second_derivatives_are_exact(link: str, error: str) -> None:
    rng = np.random.default_rng(6)
    n = 120
    outcome = rng.integers(0, 4, n)
    flags = (link == "logit", error == "private")
    utilities = rng.normal(scale=1.5, size=(8, n))
    _, _, second = egame123_rows(utilities, True, outcome, *flags)
    step = 1e-6
    for j in range(8):
        shift = np.zeros_like(utilities)
        shift[j] = step
        plus = egame123_rows(utilities + shift, False, outcome, *flags)[1]
        minus = egame123_rows(utilities - shift, False, outcome, *flags)[1]
        np.testing.assert_allclose(second[:, j], (plus - minus) / (2 * step), atol=1e-7)
    np.testing.assert_allclose(second, second.transpose(1, 0, 2))


@pytest.mark.parametrize("link, error", COMBINATIONS)
@pytest.mark.parametrize("scale", SCALES)
def test_tree_game_kernels_are_the_numpy_formulas(link: str, error: str, scale: float) -> None:
    rng = np.random.default_rng(7)
    n = 200
    functions = link_functions(link)
    for kernel, reference, size in ((egame122_rows, reference_122, 6),
                                    (egame123_rows, reference_123, 8)):  # fmt: skip
        utilities = rng.normal(scale=scale, size=(size, n))
        outcome = rng.integers(0, 4, n)
        rows, first, _ = kernel(utilities, False, outcome, link == "logit", error == "private")
        expected_rows, expected_first = reference(utilities, outcome, functions, error)
        _close(rows, expected_rows)
        _close(first, expected_first)


@pytest.mark.parametrize("with_accept", [True, False])
def test_ultimatum_kernel_is_the_numpy_formula(with_accept: bool) -> None:
    rng = np.random.default_rng(13)
    n = 300
    offer, position, accept, utilities = ultimatum_rows_data(rng, n, 20, 15, 3.0, 1.0)
    # some offers the parameters make impossible (e^z overflows: -inf, zero gradient)
    utilities[1, 50:60], utilities[3, 50:60] = -5.0, -8.0
    observed = accept if with_accept else None
    rows, first, _ = ultimatum_rows(
        utilities, False, offer, accept, with_accept, position, 15.0, 0.0, 0.0
    )
    with np.errstate(all="ignore"):
        expected_rows, expected_first = reference_ult(utilities, offer, observed, position, 15.0)
    finite = np.isfinite(expected_rows)
    assert 0 < finite.sum() < n  # both kinds of rows are exercised
    np.testing.assert_array_equal(np.isfinite(rows), finite)
    assert np.all(rows[~finite] == -np.inf)
    _close(rows[finite], expected_rows[finite])
    _close(first, expected_first)


@pytest.mark.parametrize("with_accept", [True, False])
def test_ultimatum_second_derivatives_are_exact(with_accept: bool) -> None:
    rng = np.random.default_rng(31)
    offer, position, accept, utilities = ultimatum_rows_data(rng, 200, 20, 15, 1.0, 0.2)
    data = (offer, accept, with_accept, position, 15.0, 0.1, -0.2)  # offsets: fixed scales
    _, first, second = ultimatum_rows(utilities, True, *data)
    step = 1e-5
    for j in range(4):
        shift = np.zeros_like(utilities)
        shift[j] = step
        plus = ultimatum_rows(utilities + shift, False, *data)[1]
        minus = ultimatum_rows(utilities - shift, False, *data)[1]
        numerical = (plus - minus) / (2 * step)
        # central differences: truncation ~1e-10 here, rounding ~eps |first| / step
        bound = 1e-6 * (1 + np.abs(second[:, j])) + 4e-16 * np.abs(first).max(axis=0) / step
        assert np.all(np.abs(second[:, j] - numerical) <= bound)
    np.testing.assert_allclose(second, second.transpose(1, 0, 2))


def test_kernels_accept_perturbed_batches() -> None:
    """The likelihood hands kernels ``(J, copies * n)`` batches; column c is row c % n."""
    rng = np.random.default_rng(17)
    n = 40
    outcome = rng.integers(0, 4, n)
    utilities = rng.normal(size=(6, n))
    batch = np.concatenate([utilities, utilities + 0.1, utilities - 0.2], axis=1)
    rows, first, _ = egame122_rows(batch, False, outcome, False, True)
    for copy, shift in enumerate((0.0, 0.1, -0.2)):
        alone = egame122_rows(utilities + shift, False, outcome, False, True)
        _close(rows[copy * n : (copy + 1) * n], alone[0])
        _close(first[:, copy * n : (copy + 1) * n], alone[1])


@pytest.mark.parametrize("link", ["probit", "logit"])
def test_binary_fit_solves_the_score_equations(link: str) -> None:
    rng = np.random.default_rng(19)
    n = 500
    design = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    chosen = design @ np.array([0.3, -0.8, 0.5]) + rng.logistic(size=n) > 0
    functions = link_functions(link)
    beta = binary_fit(design, chosen, functions)
    sign = np.where(chosen, 1.0, -1.0)
    score = design.T @ (sign * functions.score(sign * (design @ beta)))
    assert np.max(np.abs(score)) < 1e-6
    value = np.sum(functions.log_cdf(sign * (design @ beta)))
    for _ in range(5):  # the maximum: nearby points are worse
        nearby = beta + rng.normal(scale=1e-2, size=3)
        assert np.sum(functions.log_cdf(sign * (design @ nearby))) < value


def test_cholesky_solve_and_its_refusal() -> None:
    rng = np.random.default_rng(23)
    root = rng.normal(size=(6, 6))
    definite = root @ root.T + 0.1 * np.eye(6)
    rhs = rng.normal(size=6)
    solution, ok = cholesky_solve(definite, rhs)
    assert ok
    np.testing.assert_allclose(solution, np.linalg.solve(definite, rhs), rtol=1e-10)
    indefinite = definite - 2.0 * np.max(np.linalg.eigvalsh(definite)) * np.outer(
        np.eye(6)[0], np.eye(6)[0]
    )
    assert not cholesky_solve(indefinite, rhs)[1]


def test_trust_region_and_bfgs_reach_the_same_maximum() -> None:
    """Where Newton cannot start (-H indefinite), the exact-Hessian trust region replaces
    BFGS; both must end at the same optimum."""
    rng = np.random.default_rng(29)
    n = 600
    x = np.column_stack([np.ones(n), rng.normal(size=n)])
    matrices = (x, x[:, :0], x[:, 1:], x)
    # outcomes drawn from the game itself, so the maximum is well defined
    truth = np.array([-0.5, 0.4, 0.8, 0.3, -0.6])
    model = DeterrenceModel(
        matrices=matrices, outcome=np.zeros(n, dtype=np.int64), link="probit", error="private"
    )
    escalate, war = model.probabilities(truth)
    draw = rng.random((2, n))
    outcome = np.where(draw[0] < escalate, np.where(draw[1] < war, 2, 1), 0)
    model = DeterrenceModel(matrices=matrices, outcome=outcome, link="probit", error="private")
    exact = model.index_likelihood()
    without = IndexLikelihood(
        matrices, exact.row_loglik,
        compiled_rows(deterrence_rows, *model._signs, False, True),
    )  # fmt: skip
    # a start where -H is not positive definite, so Newton stops at once
    start = None
    for _ in range(200):
        candidate = truth + rng.normal(scale=1.0, size=exact.n_params)
        if np.min(np.linalg.eigvalsh(-exact.hessian(candidate))) < 0:
            start = candidate
            break
    assert start is not None
    trusted, bfgs = maximize(exact, start), maximize(without, start)
    assert trusted.converged and bfgs.converged
    assert trusted.llf == pytest.approx(bfgs.llf, abs=1e-8)
    np.testing.assert_allclose(trusted.theta, bfgs.theta, atol=1e-5)
