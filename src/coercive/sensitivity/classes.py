"""The coding classes of ``docs/coding.md`` (coding-v1, section B) as data.

Each judgmental quantity of a scenario is coded by placing it in a class and giving the
class's range. A :class:`ClassFamily` is one such table: its class codes, their ranges, and
the field(s) it codes (B5 codes ``strike_regime_loss`` and ``strike_damage`` by one class,
so both move together). :func:`current_span` finds the classes a coded value lies in (a
value on a boundary, or the union of two adjacent classes, spans two); a *recoding* moves
that span to a neighbouring class.

Only the protocol's numbers are here (copied from ``docs/coding.md``; a test keeps each
range inside its field's allowed range). Fields that the protocol codes as plain numbers
rather than uncertain numbers (B10 ``secondary_exposure``) are not drawn by the Monte Carlo
and are not in these tables.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClassFamily:
    """One protocol table: class codes and ranges, and the dotted field paths it codes."""

    name: str
    """Protocol reference, e.g. ``B1``."""
    codes: tuple[str, ...]
    ranges: tuple[tuple[tuple[float, float], ...], ...]
    """``ranges[c][f]``: the (low, high) of class ``c`` for field ``fields[f]``."""
    fields: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.codes) != len(self.ranges):
            raise ValueError(f"{self.name}: one range tuple per class code")
        for row in self.ranges:
            if len(row) != len(self.fields):
                raise ValueError(f"{self.name}: one range per field in every class")

    def span_range(self, first: int, last: int, field: int = 0) -> tuple[float, float]:
        """(low, high) of the union of classes ``first..last`` for one field."""
        return self.ranges[first][field][0], self.ranges[last][field][1]

    def span_label(self, first: int, last: int) -> str:
        return self.codes[first] if first == last else f"{self.codes[first]}-{self.codes[last]}"


def _one(name: str, field: str, table: list[tuple[str, float, float]]) -> ClassFamily:
    return ClassFamily(
        name=name,
        codes=tuple(code for code, _, _ in table),
        ranges=tuple(((low, high),) for _, low, high in table),
        fields=(field,),
    )


def _scenario_families() -> tuple[ClassFamily, ...]:
    threat = "instruments.threat"
    return (
        _one("B1", "demand.value_per_year",
             [("V1", 0.01, 0.06), ("V2", 0.06, 0.2), ("V3", 0.2, 0.6), ("V4", 0.6, 1.2)]),
        _one("B2", "demand.power_given_up",
             [("P0", 0.0, 0.0), ("P1", 0.1, 0.3), ("P2", 0.5, 0.8), ("P3", 1.0, 1.0)]),
        _one("B3", "demand.exploited_regime_loss",
             [("E1", 0.02, 0.1), ("E2", 0.1, 0.4), ("E3", 0.6, 1.0)]),
        _one("B4", f"{threat}.escalation_dominance",
             [("D1", 0.05, 0.3), ("D2", 0.3, 0.6), ("D3", 0.6, 0.8), ("D4", 0.8, 0.95)]),
        ClassFamily(
            name="B5",
            codes=("W1", "W2", "W3"),
            ranges=(((0.0, 0.05), (0.01, 0.05)), ((0.1, 0.3), (0.05, 0.3)),
                    ((0.7, 1.0), (0.3, 1.0))),
            fields=(f"{threat}.strike_regime_loss", f"{threat}.strike_damage"),
        ),
        _one("B6", f"{threat}.coercer_war_cost",
             [("C1", 0.1, 0.4), ("C2", 0.4, 1.0), ("C3", 1.0, 3.0)]),
        _one("B7", f"{threat}.backdown_cost",
             [("B0", 0.0, 0.2), ("B1", 0.2, 0.6), ("B2", 0.6, 1.5)]),
        _one("B8", "instruments.assurance.credibility",
             [("A1", 0.05, 0.25), ("A2", 0.25, 0.5), ("A3", 0.5, 0.75), ("A4", 0.75, 0.95)]),
        _one("B9", "instruments.inducements.delivery_credibility",
             [("K1", 0.1, 0.4), ("K2", 0.4, 0.7), ("K3", 0.7, 0.95)]),
        _one("B11", "instruments.sanctions.secondary",
             [("none", 0.0, 0.0), ("announced", 0.2, 0.4), ("applied-firms", 0.4, 0.7),
              ("applied-banks", 0.7, 1.0)]),
        _one("B11", "instruments.sanctions.coalition_enforcement",
             [("weak", 0.3, 0.6), ("customs", 0.6, 0.9), ("interdiction", 0.9, 1.0)]),
        _one("B12", "instruments.inducements.cost_to_coercer",
             [("none", 0.0, 0.0), ("cheap", 0.05, 0.2), ("opposed", 0.2, 0.6),
              ("costly", 0.6, 1.5)]),
    )


SCENARIO_FAMILIES: tuple[ClassFamily, ...] = _scenario_families()
"""The protocol's tables for scenario-level fields (section B of docs/coding.md)."""

STAKE_CLASSES: list[tuple[str, float, float]] = [
    ("S0", 0.0, 0.1), ("S1", 0.1, 0.5), ("S2", 0.5, 2.0), ("S3", 2.0, 9.0),
]
"""B10: a third party's ``stake_in_target``."""


def stake_family(index: int) -> ClassFamily:
    """B10's stake table for third party ``index``."""
    return _one("B10", f"actors.third_parties.{index}.stake_in_target", STAKE_CLASSES)


def current_span(family: ClassFamily, low: float, high: float) -> tuple[int, int] | None:
    """The first and last class a coded value (or range ``[low, high]``) lies in, or None.

    A range lies in the classes it overlaps by a positive length; a single value in the
    classes whose closed range holds it. A value in a gap between classes (e.g. 0.4 for
    B2) lies in none: the coding does not follow the protocol and no class can be moved.
    """
    hits = []
    for index, row in enumerate(family.ranges):
        c_low, c_high = row[0]
        if high > low:
            overlap = min(high, c_high) - max(low, c_low)
            if overlap > 1e-12 or (c_low == c_high and low <= c_low <= high):
                hits.append(index)
        elif c_low - 1e-12 <= low <= c_high + 1e-12:
            hits.append(index)
    if not hits:
        return None
    return hits[0], hits[-1]


def neighbours(family: ClassFamily, span: tuple[int, int], steps: int = 1) -> list[int]:
    """The shifts (``-steps``, ``+steps``) that keep the span inside the table."""
    first, last = span
    return [s for s in (-steps, steps) if 0 <= first + s and last + s < len(family.codes)]


__all__ = [
    "ClassFamily",
    "SCENARIO_FAMILIES",
    "STAKE_CLASSES",
    "stake_family",
    "current_span",
    "neighbours",
]
