"""The coercer's expected cost of a mix, per draw, given the target's and its own behaviour.

``docs/design.md`` §2 derives each part. Everything is in the coercer's stakes, discounted to
the target's decision, conditional on the campaign (the challenge made). The behaviour
(``comply``, ``war``, ``backdown`` — probabilities per draw) comes from the game; this module
only prices it, so a test can hold the behaviour fixed and check that every charge is
weakly increasing in the level of the instrument it charges for.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from coercive.design.space import Prices
from coercive.policy.constants import MappingConstants
from coercive.policy.mapping import Mapped, annuity

COST_PARTS = ("carrots", "assurance", "sanctions", "war", "backdown")
"""The coercer's expected cost, in its stakes, conditional on the campaign (the challenge)."""


def carrot_cost(
    inputs: Mapping[str, np.ndarray], prices: Prices, rate: float, horizon_years: float = np.inf
) -> np.ndarray:
    """Price of the carrots paid on compliance (stakes): compensation over at most the
    horizon, one-off carrots, and the political price of relief."""
    years = np.minimum(np.asarray(inputs["compensation_years"], dtype=float), horizon_years)
    paid = np.asarray(inputs["compensation"]) * annuity(rate, years) + inputs["other_carrots"]
    return prices.carrots * paid + prices.relief * np.asarray(inputs["relief_offered"])


def executing_cost(
    inputs: Mapping[str, np.ndarray],
    strike_cost: np.ndarray,
    economy_loss: np.ndarray,
    prices: Prices,
    const: MappingConstants,
) -> np.ndarray:
    """What executing the threat costs the coercer at the decision (stakes): the strike's
    cost with the probability the posture is force, and threatened sanctions' own stream.

    This is what the design feeds the mapping as ``coercer_war_cost``, so the coercer's
    ``WA`` in the game and the war and sanctions charges of :func:`coercer_cost` are the same
    numbers (a sanctions-only threat then costs nothing that depends on the strike's cost).
    """
    force = np.asarray(inputs["force"], dtype=float)
    threatened = np.asarray(inputs["threatened"], dtype=float)
    stream = prices.sanctions * economy_loss * annuity(
        const.discount_rate + const.sanctions_erosion, np.inf
    )
    return force * np.asarray(strike_cost, dtype=float) + threatened * stream


def coercer_cost(
    inputs: Mapping[str, np.ndarray],
    strike_cost: np.ndarray,
    mapped: Mapped,
    comply: np.ndarray,
    war: np.ndarray,
    backdown: np.ndarray,
    prices: Prices,
    const: MappingConstants,
    horizon_years: float = np.inf,
) -> dict[str, np.ndarray]:
    """The parts of :data:`COST_PARTS` per draw.

    ``inputs`` are the flat inputs the mix was mapped with, ``strike_cost`` the coded cost of
    a strike (the scenario's ``coercer_war_cost``, before :func:`executing_cost`), ``mapped``
    their :func:`~coercive.policy.mapping.payoffs`; ``comply`` = 1 − P(resist),
    ``war`` = P(resist and the threat executed), ``backdown`` = P(resist and the coercer backs
    down). ``horizon_years`` truncates the cost streams (sanctions, compensation): the
    coercer's cost by that horizon; ``inf`` is the whole stream.
    """
    parts = mapped.parts
    r, erosion = const.discount_rate, const.sanctions_erosion
    at = parts["strike_discount"]  # exp(-r T): the decision time
    decision = parts["horizon_years"]
    threatened = np.asarray(inputs["threatened"], dtype=float)
    relief = np.asarray(inputs["relief_offered"], dtype=float)
    loss = prices.sanctions * parts["economy_loss"]
    # in force: running from now, eroding, to the horizon; threatened: imposed at T (if the
    # threat is executed) and eroding from then, to the horizon
    from_now = loss * annuity(r + erosion, horizon_years)
    from_decision = loss * at * annuity(r + erosion, np.maximum(horizon_years - decision, 0.0))
    # in force they run while the target resists and after compliance unless relief lifts
    # them (relief also gives the coercer its own trade back: the only charge that falls
    # with an instrument's level, docs/design.md §2)
    sanctions = (1.0 - threatened) * from_now * (comply * (1.0 - relief) + (1.0 - comply))
    sanctions = sanctions + threatened * war * from_decision
    return {
        "carrots": comply * carrot_cost(inputs, prices, r, horizon_years),
        "assurance": comply * parts["forgone_demands"],
        "sanctions": sanctions,
        "war": war * at * np.asarray(inputs["force"], dtype=float) * strike_cost,
        "backdown": backdown * at * parts["backdown_cost"],
    }


__all__ = ["COST_PARTS", "carrot_cost", "coercer_cost", "executing_cost"]
