"""The Lewis–Schultz crisis bargaining game with private information.

Lewis, J. B. and Schultz, K. A. (2003). Revealing Preferences: Empirical Estimation of a
Crisis Bargaining Game with Incomplete Information. *Political Analysis* 11:345–367.
(Estimation as in Crisman-Cox, C. and Gibilisco, M. (2021), *PSRM* 9(3).)

The game. Coercer A keeps the status quo or challenges; target B concedes or resists;
after resistance A stands firm (carries the threat out) or backs down.

==========  =========================  =============
outcome     A's payoff                 B's payoff
==========  =========================  =============
SQ          ``SA``                     0
CD          ``VA``                     ``CB``
SF          ``WA + eA``                ``WB + eB``
BD          ``a + ea``                 ``VB``
==========  =========================  =============

``eA, ea, eB`` are independent N(0, σ²), each known only to its owner. Write
``pR`` = Pr(B resists | challenge) and ``pF`` = Pr(A stands firm | A challenged and B
resisted). In a perfect Bayesian equilibrium:

* A stands firm iff ``WA + eA >= a + ea`` and challenges iff
  ``max(WA + eA, a + ea) >= c*`` with the challenge threshold
  ``c* = (SA − (1 − pR)·VA) / pR``, so
  ``pC = 1 − Φ((c* − WA)/σ)·Φ((c* − a)/σ)`` and
  ``pF = Φ₂((WA − a)/(σ√2), (WA − c*)/σ; 1/√2) / pC``.
* B resists iff ``pF·(WB + eB) + (1 − pF)·VB >= CB``:
  ``pR = Φ((pF·WB + (1 − pF)·VB − CB)/(σ·pF))``.
* An equilibrium is a fixed point ``pR = F(pR)`` of B's best response to A's best response.
  Outcome probabilities: ``SQ = 1 − pC``, ``CD = pC(1 − pR)``, ``SF = pC·pR·pF``,
  ``BD = pC·pR·(1 − pF)``.

The scalar functions below are compiled with numba and shared by the solver
(:mod:`coercive.games._solve`); the public functions broadcast over numpy arrays.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from coercive._errors import InputError
from coercive.games._inputs import check_range
from coercive.games._inputs import real_array as finite_array
from coercive.games._lazy import lazy_vectorize
from coercive.games._normal import either_clears, firm_share, firm_share_slope, firm_shares, ndtr

__all__ = [
    "best_response",
    "challenge_probability",
    "challenge_threshold",
    "firmness_probability",
    "outcome_probabilities",
    "resistance_probability",
]


# --- the paper's equations, one game at a time ---------------------------------------


@njit(cache=True, nogil=True, error_model="numpy")
def threshold(resist: float, SA: float, VA: float) -> float:
    """c* = (SA − (1 − pR)·VA)/pR = VA + (SA − VA)/pR, with its limit at pR = 0."""
    if resist <= 0.0:
        if SA > VA:
            return math.inf
        if SA < VA:
            return -math.inf
        return VA
    return VA + (SA - VA) / resist


@njit(cache=True, nogil=True, error_model="numpy")
def challenge(c: float, WA: float, a: float, sigma: float) -> float:
    """pC = P(max(WA + eA, a + ea) >= c), summed without cancellation."""
    return either_clears((c - WA) / sigma, (c - a) / sigma)


@njit(cache=True, nogil=True, error_model="numpy")
def firmness(c: float, WA: float, a: float, sigma: float) -> float:
    """pF = P(WA + eA >= a + ea | A challenged), a ratio kept exact in the tails."""
    return firm_share((c - WA) / sigma, (c - a) / sigma, (WA - a) / sigma)


@njit(cache=True, nogil=True, error_model="numpy")
def resistance(firm: float, CB: float, WB: float, VB: float, sigma: float) -> float:
    """pR = Φ((WB − VB)/σ + (VB − CB)/(σ·pF)): B's best response to a belief pF."""
    base = (WB - VB) / sigma
    scale = sigma * firm
    if scale <= 0.0 or abs(VB - CB) >= 1e300 * scale:
        # Certain back-down (or a belief so small the ratio overflows): resisting is
        # worth VB against CB for sure, whatever the war payoff.
        if VB > CB:
            return 1.0
        if VB < CB:
            return 0.0
        return ndtr(base)
    return ndtr(base + (VB - CB) / scale)


