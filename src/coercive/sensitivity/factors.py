"""The factors of a sensitivity analysis: a scenario's uncertain inputs and its coding classes.

Two kinds of factor, each driven by one column of a unit-cube sample ``U`` (rows x factors):

* **input** — an uncertain number of the scenario coded as a distribution (``{low, high}``,
  triangular or normal). Its column is the quantile: the value is the field's own inverse
  CDF at ``u`` (a normal clipped to the field's range, as the Monte Carlo does), so the
  factor samples exactly the range the coder gave.
* **class** — a judgment coded by a class of ``docs/coding.md``. Its column picks, with equal
  probability, the coded class or one of its neighbours (one class down, one up, where the
  table has them). Moved, the field takes the neighbour class's range at the same quantile
  as the input factor (uniform within the class, the protocol's coding of a class), or the
  class midpoint when the field is a fixed number.

A third party with zero trade share and zero weight changes nothing in the mapping
(``docs/mapping-api.md``, a property test of the policy layer), so its fields are not
factors; they are listed in ``skipped`` with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri

from coercive.policy.montecarlo import uncertain_leaves
from coercive.policy.scenario import Distribution, Scenario
from coercive.sensitivity.classes import (
    SCENARIO_FAMILIES,
    ClassFamily,
    current_span,
    neighbours,
    stake_family,
)

Leaf = tuple[str, "float | Distribution", tuple[float, float]]


@dataclass(frozen=True)
class Factor:
    """One factor: an uncertain input (``kind='input'``) or a coding class (``'class'``)."""

    name: str
    kind: str
    label: str
    path: str | None = None
    family: ClassFamily | None = None
    span: tuple[int, int] | None = None
    shifts: tuple[int, ...] = ()
    """For a class factor: the class moves it takes (0 = as coded), equally likely."""


@dataclass(frozen=True)
class CodedFamily:
    """A protocol table as it applies to one scenario: the coded span of classes."""

    family: ClassFamily
    span: tuple[int, int]
    coded: tuple[tuple[float, float], ...]
    """(low, high) as coded, per field of the family."""


@dataclass(frozen=True)
class FactorSet:
    factors: tuple[Factor, ...]
    leaves: tuple[Leaf, ...]
    families: tuple[CodedFamily, ...]
    skipped: tuple[str, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.factors]


def coded_range(value: float | Distribution) -> tuple[float, float]:
    """The interval a coded value stands for: its range, a normal's mean, or the number."""
    if not isinstance(value, Distribution):
        return float(value), float(value)
    if value.dist == "normal":
        return float(value.mean), float(value.mean)  # type: ignore[arg-type]
    return float(value.low), float(value.high)  # type: ignore[arg-type]


def _is_spread(value: float | Distribution) -> bool:
    if not isinstance(value, Distribution):
        return False
    if value.dist == "normal":
        return float(value.sd) > 0  # type: ignore[arg-type]
    return float(value.high) > float(value.low)  # type: ignore[arg-type]


def _dead_parties(scenario: Scenario) -> set[int]:
    dead = set()
    for index, party in enumerate(scenario.actors.third_parties):
        weight = party.trade_share if party.weight is None else party.weight
        if party.trade_share == 0 and weight == 0:
            dead.add(index)
    return dead


def _party_of(path: str) -> int | None:
    prefix = "actors.third_parties."
    if not path.startswith(prefix):
        return None
    return int(path[len(prefix) :].split(".", 1)[0])


def _label(scenario: Scenario, path: str) -> str:
    index = _party_of(path)
    if index is None:
        return path.removeprefix("instruments.")
    name = scenario.actors.third_parties[index].name
    return f"{name}: {path.rsplit('.', 1)[-1]}"


