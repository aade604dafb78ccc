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

``ex_ante`` gives the same figures before any challenge (``pC`` times the conditional one),
beside them. ``selection`` compares the credibility among coercers who challenge (``pF``)
with that of all coercers (``Φ((WA − a)/√2)``): the gap is the Lewis–Schultz selection
effect, and ``notes`` explain in one sentence each where it (or a long deadline) moves a
number. ``equilibrium_sensitivity`` reports the baseline's mean compliance under the least-
and the most-resistance selection rules beside the rule in use (``model.equilibrium``).
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
from coercive.policy.mapping import AllConstants, Mapped, constants, map_scenario
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
    "ex_ante",
    "selection",
    "deadline_effect",
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
    ex_ante: Mapping[str, Any]
    selection: Mapping[str, Any]
    deadline_effect: Mapping[str, Any] | None
    notes: tuple[str, ...] = ()

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
            "ex_ante": thaw(self.ex_ante),
            "selection": thaw(self.selection),
            "deadline_effect": thaw(self.deadline_effect),
            "notes": list(self.notes),
            "model": {
                "draws": scenario.model.draws,
                "seed": scenario.model.seed,
                "equilibrium": scenario.model.equilibrium,
                "units": {
                    "target": "value of office (1.0 = the regime loses power for certain)",
                    "coercer": "stakes (1.0 = value of compliance to the coercer)",
                },
                "constants": {
                    "mapping": dataclasses.asdict(self.constants.mapping),
                    "scorecard": dataclasses.asdict(self.constants.scorecard),
                },
                "constants_source": self.constants.source,
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

    expected_strike = firm * (
        parts["strike_regime"] + parts["strike_damage"] + parts["aim_defeated"]
    )
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
            "until_resolution_value_of_office": mean("sanctions_until_resolution"),
            "sanctions_value_of_office": mean("sanctions_stream"),
            "sanctions_hazard_per_year": mean("sanctions_hazard"),
            "relief_believed_value": mean("relief_value"),
            # each party's chosen enforcement (mean over draws) and its share of trade
            "third_parties": {
                party.name: float(np.mean(parts["party_enforcement"][:, index]))
                for index, party in enumerate(scenario.actors.third_parties)
            },
            "third_party_trade": {
                party.name: party.trade_share for party in scenario.actors.third_parties
            },
        },
        "observed_growth": scenario.economy.observed_growth,
        "military": {
            "credibility": float(np.mean(firm)),
            "escalation_dominance": mean("escalation_dominance"),
            "expected_strike_cost_value_of_office": float(np.mean(expected_strike)),
            "expected_strike_regime_loss": float(np.mean(firm * parts["strike_regime"])),
            "strike_discount": mean("strike_discount"),
        },
    }


def _firmness_all(mapped: Mapped) -> np.ndarray:
    """P(A would stand firm if resisted) over all coercer types, challengers or not."""
    from scipy.special import ndtr

    return ndtr((mapped.WA - mapped.a) / np.sqrt(2.0))


def _changed(base: Mapped, other: Mapped, names: tuple[str, ...]) -> bool:
    return any(
        not np.allclose(getattr(base, n), getattr(other, n), rtol=0, atol=1e-12) for n in names
    )


