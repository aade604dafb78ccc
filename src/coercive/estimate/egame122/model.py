r"""Strategic probit/logit of the two-player, four-outcome game (R games 1.1.2 ``egame122``).

The game (Kenkel & Signorino 2014, *Journal of Statistical Software* 56(8), section 2)::

            ___ 1 ___
           /         \
        2 /           \ 2
         / \         / \
      u11   u12    u13   u14        player 1
      0     u22    0     u24        player 2

Outcomes in tree order: LL, LR, RL, RR. Player 2 moves right after L with probability
``p2 = F(u22 / sqrt(2))`` and after R with ``p4 = F(u24 / sqrt(2))`` (two unit-variance shocks
in each comparison, as in :mod:`coercive.estimate.deterrence`). Player 1 moves right with
``P1 = F(w / s1)``, ``w = p4 u14 + (1 - p4) u13 - p2 u12 - (1 - p2) u11``, where

* agent error: ``s1 = sqrt(2)`` (a unit shock on each of player 1's two actions);
* private information: every outcome payoff carries a unit shock known to its owner, so
  player 1's comparison has variance ``p2^2 + (1 - p2)^2 + p4^2 + (1 - p4)^2`` (Signorino
  2003; games' convention that utilities fixed at 0 also carry a shock).

``log L = sum_i log P(outcome_i)`` with ``P(LL) = (1-P1)(1-p2)``, ``P(LR) = (1-P1) p2``,
``P(RL) = P1 (1-p4)``, ``P(RR) = P1 p4``. Derivatives, optimizer and covariance: see
:mod:`coercive.estimate.strategic`. Identification: a regressor in all four of player 1's
utilities cancels from ``w`` (weights sum to zero) and is refused. games 1.1.2 itself stops
with an error for ``type = "private"`` in ``egame122``, so only the agent-error fits have a peer
reference; the private-information likelihood here follows the formula above.

Labels follow games: ``u1(LL):x1``, ``u2(RR):z3`` (outcome names are a categorical outcome's
levels, or for indicators ``a1 + a2``: ``~a1,~a2``, ``~a1,a2``, ``a1,~a2``, ``a1,a2``).
Starting values: statistical backwards induction (Bas, Signorino & Walker 2008): binary fits
for player 2 at each node, then for player 1 on ``(-(1-p2) X11, -p2 X12, (1-p4) X13, p4 X14)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from coercive.estimate.egame122.kernel import egame122_rows
from coercive.estimate.formula import parse_formula
from coercive.estimate.results import EstimationResults
from coercive.estimate.strategic import (
    IndexLikelihood,
    binary_fit,
    check_options,
    check_player_identified,
    compiled_rows,
    fit_outcome_tree,
    fit_single_threaded,
    log_cdf_and_score,
    outcome_codes,
    utility_labels,
)
from coercive.games.deterrence import LinkFunctions

__all__ = ["UTILITIES", "fit_egame122", "row_loglik"]

UTILITIES = ("u11", "u12", "u13", "u14", "u22", "u24")
_SQRT2 = math.sqrt(2.0)
# (player, outcome index) of each utility, for games' labels
_OWNERS = ((1, 0), (1, 1), (1, 2), (1, 3), (2, 1), (2, 3))


def probabilities(
    utilities: np.ndarray, functions: LinkFunctions, error: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(P1 right, p2 = P(2 right | L), p4 = P(2 right | R)) from the six utilities."""
    u11, u12, u13, u14, u22, u24 = utilities
    p2 = functions.cdf(u22 / _SQRT2)
    p4 = functions.cdf(u24 / _SQRT2)
    gain = p4 * u14 + (1.0 - p4) * u13 - p2 * u12 - (1.0 - p2) * u11
    if error == "agent":
        scale = _SQRT2
    else:
        scale = np.sqrt(p2**2 + (1.0 - p2) ** 2 + p4**2 + (1.0 - p4) ** 2)
    return functions.cdf(gain / scale), p2, p4


