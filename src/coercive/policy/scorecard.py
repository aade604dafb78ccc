"""Jakobsen's four conditions, the binding one by counterfactual runs, and the target's calculus.

Jakobsen (1998, *Western Use of Coercive Diplomacy after the Cold War*, ch. 2; 2011 in
*Coercion: The Power to Hurt*) names four conditions for successful coercive diplomacy,
which the seed article (Wang 2018) applies to North Korea:

1. **threat** — a threat of force (or limited force) able to defeat the adversary's
   objective quickly and at little cost; here its *potency*, the probability the threat is
   executed if resisted (the equilibrium ``pF``) times the escalation dominance;
2. **deadline** — a deadline for compliance; here whether one exists, its length and
   whether it is public;
3. **assurance** — an assurance that compliance will not bring further demands; here the
   target's belief in it;
4. **inducement** — carrots for compliance; here the expected value of the carrots
   (sanctions relief included) as a share of the value of what the target gives up.

Each gets a status ``met`` / ``partial`` / ``unmet`` from its quantity. The **binding**
condition is found by the model, not a rule: each condition in turn is set to its 'met'
level (:class:`coercive.policy.mapping.ScorecardConstants`), the game is re-solved with the
same Monte Carlo draws, and the condition whose improvement raises mean compliance most is
binding. All counterfactual variants are solved in the same engine call as the baseline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from coercive.policy.mapping import (
    AllConstants,
    Mapped,
    ScorecardConstants,
    annuity,
)
from coercive.policy.montecarlo import Solution
from coercive.policy.scenario import Scenario

CONDITIONS: tuple[str, ...] = ("threat", "deadline", "assurance", "inducement")

Draws = dict[str, np.ndarray]


def counterfactual(
    condition: str, scenario: Scenario, draws: Mapping[str, np.ndarray], const: AllConstants
) -> tuple[Scenario, Draws]:
    """The scenario and draws with one condition raised to its 'met' level (never lowered)."""
    sc = const.scorecard
    new_draws: Draws = dict(draws)
    inst = scenario.instruments
    if condition == "threat":
        path = "instruments.threat.escalation_dominance"
        new_draws[path] = np.maximum(draws[path], sc.threat_met_dominance)
        path = "instruments.threat.coercer_war_cost"
        new_draws[path] = np.minimum(draws[path], sc.threat_met_war_cost)
        return scenario, new_draws
    if condition == "deadline":
        months = inst.deadline.months
        target = (
            sc.deadline_counterfactual_months
            if months is None
            else min(months, sc.deadline_counterfactual_months)
        )
        deadline = inst.deadline.model_copy(update={"months": target, "public": True})
        instruments = inst.model_copy(update={"deadline": deadline})
        return scenario.model_copy(update={"instruments": instruments}), new_draws
    if condition == "assurance":
        path = "instruments.assurance.credibility"
        new_draws[path] = np.maximum(draws[path], sc.assurance_counterfactual)
        return scenario, new_draws
    if condition == "inducement":
        delivery_path = "instruments.inducements.delivery_credibility"
        new_draws[delivery_path] = np.maximum(draws[delivery_path], sc.assurance_counterfactual)
        # compensation worth a set share of what the target gives up (value of office
        # units, docs/model.md step 3), paid over the scenario's compensation period (never
        # less than what is already offered)
        mapping = const.mapping
        rate = mapping.discount_rate
        years = inst.inducements.compensation_years
        per_gdp_year = 1.0 / mapping.office_value_gdp_years
        given_up = (
            per_gdp_year * draws["demand.value_per_year"] / rate + draws["demand.power_given_up"]
        )
        needed = (
            sc.inducement_counterfactual_cover
            * given_up
            / (per_gdp_year * annuity(rate, years))
        )
        path = "instruments.inducements.compensation"
        new_draws[path] = np.clip(np.maximum(draws[path], needed), 0.0, 1.0)
        inducements = inst.inducements.model_copy(update={"sanctions_relief": True})
        instruments = inst.model_copy(update={"inducements": inducements})
        return scenario.model_copy(update={"instruments": instruments}), new_draws
    raise ValueError(f"unknown condition {condition!r}")


def _status(value: float, met: float, partial: float) -> str:
    if value >= met:
        return "met"
    if value >= partial:
        return "partial"
    return "unmet"


def conditions(
    scenario: Scenario, mapped: Mapped, solution: Solution, sc: ScorecardConstants
) -> dict[str, dict[str, Any]]:
    """Status and quantity of each of Jakobsen's conditions at the baseline."""
    parts = mapped.parts
    potency = float(np.mean(solution.firm * parts["escalation_dominance"]))
    deadline = scenario.instruments.deadline
    if deadline.months is None:
        deadline_status = "unmet"
    elif deadline.public and deadline.months <= sc.deadline_met_months:
        deadline_status = "met"
    else:
        deadline_status = "partial"
    assurance = float(np.mean(parts["assurance"]))
    carrots = parts["carrots_expected"] + parts["relief_value"]
    cover = float(np.mean(carrots / np.maximum(parts["value_given_up"], 1e-9)))
    return {
        "threat": {
            "status": _status(potency, sc.threat_met, sc.threat_partial),
            "quantity": "potency",
            "value": potency,
            "met_at": sc.threat_met,
            "meaning": "probability the threat is executed if resisted x escalation dominance",
            "credibility": float(np.mean(solution.firm)),
            "escalation_dominance": float(np.mean(parts["escalation_dominance"])),
        },
        "deadline": {
            "status": deadline_status,
            "quantity": "months",
            "value": deadline.months,
            "public": deadline.public,
            "met_at": sc.deadline_met_months,
            "meaning": "a public deadline of at most met_at months is met; a longer or "
            "private one is partial; none is unmet",
        },
        "assurance": {
            "status": _status(assurance, sc.assurance_met, sc.assurance_partial),
            "quantity": "credibility",
            "value": assurance,
            "met_at": sc.assurance_met,
            "meaning": "the target's belief that compliance brings no further demands",
        },
        "inducement": {
            "status": _status(cover, sc.inducement_met, sc.inducement_partial),
            "quantity": "cover",
            "value": cover,
            "met_at": sc.inducement_met,
            "meaning": "expected carrots (incl. sanctions relief) / value of what is given up",
            "sanctions_relief": scenario.instruments.inducements.sanctions_relief,
            "carrots_value_of_office": float(np.mean(carrots)),
        },
    }


