"""``coercive design``: the cheapest mix of the coercer's instruments that works.

Searches one phase's instruments (:data:`coercive.design.space.INSTRUMENTS`) for the Pareto
frontier of compliance against the coercer's expected cost with pymoo's NSGA-II, evaluating
each generation in one batched call of the policy layer (``docs/design.md``)::

    from coercive.design import design
    result = design("dprk-2018", target_compliance=0.5)
    result.to_frame(); result.cheapest; result.plot("frontier.png")

Imports only downward (``coercive.policy``); nothing below imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from coercive._errors import InputError
from coercive.design.frontier import (
    COST_PARTS,
    DesignResult,
    Evaluation,
    Evaluator,
    PhaseEvaluator,
    check_target,
    search,
    today_vector,
)
from coercive.design.space import CARROTS, INSTRUMENTS, STICKS, Instrument, Prices, check_bounds


def _int(field: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InputError(f"{field}: expected an integer >= {low}, got {value!r}")
    return int(value)


def scenario_prices(inputs: Mapping[str, np.ndarray], const_rate: float,
                    sanctions: float | None, carrots: float | None) -> Prices:
    """Prices, read from the scenario's own coding where it has one (``docs/design.md`` §2).

    The coded ``inducements.cost_to_coercer`` (mean over draws) prices today's package. If
    today's package pays compensation or one-off carrots, it is divided by their present
    value: the price of a target GDP-year of carrots (relief then free). If it offers only
    relief, it is the price of relief (carrots then at the prior). Otherwise, and for
    sanctions, the documented priors of :class:`Prices`.
    """
    from coercive.policy.mapping import annuity

    default = Prices()
    paid = inputs["compensation"] * annuity(const_rate, inputs["compensation_years"])
    pv = float(np.mean(paid + inputs["other_carrots"]))
    cost = float(np.mean(inputs["carrot_cost"]))
    relief = default.relief
    if carrots is None:
        carrots = cost / pv if pv > 0 and cost > 0 else default.carrots
    if pv == 0 and float(np.mean(inputs["relief_offered"])) > 0:
        relief = cost
    return Prices(carrots=carrots, relief=relief,
                  sanctions=default.sanctions if sanctions is None else sanctions)


def design(
    case: str,
    target_compliance: float = 0.5,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    draws: int = 200,
    pop_size: int = 60,
    generations: int = 40,
    seed: int = 0,
    sanctions_price: float | None = None,
    carrot_price: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DesignResult:
    """Frontier of compliance against cost for a case id or scenario file (one phase)."""
    from coercive.policy.loader import load_scenario
    from coercive.policy.mapping import constants, scenario_inputs
    from coercive.policy.montecarlo import sample_inputs

    target = check_target(target_compliance)
    draws = _int("draws", draws, 1)
    pop_size = _int("pop_size", pop_size, 4)
    generations = _int("generations", generations, 1)
    check_bounds(bounds)  # before any work
    scenario = load_scenario(case)
    const = constants().mapping
    inputs = scenario_inputs(scenario, sample_inputs(scenario, n=draws))
    prices = scenario_prices(inputs, const.discount_rate, sanctions_price, carrot_price)
    evaluator = PhaseEvaluator(inputs, const, prices, bounds, scenario.model.equilibrium)
    today = today_vector(inputs)
    x, frontier = search(evaluator, start=today, pop_size=pop_size, generations=generations,
                         seed=seed, progress=progress, target=target)
    return DesignResult(
        case=scenario.id,
        names=evaluator.names,
        frontier_x=x,
        frontier=frontier,
        today_x=today[None, :],
        today=evaluator.evaluate(today[None, :]),
        target=target,
        low=evaluator.low,
        high=evaluator.high,
        settings={
            "draws": draws, "pop_size": pop_size, "generations": generations, "seed": seed,
            "price_carrots": prices.carrots, "price_sanctions": prices.sanctions,
            "price_relief": prices.relief,
            "equilibrium": scenario.model.equilibrium,
        },
    )


__all__ = [
    "CARROTS",
    "COST_PARTS",
    "DesignResult",
    "Evaluation",
    "Evaluator",
    "INSTRUMENTS",
    "Instrument",
    "PhaseEvaluator",
    "Prices",
    "STICKS",
    "design",
    "search",
]
