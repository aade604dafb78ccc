"""Agent-error versions of the crisis games: an independent shock on every action.

In the Lewis–Schultz game (Lewis & Schultz 2003, *Political Analysis* 11:345–367) the shocks
sit on the *outcome* payoffs and are private information, which is what makes the equilibrium a
fixed point that can have several solutions. In the agent-error (or "quantal response")
version used by Signorino (1999, *APSR* 93:279–297; 2003, *Political Analysis* 11:316–344) each
player, at each of its decision nodes, adds an independent error to the utility of *each
action* it could take there and picks the larger. With perfect information a player's error at
one node is independent of everything else, so the game is solved by backward induction and has
exactly one solution, the agent quantal response equilibrium (McKelvey & Palfrey 1998,
*Experimental Economics* 1:9–41).

Error conventions (``scale`` is the same number for both links; every action's error has it):

- ``link="logit"``: each action's error is type-I extreme value with scale ``scale``, so the
  difference of two errors is logistic with scale ``scale`` and
  ``Pr(action) = exp(u/scale) / sum exp(u'/scale)``. This is the agent *logit* QRE with
  precision ``lambda = 1 / scale`` (McKelvey & Palfrey; Gambit's ``logit_solve_lambda``).
  Note that R's ``games`` package (Kenkel & Signorino) instead uses a logistic difference with
  scale ``sqrt(2)`` for unit-variance agent errors; pass ``scale=sqrt(2)`` to reproduce it.
- ``link="probit"``: each action's error is ``N(0, scale**2)``, so the difference of two errors
  has standard deviation ``scale * sqrt(2)`` and ``Pr(action) = Phi(du / (scale * sqrt(2)))``.
  This is Signorino's strategic-probit agent-error convention and the one ``games`` uses (unit
  error variance per action, hence the ``sqrt(2)`` on every difference).

Two games live here:

- :class:`AgentErrorGame`, the 4-outcome Lewis–Schultz tree. A keeps the status quo (``SA`` for
  A, 0 for B) or challenges; B concedes (``VA``, ``CB``) or resists; A then stands firm
  (``WA``, ``WB``) or backs down (``a``, ``VB``).
- :class:`AgentErrorDeterrenceGame`, the 3-outcome deterrence game of Signorino (2003),
  estimated in :mod:`coercive.estimate`: player 1 keeps the status quo (``u11``) or escalates;
  player 2 backs down (``u13`` for 1, 0 for 2) or fights (``u14`` for 1, ``u24`` for 2). Its
  probabilities come from :func:`coercive.games.deterrence.action_probabilities`.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special

from coercive._errors import InputError, finite_array
from coercive.games import deterrence

Link = Literal["logit", "probit"]
LINKS: tuple[str, ...] = ("logit", "probit")

__all__ = [
    "AgentErrorDeterrenceGame",
    "AgentErrorGame",
    "LINKS",
    "choice_probability",
]


def _check_link(link: object) -> str:
    if not isinstance(link, str) or link not in LINKS:
        raise InputError(f"link: must be one of {', '.join(LINKS)}; got {link!r}")
    return link


def _check_scale(scale: object) -> np.ndarray:
    scale_array = finite_array("scale", scale)
    if np.any(scale_array <= 0):
        raise InputError("scale: must be > 0 (the error scale of every action)")
    return scale_array


def _broadcast_games(named: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Broadcast every array together and flatten to one axis of games (row i = game i)."""
    try:
        shape = np.broadcast_shapes(*(value.shape for value in named.values()))
    except ValueError:
        shapes = ", ".join(f"{name}{value.shape}" for name, value in named.items())
        raise InputError(f"payoffs: shapes do not broadcast together: {shapes}") from None
    return {name: np.broadcast_to(value, shape).ravel() for name, value in named.items()}