def _selection_notes(
    base: Mapped,
    base_solution: Any,
    variants: dict[str, tuple[Mapped, Any]],
    min_move: float,
) -> list[str]:
    """One sentence per counterfactual where a Lewis–Schultz selection effect moves a figure."""
    notes = []
    credibility = float(np.mean(base_solution.firm))
    compliance = float(np.mean(base_solution.compliance))
    for condition, (mapped, solution) in variants.items():
        target_side = _changed(base, mapped, ("CB", "WB", "VB"))
        coercer_side = _changed(base, mapped, ("SA", "VA", "WA", "a"))
        new_credibility = float(np.mean(solution.firm))
        new_compliance = float(np.mean(solution.compliance))
        if target_side and not coercer_side and abs(new_credibility - credibility) >= min_move:
            notes.append(
                f"Raising the {condition} to 'met' changes only the target's payoffs, yet "
                f"credibility moves from {100 * credibility:.0f}% to "
                f"{100 * new_credibility:.0f}%: a selection effect (Lewis & Schultz 2003) - "
                + (
                    "when giving in becomes likelier, weaker coercers also challenge, so "
                    "those who challenge are less resolved."
                    if new_credibility < credibility
                    else "when resistance becomes likelier, weaker coercers stay out, so "
                    "those who challenge are more resolved."
                )
            )
        if coercer_side and not target_side and abs(new_compliance - compliance) >= min_move:
            notes.append(
                f"Raising the {condition} to 'met' changes only the coercer's payoffs, yet "
                f"compliance moves from {100 * compliance:.0f}% to {100 * new_compliance:.0f}%: "
                "a selection effect - the target reads the coercer's resolve from its decision "
                "to challenge."
            )
    return notes


