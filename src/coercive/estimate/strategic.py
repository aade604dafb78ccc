"""Shared maximum-likelihood machinery for the games-family models (egame12, egame122,
egame123, ultimatum).

Each of these models has a log-likelihood that is a sum over rows of a smooth function of a
few *indices* per row, every index linear in its own block of parameters::

    l_i(theta) = g_i(u_i1, ..., u_iJ),     u_ij = X_ij' theta_j

so the gradient is ``sum_j X_j' dg/du_j`` and the Hessian ``sum_jk X_j' diag(d2g/du_j du_k) X_k``.
The model supplies the row function ``g`` (:class:`IndexLikelihood`) and, in the fits, a
compiled kernel (:func:`compiled_rows`) returning ``g`` and its exact derivatives in the
``J`` indices, optionally the exact second derivatives too (:func:`compiled_second`); the
sums over rows are compiled loops (:mod:`coercive.estimate._kernels`). Without exact second
derivatives they are forward differences of the exact first ones (all perturbations in one
call, errors ~1e-8 relative); with a row function alone, central differences (steps
``eps^(1/3)`` and ``eps^(1/4)``: errors ~1e-10 and ~1e-8 relative). Either way the linear
algebra in ``theta`` is exact and a gradient costs a few evaluations of ``g`` on the rows,
not ``2k`` evaluations of the whole likelihood.

Speed (why the kernels): on games' examples (a few hundred to a few thousand rows) numpy's
per-call overhead, not arithmetic, dominated: ~40 array operations per evaluation. Compiled,
an evaluation is the rows' transcendental functions (~0.1 us per row), and an exact Hessian
costs about one more evaluation instead of ``J + 1``.

API
---
``IndexLikelihood(matrices, row_loglik, row_gradient=None, row_hessian=None)``: ``loglik``,
``loglik_obs``, ``gradient``, ``scores``, ``hessian``, ``negative`` (for
:func:`scipy.optimize.minimize`).
``compiled_rows(kernel, *data)``, ``compiled_second(kernel, *data)``: ``row_gradient`` and
``row_hessian`` from a compiled row kernel ``kernel(U, want_second, *data)``.
``maximize(model, start, maxiter) -> Maximum``: Newton-Raphson; where it cannot go on, a
trust-region Newton (exact Hessians) or BFGS, then Newton steps until the gradient vanishes;
reports convergence and the reason when it fails.
``binary_fit(design, chosen, functions)``: a binary probit/logit MLE (starting values).
``check_player_identified(columns, player, names)``: refuse a regressor in all of a player's
utilities (it cancels from every comparison the player makes).
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from coercive._errors import InputError, InputTypeError
from coercive.estimate.covariance import hessian_covariance
from coercive.estimate.formula import DesignParts
from coercive.estimate.results import EstimationResults
from coercive.games.deterrence import LinkFunctions

__all__ = [
    "IndexLikelihood",
    "single_threaded_blas",
    "Maximum",
    "binary_fit",
    "check_options",
    "check_player_identified",
    "compiled_rows",
    "compiled_second",
    "fit_outcome_tree",
    "log_cdf_and_score",
    "maximize",
    "outcome_codes",
    "results_from_maximum",
    "start_vector",
]

_EPS = np.finfo(float).eps


@functools.lru_cache(maxsize=1)
def _threadpool_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
# Above this the probit CDF is computed directly (relative error ~1e-16 down to ~1e-300);
# below, log_ndtr's asymptotic series keeps log F and f/F accurate.
_DIRECT_PROBIT_FLOOR = -30.0


def log_cdf_and_score(functions: LinkFunctions, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(log F(x), f(x)/F(x))`` sharing one CDF evaluation (the likelihoods' inner loop).

    For probit, ``ndtr`` once (``log`` and a density on top) costs about half of
    ``log_ndtr`` twice; the far lower tail, where ``ndtr`` underflows, uses ``log_ndtr``.
    """
    if functions.name != "probit":
        return functions.log_cdf(x), functions.score(x)
    from scipy import special

    x = np.asarray(x, dtype=float)
    cdf = special.ndtr(x)
    with np.errstate(divide="ignore"):
        log_cdf = np.log(cdf)
    score = np.exp(-0.5 * x * x - _LOG_SQRT_2PI) / np.where(cdf > 0, cdf, 1.0)
    tail = x < _DIRECT_PROBIT_FLOOR
    if tail.any():
        log_tail = special.log_ndtr(x[tail])
        log_cdf[tail] = log_tail
        score[tail] = np.exp(-0.5 * x[tail] ** 2 - _LOG_SQRT_2PI - log_tail)
    return log_cdf, score


