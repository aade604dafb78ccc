"""The smallest single recoding that flips the binding condition.

The binding condition is found as ``assess`` finds it (:mod:`coercive.policy.scorecard`):
each of Jakobsen's conditions raised to 'met' in turn, on the scenario's own Monte Carlo
draws, under the constants in force (with their parameter draws where calibrated); the one
that raises mean compliance most binds. A *single recoding* moves one coded judgment (one
protocol table of ``docs/coding.md``) from its class to a neighbour class ``steps`` away,
taking that class's range as ``{low, high}``, and keeps everything else. Every recoding at
one step is evaluated (all of them in one engine call); if none flips the binding
condition, two steps, and so on. The smallest flip is the one with the fewest steps, then
the smallest move of the coded midpoint relative to the table's whole range.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml

from coercive._errors import InputError
from coercive.policy.calibration import parameter_draws
from coercive.policy.loader import scenario_from_text
from coercive.policy.mapping import AllConstants, map_scenario
from coercive.policy.montecarlo import sample_inputs, solve
from coercive.policy.scenario import Scenario
from coercive.policy.scorecard import CONDITIONS, binding, counterfactual
from coercive.sensitivity.factors import CodedFamily


@dataclass(frozen=True)
class Recoding:
    """One single recoding and what the binding condition becomes under it."""

    table: str
    fields: tuple[str, ...]
    coded: str
    recoded: str
    steps: int
    ranges: tuple[tuple[float, float], ...]
    binding: str | None
    compliance: float
    move: float
    """|new midpoint - coded midpoint| / the table's whole range (first field)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "fields": list(self.fields),
            "from": self.coded,
            "to": self.recoded,
            "steps": self.steps,
            "ranges": [list(r) for r in self.ranges],
            "binding": self.binding,
            "compliance": self.compliance,
            "relative_move": self.move,
        }


def _variants(
    scenario: Scenario, const: AllConstants
) -> list[tuple[Scenario, dict[str, np.ndarray]]]:
    draws = sample_inputs(scenario)
    return [(scenario, draws)] + [counterfactual(c, scenario, draws, const) for c in CONDITIONS]


def _bindings(
    scenarios: list[Scenario], const: AllConstants
) -> list[tuple[str | None, float]]:
    """(binding condition, mean compliance) of each scenario, from one engine call."""
    mapped = []
    for scenario in scenarios:
        drawn = parameter_draws(const.mapping, scenario.model.draws, scenario.model.seed)
        mapped.extend(map_scenario(sc, dr, drawn) for sc, dr in _variants(scenario, const))
    rules = {scenario.model.equilibrium for scenario in scenarios}
    by_rule = {rule: solve(mapped, rule) for rule in rules}
    out = []
    width = 1 + len(CONDITIONS)
    for i, scenario in enumerate(scenarios):
        solutions = by_rule[scenario.model.equilibrium][i * width : (i + 1) * width]
        chosen, _ = binding(
            solutions[0],
            dict(zip(CONDITIONS, solutions[1:], strict=True)),
            const.scorecard.binding_min_gain,
        )
        out.append((chosen, float(np.mean(solutions[0].compliance))))
    return out


def recoded(scenario: Scenario, overrides: Iterable[str] | Mapping[str, Any]) -> Scenario:
    """The scenario with ``overrides`` (as ``--set``) applied and validated again."""
    text = yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False)
    return scenario_from_text(text, source=f"scenario {scenario.id}", overrides=overrides)


@dataclass(frozen=True)
class FlipSearch:
    baseline: str | None
    compliance: float
    smallest: Recoding | None
    tried: tuple[Recoding, ...]
    steps_searched: int
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "binding": self.baseline,
            "compliance": self.compliance,
            "smallest_flip": None if self.smallest is None else self.smallest.to_dict(),
            "steps_searched": self.steps_searched,
            "recodings_tried": [r.to_dict() for r in self.tried],
            "notes": list(self.notes),
        }


def smallest_flip(
    scenario: Scenario, families: tuple[CodedFamily, ...], const: AllConstants
) -> FlipSearch:
    """Search single recodings, one class step at a time, for one that flips the binding."""
    (base_binding, base_compliance), = _bindings([scenario], const)
    tried: list[Recoding] = []
    notes: list[str] = []
    max_steps = max((len(c.family.codes) - 1 for c in families), default=0)
    steps = 0
    for steps in range(1, max_steps + 1):
        candidates: list[tuple[CodedFamily, int, Scenario]] = []
        for coded in families:
            family, (first, last) = coded.family, coded.span
            for shift in (-steps, steps):
                if not (0 <= first + shift and last + shift < len(family.codes)):
                    continue
                overrides = {}
                for k, path in enumerate(family.fields):
                    low, high = family.span_range(first + shift, last + shift, k)
                    overrides[path] = {"low": low, "high": high} if high > low else low
                try:
                    candidates.append((coded, shift, recoded(scenario, overrides)))
                except InputError as exc:
                    notes.append(f"{family.fields[0]} moved {shift:+d}: refused ({exc})")
        if not candidates:
            continue
        results = _bindings([sc for _, _, sc in candidates], const)
        for (coded, shift, _), (chosen, compliance) in zip(candidates, results, strict=True):
            family, (first, last) = coded.family, coded.span
            low, high = family.span_range(first + shift, last + shift)
            table_low, table_high = family.ranges[0][0][0], family.ranges[-1][0][1]
            old_mid = 0.5 * sum(coded.coded[0])
            tried.append(
                Recoding(
                    table=family.name,
                    fields=family.fields,
                    coded=family.span_label(first, last),
                    recoded=family.span_label(first + shift, last + shift),
                    steps=steps,
                    ranges=tuple(
                        family.span_range(first + shift, last + shift, k)
                        for k in range(len(family.fields))
                    ),
                    binding=chosen,
                    compliance=compliance,
                    move=abs(0.5 * (low + high) - old_mid) / (table_high - table_low),
                )
            )
        flips = [r for r in tried if r.steps == steps and r.binding != base_binding]
        if flips:
            smallest = min(flips, key=lambda r: r.move)
            return FlipSearch(base_binding, base_compliance, smallest, tuple(tried), steps,
                              tuple(notes))
    return FlipSearch(base_binding, base_compliance, None, tuple(tried), steps, tuple(notes))


__all__ = ["Recoding", "FlipSearch", "smallest_flip", "recoded"]