@njit(cache=True, nogil=True, error_model="numpy")
def resistance_index(
    firm: float, back: float, CB: float, WB: float, VB: float, sigma: float
) -> float:
    """B's index x with pR = Φ(x), from pF and 1 − pF (``back``); needs ``firm > 0``.

    x = (WB − VB)/σ + (VB − CB)/(σ·pF) = (WB − CB)/σ + (VB − CB)/σ · (1 − pF)/pF. Where A
    is mostly firm (pF >= 1/2) the second form is used: its terms are of the size of the
    answer, while in the first two terms of size |VB − CB|/σ cancel, so that pF's rounding
    near 1 (1e-16·|VB − CB|/σ) became noise in F (issue 11, payoffs near 1e9·σ).
    """
    if back <= 0.5:
        return (WB - CB) / sigma + (VB - CB) / sigma * (back / firm)
    return (WB - VB) / sigma + (VB - CB) / (sigma * firm)


@njit(cache=True, nogil=True, error_model="numpy")
def resistance_from_shares(
    firm: float, back: float, CB: float, WB: float, VB: float, sigma: float
) -> float:
    """:func:`resistance` given pF and its complement ``back`` (1 − pF) to full precision."""
    scale = sigma * firm
    if scale <= 0.0 or abs(VB - CB) >= 1e300 * scale:
        # Certain back-down (or a belief so small the ratio overflows): resisting is
        # worth VB against CB for sure, whatever the war payoff.
        if VB > CB:
            return 1.0
        if VB < CB:
            return 0.0
        return ndtr((WB - VB) / sigma)
    return ndtr(resistance_index(firm, back, CB, WB, VB, sigma))


@njit(cache=True, nogil=True, error_model="numpy")
def response_and_firmness(
    resist: float,
    SA: float,
    VA: float,
    CB: float,
    WA: float,
    WB: float,
    a: float,
    VB: float,
    sigma: float,
) -> tuple[float, float, float]:
    """(F(pR), pF, 1 − pF): B's best response to A's best response to pR, A's firmness
    and its complement (each to its own relative precision, see ``firm_shares``)."""
    c = threshold(resist, SA, VA)
    # pF and 1 − pF at c* straight from the standardized thresholds, not through a
    # one-line wrapper: every compiled caller re-optimizes the code it links, so each
    # wrapper around firm_shares cost ~0.2 s of the first compile (issue 11).
    firm, back = firm_shares((c - WA) / sigma, (c - a) / sigma, (WA - a) / sigma)
    return resistance_from_shares(firm, back, CB, WB, VB, sigma), firm, back


@njit(cache=True, nogil=True, error_model="numpy")
def response(
    resist: float,
    SA: float,
    VA: float,
    CB: float,
    WA: float,
    WB: float,
    a: float,
    VB: float,
    sigma: float,
) -> float:
    """F(pR): what B's resistance would be if A best-responded to the belief pR."""
    return response_and_firmness(resist, SA, VA, CB, WA, WB, a, VB, sigma)[0]


@njit(cache=True, nogil=True, error_model="numpy")
def response_slope(
    resist: float,
    firm: float,
    back: float,
    SA: float,
    VA: float,
    CB: float,
    WA: float,
    WB: float,
    a: float,
    VB: float,
    sigma: float,
) -> float:
    """dF/dpR at ``resist`` given pF there (``firm``, and ``back`` = 1 − pF), by the chain
    rule; NaN in the tails.

    F = Φ(x), x = (WB − VB)/σ + (VB − CB)/(σ·pF) (:func:`resistance_index`); pF moves
    with c* = VA + (SA − VA)/pR.
    """
    if resist <= 0.0 or firm <= 0.0:
        return math.nan
    c = threshold(resist, SA, VA)
    dfirm_dz = firm_share_slope((c - WA) / sigma, (c - a) / sigma, (WA - a) / sigma, firm, back)
    x = resistance_index(firm, back, CB, WB, VB, sigma)
    density = math.exp(-0.5 * x * x) * 0.3989422804014327  # φ(x)
    dx_dfirm = -(VB - CB) / sigma / firm / firm  # chained: no 0 from underflow
    dc_dresist = -(SA - VA) / resist / resist
    return density * dx_dfirm * (dfirm_dz / sigma) * dc_dresist


# --- numpy-broadcasting versions ----------------------------------------------------------

_SIG = ["float64(float64, float64, float64)"]


@lazy_vectorize(_SIG)
def _threshold_ufunc(resist, SA, VA):  # noqa: ANN001, ANN202
    return threshold(resist, SA, VA)


@lazy_vectorize(["float64(float64, float64, float64, float64, float64, float64)"])
def _challenge_ufunc(resist, SA, VA, WA, a, sigma):  # noqa: ANN001, ANN202
    return challenge(threshold(resist, SA, VA), WA, a, sigma)


@lazy_vectorize(["float64(float64, float64, float64, float64, float64, float64)"])
def _firmness_ufunc(resist, SA, VA, WA, a, sigma):  # noqa: ANN001, ANN202
    return firmness(threshold(resist, SA, VA), WA, a, sigma)


