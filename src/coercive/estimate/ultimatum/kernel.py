"""Compiled row kernel of the statistical ultimatum game's log-likelihood (games' ultimatum).

The formulas of :func:`coercive.estimate.ultimatum.model.row_loglik_and_gradient` (the
readable numpy reference, whose docstring derives the chain rule), per row, so one
evaluation costs microseconds of arithmetic instead of ~50 numpy operations. Rows where the
log-likelihood is not finite (an offer the parameters make impossible) get ``-inf`` and a zero
gradient, as in the reference.

Exact second derivatives, with ``a, b`` any two of ``(R1, R2, log s1, log s2)``: the row is
``l = A(x) + B(z) - [interior] log s1`` with ``A`` the offer's log-probability in ``x`` and
``B`` the Jacobian's and acceptance's terms in ``z``, so
``l_ab = A'' x_a x_b + A' x_ab + B'' z_a z_b + B' z_ab``. Here ``A''`` is
``-Lambda(x) Lambda(-x)`` at a boundary offer and twice that inside, ``B''`` is
``([interior] - [acceptance modelled]) Lambda(z) Lambda(-z)``; with ``g = e^z``,
``z_a = (0, -1/s2, 0, -z)``, the nonzero ``z_ab`` are ``z_{R2,log s2} = 1/s2`` and
``z_{log s2,log s2} = z``; ``x_a = (-1/s1, g/s1, -x, -s2 (1 + g - g z)/s1)`` and
``x_{R1,log s1} = 1/s1``, ``x_{R2,R2} = -g/(s1 s2)``, ``x_{R2,log s1} = -g/s1``,
``x_{R2,log s2} = -g z/s1``, ``x_{log s1,log s1} = x``,
``x_{log s1,log s2} = s2 (1 + g - g z)/s1``,
``x_{log s2,log s2} = -s2 (1 + g - g z + g z^2)/s1``.
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
    ``accept`` is used when ``has_accept``. With ``want_second`` the third array holds the
    exact second derivatives ``(4, 4, m)`` (else it is ``(4, 4, 0)``).
    """
    m = utilities.shape[1]
    n = offer.shape[0]
    rows = np.empty(m)
    first = np.empty((4, m))
    second = np.zeros((4, 4, m if want_second else 0))
    x_a = np.empty(4)
    z_a = np.empty(4)
    x_ab = np.empty((4, 4))
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
        if not want_second:
            continue
        spread_x = lambda_x * (1.0 - lambda_x)  # Lambda(x) Lambda(-x)
        a_second = -(1.0 + interior) * spread_x
        b_second = (interior - (1.0 if has_accept else 0.0)) * lambda_z * (1.0 - lambda_z)
        shape = 1.0 + growth - growth * z
        x_a[0] = -1.0 / s1
        x_a[1] = growth / s1
        x_a[2] = -x
        x_a[3] = -s2 * shape / s1
        z_a[0] = 0.0
        z_a[1] = -1.0 / s2
        z_a[2] = 0.0
        z_a[3] = -z
        x_ab[:, :] = 0.0
        x_ab[0, 2] = 1.0 / s1
        x_ab[1, 1] = -growth / (s1 * s2)
        x_ab[1, 2] = -growth / s1
        x_ab[1, 3] = -growth * z / s1
        x_ab[2, 2] = x
        x_ab[2, 3] = s2 * shape / s1
        x_ab[3, 3] = -s2 * (shape + growth * z * z) / s1
        for a in range(4):
            for b in range(a, 4):
                value2 = a_second * x_a[a] * x_a[b] + dl_dx * x_ab[a, b]
                value2 += b_second * z_a[a] * z_a[b]
                if a == 1 and b == 3:
                    value2 += dl_dz / s2
                elif a == 3 and b == 3:
                    value2 += dl_dz * z
                second[a, b, c] = value2
                second[b, a, c] = value2
    return rows, first, second
