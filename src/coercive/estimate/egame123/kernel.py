"""Compiled row kernel of games' egame123 log-likelihood.

The formulas of :func:`coercive.estimate.egame123.model.row_loglik_and_gradient` (the
readable numpy reference, whose docstring derives the chain rule), per row, so one
evaluation costs microseconds of arithmetic instead of ~60 numpy operations, with the exact
second derivatives in the eight utilities (a Hessian then costs about two evaluations, not
the nine of differencing the gradient).

Second derivatives. Each index is a ratio ``x = G/S`` of an expected-utility gain and a
scale, both functions of the utilities and of the later players' probabilities; with
subscripts for partial derivatives in any two of those arguments,
``x_a = (G_a - x S_a)/S`` and ``x_ab = (G_ab - x_a S_b - x_b S_a - x S_ab)/S``, where
``S_ab = ((S^2)_ab / 2 - S_a S_b)/S`` (``S^2`` is a quadratic in the probabilities). The
totals follow the order of play: ``p3 = F(u36/sqrt2)``, then ``x2(u23, u25, u26, p3)`` and
``p2 = F(x2)`` (``d2p2 = f'(x2) dx2 dx2' + f(x2) d2x2``), then ``x1(u11..u16, p2, p3)``. With
``l = log F(s1 x1) + [reached 2] log F(s2 x2) + [reached 3] log F(s3 a3)``::

    d2l = h1'' dx1 dx1' + s1 h1' d2x1 + [2] (k'' dx2 dx2' + s2 k' d2x2) + [3] m'' da3 da3'

(``h'``, ``h''``: first and second derivatives of ``log F`` at the signed index).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from coercive.estimate._kernels import (
    link_cdf_pair,
    link_log_cdf_and_score,
    link_log_cdf_curvature,
    link_pdf,
    link_pdf_slope,
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
    With ``want_second`` the third array holds the exact second derivatives ``(8, 8, m)``
    (else it is ``(8, 8, 0)``).
    """
    m = utilities.shape[1]
    n = outcome.shape[0]
    rows = np.empty(m)
    first = np.empty((8, m))
    second = np.zeros((8, 8, m if want_second else 0))
    # per-row work arrays for the second derivatives (indices 0..7 = the utilities)
    dp3 = np.zeros(8)
    dx2 = np.zeros(8)
    d2x2 = np.zeros((8, 8))
    dp2 = np.zeros(8)
    dx1 = np.zeros(8)
    d2x1 = np.zeros((8, 8))
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
        sign2 = -1.0 if code == 1 else 1.0
        sign3 = -1.0 if code == 2 else 1.0
        log1, score1 = link_log_cdf_and_score(sign1 * x1, logit)
        value = log1
        g1 = sign1 * score1
        g2 = 0.0
        g3 = 0.0
        # players 2 and 3: F(+-x) are the probabilities already in hand (f is symmetric)
        density2 = link_pdf(x2, logit)
        density3 = link_pdf(a3, logit)
        score2 = 0.0
        score3 = 0.0
        if code >= 1:
            log2, score2 = log_cdf_and_score_given(
                q2 if code == 1 else p2, density2, sign2 * x2, logit
            )
            value += log2
            g2 = sign2 * score2
        if code >= 2:
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
        if not want_second:
            continue
        # --- exact second derivatives (module docstring) ---
        # player 3: p3 = F(a3), a3 = u36 / sqrt2
        p3_u = density3 / _SQRT2
        p3_uu = link_pdf_slope(a3, logit) / 2.0
        dp3[:] = 0.0
        dp3[7] = p3_u
        # player 2: x2 = G2/S2 over (u23, u25, u26; p3); S2^2 = 1 + p3^2 + q3^2
        if private:
            s2_p = (p3 - q3) / s2
            s2_pp = (2.0 - s2_p * s2_p) / s2
        else:
            s2_p = 0.0
            s2_pp = 0.0
        x2_p = ((u26 - u25) - x2 * s2_p) / s2
        x2_pp = (-2.0 * x2_p * s2_p - x2 * s2_pp) / s2
        dx2[:] = 0.0
        d2x2[:, :] = 0.0
        # weights of (u23, u25, u26) in G2 and their derivatives in p3
        w2 = (-1.0, q3, p3)
        w2_p = (0.0, -1.0, 1.0)
        for k in range(3):
            x2_k = w2[k] / s2
            dx2[4 + k] = x2_k
            # x_{k p} = (G_{k p} - x_k S_p) / S
            d2x2[4 + k, 7] = (w2_p[k] - x2_k * s2_p) / s2 * p3_u
            d2x2[7, 4 + k] = d2x2[4 + k, 7]
        dx2[7] = x2_p * p3_u
        d2x2[7, 7] = x2_pp * p3_u * p3_u + x2_p * p3_uu
        # p2 = F(x2)
        slope2 = link_pdf_slope(x2, logit)
        for a in range(8):
            dp2[a] = density2 * dx2[a]
        # player 1: x1 = G1/S1 over (u11, u13, u15, u16; p2, p3);
        # S1^2 = 1 + q2^2 + p2^2 T, T = p3^2 + q3^2
        if private:
            spread = p3 * p3 + q3 * q3
            s1_2 = (p2 * spread - q2) / s1
            s1_3 = p2 * p2 * (p3 - q3) / s1
            s1_22 = (1.0 + spread - s1_2 * s1_2) / s1
            s1_23 = (2.0 * p2 * (p3 - q3) - s1_2 * s1_3) / s1
            s1_33 = (2.0 * p2 * p2 - s1_3 * s1_3) / s1
        else:
            s1_2 = s1_3 = s1_22 = s1_23 = s1_33 = 0.0
        g1_2 = -u13 + q3 * u15 + p3 * u16
        g1_3 = p2 * (u16 - u15)
        g1_23 = u16 - u15
        x1_2 = (g1_2 - x1 * s1_2) / s1
        x1_3 = (g1_3 - x1 * s1_3) / s1
        x1_22 = (-2.0 * x1_2 * s1_2 - x1 * s1_22) / s1
        x1_23 = (g1_23 - x1_2 * s1_3 - x1_3 * s1_2 - x1 * s1_23) / s1
        x1_33 = (-2.0 * x1_3 * s1_3 - x1 * s1_33) / s1
        # weights of (u11, u13, u15, u16) in G1 and their derivatives in p2 and p3
        w1 = (-1.0, q2, p2 * q3, p2 * p3)
        w1_2 = (0.0, -1.0, q3, p3)
        w1_3 = (0.0, 0.0, -p2, p2)
        for a in range(8):
            dx1[a] = x1_2 * dp2[a] + x1_3 * dp3[a]
        for k in range(4):
            dx1[k] += w1[k] / s1
        for a in range(8):
            for b in range(a + 1):
                d2p2 = slope2 * dx2[a] * dx2[b] + density2 * d2x2[a, b]
                d2p3 = p3_uu if a == 7 and b == 7 else 0.0
                d2x1[a, b] = (
                    x1_22 * dp2[a] * dp2[b]
                    + x1_23 * (dp2[a] * dp3[b] + dp3[a] * dp2[b])
                    + x1_33 * dp3[a] * dp3[b]
                    + x1_2 * d2p2
                    + x1_3 * d2p3
                )
        for k in range(4):
            x1_k = w1[k] / s1
            x1_k2 = (w1_2[k] - x1_k * s1_2) / s1
            x1_k3 = (w1_3[k] - x1_k * s1_3) / s1
            for b in range(8):
                cross = x1_k2 * dp2[b] + x1_k3 * dp3[b]
                if b <= k:
                    d2x1[k, b] += cross
                else:
                    d2x1[b, k] += cross
            # the (k, k) entry got the cross term once; it needs it twice (k with itself)
            d2x1[k, k] += x1_k2 * dp2[k] + x1_k3 * dp3[k]
        curvature1 = link_log_cdf_curvature(sign1 * x1, score1, logit)
        curvature2 = (
            link_log_cdf_curvature(sign2 * x2, score2, logit) if code >= 1 else 0.0
        )
        curvature3 = (
            link_log_cdf_curvature(sign3 * a3, score3, logit) if code >= 2 else 0.0
        )
        for a in range(8):
            for b in range(a + 1):
                value2 = curvature1 * dx1[a] * dx1[b] + g1 * d2x1[a, b]
                if code >= 1:
                    value2 += curvature2 * dx2[a] * dx2[b] + g2 * d2x2[a, b]
                second[a, b, c] = value2
                second[b, a, c] = value2
        if code >= 2:
            second[7, 7, c] += curvature3 / 2.0
    return rows, first, second
