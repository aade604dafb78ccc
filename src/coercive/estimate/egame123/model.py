r"""Strategic probit/logit of the three-player, four-outcome game (R games 1.1.2 ``egame123``).

The game (Kenkel & Signorino 2014, *Journal of Statistical Software* 56(8))::

        1
       / \
    u11   \ 2
          / \
       u13   \ 3          player 1's payoffs u11, u13, u15, u16
       u23   / \          player 2's payoffs       u23, u25, u26
          u15   u16       player 3's payoffs                0, u36
          u25   u26
          0     u36

Outcomes in tree order: 1 (player 1 stops), 3 (player 2 stops), 5 (player 3 left),
6 (player 3 right). With ``F`` the link's CDF, backward induction under quantal responses gives

* player 3: ``p3 = F(u36 / sqrt(2))``;
* player 2: ``p2 = F((p3 u26 + (1 - p3) u25 - u23) / s2)``;
* player 1: ``p1 = F(((1 - p2) u13 + p2 (1 - p3) u15 + p2 p3 u16 - u11) / s1)``;

agent error: ``s1 = s2 = sqrt(2)`` (a unit shock on each action); private information (a unit
shock on every outcome payoff, known to its owner; games' convention that utilities fixed at 0
carry a shock too): ``s2 = sqrt(1 + p3^2 + (1 - p3)^2)`` and
``s1 = sqrt(1 + (1 - p2)^2 + (p2 (1 - p3))^2 + (p2 p3)^2)``.
``log L = sum_i log P(outcome_i)``; derivatives, optimizer and covariance as in
:mod:`coercive.estimate.strategic`. A regressor in all of player 1's (u11, u13, u15, u16) or all
of player 2's (u23, u25, u26) utilities is unidentified and refused.

Labels follow games: ``u1(1):x1``, ``u2(5):x6``, ``u3(6):x8`` (outcome names are a numeric
outcome's values or a categorical outcome's levels; for indicators ``a1 + a2 + a3``:
``~a1``, ``a1,~a2``, ``a1,a2,~a3``, ``a1,a2,a3``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from coercive.estimate.egame123.kernel import egame123_rows
from coercive.estimate.formula import parse_formula
from coercive.estimate.results import EstimationResults
from coercive.estimate.strategic import (
    IndexLikelihood,
    binary_fit,
    check_options,
    check_player_identified,
    compiled_rows,
    compiled_second,
    fit_outcome_tree,
    fit_single_threaded,
    log_cdf_and_score,
    outcome_codes,
    utility_labels,
)
from coercive.games.deterrence import LinkFunctions

__all__ = ["UTILITIES", "fit_egame123", "row_loglik"]

UTILITIES = ("u11", "u13", "u15", "u16", "u23", "u25", "u26", "u36")
_SQRT2 = math.sqrt(2.0)
_OWNERS = ((1, 0), (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (3, 3))


def probabilities(
    utilities: np.ndarray, functions: LinkFunctions, error: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(p1, p2, p3): each player's probability of moving on (right) at her node."""
    u11, u13, u15, u16, u23, u25, u26, u36 = utilities
    p3 = functions.cdf(u36 / _SQRT2)
    gain2 = p3 * u26 + (1.0 - p3) * u25 - u23
    s2 = _SQRT2 if error == "agent" else np.sqrt(1.0 + p3**2 + (1.0 - p3) ** 2)
    p2 = functions.cdf(gain2 / s2)
    gain1 = (1.0 - p2) * u13 + p2 * (1.0 - p3) * u15 + p2 * p3 * u16 - u11
    if error == "agent":
        s1 = _SQRT2
    else:
        s1 = np.sqrt(1.0 + (1.0 - p2) ** 2 + (p2 * (1.0 - p3)) ** 2 + (p2 * p3) ** 2)
    return functions.cdf(gain1 / s1), p2, p3


