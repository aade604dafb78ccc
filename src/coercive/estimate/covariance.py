"""Covariance matrices for maximum-likelihood estimates (shared by all estimators).

Conventions: ``hessian`` is the Hessian of the *log-likelihood* (negative definite at an
interior maximum), ``scores`` the ``(n, k)`` per-observation gradients of the log-likelihood.
The classical covariance is ``(-H)^-1``; the outer-product-of-gradients (BHHH) one is
``(S'S)^-1``; the robust sandwich is ``H^-1 (S'S) H^-1`` (White 1982).

API
---
``numerical_hessian(gradient, x, *, relative_step=1e-5) -> ndarray``
    Central differences of an (analytic) gradient function, symmetrized.
``numerical_gradient(function, x, *, relative_step=1e-6) -> ndarray``
    Central differences of a scalar function (for checks and baselines).
``hessian_covariance(hessian) -> Covariance``
``opg_covariance(scores) -> Covariance``
``sandwich_covariance(hessian, scores) -> Covariance``
``Covariance``: ``matrix`` (``k x k``; all NaN when not available), ``ok`` (bool), ``note``
    (``None`` or one sentence saying why the matrix is NaN, for the results' summary).

A singular or not negative-definite Hessian never yields numbers: the matrix is NaN and the
note says what was found, so standard errors print as NaN with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Covariance",
    "hessian_covariance",
    "numerical_gradient",
    "numerical_hessian",
    "opg_covariance",
    "sandwich_covariance",
]

# Eigenvalues of -H below this fraction of the largest are treated as zero (singular).
_RELATIVE_EIGEN_TOLERANCE = 1e-10


@dataclass(frozen=True)
class Covariance:
    """A covariance matrix, or NaN with the reason it could not be formed."""

    matrix: np.ndarray
    ok: bool
    note: str | None = None


def _steps(x: np.ndarray, relative_step: float) -> np.ndarray:
    return relative_step * np.maximum(np.abs(x), 1.0)


def numerical_gradient(
    function: Callable[[np.ndarray], float], x: np.ndarray, *, relative_step: float = 1e-6
) -> np.ndarray:
    """Central-difference gradient of a scalar function."""
    x = np.asarray(x, dtype=float)
    steps = _steps(x, relative_step)
    gradient = np.empty_like(x)
    for i, step in enumerate(steps):
        forward, backward = x.copy(), x.copy()
        forward[i] += step
        backward[i] -= step
        gradient[i] = (function(forward) - function(backward)) / (2.0 * step)
    return gradient


def numerical_hessian(
    gradient: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    *,
    relative_step: float = 1e-5,
) -> np.ndarray:
    """Hessian by central differences of ``gradient``, symmetrized."""
    x = np.asarray(x, dtype=float)
    k = x.size
    steps = _steps(x, relative_step)
    hessian = np.empty((k, k))
    for i, step in enumerate(steps):
        forward, backward = x.copy(), x.copy()
        forward[i] += step
        backward[i] -= step
        hessian[:, i] = (np.asarray(gradient(forward)) - np.asarray(gradient(backward))) / (
            2.0 * step
        )
    return 0.5 * (hessian + hessian.T)


def _nan(k: int, note: str) -> Covariance:
    return Covariance(matrix=np.full((k, k), np.nan), ok=False, note=note)


def _inverse_positive_definite(matrix: np.ndarray, what: str) -> Covariance:
    """Inverse of a symmetric matrix that must be positive definite, else NaN + note."""
    k = matrix.shape[0]
    if k == 0:
        return Covariance(matrix=np.zeros((0, 0)), ok=True)
    if not np.all(np.isfinite(matrix)):
        return _nan(k, f"{what} has NaN/inf entries; standard errors are not available")
    symmetric = 0.5 * (matrix + matrix.T)
    eigenvalues, eigenvectors = np.linalg.eigh(symmetric)
    largest = float(np.max(np.abs(eigenvalues)))
    if largest == 0.0 or eigenvalues[0] <= _RELATIVE_EIGEN_TOLERANCE * largest:
        kind = (
            "singular"
            if abs(eigenvalues[0]) <= _RELATIVE_EIGEN_TOLERANCE * largest
            else ("not definite")
        )
        return _nan(
            k,
            f"{what} is {kind} (smallest eigenvalue {eigenvalues[0]:.3g}, largest "
            f"{largest:.3g}): the model may be unidentified or the optimum not reached; "
            "standard errors are not available",
        )
    inverse = (eigenvectors / eigenvalues) @ eigenvectors.T
    return Covariance(matrix=0.5 * (inverse + inverse.T), ok=True)


def hessian_covariance(hessian: np.ndarray) -> Covariance:
    """``(-H)^-1`` for the log-likelihood Hessian ``H``; NaN unless ``-H`` is positive definite."""
    hessian = np.asarray(hessian, dtype=float)
    return _inverse_positive_definite(-hessian, "the negative Hessian of the log-likelihood")


def opg_covariance(scores: np.ndarray) -> Covariance:
    """Outer-product-of-gradients (BHHH) covariance ``(S'S)^-1``."""
    scores = np.asarray(scores, dtype=float)
    return _inverse_positive_definite(scores.T @ scores, "the outer product of the scores")


def sandwich_covariance(hessian: np.ndarray, scores: np.ndarray) -> Covariance:
    """Robust covariance ``H^-1 (S'S) H^-1``; NaN unless ``-H`` is positive definite."""
    bread = hessian_covariance(hessian)
    if not bread.ok:
        return bread
    scores = np.asarray(scores, dtype=float)
    meat = scores.T @ scores
    matrix = bread.matrix @ meat @ bread.matrix
    return Covariance(matrix=0.5 * (matrix + matrix.T), ok=True)