def binding(
    baseline: Solution, variants: Mapping[str, Solution], min_gain: float
) -> tuple[str | None, dict[str, dict[str, float]]]:
    """The condition whose 'met' counterfactual raises mean compliance most (None if none does)."""
    base = float(np.mean(baseline.compliance))
    table = {}
    for condition, solution in variants.items():
        compliance = float(np.mean(solution.compliance))
        table[condition] = {
            "compliance": compliance,
            "gain": compliance - base,
            "credibility": float(np.mean(solution.firm)),
            "war": float(np.mean(solution.war)),
            # the same counterfactual before any challenge (the figures above are
            # conditional on it): P(challenge), P(challenge and compliance)
            "challenge": float(np.mean(solution.challenge)),
            "compliance_ex_ante": float(np.mean(solution.challenge * solution.compliance)),
        }
    best = max(table, key=lambda name: table[name]["gain"]) if table else None
    if best is None or table[best]["gain"] < min_gain:
        return None, table
    return best, table


@dataclass(frozen=True)
class Calculus:
    """The target's expected value of complying vs resisting (value of office), decomposed."""

    comply: Mapping[str, float]
    resist: Mapping[str, float]

    def __post_init__(self) -> None:
        # read-only views of private copies: the frozen object cannot be edited in place
        object.__setattr__(self, "comply", MappingProxyType(dict(self.comply)))
        object.__setattr__(self, "resist", MappingProxyType(dict(self.resist)))

    def to_dict(self) -> dict[str, Any]:
        """Fresh plain copies: ``{"comply": {...}, "resist": {...}, "margin": float}``."""
        return {"comply": dict(self.comply), "resist": dict(self.resist), "margin": self.margin}

    @property
    def margin(self) -> float:
        """Resist minus comply: positive means resisting looks better before private resolve."""
        return self.resist["total"] - self.comply["total"]


def calculus(mapped: Mapped, solution: Solution) -> Calculus:
    """Mean parts of the target's two options at the selected equilibrium (value of office).

    Resisting: the sanctions that persist (if the coercer backs down, and beside a strike),
    and, with probability ``pF``, the strike: the regime's loss of power, the economic
    damage, and the aim defeated.
    """
    parts = mapped.parts
    firm = solution.firm
    comply = {
        "value_given_up": -parts["value_given_up"],
        "carrots": parts["carrots_expected"],
        "further_demands": -parts["further_demands"],
        "sanctions_kept": -parts["sanctions_after_compliance"],
    }
    resist = {
        "sanctions_until_resolution": -(
            (1.0 - firm) * parts["sanctions_until_resolution"]
            + firm * parts["sanctions_beside_strike"]
        ),
        "strike_damage": -firm * (parts["strike_regime"] + parts["strike_damage"]),
        "aim_defeated_by_strike": -firm * parts["aim_defeated"],
    }
    comply_mean = {name: float(np.mean(values)) for name, values in comply.items()}
    resist_mean = {name: float(np.mean(values)) for name, values in resist.items()}
    comply_mean["total"] = float(np.mean(sum(comply.values())))
    resist_mean["total"] = float(np.mean(sum(resist.values())))
    return Calculus(comply=comply_mean, resist=resist_mean)


__all__ = ["CONDITIONS", "counterfactual", "conditions", "binding", "calculus", "Calculus"]