def single_threaded_blas() -> Any:
    """Context manager: BLAS on one thread while a fit runs.

    The products here are ``(n x k)' (n x k)`` with ``k`` below ~20: too small for BLAS
    threads to help, and on a busy machine their synchronization dominates (measured here:
    a 7240 x 10 weighted cross-product took 27 ms with OpenBLAS's threads, 0.5 ms on one).
    The previous limits are restored on exit, so the caller's own numpy is unaffected.
    (The BLAS libraries' own get/set calls are used: ``ThreadpoolController.limit`` re-reads
    every library's information on entry, which costs milliseconds.)
    """
    return _blas_threads(1)


@contextlib.contextmanager
def _blas_threads(count: int) -> Any:
    libraries = [
        library
        for library in _threadpool_controller().lib_controllers
        if library.user_api == "blas"
    ]
    before = [library.get_num_threads() for library in libraries]
    for library in libraries:
        library.set_num_threads(count)
    try:
        yield
    finally:
        for library, threads in zip(libraries, before, strict=True):
            library.set_num_threads(threads)


def fit_single_threaded(fit: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator running ``fit`` inside :func:`single_threaded_blas`."""

    @functools.wraps(fit)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with single_threaded_blas():
            return fit(*args, **kwargs)

    return wrapper


def compiled_rows(
    kernel: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]], *data: Any
) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``IndexLikelihood.row_gradient`` from a compiled row kernel.

    ``kernel(U, want_second, *data)`` takes ``U`` of shape ``(J, m)`` (``m`` a multiple of
    the ``n`` rows; column ``c`` is data row ``c % n``) and returns the row log-likelihoods
    ``(m,)``, their derivatives ``(J, m)`` and, when ``want_second``, their second
    derivatives ``(J, J, m)``. The adapter flattens the batch axes :class:`IndexLikelihood`
    uses (``(J, *batch, n)``) into one and restores them on the way out.
    """

    def rows_and_gradient(utilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        shape = utilities.shape
        flat = np.ascontiguousarray(utilities, dtype=float).reshape(shape[0], -1)
        rows, first, _ = kernel(flat, False, *data)
        return rows.reshape(shape[1:]), first.reshape(shape)

    return rows_and_gradient


def compiled_second(
    kernel: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]], *data: Any
) -> Callable[[np.ndarray], np.ndarray]:
    """``IndexLikelihood.row_hessian`` (exact second derivatives ``(J, J, n)`` at ``U`` of
    shape ``(J, n)``) from a kernel of :func:`compiled_rows`' form that computes them."""

    def second_derivatives(utilities: np.ndarray) -> np.ndarray:
        return kernel(np.ascontiguousarray(utilities, dtype=float), True, *data)[2]

    return second_derivatives


_FIRST_STEP = _EPS ** (1.0 / 3.0)
_SECOND_STEP = _EPS**0.25
_FORWARD_STEP = _EPS**0.5


