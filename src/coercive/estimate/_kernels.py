"""Compiled (numba) inner loops shared by the games-family likelihoods.

A profile of the small fits (a few hundred rows) showed numpy's per-call overhead, not
arithmetic, dominating: each likelihood evaluation was ~40 array operations of a few
microseconds each. Here the row loops are written once in scalar form and compiled:

* the link primitives (probit/logit ``F``, ``f``, and ``(log F, f/F)`` together, tail-safe,
  from :mod:`coercive.games._normal`), which the models' row kernels call;
* the linear algebra of :class:`coercive.estimate.strategic.IndexLikelihood` on the stacked
  design ``X = [X_1 .. X_J]`` (column ``c`` belongs to index ``block[c]``): the gradient
  ``sum_i X_ic dg_i/du_block[c]`` and the Hessian ``sum_i X_ic X_id d2g_i/du_block[c]
  du_block[d]`` in one pass over the rows;
* the binary probit/logit fits of the statistical-backwards-induction starts, and a small
  Cholesky solve.

Everything is ``cache=True``; only :mod:`coercive.estimate` imports this module, so the policy
path (``coercive assess``) never loads or compiles it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from coercive.games._normal import _mills, log_ndtr, ndtr

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT2 = math.sqrt(2.0)
# Above this the probit CDF is used directly (relative error ~1e-16 down to ~1e-300, as in
# coercive.estimate.strategic.log_cdf_and_score); below, the asymptotic series.
_DIRECT_PROBIT_FLOOR = -30.0

__all__ = [
    "binary_newton",
    "cholesky_solve",
    "gradient_from_rows",
    "hessian_from_rows",
    "log_cdf_and_score_given",
    "link_cdf",
    "link_cdf_pair",
    "link_log_cdf_and_score",
    "link_log_cdf_curvature",
    "link_pdf_slope",
    "link_pdf",
]


@njit(cache=True, nogil=True, error_model="numpy")
def _expit(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@njit(cache=True, nogil=True, error_model="numpy")
def link_cdf(x: float, logit: bool) -> float:
    """``F(x)``: the standard normal (probit) or logistic (logit) CDF."""
    return _expit(x) if logit else ndtr(x)


@njit(cache=True, nogil=True, error_model="numpy")
def link_cdf_pair(x: float, logit: bool) -> tuple[float, float]:
    """``(F(x), F(-x))`` from one CDF evaluation; the smaller one is computed directly, so
    both keep full relative precision (the larger is ``1 -`` a number below 1/2)."""
    small = link_cdf(-abs(x), logit)
    return (1.0 - small, small) if x >= 0.0 else (small, 1.0 - small)


@njit(cache=True, nogil=True, error_model="numpy")
def link_pdf(x: float, logit: bool) -> float:
    """``f(x) = F'(x)``."""
    if logit:
        return _expit(x) * _expit(-x)
    return math.exp(-0.5 * x * x - _LOG_SQRT_2PI)


@njit(cache=True, nogil=True, error_model="numpy")
def link_log_cdf_and_score(x: float, logit: bool) -> tuple[float, float]:
    """``(log F(x), f(x)/F(x))``, accurate far into the lower tail for both links."""
    if logit:
        # log Lambda(x) = -log(1 + e^-x), written without overflow on either side
        log_cdf = -math.log1p(math.exp(-x)) if x >= 0.0 else x - math.log1p(math.exp(x))
        return log_cdf, _expit(-x)
    if x > _DIRECT_PROBIT_FLOOR:
        # one erfc for both (log_ndtr and the Mills ratio would take two each)
        cdf = 0.5 * math.erfc(-x / _SQRT2)
        return math.log(cdf), math.exp(-0.5 * x * x - _LOG_SQRT_2PI) / cdf
    return log_ndtr(x), _mills(x)


@njit(cache=True, nogil=True, error_model="numpy")
def log_cdf_and_score_given(
    probability: float, density: float, x: float, logit: bool
) -> tuple[float, float]:
    """``(log F(x), f(x)/F(x))`` when ``F(x)`` and ``f(x)`` are already in hand (a player's
    choice probability and its density, computed for the previous player's expected
    utility): a log and a division instead of a second CDF; the far tail, where ``F``
    underflows, falls back to :func:`link_log_cdf_and_score`."""
    if probability > 1e-300:
        return math.log(probability), density / probability
    return link_log_cdf_and_score(x, logit)


@njit(cache=True, nogil=True, error_model="numpy")
def link_pdf_slope(x: float, logit: bool) -> float:
    """``f'(x)``: ``-x f(x)`` (probit), ``f(x) (1 - 2 F(x))`` (logit)."""
    if logit:
        return link_pdf(x, logit) * (_expit(-x) - _expit(x))
    return -x * link_pdf(x, logit)