def choice_probability(
    utility_difference: np.ndarray | float, link: Link = "logit", scale: np.ndarray | float = 1.0
) -> np.ndarray:
    """Probability of choosing an action that beats the alternative by ``utility_difference``.

    Each of the two actions carries an independent error (see the module docstring for the
    conventions): logit ``1 / (1 + exp(-du / scale))``, probit ``Phi(du / (scale * sqrt(2)))``.
    Evaluated with ``expit`` / ``ndtr``, which saturate to exactly 0 or 1 rather than overflow.
    """
    difference = np.asarray(utility_difference, dtype=float)
    if link == "logit":
        return special.expit(difference / scale)
    if link == "probit":
        return special.ndtr(difference / (np.asarray(scale, dtype=float) * math.sqrt(2.0)))
    raise InputError(f"link: must be one of {', '.join(LINKS)}; got {link!r}")


class AgentErrorGame:
    """The Lewis–Schultz crisis tree with an independent error on every action.

    Every payoff (and ``scale``) is a scalar or an array; all broadcast together to one flat
    axis of games, row ``i`` being game ``i``. ``link="logit"`` gives the agent logit QRE with
    ``lambda = 1 / scale``; ``link="probit"`` gives each action an ``N(0, scale**2)`` error.

    >>> AgentErrorGame(SA=0, VA=1, CB=0, WA=-1.9, WB=-2.9, a=-1.2, VB=1).solve().round(4)
       game      pC     pR      pF      SQ     CD      SF      BD
    0     0  0.4904  0.427  0.3318  0.5096  0.281  0.0695  0.1399
    """

    def __init__(
        self,
        *,
        SA: np.ndarray | float,
        VA: np.ndarray | float,
        CB: np.ndarray | float,
        WA: np.ndarray | float,
        WB: np.ndarray | float,
        a: np.ndarray | float,
        VB: np.ndarray | float,
        link: Link = "logit",
        scale: np.ndarray | float = 1.0,
    ) -> None:
        self.link: str = _check_link(link)
        given = {"SA": SA, "VA": VA, "CB": CB, "WA": WA, "WB": WB, "a": a, "VB": VB}
        arrays = {name: finite_array(name, value) for name, value in given.items()}
        arrays["scale"] = _check_scale(scale)
        flat = _broadcast_games(arrays)
        self.SA, self.VA, self.CB = flat["SA"], flat["VA"], flat["CB"]
        self.WA, self.WB, self.a, self.VB = flat["WA"], flat["WB"], flat["a"], flat["VB"]
        self.scale: np.ndarray = flat["scale"]

    @property
    def n_games(self) -> int:
        return int(self.SA.shape[0])

    @property
    def precision(self) -> np.ndarray:
        """The logit QRE precision ``lambda = 1 / scale`` (meaningful for ``link="logit"``)."""
        return 1.0 / self.scale

    def probabilities(self) -> dict[str, np.ndarray]:
        """Action and outcome probabilities by backward induction, as arrays (one per game).

        Keys: ``pC`` Pr(A challenges), ``pR`` Pr(B resists | challenge), ``pF`` Pr(A stands
        firm | B resisted), and the outcome probabilities ``SQ, CD, SF, BD``. Complements are
        computed from the negated utility difference, not as ``1 - p``, so a probability close to
        1 does not turn its complement into rounding noise.
        """
        link, scale = self.link, self.scale
        # Payoffs near the float limit can overflow a margin to +-inf; the link then saturates
        # to exactly 0 or 1, which is the right limit (margins are sums of finite terms, so no
        # inf - inf or 0 * inf arises), so stay quiet.
        with np.errstate(over="ignore"):
            return self._backward_induction(link, scale)

    def _backward_induction(self, link: str, scale: np.ndarray) -> dict[str, np.ndarray]:
        # A's last move: stand firm (WA) or back down (a).
        firm_margin = self.WA - self.a
        firm = choice_probability(firm_margin, link, scale)
        back_down = choice_probability(-firm_margin, link, scale)
        # B anticipates A's (noisy) last move: resist is worth the expected payoff of that lottery.
        resist_margin = firm * self.WB + back_down * self.VB - self.CB
        resist = choice_probability(resist_margin, link, scale)
        concede = choice_probability(-resist_margin, link, scale)
        # A anticipates both: challenging is worth the expected payoff of everything after it.
        # Summed in halves (exact in binary) so the lottery value stays finite even for payoffs
        # near the float limit: resist * inf would be NaN when resist is exactly 0.
        half_resisted_value = firm * (0.5 * self.WA) + back_down * (0.5 * self.a)
        challenge_margin = 2.0 * (
            concede * (0.5 * self.VA) + resist * half_resisted_value - 0.5 * self.SA
        )
        challenge = choice_probability(challenge_margin, link, scale)
        status_quo = choice_probability(-challenge_margin, link, scale)
        return {
            "pC": challenge,
            "pR": resist,
            "pF": firm,
            "SQ": status_quo,
            "CD": challenge * concede,
            "SF": challenge * resist * firm,
            "BD": challenge * resist * back_down,
        }

    def solve(self) -> pd.DataFrame:
        """The unique agent-error equilibrium of every game: one row per game.

        Columns: ``game`` (0-based row), ``pC``, ``pR``, ``pF`` (as in
        :meth:`coercive.games.CrisisGame.equilibria`) and ``SQ, CD, SF, BD``.
        """
        table = pd.DataFrame(self.probabilities())
        table.insert(0, "game", np.arange(self.n_games))
        return table


