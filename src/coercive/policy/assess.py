"""Assess a coercion campaign: compliance, credibility, war, pressure, Jakobsen's conditions.

``assess("dprk-2017")`` loads the scenario, draws its uncertain inputs
(:mod:`coercive.policy.montecarlo`), maps each draw to the Lewis–Schultz game
(:mod:`coercive.policy.mapping`), builds the four 'met' counterfactuals
(:mod:`coercive.policy.scorecard`), and solves baseline and counterfactuals in one engine
call. Probabilities are **conditional on the challenge**: an assessed campaign is under
way, so the coercer has already challenged (Lewis & Schultz's ``pC`` is reported apart as
``challenge``, the probability the coercer would launch it given its expectations).

* ``compliance`` = P(target concedes | challenge) = 1 − pR
* ``credibility`` = P(coercer executes the threat | challenge, target resisted) = pF
* ``war`` = P(threat executed | challenge) = pR · pF
* ``war_unconditional`` = P(threat executed), ex ante = pC · pR · pF (per draw, averaged)

``equilibrium_sensitivity`` reports the baseline's mean compliance under the least- and the
most-resistance selection rules beside the rule in use (``model.equilibrium``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from coercive.policy._frozen import freeze, thaw
from coercive.policy.mapping import AllConstants, constants, map_scenario
from coercive.policy.montecarlo import sample_inputs, solve_rules, summarize
from coercive.policy.scenario import Scenario
from coercive.policy.scorecard import CONDITIONS, binding, calculus, conditions, counterfactual

CONDITIONING = "conditional on the challenge (the campaign is under way)"

_MAPPING_FIELDS = (
    "compliance",
    "credibility",
    "war",
    "challenge",
    "war_unconditional",
    "pressure",
    "conditions",
    "counterfactuals",
    "calculus",
    "equilibrium_sensitivity",
)


@dataclass(frozen=True)
class Assessment:
    """The model's answer for one scenario; :meth:`to_dict` is the CLI's ``--json``.

    Its contents are read-only: the mapping fields are stored as deep
    :class:`types.MappingProxyType` views (lists as tuples), so no consumer can change the
    answer under another; :meth:`to_dict` returns a fresh, plain copy each call.
    """

    scenario: Scenario
    compliance: Mapping[str, float]
    credibility: Mapping[str, float]
    war: Mapping[str, float]
    challenge: Mapping[str, float]
    war_unconditional: Mapping[str, float]
    pressure: Mapping[str, Any]
    conditions: Mapping[str, Mapping[str, Any]]
    binding: str | None
    counterfactuals: Mapping[str, Mapping[str, float]]
    calculus: Mapping[str, Any]
    multiple_equilibria: float
    constants: AllConstants
    equilibrium_sensitivity: Mapping[str, Any]

    def __post_init__(self) -> None:
        for field in _MAPPING_FIELDS:
            # a frozen dataclass allows this only through object.__setattr__
            object.__setattr__(self, field, freeze(getattr(self, field)))

    def to_dict(self) -> dict[str, Any]:
        scenario = self.scenario
        return {
            "case": {"id": scenario.id, "title": scenario.title, "period": scenario.period},
            "conditioning": CONDITIONING,
            "compliance": self.compliance["mean"],
            "credibility": self.credibility["mean"],
            "war": self.war["mean"],
            "challenge": self.challenge["mean"],
            # ex ante, before the challenge: per draw pC · pR · pF, then averaged
            "war_unconditional": self.war_unconditional["mean"],
            "intervals": {
                "level": 0.9,
                "compliance": [self.compliance["low"], self.compliance["high"]],
                "credibility": [self.credibility["low"], self.credibility["high"]],
                "war": [self.war["low"], self.war["high"]],
                "challenge": [self.challenge["low"], self.challenge["high"]],
                "war_unconditional": [
                    self.war_unconditional["low"],
                    self.war_unconditional["high"],
                ],
            },
            "pressure": thaw(self.pressure),
            "conditions": thaw(self.conditions),
            "binding": self.binding,
            "counterfactuals": thaw(self.counterfactuals),
            "calculus": thaw(self.calculus),
            "multiple_equilibria": self.multiple_equilibria,
            "equilibrium_sensitivity": thaw(self.equilibrium_sensitivity),
            "model": {
                "draws": scenario.model.draws,
                "seed": scenario.model.seed,
                "equilibrium": scenario.model.equilibrium,
                "units": {
                    "target": "GDP-years (1.0 = one year of the target's GDP)",
                    "coercer": "stakes (1.0 = value of compliance to the coercer)",
                },
                "constants": {
                    "mapping": dataclasses.asdict(self.constants.mapping),
                    "scorecard": dataclasses.asdict(self.constants.scorecard),
                },
            },
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def plot(self) -> Any:  # matplotlib Figure: conditions, calculus, distribution
        return __import__("coercive.report.plots", fromlist=["_"]).plot_assessment(self)


def _pressure(
    scenario: Scenario, parts: Mapping[str, np.ndarray], firm: np.ndarray
) -> dict[str, Any]:
    def mean(name: str) -> float:
        return float(np.mean(parts[name]))

    expected_strike = firm * (parts["strike_damage"] + parts["aim_defeated"])
    regime = summarize(parts["regime_cost"])
    pass_through = parts["pass_through"]
    return {
        # the regime's sanctions cost, share of GDP per year, and its parts (they sum to it)
        "economic": regime["mean"],
        "economic_interval": [regime["low"], regime["high"]],
        "units": "share of the target's GDP per year borne by the regime",
        "parts": {
            "exports": float(np.mean(parts["export_loss"] * pass_through)),
            "imports": float(np.mean(parts["import_loss"] * pass_through)),
            "strategic_imports": float(np.mean(parts["strategic_import_loss"] * pass_through)),
        },
        "factors": {
            "kind": scenario.instruments.sanctions.kind,
            "economy_loss": mean("economy_loss"),
            "pass_through": mean("pass_through"),
            "enforcement": mean("enforcement"),
            "leakage": mean("leakage"),
            "isolation": mean("isolation"),
            "horizon_years": mean("horizon_years"),
            "until_resolution_gdp_years": mean("sanctions_until_resolution"),
        },
        "observed_growth": scenario.economy.observed_growth,
        "military": {
            "credibility": float(np.mean(firm)),
            "escalation_dominance": mean("escalation_dominance"),
            "expected_strike_cost_gdp_years": float(np.mean(expected_strike)),
            "strike_discount": mean("strike_discount"),
        },
    }


def assess_scenario(scenario: Scenario, const: AllConstants | None = None) -> Assessment:
    """Assess a validated :class:`Scenario`."""
    const = const or constants()
    draws = sample_inputs(scenario)
    variants = [(scenario, draws)] + [
        counterfactual(condition, scenario, draws, const) for condition in CONDITIONS
    ]
    mapped = [map_scenario(sc, dr, const.mapping) for sc, dr in variants]
    rule = scenario.model.equilibrium
    # the rule in use plus the two extremes, from one engine call: how much selection matters
    rules = tuple(dict.fromkeys((rule, "least_resistance", "most_resistance")))
    by_rule = solve_rules(mapped, rules)
    solutions = by_rule[rule]
    base, base_solution = mapped[0], solutions[0]
    chosen, table = binding(
        base_solution,
        dict(zip(CONDITIONS, solutions[1:], strict=True)),
        const.scorecard.binding_min_gain,
    )
    calc = calculus(base, base_solution)
    sensitivity = {
        "rule_used": rule,
        "compliance_rule_used": float(np.mean(base_solution.compliance)),
        "compliance_least_resistance": float(np.mean(by_rule["least_resistance"][0].compliance)),
        "compliance_most_resistance": float(np.mean(by_rule["most_resistance"][0].compliance)),
        "meaning": "mean compliance of the baseline when every draw with several equilibria "
        "takes the least- or the most-resistant one; equal values mean the rule does not matter",
    }
    return Assessment(
        scenario=scenario,
        compliance=summarize(base_solution.compliance),
        credibility=summarize(base_solution.firm),
        war=summarize(base_solution.war),
        challenge=summarize(base_solution.challenge),
        war_unconditional=summarize(base_solution.challenge * base_solution.war),
        pressure=_pressure(scenario, base.parts, base_solution.firm),
        conditions=conditions(scenario, base, base_solution, const.scorecard),
        binding=chosen,
        counterfactuals=table,
        calculus={
            "units": "GDP-years, expected values at the selected equilibrium",
            **calc.to_dict(),
            "meaning": "margin = resist - comply; the target resists unless its private "
            "resolve (spread: target_resolve_spread GDP-years) outweighs it",
        },
        multiple_equilibria=float(np.mean(base_solution.n_equilibria > 1)),
        constants=const,
        equilibrium_sensitivity=sensitivity,
    )


def assess(
    case: str | Path | Scenario,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
) -> Assessment:
    """Assess a bundled case id, a YAML path or a :class:`Scenario` (with ``--set`` overrides)."""
    if isinstance(case, Scenario):
        if overrides:
            import yaml

            from coercive.policy.loader import scenario_from_text

            text = yaml.safe_dump(case.model_dump(mode="json"), sort_keys=False)
            case = scenario_from_text(text, source=f"scenario {case.id}", overrides=overrides)
        return assess_scenario(case)
    from coercive.policy.loader import load_scenario

    return assess_scenario(load_scenario(case, overrides))


__all__ = ["Assessment", "assess", "assess_scenario", "CONDITIONING"]