def assess_scenario(scenario: Scenario, const: AllConstants | None = None) -> Assessment:
    """Assess a validated :class:`Scenario` under ``const`` (default: the constants in force)."""
    if const is not None and not isinstance(const, AllConstants):
        raise TypeError(f"const: expected AllConstants, got {type(const).__name__}")
    const = const or constants()
    draws = sample_inputs(scenario)
    variants = [(scenario, draws)] + [
        counterfactual(condition, scenario, draws, const) for condition in CONDITIONS
    ]
    deadline = scenario.instruments.deadline
    if deadline.months is not None:
        # the same campaign without a deadline: does this deadline help, and why
        instruments = scenario.instruments.model_copy(
            update={"deadline": deadline.model_copy(update={"months": None})}
        )
        variants.append((scenario.model_copy(update={"instruments": instruments}), draws))
    # parameter uncertainty (issue 7 §2): the TIES-calibrated constants, when in force, take
    # one value per Monte Carlo draw from their estimated sampling distribution
    from coercive.policy.calibration import parameter_draws

    drawn = parameter_draws(const.mapping, scenario.model.draws, scenario.model.seed)
    mapped = [map_scenario(sc, dr, drawn) for sc, dr in variants]
    rule = scenario.model.equilibrium
    # the rule in use plus the two extremes, from one engine call: how much selection matters
    rules = tuple(dict.fromkeys((rule, "least_resistance", "most_resistance")))
    by_rule = solve_rules(mapped, rules)
    solutions = by_rule[rule]
    base, base_solution = mapped[0], solutions[0]
    chosen, table = binding(
        base_solution,
        dict(zip(CONDITIONS, solutions[1 : 1 + len(CONDITIONS)], strict=True)),
        const.scorecard.binding_min_gain,
    )
    min_move = const.scorecard.selection_note_min
    notes = _selection_notes(
        base,
        base_solution,
        {
            condition: (mapped[1 + i], solutions[1 + i])
            for i, condition in enumerate(CONDITIONS)
        },
        min_move,
    )
    deadline_effect = None
    if deadline.months is not None:
        without = solutions[-1]
        with_value = float(np.mean(base_solution.compliance))
        without_value = float(np.mean(without.compliance))
        horizon = const.mapping.open_ended_years
        deadline_effect = {
            "compliance_with_deadline": with_value,
            "compliance_without_deadline": without_value,
            "credibility_without_deadline": float(np.mean(without.firm)),
            "deadline_years": deadline.months / 12.0,
            "open_ended_years": horizon,
            "meaning": "the same campaign with the deadline removed (the coercer then decides "
            "after open_ended_years, with no deadline commitment)",
        }
        if with_value < without_value - min_move:
            later = deadline.months / 12.0 > horizon
            credible_with = float(np.mean(base_solution.firm))
            credible_without = deadline_effect["credibility_without_deadline"]
            if later:
                reason = (
                    f"it sets the decision later than the {horizon:g} years expected without "
                    "a deadline, so the strike it promises is discounted more than its "
                    "commitment raises credibility."
                )
            elif credible_with < credible_without:
                reason = (
                    "carrying out the threat is worth less to the coercer than backing down, "
                    "and a sooner decision makes that reluctance more certain (credibility "
                    f"{100 * credible_with:.0f}% vs {100 * credible_without:.0f}% without it)."
                )
            else:
                reason = (
                    "its commitment lets coercers of weaker resolve challenge as well (a "
                    "selection effect), which the target reads in the challenge."
                )
            notes.append(
                f"This {deadline.months:g}-month deadline lowers compliance against none "
                f"({100 * with_value:.0f}% vs {100 * without_value:.0f}%): " + reason
            )
    firm_all = _firmness_all(base)
    selection = {
        "credibility_challengers": float(np.mean(base_solution.firm)),
        "credibility_all_coercers": float(np.mean(firm_all)),
        "gap": float(np.mean(base_solution.firm - firm_all)),
        "meaning": "credibility among coercers who challenge (pF) minus P(stand firm) over all "
        "coercer types: the Lewis-Schultz selection effect of the decision to challenge",
    }
    if abs(selection["gap"]) >= min_move:
        gap = selection["gap"]
        among, overall = selection["credibility_challengers"], selection["credibility_all_coercers"]
        notes.append(
            f"Credibility among coercers who challenge is {100 * among:.0f}% "
            f"against {100 * overall:.0f}% for all coercer types: "
            + (
                "weak coercers stay out when resistance is likely, so a challenge signals "
                "resolve (a Lewis-Schultz selection effect)."
                if gap > 0
                else "when giving in is likely, weak coercers challenge too, so a challenge "
                "signals less resolve (a Lewis-Schultz selection effect)."
            )
        )
    challenge = base_solution.challenge
    ex_ante = {
        "challenge": float(np.mean(challenge)),
        "status_quo": float(np.mean(1.0 - challenge)),
        "compliance": float(np.mean(challenge * base_solution.compliance)),
        "war": float(np.mean(challenge * base_solution.war)),
        "backdown": float(np.mean(challenge * base_solution.resist * (1 - base_solution.firm))),
        "meaning": "before any challenge: P(the coercer challenges and then each outcome); "
        "the headline figures are conditional on the challenge",
    }
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
            "units": "value of office (1 = the regime loses power for certain), expected "
            "values at the selected equilibrium",
            **calc.to_dict(),
            "meaning": "margin = resist - comply; the target resists unless its private "
            "resolve (spread: target_resolve_spread, value of office) outweighs it",
        },
        multiple_equilibria=float(np.mean(base_solution.n_equilibria > 1)),
        constants=const,
        equilibrium_sensitivity=sensitivity,
        ex_ante=ex_ante,
        selection=selection,
        deadline_effect=deadline_effect,
        notes=tuple(notes),
    )


def assess(
    case: str | Path | Scenario,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    const: AllConstants | None = None,
) -> Assessment:
    """Assess a bundled case id, a YAML path or a :class:`Scenario` (with ``--set`` overrides).

    ``const``: the constants to use (:class:`~coercive.policy.constants.AllConstants`, e.g.
    from :func:`~coercive.policy.constants.load_constants`); default: the ones in force.
    """
    if isinstance(case, Scenario):
        if overrides:
            import yaml

            from coercive.policy.loader import scenario_from_text

            text = yaml.safe_dump(case.model_dump(mode="json"), sort_keys=False)
            case = scenario_from_text(text, source=f"scenario {case.id}", overrides=overrides)
        return assess_scenario(case, const)
    from coercive.policy.loader import load_scenario

    return assess_scenario(load_scenario(case, overrides), const)


__all__ = ["Assessment", "assess", "assess_scenario", "CONDITIONING"]