class AgentErrorDeterrenceGame:
    """Signorino's 3-outcome deterrence game with agent error (probit or logit link).

    Player 1 keeps the status quo (utility ``u11``) or escalates; player 2 then backs down
    (``u13`` to player 1, 0 to player 2) or fights (``u14`` to 1, ``u24`` to 2). Utilities are
    scalars or arrays broadcast together (row ``i`` = game ``i``); ``scale`` follows this module's
    convention (logit: ``lambda = 1 / scale``; probit: each action's error ``N(0, scale**2)``).
    The probabilities themselves are computed by
    :func:`coercive.games.deterrence.action_probabilities`, the function the estimator uses.
    """

    def __init__(
        self,
        *,
        u11: np.ndarray | float,
        u13: np.ndarray | float,
        u14: np.ndarray | float,
        u24: np.ndarray | float,
        link: Link = "logit",
        scale: np.ndarray | float = 1.0,
    ) -> None:
        self.link: str = _check_link(link)
        given = {"u11": u11, "u13": u13, "u14": u14, "u24": u24}
        arrays = {name: finite_array(name, value) for name, value in given.items()}
        arrays["scale"] = _check_scale(scale)
        flat = _broadcast_games(arrays)
        self.u11, self.u13, self.u14, self.u24 = flat["u11"], flat["u13"], flat["u14"], flat["u24"]
        self.scale: np.ndarray = flat["scale"]

    @property
    def n_games(self) -> int:
        return int(self.u11.shape[0])

    def probabilities(self) -> dict[str, np.ndarray]:
        """``p_escalate``, ``p_war`` (= Pr(fight | escalation)) and outcomes ``SQ, BD, WAR``."""
        escalate, war_given_escalate = deterrence.action_probabilities(
            self.u11,
            self.u13,
            self.u14,
            self.u24,
            link=self.link,
            error="agent",
            scale=self.scale,  # same convention: logit lambda = 1/scale, probit N(0, scale^2)
        )
        escalate = np.asarray(escalate, dtype=float)
        war_given_escalate = np.asarray(war_given_escalate, dtype=float)
        return {
            "p_escalate": escalate,
            "p_war": war_given_escalate,
            "SQ": 1.0 - escalate,
            "BD": escalate * (1.0 - war_given_escalate),
            "WAR": escalate * war_given_escalate,
        }

    def solve(self) -> pd.DataFrame:
        """One row per game: ``game``, ``p_escalate``, ``p_war``, ``SQ``, ``BD``, ``WAR``."""
        table = pd.DataFrame(self.probabilities())
        table.insert(0, "game", np.arange(self.n_games))
        return table