def _outcome_probabilities(
    utilities: np.ndarray, functions: LinkFunctions, error: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """P(LL), P(LR), P(RL), P(RR) (tree order) from the six utilities."""
    p1, p2, p4 = probabilities(utilities, functions, error)
    return (1 - p1) * (1 - p2), (1 - p1) * p2, p1 * (1 - p4), p1 * p4


def row_loglik(
    utilities: np.ndarray, outcome: np.ndarray, functions: LinkFunctions, error: str
) -> np.ndarray:
    """Row log-likelihoods; ``utilities`` has shape ``(6, *batch)``, ``outcome`` codes 0..3."""
    u11, u12, u13, u14, u22, u24 = utilities
    p2 = functions.cdf(u22 / _SQRT2)
    p4 = functions.cdf(u24 / _SQRT2)
    gain = p4 * u14 + (1.0 - p4) * u13 - p2 * u12 - (1.0 - p2) * u11
    if error == "agent":
        index = gain / _SQRT2
    else:
        index = gain / np.sqrt(p2**2 + (1.0 - p2) ** 2 + p4**2 + (1.0 - p4) ** 2)
    right = outcome >= 2
    second = np.where(right, u24, u22) / _SQRT2
    second_right = (outcome % 2) == 1
    return functions.log_cdf(np.where(right, index, -index)) + functions.log_cdf(
        np.where(second_right, second, -second)
    )


def row_loglik_and_gradient(
    utilities: np.ndarray, outcome: np.ndarray, functions: LinkFunctions, error: str
) -> tuple[np.ndarray, np.ndarray]:
    """Row log-likelihoods and their derivatives in the six utilities (chain rule).

    With ``x = w / s1`` player 1's index and ``a2 = u22 / sqrt(2)``, ``a4 = u24 / sqrt(2)``:
    ``dx/du1k`` are the outcome weights over ``s1``; ``dx/dp = (u_right - u_left)/s1 -
    x (ds1/dp)/s1`` with ``ds1/dp = (2p - 1)/s1`` for private information (0 for agent error);
    player 2's own choice adds ``d log F(+-a)/da`` at the node reached.
    """
    u11, u12, u13, u14, u22, u24 = utilities
    a2, a4 = u22 / _SQRT2, u24 / _SQRT2
    p2, p4 = functions.cdf(a2), functions.cdf(a4)
    gain = p4 * u14 + (1.0 - p4) * u13 - p2 * u12 - (1.0 - p2) * u11
    if error == "agent":
        scale = np.full_like(gain, _SQRT2)
        dscale2 = dscale4 = 0.0
    else:
        scale = np.sqrt(p2**2 + (1.0 - p2) ** 2 + p4**2 + (1.0 - p4) ** 2)
        dscale2, dscale4 = (2.0 * p2 - 1.0) / scale, (2.0 * p4 - 1.0) / scale
    index = gain / scale
    right = outcome >= 2
    sign1 = np.where(right, 1.0, -1.0)
    second = np.where(right, a4, a2)
    sign2 = np.where((outcome % 2) == 1, 1.0, -1.0)
    log1, score1 = log_cdf_and_score(functions, sign1 * index)
    log2, score2 = log_cdf_and_score(functions, sign2 * second)
    rows = log1 + log2
    g1 = sign1 * score1
    g2 = sign2 * score2
    dx_dp2 = (u11 - u12) / scale - index * dscale2 / scale
    dx_dp4 = (u14 - u13) / scale - index * dscale4 / scale
    gradient = np.empty_like(utilities)
    gradient[0] = -g1 * (1.0 - p2) / scale
    gradient[1] = -g1 * p2 / scale
    gradient[2] = g1 * (1.0 - p4) / scale
    gradient[3] = g1 * p4 / scale
    gradient[4] = (g1 * dx_dp2 * functions.pdf(a2) + np.where(right, 0.0, g2)) / _SQRT2
    gradient[5] = (g1 * dx_dp4 * functions.pdf(a4) + np.where(right, g2, 0.0)) / _SQRT2
    return rows, gradient


def _indicator_codes(outcome: np.ndarray) -> np.ndarray:
    first = outcome[:, 0]
    if outcome.shape[1] == 2:
        return 2 * first + outcome[:, 1]
    return 2 * first + np.where(first == 1, outcome[:, 2], outcome[:, 1])


def _indicator_labels(names: Sequence[str]) -> tuple[str, ...]:
    a, b = names[0], names[1]
    c = names[2] if len(names) == 3 else names[1]
    return (f"~{a},~{b}", f"~{a},{b}", f"{a},~{c}", f"{a},{c}")


def _start(
    matrices: Sequence[np.ndarray], codes: np.ndarray, functions: LinkFunctions, error: str
) -> np.ndarray:
    x11, x12, x13, x14, x22, x24 = matrices
    left, right = codes < 2, codes >= 2
    g22 = binary_fit(x22[left], codes[left] == 1, functions)
    g24 = binary_fit(x24[right], codes[right] == 3, functions)
    p2 = functions.cdf(x22 @ g22) if g22.size else np.full(len(codes), 0.5)
    p4 = functions.cdf(x24 @ g24) if g24.size else np.full(len(codes), 0.5)
    stacked = np.hstack(
        [-(1 - p2)[:, None] * x11, -p2[:, None] * x12, (1 - p4)[:, None] * x13, p4[:, None] * x14]
    )
    delta = binary_fit(stacked, right, functions)
    scale = (
        _SQRT2
        if error == "agent"
        else float(np.mean(np.sqrt(p2**2 + (1 - p2) ** 2 + p4**2 + (1 - p4) ** 2)))
    )
    return np.concatenate([delta * scale, g22 * _SQRT2, g24 * _SQRT2])


@fit_single_threaded
def fit_egame122(
    formula: str,
    data: pd.DataFrame,
    link: Literal["probit", "logit"] = "probit",
    error: Literal["agent", "private"] = "agent",
    subset: object = None,
    na: Literal["drop", "raise"] = "drop",
    start: Sequence[float] | np.ndarray | None = None,
    maxiter: int = 1000,
) -> EstimationResults:
    """Fit games' ``egame122`` by maximum likelihood.

    ``formula`` is ``"y ~ u11 | u12 | u13 | u14 | u22 | u24"`` (six parts; ``0`` fixes a utility
    at 0). ``y``: a 4-level categorical or 4-valued numeric outcome (LL, LR, RL, RR in order),
    or 0/1 indicators ``a1 + a2`` (player 1 right, player 2 right) or ``a1 + a2 + a3``
    (player 2's move after L and after R). Other arguments as
    :func:`coercive.estimate.fit_deterrence`. Results carry ``extra["loglik_obs"]`` (per-row
    log-likelihoods, for :func:`coercive.estimate.compare.vuong`).
    """
    functions = check_options(link, error, maxiter)
    design = parse_formula(formula, data, list(UTILITIES), subset=subset, na=na)
    codes, outcomes = outcome_codes(
        design, 4, _indicator_codes, (2, 3), _indicator_labels, "egame122 game"
    )
    check_player_identified(design.part_columns(), (0, 1, 2, 3), UTILITIES)
    matrices = tuple(design.matrices())
    labels = utility_labels(_OWNERS, outcomes, design.part_columns())
    likelihood = IndexLikelihood(
        matrices,
        lambda u: row_loglik(u, codes, functions, error),
        # the compiled kernel of the same formulas as row_loglik_and_gradient
        compiled_rows(
            egame122_rows, np.ascontiguousarray(codes, dtype=np.int64), link == "logit",
            error == "private",
        ),  # fmt: skip
    )
    return fit_outcome_tree(
        model_name=f"Strategic game egame122 (2 players, 4 outcomes), {link}, {error} error",
        formula=formula, link=link, error=error, design=design, outcomes=outcomes,
        labels=labels, likelihood=likelihood, start=start,
        guess=lambda: _start(matrices, codes, functions, error), maxiter=maxiter,
        outcome_probabilities=lambda u: _outcome_probabilities(u, functions, error),
    )  # fmt: skip
