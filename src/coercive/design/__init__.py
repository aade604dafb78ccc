"""``coercive design``: the cheapest mix of the coercer's instruments that works.

Searches one phase's instruments (:data:`coercive.design.space.INSTRUMENTS`) — or, for a
campaign file, every phase's instruments and start month (:mod:`coercive.design.campaign`) —
for the Pareto frontier of compliance against the coercer's expected cost with pymoo's
NSGA-II, evaluating each generation in one batched call (``docs/design.md``)::

    from coercive.design import design
    result = design("dprk-2018", target_compliance=0.5)
    result.to_frame(); result.cheapest; result.plot("frontier.png")

Imports only downward (``coercive.campaign``, ``coercive.policy``); nothing below imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

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


def is_campaign(case: object) -> bool:
    """True for a bundled campaign id or a YAML file with a ``campaign_version`` field."""
    from pathlib import Path

    from coercive.campaign.schema import bundled_campaigns

    text = str(case)
    if text in bundled_campaigns():
        return True
    path = Path(text)
    if not path.is_file():
        return False
    try:
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except Exception:  # unreadable here: the scenario loader then says what is wrong
        return False
    return isinstance(data, dict) and "campaign_version" in data


def _months(months: object) -> int | None:
    if months is None:
        return None
    return _int("months", months, 1)


def design(
    case: str,
    target_compliance: float = 0.5,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    draws: int | None = None,
    pop_size: int | None = None,
    generations: int | None = None,
    seed: int = 0,
    sanctions_price: float | None = None,
    carrot_price: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    months: int | None = None,
) -> DesignResult:
    """Frontier of compliance against cost for a case id, scenario or campaign file.

    A scenario (one phase): compliance at the game's equilibrium against the coercer's
    expected cost; ``months`` truncates the cost streams at that horizon (default: whole).
    A campaign file: each phase's instruments and start month, P(complied by month
    ``months``) (default: the file's horizon) against the expected cost by then.
    Defaults: 200 draws, population 60, 40 generations (a campaign: 100, 40, 30).
    """
    target = check_target(target_compliance)
    months = _months(months)
    if is_campaign(case):
        return _design_campaign(case, target, bounds, draws, pop_size, generations, seed,
                                sanctions_price, carrot_price, progress, months)
    from coercive.policy.loader import load_scenario
    from coercive.policy.mapping import constants, scenario_inputs
    from coercive.policy.montecarlo import sample_inputs

    draws = _int("draws", 200 if draws is None else draws, 1)
    pop_size = _int("pop_size", 60 if pop_size is None else pop_size, 4)
    generations = _int("generations", 40 if generations is None else generations, 1)
    check_bounds(bounds)  # before any work
    scenario = load_scenario(case)
    const = constants().mapping
    inputs = scenario_inputs(scenario, sample_inputs(scenario, n=draws))
    prices = scenario_prices(inputs, const.discount_rate, sanctions_price, carrot_price)
    horizon = np.inf if months is None else months / 12.0
    evaluator = PhaseEvaluator(inputs, const, prices, bounds, scenario.model.equilibrium,
                               horizon_years=horizon)
    return _search_frontier(
        scenario.id, evaluator, today_vector(inputs), target, pop_size, generations, seed,
        progress, prices,
        {
            "draws": draws, "pop_size": pop_size, "generations": generations, "seed": seed,
            "equilibrium": scenario.model.equilibrium,
            "months": months,
            "objective": "compliance at the equilibrium vs expected cost"
            + ("" if months is None else f" by month {months}"),
        },
    )


def _search_frontier(
    case: str,
    evaluator: Evaluator,
    today: np.ndarray,
    target: float,
    pop_size: int,
    generations: int,
    seed: int,
    progress: Callable[[int, int], None] | None,
    prices: Prices,
    settings: dict[str, Any],
) -> DesignResult:
    """The NSGA-II search from today's policy and its result (both evaluators)."""
    x, frontier = search(evaluator, start=today, pop_size=pop_size, generations=generations,
                         seed=seed, progress=progress, target=target)
    return DesignResult(
        case=case,
        names=evaluator.names,
        frontier_x=x,
        frontier=frontier,
        today_x=today[None, :],
        today=evaluator.evaluate(today[None, :]),
        target=target,
        low=evaluator.low,
        high=evaluator.high,
        settings={
            **settings,
            "price_carrots": prices.carrots, "price_sanctions": prices.sanctions,
            "price_relief": prices.relief,
        },
    )


def _design_campaign(
    case: str,
    target: float,
    bounds: Mapping[str, tuple[float, float]] | None,
    draws: int | None,
    pop_size: int | None,
    generations: int | None,
    seed: int,
    sanctions_price: float | None,
    carrot_price: float | None,
    progress: Callable[[int, int], None] | None,
    months: int | None,
) -> DesignResult:
    from coercive.campaign.schema import load_campaign
    from coercive.design.campaign import CampaignEvaluator, phase_bounds
    from coercive.policy.mapping import constants

    draws = _int("draws", 100 if draws is None else draws, 1)
    pop_size = _int("pop_size", 40 if pop_size is None else pop_size, 4)
    generations = _int("generations", 30 if generations is None else generations, 1)
    campaign = load_campaign(case, None, months)
    if campaign.months < 2 and len(campaign.phases) > 1:
        raise InputError("months: a campaign with phases needs at least 2 months")
    phase_bounds(campaign, bounds)  # before any work
    const = constants().mapping
    evaluator = CampaignEvaluator(campaign, const, None, bounds, draws, None)
    # prices from the first phase whose own coding prices its package (else the priors)
    priced = [b for b in evaluator.base if float(np.mean(b["carrot_cost"])) > 0]
    prices = scenario_prices((priced or evaluator.base)[0], const.discount_rate,
                             sanctions_price, carrot_price)
    evaluator.prices = prices
    return _search_frontier(
        campaign.id, evaluator, evaluator.today(), target, pop_size, generations, seed,
        progress, prices,
        {
            "draws": evaluator.draws, "pop_size": pop_size, "generations": generations,
            "seed": seed, "campaign_seed": evaluator.seed,
            "months": campaign.months,
            "phases": [p.name for p in campaign.phases],
            "objective": f"P(complied by month {campaign.months}) vs expected cost by then",
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
    "is_campaign",
    "search",
]
