r"""Choice probabilities of the 3-outcome deterrence game (Signorino 2003).

The game (Signorino 2003, *Political Analysis* 11:316–344; R package games' ``egame12``)::

        1
       / \
    u11   \ escalate
           2
          / \
   back  /   \ war
  down  /     \
     u13, 0   u14, u24

Player 1 keeps the status quo (payoff ``u11``) or escalates; player 2 then backs down
(``u13`` for 1, 0 for 2) or fights (``u14`` for 1, ``u24`` for 2). Write ``F`` for the link's
CDF (standard normal ``Phi`` for ``link="probit"``, logistic ``Lambda`` for ``"logit"``),
``p = P(war | escalate)`` and ``EU1(esc) = p u14 + (1 - p) u13``.

Agent error (``error="agent"``)
    Every action at every node carries its own independent shock of scale ``scale``, drawn
    when the node is reached; the mover picks the larger perturbed utility. Play is by
    backward induction and the solution is unique (the agent quantal response equilibrium).
    The difference of two shocks has scale ``d = scale`` for the logit link (two type-I
    extreme-value shocks of scale ``s`` differ by a logistic of scale ``s``) and
    ``d = scale * sqrt(2)`` for the probit link (two ``N(0, s^2)`` shocks differ by
    ``N(0, 2 s^2)``), so::

        p            = F(u24 / d)
        P(escalate)  = F((EU1(esc) - u11) / d)

    With ``link="logit"`` this is exactly the agent logit QRE with precision
    ``lambda = 1 / scale``: ``p = 1 / (1 + exp(-lambda (u24 - 0)))`` and
    ``P(escalate) = 1 / (1 + exp(-lambda (EU1(esc) - u11)))`` (McKelvey & Palfrey 1998).

Private information (``error="private"``)
    Each outcome payoff carries an independent shock of scale ``scale`` known only to its
    owner before play (Signorino 2003, section on private information: every player's outcome
    payoffs are perturbed independently). That includes player 2's back-down payoff, whose
    systematic part 0 is the normalization but whose shock is not: player 2 fights when
    ``u24 + e24 > 0 + e23``, a comparison with standard deviation ``scale * sqrt(2)`` for the
    probit link. Player 1, not knowing player 2's shocks, escalates when
    ``p (u14 + e14) + (1 - p)(u13 + e13) > u11 + e11``; the left minus right side is normal
    with standard deviation ``scale * sqrt(1 + p^2 + (1-p)^2)``::

        p            = F(u24 / (scale * sqrt(2)))
        P(escalate)  = F((EU1(esc) - u11) / (scale * sqrt(1 + p^2 + (1 - p)^2)))

    This is the convention of games (Kenkel & Signorino) since version 1.0-0, whose NEWS reads
    "utilities fixed to 0 (e.g., u23 in egame12()) are now assumed to have a stochastic
    component in the private-error case" (``egame12``: five unit shocks, player 2's war
    comparison with standard deviation ``sqrt(1 + 1)``). For the logit link the same two
    formulas are used with ``F = Lambda`` (a sum of logistic shocks is not logistic, so this
    is a convention rather than an exact derivation; games itself refuses logit with private
    information and switches to probit; Signorino 2003 derives the probit case).

Normalizations used by games 1.1.2 (``egame12``, all shock scales 1), as the estimator in
:mod:`coercive.estimate.deterrence` applies them through ``scale``:

==========  ========  ===============================  =====================================
link        error     games' formulas                  ``scale`` here
==========  ========  ===============================  =====================================
probit      agent     ``Phi(x / sqrt(2))``             ``1`` (unit-variance shock per action)
logit       agent     ``Lambda(x / sqrt(2))``          ``sqrt(2)``
either      private   ``F(u24 / sqrt(2))``, ``F(w /    ``1`` (unit-variance shock per outcome
                      sqrt(1 + p^2 + (1 - p)^2))``     payoff, ``w = EU1(esc) - u11``)
==========  ========  ===============================  =====================================

API
---
``action_probabilities(u11, u13, u14, u24, link="probit", error="agent", scale=1.0)``
    -> ``(p_escalate, p_war_given_escalate)``, numpy arrays broadcast over the inputs.
``outcome_probabilities(...)`` (same arguments) -> dict ``status_quo``, ``back_down``, ``war``.
``LinkFunctions`` / ``link_functions(link)``: CDF, log-CDF, density and ``f/F`` of a link,
numerically safe in the tails (used by the estimator for its analytic gradient).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import special

from coercive._errors import InputError, finite_array

__all__ = [
    "ERRORS",
    "LINKS",
    "LinkFunctions",
    "action_probabilities",
    "difference_scale",
    "link_functions",
    "outcome_probabilities",
]

Link = Literal["probit", "logit"]
ErrorStructure = Literal["agent", "private"]
LINKS: tuple[str, ...] = ("probit", "logit")
ERRORS: tuple[str, ...] = ("agent", "private")

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


@dataclass(frozen=True)
class LinkFunctions:
    """A symmetric link ``F`` (``F(-x) = 1 - F(x)``) and the pieces a likelihood needs."""

    name: str

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return special.ndtr(x) if self.name == "probit" else special.expit(x)

    def log_cdf(self, x: np.ndarray) -> np.ndarray:
        """``log F(x)``, accurate far into the lower tail."""
        return special.log_ndtr(x) if self.name == "probit" else special.log_expit(x)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        if self.name == "probit":
            return np.exp(-0.5 * x * x - _LOG_SQRT_2PI)
        # logistic density Lambda(x) Lambda(-x), written to avoid overflow
        return special.expit(x) * special.expit(-x)

    def score(self, x: np.ndarray) -> np.ndarray:
        """``d log F(x) / dx = f(x) / F(x)`` (inverse Mills ratio for probit), tail-safe."""
        if self.name == "probit":
            return np.exp(-0.5 * x * x - _LOG_SQRT_2PI - special.log_ndtr(x))
        return special.expit(-x)


def link_functions(link: str) -> LinkFunctions:
    """The :class:`LinkFunctions` of ``link`` (``"probit"`` or ``"logit"``)."""
    if not isinstance(link, str) or link not in LINKS:
        raise InputError(f"link: must be one of {', '.join(LINKS)}; got {link!r}")
    return LinkFunctions(link)


def _check_error(error: object) -> str:
    if not isinstance(error, str) or error not in ERRORS:
        raise InputError(f"error: must be one of {', '.join(ERRORS)}; got {error!r}")
    return error


def difference_scale(link: str, scale: np.ndarray | float) -> np.ndarray | float:
    """Scale of the difference of two agent-error shocks.

    ``scale`` for the logit link, ``scale * sqrt(2)`` for the probit link.
    """
    return scale * math.sqrt(2.0) if link == "probit" else scale


def _probabilities(
    u11: np.ndarray,
    u13: np.ndarray,
    u14: np.ndarray,
    u24: np.ndarray,
    functions: LinkFunctions,
    error: str,
    scale: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray]:
    """The formulas of the module docstring on validated arrays (no checks)."""
    if error == "agent":
        spread = difference_scale(functions.name, scale)
        war = functions.cdf(u24 / spread)
        back_down = functions.cdf(-u24 / spread)  # = 1 - war, exact in the tail
        escalate = functions.cdf((war * u14 + back_down * u13 - u11) / spread)
    else:
        # player 2's shocks on fighting and on backing down both enter her comparison
        war_spread = scale * math.sqrt(2.0)
        war = functions.cdf(u24 / war_spread)
        back_down = functions.cdf(-u24 / war_spread)
        spread = scale * np.sqrt(1.0 + war * war + back_down * back_down)
        escalate = functions.cdf((war * u14 + back_down * u13 - u11) / spread)
    return escalate, war


def action_probabilities(
    u11: np.ndarray | float,
    u13: np.ndarray | float,
    u14: np.ndarray | float,
    u24: np.ndarray | float,
    link: Link = "probit",
    error: ErrorStructure = "agent",
    scale: np.ndarray | float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """``(P(escalate), P(war | escalate))`` of the deterrence game (see module docstring)."""
    functions = link_functions(link)
    error = _check_error(error)
    arrays = [
        finite_array(name, value)
        for name, value in zip(("u11", "u13", "u14", "u24"), (u11, u13, u14, u24), strict=True)
    ]
    scale_array = finite_array("scale", scale)
    if np.any(scale_array <= 0):
        raise InputError("scale: must be > 0")
    try:
        arrays = list(np.broadcast_arrays(*arrays, scale_array))
    except ValueError:
        raise InputError("u11, u13, u14, u24, scale: shapes do not broadcast together") from None
    *utilities, scale_array = arrays
    return _probabilities(*utilities, functions, error, scale_array)


def outcome_probabilities(
    u11: np.ndarray | float,
    u13: np.ndarray | float,
    u14: np.ndarray | float,
    u24: np.ndarray | float,
    link: Link = "probit",
    error: ErrorStructure = "agent",
    scale: np.ndarray | float = 1.0,
) -> dict[str, np.ndarray]:
    """Probabilities of the three outcomes: ``status_quo``, ``back_down``, ``war``."""
    escalate, war = action_probabilities(u11, u13, u14, u24, link, error, scale)
    return {
        "status_quo": 1.0 - escalate,
        "back_down": escalate * (1.0 - war),
        "war": escalate * war,
    }
