"""Normal-distribution primitives the crisis games need, compiled with numba.

Everything here works for any finite argument and keeps *relative* accuracy in the
tails, because the Lewis–Schultz solver divides one tiny probability by another when
the challenger almost never challenges (see :func:`firm_share`).

The bivariate piece is the probability that A's firm payoff beats both its back-down
payoff and a threshold: with ``Z, W`` independent standard normals,

    I(z0, delta) = P(Z >= z0, W <= Z + delta) = ∫_{z0}^∞ φ(z) Φ(z + delta) dz,

a bivariate normal orthant with correlation 1/√2. In the bulk it is computed with the
Drezner–Wesolowsky/Genz representation (Genz 2004, *Statistics and Computing* 14:251–260),
whose terms are all positive for positive correlation; where the result is small it is
computed in log space by Gauss–Legendre quadrature around the mode of the (log-concave)
integrand, so ratios of two such integrals never become 0/0.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from coercive.games._lazy import lazy_vectorize

SQRT2 = math.sqrt(2.0)
LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)

# Gauss–Legendre rules (nodes on [-1, 1]); module constants are frozen into the
# compiled code by numba.
_GL12_X, _GL12_W = np.polynomial.legendre.leggauss(12)
_GL24_X, _GL24_W = np.polynomial.legendre.leggauss(24)
_LAG_X, _LAG_W = np.polynomial.laguerre.laggauss(20)
_LOG_LAG_W = np.log(_LAG_W)

# Genz's representation for correlation r = 1/√2: theta runs over [0, asin r] = [0, π/4].
_THETA = (math.pi / 8.0) * (1.0 + _GL12_X)
_GENZ_SIN = np.sin(_THETA)
_GENZ_HALF_INV_COS2 = 0.5 / np.cos(_THETA) ** 2
_GENZ_W = _GL12_W / 16.0  # (π/8 Jacobian) × 1/(2π)

# Below this an orthant probability is computed in log space rather than by Genz
# (whose relative error is ~1e-11 at 1e-9 and ~1e-14 at 1e-5, measured against it).
_BULK = 1e-9


@njit(cache=True, nogil=True, error_model="numpy")
def ndtr(x: float) -> float:
    """Standard normal CDF Φ(x)."""
    return 0.5 * math.erfc(-x / SQRT2)


@njit(cache=True, nogil=True, error_model="numpy")
def log_ndtr(x: float) -> float:
    """log Φ(x), accurate for every finite x (asymptotic series below −37)."""
    if x > 0.0:
        return math.log1p(-0.5 * math.erfc(x / SQRT2))
    if x > -37.0:
        return math.log(0.5 * math.erfc(-x / SQRT2))
    if x == -math.inf:
        return -math.inf
    # Mills-ratio series: Φ(x) = φ(x)/|x| · (1 − 1/x² + 3/x⁴ − 15/x⁶ + 105/x⁸ − …)
    inv2 = 1.0 / (x * x)
    series = 1.0 - inv2 * (1.0 - 3.0 * inv2 * (1.0 - 5.0 * inv2 * (1.0 - 7.0 * inv2)))
    return -0.5 * x * x - LOG_SQRT_2PI - math.log(-x) + math.log(series)


@njit(cache=True, nogil=True, error_model="numpy")
def _mills(x: float) -> float:
    # λ(x) = φ(x)/Φ(x), the slope of log Φ. Below −37 from the Mills-ratio series
    # directly: exp(−x²/2 − log Φ(x)) would cancel two numbers of size x²/2.
    if x < -37.0:
        inv2 = 1.0 / (x * x)
        series = 1.0 - inv2 * (1.0 - 3.0 * inv2 * (1.0 - 5.0 * inv2 * (1.0 - 7.0 * inv2)))
        return -x / series
    return math.exp(-0.5 * x * x - LOG_SQRT_2PI - log_ndtr(x))


@njit(cache=True, nogil=True, error_model="numpy")
def _tail_scale(z0: float) -> float:
    # log I is reported plus z0²/2 for z0 > 0, so that the ratio of two far-tail
    # integrals is a difference of O(1) numbers, not of two numbers near −z0²/2.
    return 0.5 * z0 * z0 if z0 > 0.0 else 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def _log_panel_sum(
    base: float, scaled: bool, delta: float, lo: float, hi: float, out: np.ndarray, k: int
) -> int:
    # Fill out[k:k+24] with log(weight × integrand) at z = base + t, t in [lo, hi]; with
    # ``scaled`` the integrand is multiplied by exp(base²/2) (see _tail_scale).
    half = 0.5 * (hi - lo)
    mid = 0.5 * (hi + lo)
    for i in range(24):
        t = mid + half * _GL24_X[i]
        if scaled:
            log_density = -0.5 * t * (2.0 * base + t) - LOG_SQRT_2PI  # log φ(base+t) + base²/2
        else:
            log_density = -0.5 * (base + t) * (base + t) - LOG_SQRT_2PI
        out[k + i] = math.log(half * _GL24_W[i]) + log_density + log_ndtr(base + t + delta)
    return k + 24


@njit(cache=True, nogil=True, error_model="numpy")
def log_orthant_scaled(z0: float, delta: float) -> float:
    """log I(z0, delta) + max(z0, 0)²/2, by quadrature in log space.

    I(z0, delta) = ∫_{z0}^∞ φ(z) Φ(z + delta) dz. The integrand is log-concave with
    curvature between −2 and −1, so its mass sits within a few units of its mode (or of
    ``z0`` when the mode lies below it); four 24-point panels over that window give
    near machine precision.
    """
    if z0 == math.inf:
        return -math.inf
    if z0 == -math.inf:
        # I(−∞, δ) = P(W − Z <= δ) = Φ(δ/√2)
        return log_ndtr(delta / SQRT2)
    # Mode of the integrand: −z + λ(z + δ) = 0, found by Newton (slope in (−2, −1)).
    mode = max(0.0, -0.5 * delta)
    for _ in range(60):
        lam = _mills(mode + delta)
        slope = -mode + lam
        curvature = -1.0 - lam * (mode + delta + lam)
        step = slope / curvature
        mode -= step
        if abs(step) < 1e-12 * (1.0 + abs(mode)):
            break
    terms = np.empty(96)
    k = np.int64(0)  # not the literal 0: one compiled _log_panel_sum, not two
    scaled = z0 > 0.0
    if mode >= z0:
        # Window mode ± 12 (the integrand's sd is at most 1), cut at z0. Offsets are taken
        # from the window's start unless scaling needs them from z0 (then z0 is moderate).
        base = z0 if scaled else max(z0, mode - 12.0)
        start = max(z0, mode - 12.0) - base
        width = (mode + 12.0 - base - start) / 4.0
        for j in range(4):
            k = _log_panel_sum(
                base, scaled, delta, start + j * width, start + (j + 1) * width, terms, k
            )
    else:
        # Decreasing from z0 with log-slope −decay; concavity bounds the tail beyond 45/decay.
        lam = _mills(z0 + delta)
        decay = max(z0 - lam, 1e-12)  # > 0 in exact arithmetic, as the mode is below z0
        if decay >= 8.0:
            # Far tail: I·e^{z0²/2} = (1/decay)∫ e^{−s} h(s/decay) ds with h smooth on a
            # scale of 1 in t = s/decay, which Gauss–Laguerre integrates to ~1e-12.
            top = -math.inf
            logs = np.empty(_LAG_X.shape[0])
            for i in range(_LAG_X.shape[0]):
                t = _LAG_X[i] / decay
                logs[i] = (
                    _LOG_LAG_W[i] - 0.5 * t * t - t * lam + log_ndtr(z0 + t + delta) - LOG_SQRT_2PI
                )
                top = max(top, logs[i])
            total = 0.0
            for i in range(_LAG_X.shape[0]):
                total += math.exp(logs[i] - top)
            scaled = top + math.log(total) - math.log(decay)
            return scaled if z0 > 0.0 else scaled - 0.5 * z0 * z0
        length = min(45.0 / decay, 12.0)
        edges = (0.0, length / 32.0, length / 8.0, 3.0 * length / 8.0, length)
        for j in range(4):
            k = _log_panel_sum(z0, scaled, delta, edges[j], edges[j + 1], terms, k)
    # The largest term by a loop, not terms.max(): numba's generic array max (and the
    # np.take it brings) would add ~0.5 s to the first compile. NaN propagates as in max().
    top = -math.inf
    for i in range(96):
        if terms[i] > top or math.isnan(terms[i]):
            top = terms[i]
            if math.isnan(top):
                break
    if top == -math.inf:
        return -math.inf
    total = 0.0
    for i in range(96):
        total += math.exp(terms[i] - top)
    return top + math.log(total)


@njit(cache=True, nogil=True, error_model="numpy")
def log_orthant(z0: float, delta: float) -> float:
    """log I(z0, delta) = log ∫_{z0}^∞ φ(z) Φ(z + delta) dz for any finite z0."""
    return log_orthant_scaled(z0, delta) - _tail_scale(z0)


@njit(cache=True, nogil=True, error_model="numpy")
def orthant_genz(z0: float, delta: float) -> float:
    """I(z0, delta) by Genz's formula: accurate to ~1e-16 absolute (not relative)."""
    # Beyond ±60 the marginals are exactly 0 or 1 in double precision, so clipping changes
    # nothing representable and keeps h² + k² finite.
    h = min(max(delta / SQRT2, -60.0), 60.0)
    k = min(max(-z0, -60.0), 60.0)
    hk = h * k
    hs = h * h + k * k
    total = 0.0
    for i in range(12):
        total += _GENZ_W[i] * math.exp(-(hs - 2.0 * hk * _GENZ_SIN[i]) * _GENZ_HALF_INV_COS2[i])
    return ndtr(h) * ndtr(k) + total