def _outcome_probabilities(
    utilities: np.ndarray, functions: LinkFunctions, error: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """P of outcomes 1, 3, 5, 6 (tree order: who stops, or player 3's move) from the utilities."""
    p1, p2, p3 = probabilities(utilities, functions, error)
    return 1 - p1, p1 * (1 - p2), p1 * p2 * (1 - p3), p1 * p2 * p3


def row_loglik(
    utilities: np.ndarray, outcome: np.ndarray, functions: LinkFunctions, error: str
) -> np.ndarray:
    """Row log-likelihoods; ``utilities`` has shape ``(8, *batch)``, ``outcome`` codes 0..3."""
    u11, u13, u15, u16, u23, u25, u26, u36 = utilities
    index3 = u36 / _SQRT2
    p3 = functions.cdf(index3)
    gain2 = p3 * u26 + (1.0 - p3) * u25 - u23
    s2 = _SQRT2 if error == "agent" else np.sqrt(1.0 + p3**2 + (1.0 - p3) ** 2)
    index2 = gain2 / s2
    p2 = functions.cdf(index2)
    gain1 = (1.0 - p2) * u13 + p2 * (1.0 - p3) * u15 + p2 * p3 * u16 - u11
    if error == "agent":
        s1 = _SQRT2
    else:
        s1 = np.sqrt(1.0 + (1.0 - p2) ** 2 + (p2 * (1.0 - p3)) ** 2 + (p2 * p3) ** 2)
    index1 = gain1 / s1
    log_cdf = functions.log_cdf
    out = np.where(outcome == 0, log_cdf(-index1), log_cdf(index1))
    out = out + np.where(outcome == 1, log_cdf(-index2), np.where(outcome >= 2, log_cdf(index2), 0))
    return out + np.where(
        outcome == 2, log_cdf(-index3), np.where(outcome == 3, log_cdf(index3), 0.0)
    )


def outcome_signs(outcome: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per-row signs of each player's index (+ moved on, - stopped) and reached-node masks.

    They depend only on the outcome, so a fit computes them once for all its evaluations.
    """
    signs = np.stack(
        [np.where(outcome == 0, -1.0, 1.0), np.where(outcome == 1, -1.0, 1.0),
         np.where(outcome == 2, -1.0, 1.0)]
    )  # fmt: skip
    return signs, outcome >= 1, outcome >= 2


def row_loglik_and_gradient(
    utilities: np.ndarray,
    outcome: np.ndarray,
    functions: LinkFunctions,
    error: str,
    signs: tuple[np.ndarray, ...] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Row log-likelihoods and their derivatives in the eight utilities (chain rule).

    Reverse order of play: player 1's index ``x1`` depends on ``p2`` and ``p3``, player 2's
    ``x2`` on ``p3``; ``G2 = dl/dx2`` collects player 2's own choice and, through
    ``p2 = F(x2)``, player 1's; ``dl/dp3`` then collects both players' dependence on ``p3``.
    Private-information scales add ``-x (ds/dp)/s`` terms, ``dS2/dp3 = (2 p3 - 1)/S2``,
    ``dS1/dp2 = (p2 (p3^2 + (1-p3)^2) - (1-p2))/S1``, ``dS1/dp3 = p2^2 (2 p3 - 1)/S1``.
    """
    u11, u13, u15, u16, u23, u25, u26, u36 = utilities
    a3 = u36 / _SQRT2
    p3 = functions.cdf(a3)
    gain2 = p3 * u26 + (1.0 - p3) * u25 - u23
    if error == "agent":
        s2 = np.full_like(gain2, _SQRT2)
        ds2_dp3 = 0.0
    else:
        s2 = np.sqrt(1.0 + p3**2 + (1.0 - p3) ** 2)
        ds2_dp3 = (2.0 * p3 - 1.0) / s2
    x2 = gain2 / s2
    p2 = functions.cdf(x2)
    gain1 = (1.0 - p2) * u13 + p2 * (1.0 - p3) * u15 + p2 * p3 * u16 - u11
    if error == "agent":
        s1 = np.full_like(gain1, _SQRT2)
        ds1_dp2 = ds1_dp3 = 0.0
    else:
        spread3 = p3**2 + (1.0 - p3) ** 2
        s1 = np.sqrt(1.0 + (1.0 - p2) ** 2 + p2**2 * spread3)
        ds1_dp2 = (p2 * spread3 - (1.0 - p2)) / s1
        ds1_dp3 = p2**2 * (2.0 * p3 - 1.0) / s1
    x1 = gain1 / s1
    sign, reached2, reached3 = outcome_signs(outcome) if signs is None else signs
    # the three players' signed indices in one call (one pass of the CDF, not three)
    sign = sign.reshape(3, *(1,) * (x1.ndim - 1), -1)
    logs, scores = log_cdf_and_score(functions, np.stack(np.broadcast_arrays(x1, x2, a3)) * sign)
    log1, log2, log3 = logs
    rows = log1 + np.where(reached2, log2, 0.0) + np.where(reached3, log3, 0.0)
    g1 = sign[0] * scores[0]
    g2 = np.where(reached2, sign[1] * scores[1], 0.0)
    g3 = np.where(reached3, sign[2] * scores[2], 0.0)
    dx1_dp2 = (-u13 + (1.0 - p3) * u15 + p3 * u16) / s1 - x1 * ds1_dp2 / s1
    dx1_dp3 = p2 * (u16 - u15) / s1 - x1 * ds1_dp3 / s1
    big_g2 = g2 + g1 * dx1_dp2 * functions.pdf(x2)
    dx2_dp3 = (u26 - u25) / s2 - x2 * ds2_dp3 / s2
    dl_dp3 = g1 * dx1_dp3 + big_g2 * dx2_dp3
    gradient = np.empty_like(utilities)
    gradient[0] = -g1 / s1
    gradient[1] = g1 * (1.0 - p2) / s1
    gradient[2] = g1 * p2 * (1.0 - p3) / s1
    gradient[3] = g1 * p2 * p3 / s1
    gradient[4] = -big_g2 / s2
    gradient[5] = big_g2 * (1.0 - p3) / s2
    gradient[6] = big_g2 * p3 / s2
    gradient[7] = (g3 + dl_dp3 * functions.pdf(a3)) / _SQRT2
    return rows, gradient


def _indicator_codes(outcome: np.ndarray) -> np.ndarray:
    a1, a2, a3 = outcome[:, 0], outcome[:, 1], outcome[:, 2]
    return np.where(a1 == 0, 0, np.where(a2 == 0, 1, np.where(a3 == 0, 2, 3)))


def _indicator_labels(names: Sequence[str]) -> tuple[str, ...]:
    a, b, c = names
    return (f"~{a}", f"{a},~{b}", f"{a},{b},~{c}", f"{a},{b},{c}")


def _start(
    matrices: Sequence[np.ndarray], codes: np.ndarray, functions: LinkFunctions, error: str
) -> np.ndarray:
    x11, x13, x15, x16, x23, x25, x26, x36 = matrices
    n = len(codes)
    third = codes >= 2
    g36 = binary_fit(x36[third], codes[third] == 3, functions)
    p3 = functions.cdf(x36 @ g36) if g36.size else np.full(n, 0.5)
    second = codes >= 1
    stacked2 = np.hstack([-x23, (1 - p3)[:, None] * x25, p3[:, None] * x26])
    d2 = binary_fit(stacked2[second], codes[second] >= 2, functions)
    s2 = np.full(n, _SQRT2) if error == "agent" else np.sqrt(1 + p3**2 + (1 - p3) ** 2)
    p2 = functions.cdf(stacked2 @ d2)
    stacked1 = np.hstack(
        [-x11, (1 - p2)[:, None] * x13, (p2 * (1 - p3))[:, None] * x15, (p2 * p3)[:, None] * x16]
    )
    d1 = binary_fit(stacked1, second, functions)
    s1 = (
        np.full(n, _SQRT2)
        if error == "agent"
        else np.sqrt(1 + (1 - p2) ** 2 + (p2 * (1 - p3)) ** 2 + (p2 * p3) ** 2)
    )
    return np.concatenate([d1 * float(np.mean(s1)), d2 * float(np.mean(s2)), g36 * _SQRT2])


@fit_single_threaded
def fit_egame123(
    formula: str,
    data: pd.DataFrame,
    link: Literal["probit", "logit"] = "probit",
    error: Literal["agent", "private"] = "agent",
    subset: object = None,
    na: Literal["drop", "raise"] = "drop",
    start: Sequence[float] | np.ndarray | None = None,
    maxiter: int = 1000,
) -> EstimationResults:
    """Fit games' ``egame123`` by maximum likelihood.

    ``formula`` is ``"y ~ u11 | u13 | u15 | u16 | u23 | u25 | u26 | u36"`` (eight parts; ``0``
    fixes a utility at 0). ``y``: a 4-valued numeric or 4-level categorical outcome (in tree
    order) or 0/1 indicators ``a1 + a2 + a3`` (each player's move on; unobserved moves 0).
    Other arguments as :func:`coercive.estimate.fit_deterrence`.
    """
    functions = check_options(link, error, maxiter)
    design = parse_formula(formula, data, list(UTILITIES), subset=subset, na=na)
    codes, outcomes = outcome_codes(
        design, 4, _indicator_codes, (3,), _indicator_labels, "egame123 game"
    )
    check_player_identified(design.part_columns(), (0, 1, 2, 3), UTILITIES)
    check_player_identified(design.part_columns(), (4, 5, 6), UTILITIES)
    matrices = tuple(design.matrices())
    labels = utility_labels(_OWNERS, outcomes, design.part_columns())
    kernel_data = (np.ascontiguousarray(codes, dtype=np.int64), link == "logit", error == "private")
    likelihood = IndexLikelihood(
        matrices,
        lambda u: row_loglik(u, codes, functions, error),
        # the compiled kernel of the same formulas as row_loglik_and_gradient, with exact
        # second derivatives
        compiled_rows(egame123_rows, *kernel_data),
        compiled_second(egame123_rows, *kernel_data),
    )
    return fit_outcome_tree(
        model_name=f"Strategic game egame123 (3 players, 4 outcomes), {link}, {error} error",
        formula=formula, link=link, error=error, design=design, outcomes=outcomes,
        labels=labels, likelihood=likelihood, start=start,
        guess=lambda: _start(matrices, codes, functions, error), maxiter=maxiter,
        outcome_probabilities=lambda u: _outcome_probabilities(u, functions, error),
    )  # fmt: skip
