"""Compiled row kernel of the statistical ultimatum game's log-likelihood (games' ultimatum).

The formulas of :func:`coercive.estimate.ultimatum.model.row_loglik_and_gradient` (the
readable numpy reference, whose docstring derives the chain rule), per row, so one
evaluation costs microseconds of arithmetic instead of ~50 numpy operations. Rows where the
log-likelihood is not finite (an offer the parameters make impossible) get ``-inf`` and a zero
gradient, as in the reference. Second derivatives come from differences of these exact first
ones (:class:`coercive.estimate.strategic.IndexLikelihood`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, error_model="numpy")
def _logistic_pieces(x: float) -> tuple[float, float, float]:
    """``(log Lambda(x), log Lambda(-x), Lambda(x))`` from one exponential and one log1p
    (each alone would take its own), stable for every ``x`` (infinite included)."""
    small = math.exp(-abs(x))
    shared = math.log1p(small)
    if x >= 0.0:
        return -shared, -x - shared, 1.0 / (1.0 + small)
    return x - shared, -shared, small / (1.0 + small)


@njit(cache=True, nogil=True, error_model="numpy")
def ultimatum_rows(
    utilities: np.ndarray,
    want_second: bool,
    offer: np.ndarray,
    accept: np.ndarray,
    has_accept: bool,
    position: np.ndarray,
    max_offer: float,
    log_s1_offset: float,
    log_s2_offset: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row log-likelihoods ``(m,)`` and derivatives in ``(R1, R2, log s1, log s2)`` ``(4, m)``.

    ``utilities`` is ``(4, m)``, ``m`` a multiple of the ``n`` rows (column ``c`` is data row
    ``c % n``); the offsets are added to the log-scales (a scale held fixed is an index that
    is always 0 plus its fixed log). ``position``: -1 smallest offer, +1 largest, 0 interior.
    ``accept`` is used when ``has_accept``. ``want_second`` must be False.
    """
    m = utilities.shape[1]
    n = offer.shape[0]
    rows = np.empty(m)
    first = np.empty((4, m))
    for c in range(m):
        i = c - (c // n) * n
        r1 = utilities[0, c]
        r2 = utilities[1, c]
        log_s1 = utilities[2, c] + log_s1_offset
        log_s2 = utilities[3, c] + log_s2_offset
        s1 = math.exp(log_s1)
        s2 = math.exp(log_s2)
        z = (offer[i] - r2) / s2
        growth = math.exp(z)
        x = (max_offer - offer[i] - r1 - s2 * (1.0 + growth)) / s1
        place = position[i]
        interior = 0.0
        dl_dz = 0.0
        log_x, log_minus_x, lambda_x = _logistic_pieces(x)
        log_z, log_minus_z, lambda_z = _logistic_pieces(z)
        if place < 0:
            value = log_minus_x
            dl_dx = -lambda_x
        elif place > 0:
            value = log_x
            dl_dx = 1.0 - lambda_x
        else:
            interior = 1.0
            # log of the logistic density at x, the Jacobian 1/(1 - p) = 1 + e^z and 1/s1
            # (log(1 + e^z) = -log Lambda(-z))
            value = log_x + log_minus_x - log_s1 - log_minus_z
            dl_dx = 1.0 - 2.0 * lambda_x
            dl_dz = lambda_z
        if has_accept:
            value += log_z if accept[i] == 1.0 else log_minus_z
            dl_dz += accept[i] - lambda_z
        if not math.isfinite(value):
            rows[c] = -math.inf
            for j in range(4):
                first[j, c] = 0.0
            continue
        rows[c] = value
        total_z = dl_dx * (-s2 * growth / s1) + dl_dz
        first[0, c] = -dl_dx / s1
        first[1, c] = -total_z / s2
        first[2, c] = -dl_dx * x - interior
        first[3, c] = -total_z * z - dl_dx * s2 * (1.0 + growth) / s1
    return rows, first, np.zeros((4, 4, 0))
