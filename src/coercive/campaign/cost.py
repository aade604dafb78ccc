"""The coercer's expected cumulative cost of a campaign, month by month (one accounting).

Both ``coercive campaign`` (the ``coercer_cost`` series) and ``coercive design`` across
phases (its cost objective, ``coercive.design.campaign``) price the campaign's behaviour
with :func:`cumulative_cost`; ``docs/design.md`` §2 derives each charge:

* carrots: the package's price (stakes), paid on full compliance;
* assurance: the demands the assurance forgoes (stakes), given up on full compliance;
* sanctions: the coercer's own cost of its sanctions (price x the economy loss they cause,
  per year, eroding) while they run: in force while the target holds out, after compliance
  unless relief lifts them, and after a strike (threatened sanctions are imposed then);
* war: the strike's cost, with the posture's probability that the threat is a strike
  (a sanctions-only threat costs no war).

Everything is discounted to the campaign's start. The behaviour (P(complied in full by t),
P(struck by t)) comes from the game; this module only prices it. It imports nothing from
``coercive.design`` (design imports it: layering downward).
"""

from __future__ import annotations

import numpy as np

from coercive.policy.mapping import annuity

COST_PARTS = ("carrots", "assurance", "sanctions", "war")


def cumulative_cost(
    complied: np.ndarray,
    struck: np.ndarray,
    month_years: float,
    discount_rate: float,
    erosion: float,
    *,
    package: np.ndarray,
    forgone: np.ndarray,
    force: np.ndarray,
    strike_cost: np.ndarray,
    loss: np.ndarray,
    threatened: np.ndarray,
    relief: np.ndarray,
) -> dict[str, np.ndarray]:
    """Each part of :data:`COST_PARTS`, cumulative by the end of month t, (rows, months).

    ``complied``/``struck``: P(complied in full / struck by the end of month t). The other
    arrays are (rows, months) values of the phase (and rung) in force in month t: ``package``
    carrots' price, ``forgone`` the assurance's price, ``force`` P(the threat is a strike),
    ``strike_cost`` the strike's cost, ``loss`` the coercer's yearly cost of the sanctions
    (in force or threatened), ``threatened`` 1 if they are only threatened, ``relief`` the
    share lifted on compliance. All in the coercer's stakes.
    """
    rows, months = complied.shape
    t = np.arange(months)
    disc = np.exp(-discount_rate * t * month_years)
    # present value of month t's slice of a unit stream eroding from the campaign's start
    slice_pv = np.exp(-(discount_rate + erosion) * t * month_years) * annuity(
        discount_rate + erosion, month_years
    )
    through = np.cumsum(slice_pv)  # C_t: months 0 … t
    before = np.concatenate([[0.0], through[:-1]])  # C_{t-1}
    zero = np.zeros((rows, 1))
    new_comply = np.diff(np.concatenate([zero, complied], 1), axis=1)
    new_strike = np.diff(np.concatenate([zero, struck], 1), axis=1)
    running = 1.0 - complied - np.concatenate([zero, struck[:, :-1]], 1)
    in_force = loss * (1.0 - threatened)
    # a stream started in month s runs s … t: sum_s a_s (C_t - C_{s-1})
    kept = new_comply * in_force * (1.0 - relief)  # sanctions kept after compliance from s
    imposed = new_strike * loss  # after a strike in s, from s + 1: sum_s b_s (C_t - C_s)
    after = through * np.cumsum(kept, 1) - np.cumsum(kept * before, 1)
    after = after + through * np.cumsum(imposed, 1) - np.cumsum(imposed * through, 1)
    return {
        "carrots": np.cumsum(new_comply * disc * package, 1),
        "assurance": np.cumsum(new_comply * disc * forgone, 1),
        "sanctions": np.cumsum(running * in_force * slice_pv, 1) + after,
        "war": np.cumsum(new_strike * disc * force * strike_cost, 1),
    }


__all__ = ["COST_PARTS", "cumulative_cost"]