@dataclass(frozen=True)
class IndexLikelihood:
    """``sum_i g(u_i1..u_iJ)`` with ``u_j = X_j theta_j`` (see module docstring).

    ``row_loglik(U)`` takes ``U`` of shape ``(J, *batch)`` and returns the row log-likelihoods
    of shape ``batch``; it must broadcast over leading batch axes.
    """

    matrices: tuple[np.ndarray, ...]
    row_loglik: Callable[[np.ndarray], np.ndarray]
    # Optional analytic ``U -> (g, dg/dU)`` (shapes ``batch`` and ``(J, *batch)``): when given,
    # first derivatives are exact and second ones are central differences of them.
    row_gradient: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None
    # Optional exact ``U -> d2g/dU dU`` (``(J, n) -> (J, J, n)``): when given, the Hessian
    # uses it instead of differences of ``row_gradient``.
    row_hessian: Callable[[np.ndarray], np.ndarray] | None = None

    @property
    def sizes(self) -> list[int]:
        return [matrix.shape[1] for matrix in self.matrices]

    @property
    def n_params(self) -> int:
        return int(sum(self.sizes))

    @property
    def nobs(self) -> int:
        return int(self.matrices[0].shape[0])

    @functools.cached_property
    def _stacked(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(X, block, columns)``: the matrices side by side, each column's index (for the
        kernels) and the column numbers."""
        stacked = np.ascontiguousarray(np.hstack(self.matrices), dtype=float)
        block = np.repeat(np.arange(len(self.matrices)), self.sizes).astype(np.int64)
        return stacked, block, np.arange(block.size)

    def split(self, theta: np.ndarray) -> list[np.ndarray]:
        bounds = np.cumsum([0, *self.sizes])
        return [theta[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]

    def utilities(
        self, theta: np.ndarray, matrices: Sequence[np.ndarray] | None = None
    ) -> np.ndarray:
        if matrices is None:
            # one BLAS product (J x k)(k x n) with theta placed on each column's index
            stacked, block, columns = self._stacked
            weights = np.zeros((len(self.matrices), block.size))
            weights[block, columns] = theta
            return weights @ stacked.T
        n = matrices[0].shape[0]
        out = np.zeros((len(matrices), n))
        for j, (matrix, block) in enumerate(zip(matrices, self.split(theta), strict=True)):
            if block.size:
                out[j] = matrix @ block
        return out

    @functools.cached_property
    def _last(self) -> dict[str, Any]:
        return {}

    def _rows_and_first(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``row_gradient`` at ``theta``, remembering the last point: a fit asks for the same
        point twice (the start's check and the optimizer's first step; the optimizer's last
        step and the results' per-row log-likelihoods)."""
        assert self.row_gradient is not None
        key = np.asarray(theta, dtype=float).tobytes()
        last = self._last
        if last.get("key") != key:
            rows, first = self.row_gradient(self.utilities(theta))
            last.update(key=key, rows=rows, first=first)
        return last["rows"], last["first"]

    def loglik_obs(self, theta: np.ndarray) -> np.ndarray:
        if self.row_gradient is not None:  # the compiled kernels: one fast call
            return np.array(self._rows_and_first(theta)[0], dtype=float)
        return np.asarray(self.row_loglik(self.utilities(theta)), dtype=float)

    def loglik(self, theta: np.ndarray) -> float:
        return float(np.sum(self.loglik_obs(theta)))

    def _active(self) -> list[int]:
        return [j for j, size in enumerate(self.sizes) if size]

    def index_derivatives(self, utilities: np.ndarray) -> np.ndarray:
        """``dg/du_j`` for every row, shape ``(J, n)`` (zero rows for fixed utilities)."""
        if self.row_gradient is not None:
            return self.row_gradient(utilities)[1]
        active = self._active()
        steps = _FIRST_STEP * (1.0 + np.abs(utilities))
        batch = np.repeat(utilities[:, None, :], 2 * len(active), axis=1)
        for a, j in enumerate(active):
            batch[j, 2 * a] += steps[j]
            batch[j, 2 * a + 1] -= steps[j]
        values = self.row_loglik(batch)
        out = np.zeros_like(utilities)
        for a, j in enumerate(active):
            out[j] = (values[2 * a] - values[2 * a + 1]) / (2.0 * steps[j])
        return out

    def index_second_derivatives(self, utilities: np.ndarray) -> np.ndarray:
        """``d2g/du_j du_k`` for every row, shape ``(J, J, n)``."""
        if self.row_hessian is not None:
            return self.row_hessian(utilities)
        active = self._active()
        if self.row_gradient is not None:
            # forward differences of the analytic first derivatives, all in one call: with
            # step sqrt(eps) both truncation and rounding errors are ~1e-8 relative, far
            # below what Newton steps or standard errors need, at half the cost of central
            steps = _FORWARD_STEP * (1.0 + np.abs(utilities))
            batch = np.repeat(utilities[:, None, :], len(active) + 1, axis=1)
            for a, j in enumerate(active):
                batch[j, a + 1] += steps[j]
            first = self.row_gradient(batch)[1]
            out = np.zeros((utilities.shape[0],) * 2 + utilities.shape[1:])
            for a, j in enumerate(active):
                out[:, j] = (first[:, a + 1] - first[:, 0]) / steps[j]
            return 0.5 * (out + out.transpose(1, 0, *range(2, out.ndim)))
        steps = _SECOND_STEP * (1.0 + np.abs(utilities))
        pairs = [(j, k) for ai, j in enumerate(active) for k in active[ai:]]
        signs = ((1, 1), (1, -1), (-1, 1), (-1, -1))
        batch = np.repeat(utilities[:, None, :], 1 + 4 * len(pairs), axis=1)
        for p, (j, k) in enumerate(pairs):
            for s, (sj, sk) in enumerate(signs):
                column = 1 + 4 * p + s
                batch[j, column] += sj * steps[j]
                batch[k, column] += sk * steps[k]
        values = self.row_loglik(batch)
        out = np.zeros((utilities.shape[0],) * 2 + utilities.shape[1:])
        for p, (j, k) in enumerate(pairs):
            pp, pm, mp, mm = (values[1 + 4 * p + s] for s in range(4))
            if j == k:
                # steps 2h: (g(u+2h) - 2 g(u) + g(u-2h)) / (2h)^2
                second = (pp - 2.0 * values[0] + mm) / (4.0 * steps[j] ** 2)
            else:
                second = (pp - pm - mp + mm) / (4.0 * steps[j] * steps[k])
            out[j, k] = out[k, j] = second
        return out

    def loglik_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        if self.row_gradient is not None:
            rows, derivatives = self._rows_and_first(theta)
            value = float(np.sum(rows))
            if not np.isfinite(value):
                return value, np.full(self.n_params, np.nan)
        else:
            utilities = self.utilities(theta)
            value = float(np.sum(self.row_loglik(utilities)))
            if not np.isfinite(value):
                return value, np.full(self.n_params, np.nan)
            derivatives = self.index_derivatives(utilities)
        from coercive.estimate._kernels import gradient_from_rows

        stacked, block, _ = self._stacked
        return value, gradient_from_rows(stacked, block, np.ascontiguousarray(derivatives))

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self.loglik_and_gradient(theta)[1]

    def scores(self, theta: np.ndarray) -> np.ndarray:
        """Per-row gradients ``(n, k)`` (OPG/sandwich covariances, Vuong-type tests)."""
        derivatives = self.index_derivatives(self.utilities(theta))
        return np.hstack(
            [matrix * derivatives[j][:, None] for j, matrix in enumerate(self.matrices)]
        )

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """``sum_i X_i' S_i X_i`` with ``S_i`` the row's second derivatives in the indices."""
        if not self.n_params:
            return np.zeros((0, 0))
        from coercive.estimate._kernels import hessian_from_rows

        second = self.index_second_derivatives(self.utilities(theta))
        stacked, block, _ = self._stacked
        return hessian_from_rows(stacked, block, np.ascontiguousarray(second))

    def negative(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = self.loglik_and_gradient(theta)
        if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
            return math.inf, np.zeros_like(theta)
        return -value, -gradient


@dataclass(frozen=True)
class Maximum:
    theta: np.ndarray
    llf: float
    hessian: np.ndarray
    converged: bool
    reason: str | None
    iterations: int
    max_gradient: float


def _solve_definite(matrix: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, bool]:
    """``matrix^-1 rhs`` for a positive definite ``matrix``; ``False`` if it is not (or is
    not finite)."""
    from coercive.estimate._kernels import cholesky_solve

    # a NaN pivot fails the kernel's positivity test, so no separate finiteness check
    return cholesky_solve(np.ascontiguousarray(matrix, dtype=float), np.asarray(rhs, float))


def _newton(
    model: IndexLikelihood,
    theta: np.ndarray,
    iterations: int,
    value_and_gradient: tuple[float, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray | None, int, bool, tuple[float, np.ndarray]]:
    """Newton-Raphson with step halving while the log-likelihood is concave.

    The Hessian costs several gradients, so it is kept while a step still cuts the largest
    |gradient| tenfold (the chord method: linear but fast convergence near the optimum) and
    recomputed otherwise, and once more at the end unless the one in hand was taken within
    ``1e-4`` (relative) of the optimum, so standard errors use the Hessian at the maximum.
    Returns (theta, Hessian, iterations used, converged, (loglik, gradient) at theta).
    Stops without convergence where ``-H`` is not positive definite (Newton's direction may
    not ascend there) or no halved step improves; the caller then falls back to BFGS.
    """
    value, gradient = (
        model.loglik_and_gradient(theta) if value_and_gradient is None else value_and_gradient
    )
    hessian: np.ndarray | None = None
    factor = None
    hessian_at = theta
    previous = math.inf
    for iteration in range(iterations):
        if not (np.isfinite(value) and np.all(np.isfinite(gradient))):
            return theta, hessian, iteration, False, (value, gradient)
        largest = float(np.max(np.abs(gradient))) if gradient.size else 0.0
        if factor is None or largest > 0.1 * previous:
            hessian, hessian_at = model.hessian(theta), theta
            factor = -hessian
        previous = largest
        # a compiled Cholesky solve: scipy's cho_factor/cho_solve cost ~20 us each in
        # argument checks on these k < 30 systems
        step, definite = _solve_definite(factor, gradient)
        if not definite:
            return theta, hessian, iteration, False, (value, gradient)
        scale = max(1.0, float(np.max(np.abs(theta))))
        # done when the step is negligible or the log-likelihood it promises (half the
        # Newton decrement g'step) is below 1e-14 relative: this last step is still taken
        if np.max(np.abs(step)) < 1e-10 * scale or gradient @ step < 1e-14 * max(1.0, abs(value)):
            theta = theta + step
            if np.max(np.abs(theta - hessian_at)) > 1e-4 * scale:
                hessian = model.hessian(theta)
            return theta, hessian, iteration + 1, True, model.loglik_and_gradient(theta)
        length = 1.0
        while True:
            candidate = theta + length * step
            candidate_value, candidate_gradient = model.loglik_and_gradient(candidate)
            if np.isfinite(candidate_value) and candidate_value >= value - 1e-12 * abs(value):
                break
            length /= 2.0
            if length < 1e-8:
                return theta, hessian, iteration + 1, False, (value, gradient)
        if length < 1.0:
            factor = None  # a damped step: the Hessian is stale, recompute it
        theta, value, gradient = candidate, candidate_value, candidate_gradient
    return theta, hessian, iterations, False, (value, gradient)


def maximize(
    model: IndexLikelihood, start: np.ndarray, maxiter: int = 1000, gradient_tolerance: float = 1e-4
) -> Maximum:
    """Maximize the log-likelihood: Newton-Raphson, with a trust region or BFGS where Newton
    cannot go on.

    Newton's method with the model's Hessian converges in a few iterations from statistical
    backwards-induction starts, each costing a handful of vectorized evaluations. Where the
    log-likelihood is not concave (``-H`` not positive definite) or Newton stalls, a
    trust-region Newton (when the model has exact second derivatives) or else BFGS takes
    over and Newton then polishes its end point, so the optimum is precise to the last digits
    (estimates comparable with games' to 1e-6) and the Hessian is the one at the optimum.
    ``maxiter`` bounds the iterations of both. ``converged`` requires a finite
    log-likelihood and a largest |gradient| below ``gradient_tolerance``; otherwise
    ``reason`` says what happened.
    """
    at_start = model.loglik_and_gradient(start)
    if not np.isfinite(at_start[0]):
        return Maximum(
            start, -math.inf, np.full((start.size,) * 2, np.nan), False,
            "the log-likelihood is not finite at the starting values", 0, math.nan,
        )  # fmt: skip
    theta, hessian, iterations, done, at_end = _newton(model, start, min(maxiter, 200), at_start)
    message = "Newton-Raphson"
    if not done and iterations < maxiter and model.row_hessian is not None:
        # With exact second derivatives a Hessian costs about one evaluation, so a
        # trust-region Newton (More & Sorensen's, scipy's trust-exact), which handles the
        # non-concave regions Newton stops at, takes ~5 iterations where BFGS takes ~25
        # (measured on games' leblang2003 example). Newton then polishes its end point;
        # should either fail, BFGS below starts again from where Newton stopped.
        with np.errstate(all="ignore"):
            trusted = optimize.minimize(
                model.negative, theta, jac=True, hess=lambda point: -model.hessian(point),
                method="trust-exact", options={"maxiter": maxiter - iterations, "gtol": 1e-6},
            )  # fmt: skip
        polished = _newton(model, trusted.x, 10)
        if polished[3]:
            theta, hessian, more, done, at_end = polished
            iterations += int(trusted.nit) + more
            message = f"trust-exact: {trusted.message}"
    if not done and iterations < maxiter:
        result = optimize.minimize(
            model.negative, theta, jac=True, method="BFGS",
            options={"maxiter": maxiter - iterations, "gtol": 1e-6},
        )  # fmt: skip
        iterations += int(result.nit)
        message = f"BFGS: {result.message}"
        theta, hessian, more, done, at_end = _newton(model, result.x, 10)
        iterations += more
    if hessian is None:
        hessian = model.hessian(theta)
    llf, gradient = at_end
    max_gradient = float(np.max(np.abs(gradient))) if gradient.size else 0.0
    converged = bool(np.isfinite(llf) and max_gradient < gradient_tolerance)
    reason = None
    if not np.isfinite(llf):
        reason = "the log-likelihood is not finite at the end of the search"
    elif not converged:
        reason = (
            f"the optimizer did not converge in {iterations} iterations (largest |gradient| "
            f"{max_gradient:.3g}; {message})"
        )
    return Maximum(theta, llf, hessian, converged, reason, iterations, max_gradient)


def binary_fit(design: np.ndarray, chosen: np.ndarray, functions: LinkFunctions) -> np.ndarray:
    """Binary probit/logit MLE of ``chosen`` on ``design`` (for starting values).

    Newton-Raphson (the log-likelihood is concave in the coefficients for both links) with
    step halving, from zero, at most 50 steps, stopping when a step gains under 1e-10 or a
    coefficient passes 10; ``d2 log F(x)/dx2`` is ``-lambda (x + lambda)`` for probit
    (``lambda`` the inverse Mills ratio) and ``-Lambda(x) Lambda(-x)`` for logit. Compiled
    (:func:`coercive.estimate._kernels.binary_newton`): in numpy each step's dozen array
    operations cost more than the arithmetic on a few hundred rows.
    """
    from coercive.estimate._kernels import binary_newton

    k = design.shape[1]
    if k == 0 or design.shape[0] == 0:
        return np.zeros(k)
    sign = np.where(chosen, 1.0, -1.0)
    beta = binary_newton(
        np.ascontiguousarray(design, dtype=float), sign, functions.name == "logit"
    )
    # Separation drives coefficients off to infinity; clip so the main fit can recover.
    return np.clip(np.where(np.isfinite(beta), beta, 0.0), -10.0, 10.0)


def check_player_identified(
    columns: Sequence[Sequence[str]], player: Sequence[int], names: Sequence[str]
) -> None:
    """Refuse a regressor that enters every one of a player's utilities ``player``.

    A player's choices depend only on differences of her utilities (expected utilities are
    probability-weighted averages with weights summing to one), so a term common to all of
    them cancels and its coefficients are not identified (Lewis & Schultz 2003).
    """
    shared = set(columns[player[0]])
    for j in player[1:]:
        shared &= set(columns[j])
    if shared:
        term = sorted(shared)[0]
        what = "the constant" if term == "(Intercept)" else f"regressor {term!r}"
        listed = ", ".join(names[j] for j in player)
        raise InputError(
            f"formula: {what} enters all of one player's utilities ({listed}), so the model "
            "is unidentified; drop it from one of them (e.g. fix one utility at 0)"
        )


def outcome_codes(
    design: DesignParts,
    n_outcomes: int,
    indicator_codes: Callable[[np.ndarray], np.ndarray],
    indicator_counts: Sequence[int],
    labels: Callable[[Sequence[str]], tuple[str, ...]],
    model: str,
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Outcome codes ``0..n_outcomes-1`` and games' outcome labels from the left-hand side.

    Accepted: one categorical column with ``n_outcomes`` levels (in tree order), one numeric
    column with ``n_outcomes`` distinct values (sorted = tree order), or 0/1 indicator columns
    (as many as one of ``indicator_counts``) turned into codes by ``indicator_codes``; their
    labels come from ``labels(names)``.
    """  # fmt: skip
    if design.outcome_kind == "categorical":
        levels = design.outcome_levels or ()
        if len(levels) != n_outcomes:
            raise InputError(
                f"formula: categorical outcome {design.outcome_names[0]!r} must have "
                f"{n_outcomes} levels (the {model}'s outcomes in tree order), got {len(levels)}"
            )
        return design.outcome.astype(np.int64), tuple(levels)
    outcome = design.outcome
    if outcome.shape[1] == 1:
        values = np.unique(outcome[:, 0])
        if values.size != n_outcomes:
            raise InputError(
                f"formula: numeric outcome {design.outcome_names[0]!r} must take exactly "
                f"{n_outcomes} values (the {model}'s outcomes in tree order), got {values.size}"
            )
        codes = np.searchsorted(values, outcome[:, 0]).astype(np.int64)
        return codes, tuple(f"{value:g}" for value in values)
    if outcome.shape[1] in indicator_counts:
        for j, name in enumerate(design.outcome_names):
            if not np.all((outcome[:, j] == 0) | (outcome[:, j] == 1)):
                raise InputError(f"formula: outcome indicator {name!r} must be 0 or 1")
        return indicator_codes(outcome.astype(np.int64)), labels(design.outcome_names)
    counts = " or ".join(str(count) for count in indicator_counts)
    raise InputError(
        f"formula: the {model} needs on the left one {n_outcomes}-level categorical, one "
        f"numeric column with {n_outcomes} values, or {counts} 0/1 indicators; "
        f"got {outcome.shape[1]} columns"
    )


def check_options(link: object, error: object, maxiter: object) -> LinkFunctions:
    """Validate ``link``/``error``/``maxiter`` (one clear line each) and return the link."""
    from coercive.games.deterrence import ERRORS, link_functions

    functions = link_functions(link)  # type: ignore[arg-type]
    if not isinstance(error, str) or error not in ERRORS:
        raise InputError(f"error: must be one of {', '.join(ERRORS)}; got {error!r}")
    if isinstance(maxiter, bool) or not isinstance(maxiter, int) or maxiter < 1:
        raise InputError(f"maxiter: expected a positive integer, got {maxiter!r}")
    return functions


def start_vector(start: object, n_params: int, labels: Sequence[str]) -> np.ndarray | None:
    """User starting values as a float vector (``None`` when not given); refuse bad ones."""
    if start is None:
        return None
    try:
        theta = np.asarray(start, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InputTypeError(f"start: expected {n_params} numbers") from None
    if theta.size != n_params or not np.all(np.isfinite(theta)):
        raise InputError(f"start: expected {n_params} finite numbers ({', '.join(labels)})")
    return theta


def utility_labels(
    owners: Sequence[tuple[int, int]],
    outcomes: Sequence[str],
    columns: Sequence[Sequence[str]],
) -> list[str]:
    """Coefficient labels in games' naming, ``u<player>(<outcome>):<term>``, one per column of
    each utility's design matrix (``owners[k]`` = (player, outcome index) of part k)."""
    labels = [
        f"u{player}({outcomes[outcome]}):{term}"
        for (player, outcome), terms in zip(owners, columns, strict=True)
        for term in terms
    ]
    if not labels:
        raise InputError("formula: every utility is fixed at 0; there is nothing to estimate")
    return labels


def starting_values(
    start: object,
    labels: Sequence[str],
    likelihood: IndexLikelihood,
    guess: Callable[[], np.ndarray],
) -> np.ndarray:
    """The user's ``start`` if given, else the model's ``guess()``, else zeros where the
    guess's log-likelihood is not finite (an optimizer cannot start from -inf)."""
    theta0 = start_vector(start, len(labels), labels)
    if theta0 is None:
        theta0 = guess()
        if not np.isfinite(likelihood.loglik(theta0)):
            theta0 = np.zeros(len(labels))
    return theta0


def results_from_maximum(
    *,
    model_name: str,
    likelihood: IndexLikelihood,
    maximum: Maximum,
    labels: Sequence[str],
    design: DesignParts,
    predictor: Callable[[pd.DataFrame | None], pd.DataFrame],
    extra: dict[str, object],
    fixed: Sequence[bool] | None = None,
    loglik_obs: np.ndarray | None = None,
) -> EstimationResults:
    """EstimationResults of a maximum: Hessian covariance, notes, per-row log-likelihoods.

    ``fixed`` marks parameters held at their values (games' fixed scales): their rows and
    columns of the covariance are NaN, the others come from the Hessian of the free ones.
    """  # fmt: skip
    k = len(labels)
    free = np.ones(k, dtype=bool) if fixed is None else ~np.asarray(fixed, dtype=bool)
    cov = np.full((k, k), np.nan)
    notes: list[str] = []
    free_hessian = maximum.hessian[np.ix_(free, free)]
    if np.all(np.isfinite(free_hessian)):
        covariance = hessian_covariance(free_hessian)
        cov[np.ix_(free, free)] = covariance.matrix
        if covariance.note:
            notes.append(covariance.note)
    else:
        notes.append("the Hessian is not finite; standard errors are not available")
    if maximum.reason:
        notes.append(maximum.reason)
    if fixed is not None and not free.all():
        notes.append("parameters held fixed have no standard error")
    return EstimationResults(
        model=model_name,
        method="Maximum likelihood (Newton-Raphson, BFGS where not concave)",
        params=pd.Series(maximum.theta, index=list(labels)),
        cov=cov,
        llf=maximum.llf,
        nobs=design.nobs,
        n_dropped=design.n_dropped,
        converged=maximum.converged,
        notes=tuple(notes),
        fixed=None if fixed is None else ~free,
        predictor=predictor,
        extra={
            **extra,
            "iterations": maximum.iterations,
            "max |gradient|": maximum.max_gradient,
            "converged_reason": maximum.reason or "converged",
            "loglik_obs": (
                likelihood.loglik_obs(maximum.theta) if loglik_obs is None else loglik_obs
            ),
            "hessian": maximum.hessian,
            "objective": _objective(likelihood, fixed),
            "fixed": np.zeros(k, dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool),
        },
        covariance_type="inverse negative Hessian",
    )


def fit_outcome_tree(
    *,
    model_name: str,
    formula: str,
    link: str,
    error: str,
    design: DesignParts,
    outcomes: Sequence[str],
    labels: Sequence[str],
    likelihood: IndexLikelihood,
    start: object,
    guess: Callable[[], np.ndarray],
    maxiter: int,
    outcome_probabilities: Callable[[np.ndarray], Sequence[np.ndarray]],
) -> EstimationResults:
    """Maximize a game tree's ``likelihood`` and return its results (egame122, egame123).

    The games whose outcome is one leaf of the tree share everything after the likelihood:
    the start (:func:`starting_values`), the maximum, a predictor giving each outcome's
    probability (``outcome_probabilities(utilities)``, one array per ``outcomes`` name, in
    tree order) on the fitted rows or ``newdata``, and the same ``extra`` fields.
    """
    theta0 = starting_values(start, labels, likelihood, guess)
    maximum = maximize(likelihood, theta0, maxiter)
    theta = maximum.theta

    def predictor(newdata: pd.DataFrame | None = None) -> pd.DataFrame:
        regressors, index = design.prediction_rows(likelihood.matrices, newdata)
        shares = outcome_probabilities(likelihood.utilities(theta, regressors))
        return pd.DataFrame(dict(zip(outcomes, shares, strict=True)), index=index)

    return results_from_maximum(
        model_name=model_name, likelihood=likelihood, maximum=maximum, labels=labels,
        design=design, predictor=predictor,
        extra={"link": link, "error": error, "outcomes": ", ".join(outcomes), "formula": formula,
               "n_outcomes": len(outcomes)},
    )  # fmt: skip


def _objective(
    likelihood: IndexLikelihood, fixed: Sequence[bool] | None
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """``theta -> (loglik, gradient)`` over the reported parameters (fixed ones included).

    Stored on the results for :func:`coercive.estimate.profile.profile`; the gradient of a
    fixed parameter is reported as 0.
    """
    free = None if fixed is None else ~np.asarray(fixed, dtype=bool)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        theta = np.asarray(theta, dtype=float)
        if free is None:
            return likelihood.loglik_and_gradient(theta)
        value, gradient = likelihood.loglik_and_gradient(theta[free])
        full = np.zeros(theta.size)
        full[free] = gradient
        return value, full

    return objective