@njit(cache=True, nogil=True, error_model="numpy")
def either_clears(z_firm: float, z_back: float) -> float:
    """P(max(U, V) >= c) = 1 − Φ(z_firm)Φ(z_back), summed without cancellation."""
    q_firm = ndtr(-z_firm)
    return q_firm + ndtr(-z_back) * (1.0 - q_firm)


@njit(cache=True, nogil=True, error_model="numpy")
def firm_share(z_firm: float, z_back: float, delta: float) -> float:
    """P(U >= V | max(U, V) >= c); see :func:`firm_shares` (this is its first value)."""
    return firm_shares(z_firm, z_back, delta)[0]


# Below this back-down share, 1 − pF would keep too few of its digits (relative error
# ~1e-16/q), so it is computed from its own orthant integral instead (see firm_shares).
_SMALL_BACK = 1e-3


@njit(cache=True, nogil=True, error_model="numpy")
def firm_shares(z_firm: float, z_back: float, delta: float) -> tuple[float, float]:
    """(pF, 1 − pF): A's firm and back-down shares given a challenge, each to its own
    relative precision.

    ``pF = P(U >= V | max(U, V) >= c)`` for U = WA + eA, V = a + ea, in standardized form:
    ``z_firm = (c − WA)/σ``, ``z_back = (c − a)/σ``, ``delta = (WA − a)/σ``. Both the
    numerator N = P(U >= max(V, c)) and its complement M = P(V > max(U, c)) are
    orthant integrals; their sum is P(max >= c). Using N/(N + M) keeps the ratio exact
    when both underflow together (a challenger who almost never challenges).

    The back-down share ``q = M/(N + M)`` is returned too, computed from M itself where
    it is small: B's index ``(WB − CB)/σ + (VB − CB)/σ · q/pF`` needs q to its own
    relative precision when ``|VB − CB|/σ`` is large (issue 11: with ``1 − pF ~ 1e-8``
    and ``|VB − CB| ~ 1e8·σ``, ``q = 1 − pF`` kept 8 digits and ``F`` was noisy at 1e-9).
    """
    if z_firm == math.inf:  # threshold +∞: only the larger mean can clear it
        if delta > 0.0:
            return 1.0, 0.0
        if delta < 0.0:
            return 0.0, 1.0
        return 0.5, 0.5
    if z_firm == -math.inf:  # threshold −∞: A always challenges
        return ndtr(delta / SQRT2), ndtr(-delta / SQRT2)
    either = either_clears(z_firm, z_back)  # P(max >= c)
    if either >= _BULK:
        # Genz's terms are all positive, so its error stays relatively small (~1e-11)
        # while the smaller of N and M is above _BULK; below that, that one is integrated.
        firm = orthant_genz(z_firm, delta)
        if _BULK <= firm <= either - _BULK:
            share = firm / either
            if share <= 1.0 - _SMALL_BACK:
                return share, 1.0 - share
            back = orthant_genz(z_back, -delta) / either
            return 1.0 - back, back
        # log I from the scaled quadrature directly rather than through log_orthant: a
        # wrapper called here is one more compiled function re-optimizing all of this
        # code in the first compile (issue 11).
        if firm < _BULK:
            share = math.exp(log_orthant_scaled(z_firm, delta) - _tail_scale(z_firm)) / either
            return share, 1.0 - share
        back = math.exp(log_orthant_scaled(z_back, -delta) - _tail_scale(z_back)) / either
        return 1.0 - back, back
    # Far tail: compare the two integrals with their common Gaussian factor removed.
    if z_firm > 0.0 and z_back > 0.0:
        # (z_back² − z_firm²)/2 without cancellation: z_back − z_firm = delta
        # (summed term by term so that z ~ 1e308 cannot overflow into 0 × inf).
        rescale = 0.5 * delta * z_back + 0.5 * delta * z_firm
        # The scaled logs below differ by at most ~log(z) <= 710, so past ±1500 the
        # ratio is exactly 0 or 1 in double precision: skip the quadrature.
        if rescale > 1500.0:
            return 1.0, 0.0
        if rescale < -1500.0:
            return 0.0, 1.0
    else:
        rescale = _tail_scale(z_back) - _tail_scale(z_firm)
    log_firm = log_orthant_scaled(z_firm, delta)
    log_back = log_orthant_scaled(z_back, -delta)
    if log_firm == -math.inf and log_back == -math.inf:
        return 0.5, 0.5
    diff = log_back - log_firm - rescale  # log(M/N)
    # pF = 1/(1 + e^diff) and q = 1/(1 + e^−diff), each without cancellation.
    if diff > 700.0:
        return math.exp(-diff), 1.0
    if diff < -700.0:
        return 1.0, math.exp(diff)
    return 1.0 / (1.0 + math.exp(diff)), 1.0 / (1.0 + math.exp(-diff))