@njit(cache=True, nogil=True, error_model="numpy")
def link_log_cdf_curvature(x: float, score: float, logit: bool) -> float:
    """``d2 log F(x) / dx2`` given ``score = f(x)/F(x)``: ``-score (x + score)`` (probit,
    ``score`` the inverse Mills ratio), ``-f(x)`` (logit)."""
    if logit:
        return -link_pdf(x, logit)
    return -score * (x + score)


@njit(cache=True, nogil=True)
def gradient_from_rows(x: np.ndarray, block: np.ndarray, first: np.ndarray) -> np.ndarray:
    """``sum_i x[i, c] first[block[c], i]`` for every column ``c``."""
    n, k = x.shape
    out = np.zeros(k)
    for i in range(n):
        for c in range(k):
            out[c] += x[i, c] * first[block[c], i]
    return out


@njit(cache=True, nogil=True)
def hessian_from_rows(x: np.ndarray, block: np.ndarray, second: np.ndarray) -> np.ndarray:
    """``sum_i x[i, c] x[i, d] second[block[c], block[d], i]`` (symmetric ``(k, k)``)."""
    n, k = x.shape
    out = np.zeros((k, k))
    for i in range(n):
        for c in range(k):
            weighted = x[i, c]
            if weighted == 0.0:
                continue
            bc = block[c]
            for d in range(c + 1):
                out[c, d] += weighted * x[i, d] * second[bc, block[d], i]
    for c in range(k):
        for d in range(c):
            out[d, c] = out[c, d]
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _binary_pass(
    design: np.ndarray,
    sign: np.ndarray,
    beta: np.ndarray,
    logit: bool,
    gradient: np.ndarray,
    information: np.ndarray,
) -> float:
    """Log-likelihood at ``beta``; fills its gradient and information (one pass: a step's
    log-likelihood check also yields the next step's derivatives)."""
    n, k = design.shape
    gradient[:] = 0.0
    information[:, :] = 0.0
    total = 0.0
    for i in range(n):
        index = 0.0
        for c in range(k):
            index += design[i, c] * beta[c]
        signed = sign[i] * index
        log_cdf, score = link_log_cdf_and_score(signed, logit)
        total += log_cdf
        slope = sign[i] * score
        curvature = -link_log_cdf_curvature(signed, score, logit)
        for c in range(k):
            weighted = design[i, c] * curvature
            gradient[c] += design[i, c] * slope
            for d in range(c + 1):
                information[c, d] += weighted * design[i, d]
    for c in range(k):
        information[c, c] += 1e-10
        for d in range(c):
            information[d, c] = information[c, d]
    return total


@njit(cache=True, nogil=True, error_model="numpy")
def cholesky_solve(matrix: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, bool]:
    """Solve ``matrix x = rhs`` for a symmetric positive definite ``matrix`` (small ``k``);
    ``ok`` is False when a pivot is not positive."""
    k = rhs.shape[0]
    lower = np.zeros((k, k))
    for j in range(k):
        pivot = matrix[j, j]
        for p in range(j):
            pivot -= lower[j, p] * lower[j, p]
        if not pivot > 0.0:
            return rhs * 0.0, False
        lower[j, j] = math.sqrt(pivot)
        for i in range(j + 1, k):
            value = matrix[i, j]
            for p in range(j):
                value -= lower[i, p] * lower[j, p]
            lower[i, j] = value / lower[j, j]
    y = np.empty(k)
    for i in range(k):
        value = rhs[i]
        for p in range(i):
            value -= lower[i, p] * y[p]
        y[i] = value / lower[i, i]
    x = np.empty(k)
    for i in range(k - 1, -1, -1):
        value = y[i]
        for p in range(i + 1, k):
            value -= lower[p, i] * x[p]
        x[i] = value / lower[i, i]
    return x, True


@njit(cache=True, nogil=True, error_model="numpy")
def binary_newton(design: np.ndarray, sign: np.ndarray, logit: bool) -> np.ndarray:
    """Binary probit/logit MLE by Newton-Raphson with step halving (see
    :func:`coercive.estimate.strategic.binary_fit`, which documents and wraps it)."""
    k = design.shape[1]
    beta = np.zeros(k)
    gradient = np.zeros(k)
    information = np.zeros((k, k))
    trial_gradient = np.zeros(k)
    trial_information = np.zeros((k, k))
    current = _binary_pass(design, sign, beta, logit, gradient, information)
    for _ in range(50):
        step, ok = cholesky_solve(information, gradient)
        if not ok:
            break
        accepted = False
        candidate = beta + step
        value = current
        for _ in range(30):
            candidate = beta + step
            value = _binary_pass(design, sign, candidate, logit, trial_gradient, trial_information)
            if value >= current - 1e-12:
                accepted = True
                break
            step = step / 2.0
        if not accepted:
            break
        improvement = value - current
        beta = candidate
        current = value
        gradient[:] = trial_gradient
        information[:, :] = trial_information
        largest = 0.0
        for c in range(k):
            largest = max(largest, abs(beta[c]))
        if improvement < 1e-10 or largest > 10.0:
            break
    return beta
