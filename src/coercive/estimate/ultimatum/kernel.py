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

from coercive.estimate._kernels import link_cdf, link_log_cdf_and_score


@njit(cache=True, nogil=True, error_model="numpy")
def _log_expit(x: float) -> float:
    return link_log_cdf_and_score(x, True)[0]


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
        if place < 0:
            value = _log_expit(-x)
            dl_dx = -link_cdf(x, True)
        elif place > 0:
            value = _log_expit(x)
            dl_dx = link_cdf(-x, True)
        else:
            interior = 1.0
            # log of the logistic density at x, the Jacobian 1/(1 - p) = 1 + e^z and 1/s1
            softplus = max(z, 0.0) + math.log1p(math.exp(-abs(z)))
            value = _log_expit(x) + _log_expit(-x) - log_s1 + softplus
            dl_dx = 1.0 - 2.0 * link_cdf(x, True)
            dl_dz = link_cdf(z, True)
        if has_accept:
            if accept[i] == 1.0:
                value += _log_expit(z)
            else:
                value += _log_expit(-z)
            dl_dz += accept[i] - link_cdf(z, True)
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
