"""Compiled row kernel of games' egame122 log-likelihood.

The formulas of :func:`coercive.estimate.egame122.model.row_loglik_and_gradient` (the
readable numpy reference, whose docstring derives the chain rule), per row, so one
evaluation costs microseconds of arithmetic instead of ~40 numpy operations. Second
derivatives come from differences of these exact first ones
(:class:`coercive.estimate.strategic.IndexLikelihood`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from coercive.estimate._kernels import (
    link_cdf_pair,
    link_log_cdf_and_score,
    link_pdf,
    log_cdf_and_score_given,
)

_SQRT2 = math.sqrt(2.0)


@njit(cache=True, nogil=True, error_model="numpy")
def egame122_rows(
    utilities: np.ndarray,
    want_second: bool,
    outcome: np.ndarray,
    logit: bool,
    private: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row log-likelihoods ``(m,)`` and derivatives in the six utilities ``(6, m)``.

    ``utilities`` is ``(6, m)`` (``u11, u12, u13, u14, u22, u24``), ``m`` a multiple of the
    ``n`` rows (column ``c`` is data row ``c % n``); ``outcome`` codes 0..3 (LL, LR, RL, RR).
    ``want_second`` must be False (the third array is empty).
    """
    m = utilities.shape[1]
    n = outcome.shape[0]
    rows = np.empty(m)
    first = np.empty((6, m))
    for c in range(m):
        i = c - (c // n) * n
        code = outcome[i]
        u11 = utilities[0, c]
        u12 = utilities[1, c]
        u13 = utilities[2, c]
        u14 = utilities[3, c]
        u22 = utilities[4, c]
        u24 = utilities[5, c]
        a2 = u22 / _SQRT2
        a4 = u24 / _SQRT2
        p2, q2 = link_cdf_pair(a2, logit)
        p4, q4 = link_cdf_pair(a4, logit)
        gain = p4 * u14 + q4 * u13 - p2 * u12 - q2 * u11
        if private:
            scale = math.sqrt(p2 * p2 + q2 * q2 + p4 * p4 + q4 * q4)
            dscale2 = (2.0 * p2 - 1.0) / scale
            dscale4 = (2.0 * p4 - 1.0) / scale
        else:
            scale = _SQRT2
            dscale2 = 0.0
            dscale4 = 0.0
        index = gain / scale
        right = code >= 2
        sign1 = 1.0 if right else -1.0
        sign2 = 1.0 if code % 2 == 1 else -1.0
        second = a4 if right else a2
        log1, score1 = link_log_cdf_and_score(sign1 * index, logit)
        # player 2's choice: F(+-a) are p2/q2 or p4/q4 already in hand
        density2 = link_pdf(a2, logit)
        density4 = link_pdf(a4, logit)
        if right:
            chosen = p4 if sign2 > 0.0 else q4
        else:
            chosen = p2 if sign2 > 0.0 else q2
        log2, score2 = log_cdf_and_score_given(
            chosen, density4 if right else density2, sign2 * second, logit
        )
        rows[c] = log1 + log2
        g1 = sign1 * score1
        g2 = sign2 * score2
        dx_dp2 = (u11 - u12) / scale - index * dscale2 / scale
        dx_dp4 = (u14 - u13) / scale - index * dscale4 / scale
        first[0, c] = -g1 * q2 / scale
        first[1, c] = -g1 * p2 / scale
        first[2, c] = g1 * q4 / scale
        first[3, c] = g1 * p4 / scale
        first[4, c] = (g1 * dx_dp2 * density2 + (0.0 if right else g2)) / _SQRT2
        first[5, c] = (g1 * dx_dp4 * density4 + (g2 if right else 0.0)) / _SQRT2
    return rows, first, np.zeros((6, 6, 0))
