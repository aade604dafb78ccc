"""Compiled row kernel of the deterrence game's log-likelihood (games' egame12).

The formulas of :mod:`coercive.estimate.deterrence.model` (whose numpy
``pieces_from_utilities`` stays the readable reference), written per row so one call costs
microseconds instead of ~40 numpy operations, with the exact second derivatives in the four
utilities, so a Newton step's Hessian costs about one more evaluation, not five.

Per row, with ``w = u24/sqrt2``, ``P = F(w)``, ``Q = F(-w)``, ``G = Q u13 + P u14 - u11``,
``S`` the escalation scale (``sqrt2``, or ``sqrt(1 + P^2 + Q^2)`` for private information)
and ``x = G/S``::

    l = log F(s1 x) + [escalated] log F(s2 w)        (s1, s2 = +-1: the moves taken)

Derivatives of ``x`` in ``P`` (``Q = 1 - P``): ``S_P = (P - Q)/S``, ``S_PP = (2 - S_P^2)/S``,
``x_P = (u14 - u13 - x S_P)/S``, ``x_PP = -(2 x_P S_P + x S_PP)/S``; in the utilities
``a = dx/du = (-1/S, Q/S, P/S, x_P P')`` with ``P' = f(w)/sqrt2``, and the second derivatives
``B = d2x/du du'`` vanish among ``u11, u13, u14``, with ``B[k, 24] = P' d(c_k/S)/dP`` for the
weights ``c = (-1, Q, P)`` and ``B[24, 24] = x_PP P'^2 + x_P f'(w)/2``. Then
``dl/du = s1 h1 a + [esc] s2 k1 dw/du`` and
``d2l/du du' = h2 a a' + s1 h1 B + [esc] k2 dw/du dw/du'`` with ``h1, h2`` (``k1, k2``) the
first and second derivatives of ``log F`` at ``s1 x`` (``s2 w``).
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
def deterrence_rows(
    utilities: np.ndarray,
    want_second: bool,
    sign_escalate: np.ndarray,
    sign_war: np.ndarray,
    escalated: np.ndarray,
    logit: bool,
    private: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row log-likelihoods ``(m,)``, derivatives in ``(u11, u13, u14, u24)`` ``(4, m)`` and,
    when ``want_second``, second derivatives ``(4, 4, m)`` (else ``(4, 4, 0)``).

    ``utilities`` is ``(4, m)`` with ``m`` a multiple of the ``n`` rows (a batch of
    perturbed copies, column ``c`` being data row ``c % n``).
    """
    m = utilities.shape[1]
    n = sign_escalate.shape[0]
    rows = np.empty(m)
    first = np.empty((4, m))
    second = np.zeros((4, 4, m if want_second else 0))
    for c in range(m):
        i = c - (c // n) * n
        u11 = utilities[0, c]
        u13 = utilities[1, c]
        u14 = utilities[2, c]
        u24 = utilities[3, c]
        w = u24 / _SQRT2
        war, back_down = link_cdf_pair(w, logit)
        gain = back_down * u13 + war * u14 - u11
        if private:
            scale = math.sqrt(1.0 + war * war + back_down * back_down)
            scale_p = (war - back_down) / scale
        else:
            scale = _SQRT2
            scale_p = 0.0
        x = gain / scale
        x_p = (u14 - u13 - x * scale_p) / scale
        density = link_pdf(w, logit)
        p_u = density / _SQRT2  # dP/du24
        y1 = sign_escalate[i] * x
        log1, score1 = link_log_cdf_and_score(y1, logit)
        escalation_score = sign_escalate[i] * score1
        war_score = 0.0
        war_curvature = 0.0
        value = log1
        if escalated[i]:
            # player 2's choice: F(+-w) are war/back_down already in hand
            y2 = sign_war[i] * w
            chosen = war if sign_war[i] > 0.0 else back_down
            log2, score2 = log_cdf_and_score_given(chosen, density, y2, logit)
            value += log2
            war_score = sign_war[i] * score2
            war_curvature = link_log_cdf_curvature(y2, score2, logit)
        rows[c] = value
        a0 = -1.0 / scale
        a1 = back_down / scale
        a2 = war / scale
        a3 = x_p * p_u
        first[0, c] = escalation_score * a0
        first[1, c] = escalation_score * a1
        first[2, c] = escalation_score * a2
        first[3, c] = war_score / _SQRT2 + escalation_score * a3
        if want_second:
            h2 = link_log_cdf_curvature(y1, score1, logit)
            scale2 = scale * scale
            if private:
                scale_pp = (2.0 - scale_p * scale_p) / scale
            else:
                scale_pp = 0.0
            x_pp = -(2.0 * x_p * scale_p + x * scale_pp) / scale
            b03 = p_u * scale_p / scale2
            b13 = p_u * (-1.0 / scale - back_down * scale_p / scale2)
            b23 = p_u * (1.0 / scale - war * scale_p / scale2)
            b33 = x_pp * p_u * p_u + x_p * link_pdf_slope(w, logit) / 2.0
            a = (a0, a1, a2, a3)
            for j in range(4):
                for k in range(j + 1):
                    second[j, k, c] = h2 * a[j] * a[k]
            second[3, 0, c] += escalation_score * b03
            second[3, 1, c] += escalation_score * b13
            second[3, 2, c] += escalation_score * b23
            second[3, 3, c] += escalation_score * b33 + war_curvature / 2.0
            for j in range(4):
                for k in range(j):
                    second[k, j, c] = second[j, k, c]
    return rows, first, second