def build_factors(scenario: Scenario, classes: bool = True) -> FactorSet:
    """Every uncertain input and (``classes=True``) every movable coding class of a scenario."""
    leaves = tuple(uncertain_leaves(scenario))
    by_path = {path: value for path, value, _ in leaves}
    dead = _dead_parties(scenario)
    skipped: list[str] = []
    factors: list[Factor] = []
    for path, value, _ in leaves:
        party = _party_of(path)
        if party in dead:
            if _is_spread(value):
                skipped.append(f"{path}: party with zero trade and zero weight changes nothing")
            continue
        if _is_spread(value):
            factors.append(Factor(name=path, kind="input", label=_label(scenario, path), path=path))
    families: list[CodedFamily] = []
    if classes:
        tables = list(SCENARIO_FAMILIES) + [
            stake_family(i) for i in range(len(scenario.actors.third_parties)) if i not in dead
        ]
        for family in tables:
            if any(path not in by_path for path in family.fields):
                continue
            coded = tuple(coded_range(by_path[path]) for path in family.fields)
            span = current_span(family, *coded[0])
            if span is None:
                skipped.append(
                    f"{family.fields[0]}: coded {coded[0]} lies in no class of {family.name}"
                )
                continue
            shifts = neighbours(family, span)
            if not shifts:
                continue
            families.append(CodedFamily(family=family, span=span, coded=coded))
            factors.append(
                Factor(
                    name=f"class:{family.fields[0]}",
                    kind="class",
                    label=f"{_label(scenario, family.fields[0])} class "
                    f"{family.span_label(*span)} ({family.name})",
                    family=family,
                    span=span,
                    shifts=tuple(sorted((0, *shifts))),
                )
            )
    return FactorSet(
        factors=tuple(factors), leaves=leaves, families=tuple(families), skipped=tuple(skipped)
    )


def _ppf(value: float | Distribution, bounds: tuple[float, float], q: np.ndarray) -> np.ndarray:
    """The field's own inverse CDF at quantiles ``q`` (clipped to the field's range)."""
    assert isinstance(value, Distribution)
    if value.dist == "uniform":
        low, high = float(value.low), float(value.high)  # type: ignore[arg-type]
        return low + q * (high - low)
    if value.dist == "triangular":
        low, mode, high = float(value.low), float(value.mode), float(value.high)  # type: ignore[arg-type]
        # the triangular inverse CDF in closed form (scipy.stats would add ~0.4 s of import
        # to every `coercive assess`, which screens its inputs through this function)
        width = high - low
        below = q * width < mode - low
        out = np.where(
            below,
            low + np.sqrt(np.clip(q, 0.0, 1.0) * width * (mode - low)),
            high - np.sqrt(np.clip(1.0 - q, 0.0, 1.0) * width * (high - mode)),
        )
    else:
        inner = np.clip(q, 1e-12, 1.0 - 1e-12)  # the normal's ppf is infinite at 0 and 1
        out = float(value.mean) + float(value.sd) * ndtri(inner)  # type: ignore[arg-type]
    return np.clip(out, *bounds)


def class_shift(factor: Factor, u: np.ndarray) -> np.ndarray:
    """The class move of each row: equal shares of the factor's ``shifts``."""
    options = np.asarray(factor.shifts, dtype=np.int64)
    pick = np.minimum((u * len(options)).astype(np.int64), len(options) - 1)
    return options[pick]


def draws_from_unit(fs: FactorSet, unit: np.ndarray) -> dict[str, np.ndarray]:
    """The Monte Carlo draws (field path -> array) of every row of a unit-cube sample."""
    unit = np.asarray(unit, dtype=float)
    n = unit.shape[0]
    column = {f.path: j for j, f in enumerate(fs.factors) if f.kind == "input"}
    draws: dict[str, np.ndarray] = {}
    quantile: dict[str, np.ndarray] = {}
    for path, value, bounds in fs.leaves:
        if path in column:
            q = unit[:, column[path]]
            draws[path] = _ppf(value, bounds, q)
            quantile[path] = q
        elif isinstance(value, Distribution):
            # a degenerate range (low == high): its one value
            draws[path] = np.full(n, coded_range(value)[0])
        else:
            draws[path] = np.full(n, float(value))
    for j, factor in enumerate(fs.factors):
        if factor.kind != "class":
            continue
        family, span = factor.family, factor.span
        assert family is not None and span is not None
        shift = class_shift(factor, unit[:, j])
        moved = shift != 0
        if not moved.any():
            continue
        for k, path in enumerate(family.fields):
            lows = np.array([row[k][0] for row in family.ranges])[span[0] + shift[moved]]
            highs = np.array([row[k][1] for row in family.ranges])[span[1] + shift[moved]]
            q = quantile[path][moved] if path in quantile else 0.5
            values = draws[path].copy()
            values[moved] = lows + q * (highs - lows)
            draws[path] = values
    return draws


__all__ = [
    "Factor",
    "FactorSet",
    "CodedFamily",
    "build_factors",
    "draws_from_unit",
    "class_shift",
    "coded_range",
]
