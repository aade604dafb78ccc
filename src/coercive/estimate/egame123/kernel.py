"""Compiled row kernel of games' egame123 log-likelihood.

The formulas of :func:`coercive.estimate.egame123.model.row_loglik_and_gradient` (the
readable numpy reference, whose docstring derives the chain rule), per row, so one
evaluation costs microseconds of arithmetic instead of ~60 numpy operations. Second
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
def egame123_rows(
    utilities: np.ndarray,
    want_second: bool,
    outcome: np.ndarray,
    logit: bool,
    private: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row log-likelihoods ``(m,)`` and derivatives in the eight utilities ``(8, m)``.

    ``utilities`` is ``(8, m)`` (``u11, u13, u15, u16, u23, u25, u26, u36``), ``m`` a
    multiple of the ``n`` rows (column ``c`` is data row ``c % n``); ``outcome`` codes 0..3.
    ``want_second`` must be False (no exact second derivatives here; the third array is
    empty).
    """
    m = utilities.shape[1]
    n = outcome.shape[0]
    rows = np.empty(m)
    first = np.empty((8, m))
    for c in range(m):
        i = c - (c // n) * n
        code = outcome[i]
        u11 = utilities[0, c]
        u13 = utilities[1, c]
        u15 = utilities[2, c]
        u16 = utilities[3, c]
        u23 = utilities[4, c]
        u25 = utilities[5, c]
        u26 = utilities[6, c]
        u36 = utilities[7, c]
        a3 = u36 / _SQRT2
        p3, q3 = link_cdf_pair(a3, logit)
        gain2 = p3 * u26 + q3 * u25 - u23
        if private:
            s2 = math.sqrt(1.0 + p3 * p3 + q3 * q3)
            ds2_dp3 = (2.0 * p3 - 1.0) / s2
        else:
            s2 = _SQRT2
            ds2_dp3 = 0.0
        x2 = gain2 / s2
        p2, q2 = link_cdf_pair(x2, logit)
        gain1 = q2 * u13 + p2 * q3 * u15 + p2 * p3 * u16 - u11
        if private:
            spread3 = p3 * p3 + q3 * q3
            s1 = math.sqrt(1.0 + q2 * q2 + p2 * p2 * spread3)
            ds1_dp2 = (p2 * spread3 - q2) / s1
            ds1_dp3 = p2 * p2 * (2.0 * p3 - 1.0) / s1
        else:
            s1 = _SQRT2
            ds1_dp2 = 0.0
            ds1_dp3 = 0.0
        x1 = gain1 / s1
        # player 1 moves on unless the outcome is 0; player 2 (reached unless 0) unless 1;
        # player 3 (reached at 2, 3) moves on at 3
        sign1 = -1.0 if code == 0 else 1.0
        log1, score1 = link_log_cdf_and_score(sign1 * x1, logit)
        value = log1
        g1 = sign1 * score1
        g2 = 0.0
        g3 = 0.0
        # players 2 and 3: F(+-x) are the probabilities already in hand (f is symmetric)
        density2 = link_pdf(x2, logit)
        density3 = link_pdf(a3, logit)
        if code >= 1:
            sign2 = -1.0 if code == 1 else 1.0
            log2, score2 = log_cdf_and_score_given(
                q2 if code == 1 else p2, density2, sign2 * x2, logit
            )
            value += log2
            g2 = sign2 * score2
        if code >= 2:
            sign3 = -1.0 if code == 2 else 1.0
            log3, score3 = log_cdf_and_score_given(
                q3 if code == 2 else p3, density3, sign3 * a3, logit
            )
            value += log3
            g3 = sign3 * score3
        rows[c] = value
        dx1_dp2 = (-u13 + q3 * u15 + p3 * u16) / s1 - x1 * ds1_dp2 / s1
        dx1_dp3 = p2 * (u16 - u15) / s1 - x1 * ds1_dp3 / s1
        big_g2 = g2 + g1 * dx1_dp2 * density2
        dx2_dp3 = (u26 - u25) / s2 - x2 * ds2_dp3 / s2
        dl_dp3 = g1 * dx1_dp3 + big_g2 * dx2_dp3
        first[0, c] = -g1 / s1
        first[1, c] = g1 * q2 / s1
        first[2, c] = g1 * p2 * q3 / s1
        first[3, c] = g1 * p2 * p3 / s1
        first[4, c] = -big_g2 / s2
        first[5, c] = big_g2 * q3 / s2
        first[6, c] = big_g2 * p3 / s2
        first[7, c] = (g3 + dl_dp3 * density3) / _SQRT2
    return rows, first, np.zeros((8, 8, 0))