@njit(cache=True, nogil=True, error_model="numpy")
def firm_share_slope(
    z_firm: float, z_back: float, delta: float, share: float, back: float
) -> float:
    """d share / dz when both thresholds move together (z_firm, z_back -> z + dz), or NaN.

    With N, M as in :func:`firm_share` and D = N + M: dN/dz = −φ(z_firm)Φ(z_firm + δ),
    dM/dz = −φ(z_back)Φ(z_back − δ), so d(N/D)/dz = (s·φ(z_b)Φ(z_b − δ) −
    (1 − s)·φ(z_f)Φ(z_f + δ))/D with s = N/D = ``share`` and 1 − s = ``back``. Only
    where D is not tiny (the bulk); elsewhere NaN, and callers difference numerically.
    """
    if not (math.isfinite(z_firm) and math.isfinite(z_back)):
        return math.nan
    either = either_clears(z_firm, z_back)
    if either < _BULK:
        return math.nan
    entering_firm = math.exp(-0.5 * z_firm * z_firm - LOG_SQRT_2PI) * ndtr(z_firm + delta)
    entering_back = math.exp(-0.5 * z_back * z_back - LOG_SQRT_2PI) * ndtr(z_back - delta)
    return (share * entering_back - back * entering_firm) / either


# --- numpy ufuncs for array callers (the signaling estimator) ----------------------------


@lazy_vectorize(["float64(float64, float64)"])
def log_orthant_ufunc(z0, delta):  # noqa: ANN001, ANN201
    """log I(z0, delta) elementwise, relatively accurate for any finite arguments.

    Where I >= _BULK it is the log of Genz's formula (a dozen exponentials, relative error
    <= ~1e-11 there, as in :func:`firm_share`); below, :func:`log_orthant`'s quadrature.
    """
    if math.isnan(z0) or math.isnan(delta):
        return math.nan
    bulk = orthant_genz(z0, delta)
    if bulk >= _BULK:
        return math.log(bulk)
    return log_orthant(z0, delta)


@lazy_vectorize(["float64(float64)"])
def mills_ufunc(x):  # noqa: ANN001, ANN201
    """λ(x) = φ(x)/Φ(x) elementwise, the slope of log Φ; accurate for every x."""
    return _mills(x)