@lazy_vectorize(["float64(float64, float64, float64, float64, float64)"])
def _resistance_ufunc(firm, CB, WB, VB, sigma):  # noqa: ANN001, ANN202
    return resistance(firm, CB, WB, VB, sigma)


@lazy_vectorize(
    ["float64(float64, float64, float64, float64, float64, float64, float64, float64, float64)"]
)
def _response_ufunc(resist, SA, VA, CB, WA, WB, a, VB, sigma):  # noqa: ANN001, ANN202
    return response(resist, SA, VA, CB, WA, WB, a, VB, sigma)


def _quiet(ufunc, *args: np.ndarray) -> np.ndarray:  # noqa: ANN001
    # A belief pF that underflows makes (VB − CB)/(σ·pF) overflow to ±inf, which Φ maps
    # to exactly 0 or 1: the right limit, so the floating-point flag is not news.
    with np.errstate(over="ignore"):
        return ufunc(*args)


def _probability(name: str, value: object) -> np.ndarray:
    arr = finite_array(name, value)
    if np.any((arr < 0.0) | (arr > 1.0)):
        raise InputError(f"{name}: must be a probability in [0, 1]")
    return arr


def _sigma(value: object) -> np.ndarray:
    arr = finite_array("sigma", value)
    if np.any(arr <= 0.0):
        raise InputError("sigma: must be > 0")
    return arr


def challenge_threshold(resist: object, SA: object, VA: object) -> np.ndarray:
    """A's challenge threshold ``c* = (SA − (1 − pR)·VA)/pR`` (±inf at ``pR = 0``)."""
    return _quiet(
        _threshold_ufunc,
        _probability("resist", resist),
        finite_array("SA", SA),
        finite_array("VA", VA),
    )


def challenge_probability(
    resist: object, SA: object, VA: object, WA: object, a: object, sigma: object = 1.0
) -> np.ndarray:
    """``pC``: probability that A challenges, given its belief ``pR`` that B resists."""
    return _quiet(
        _challenge_ufunc,
        _probability("resist", resist),
        finite_array("SA", SA),
        finite_array("VA", VA),
        finite_array("WA", WA),
        finite_array("a", a),
        _sigma(sigma),
    )


def firmness_probability(
    resist: object, SA: object, VA: object, WA: object, a: object, sigma: object = 1.0
) -> np.ndarray:
    """``pF``: probability that A stands firm, given that it challenged and B resisted.

    Conditioning on the challenge matters: only A types with a high enough payoff from
    standing firm or backing down challenge at all, so ``pF`` depends on ``pR``.
    """
    return _quiet(
        _firmness_ufunc,
        _probability("resist", resist),
        finite_array("SA", SA),
        finite_array("VA", VA),
        finite_array("WA", WA),
        finite_array("a", a),
        _sigma(sigma),
    )


def resistance_probability(
    firm: object, CB: object, WB: object, VB: object, sigma: object = 1.0
) -> np.ndarray:
    """``pR``: probability that B resists, given its belief ``pF`` that A stands firm."""
    return _quiet(
        _resistance_ufunc,
        _probability("firm", firm),
        finite_array("CB", CB),
        finite_array("WB", WB),
        finite_array("VB", VB),
        _sigma(sigma),
    )


def best_response(
    resist: object,
    SA: object,
    VA: object,
    CB: object,
    WA: object,
    WB: object,
    a: object,
    VB: object,
    sigma: object = 1.0,
) -> np.ndarray:
    """``F(pR)``: B's resistance when A best-responds to ``pR``; equilibria solve ``pR = F(pR)``.

    Payoffs must lie within the engine's range, ``|payoff| <= 1e150·sigma``.
    """
    payoffs = [
        finite_array(name, value)
        for name, value in zip(
            ("SA", "VA", "CB", "WA", "WB", "a", "VB"), (SA, VA, CB, WA, WB, a, VB), strict=True
        )
    ]
    scale = _sigma(sigma)
    check_range(*payoffs, scale)
    return _quiet(_response_ufunc, _probability("resist", resist), *payoffs, scale)


def outcome_probabilities(challenge: object, resist: object, firm: object) -> dict[str, np.ndarray]:
    """Probabilities of the four outcomes from the three action probabilities."""
    pC = _probability("challenge", challenge)
    pR = _probability("resist", resist)
    pF = _probability("firm", firm)
    return {
        "SQ": 1.0 - pC,
        "CD": pC * (1.0 - pR),
        "SF": pC * pR * pF,
        "BD": pC * pR * (1.0 - pF),
    }
