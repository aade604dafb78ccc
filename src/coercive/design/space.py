"""The coercer's instruments as decision variables, and what a mix of them costs the coercer.

One phase's instruments (``docs/design.md``): each is a column of
:data:`coercive.policy.mapping.INPUTS` that the coercer chooses. Its allowed range is the
range the mapping accepts; a design may narrow it (``bounds``), never widen it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from coercive._errors import InputError


@dataclass(frozen=True)
class Instrument:
    """One decision variable: a mapping input the coercer sets."""

    name: str
    kind: str  # "stick", "carrot", "assurance" or "posture" (reporting only; never in the search)
    low: float
    high: float
    binary: bool
    meaning: str


INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument("comprehensive", "stick", 0.0, 1.0, False,
               "sanctions kind: 1 comprehensive, 0 targeted (a fraction mixes the two)"),
    Instrument("export_coverage", "stick", 0.0, 1.0, False, "share of exports banned"),
    Instrument("import_coverage", "stick", 0.0, 1.0, False, "share of imports banned"),
    Instrument("strategic_cut", "stick", 0.0, 1.0, False, "cut in strategic imports"),
    Instrument("secondary", "stick", 0.0, 1.0, False, "strength of secondary sanctions"),
    Instrument("force", "stick", 0.0, 1.0, False,
               "threat posture: 1 the threat is a strike, 0 it is the sanctions"),
    Instrument("has_deadline", "posture", 0.0, 1.0, True, "1 if a deadline is set"),
    Instrument("deadline_months", "posture", 1.0, 60.0, False,
               "deadline in months (used only with a deadline)"),
    Instrument("deadline_public", "posture", 0.0, 1.0, True, "1 if the deadline is public"),
    Instrument("assurance", "assurance", 0.0, 1.0, False,
               "credibility of the assurance that compliance brings no further demands"),
    Instrument("relief_offered", "carrot", 0.0, 1.0, False,
               "sanctions relief on compliance (a fraction: the probability it is offered)"),
    Instrument("compensation", "carrot", 0.0, 0.5, False,
               "payments on compliance, share of the target's GDP per year"),
    Instrument("other_carrots", "carrot", 0.0, 2.0, False,
               "one-off carrots on compliance, share of one year's GDP"),
)
"""Every instrument the design searches, with the range the mapping allows."""

BY_NAME = {instrument.name: instrument for instrument in INSTRUMENTS}
STICKS = tuple(i.name for i in INSTRUMENTS if i.kind == "stick")
CARROTS = tuple(i.name for i in INSTRUMENTS if i.kind == "carrot")


def _number(field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise InputError(f"{field}: expected a number, got {value!r}")
    number = float(value)
    if not np.isfinite(number):
        raise InputError(f"{field}: must be finite, got {value!r}")
    return number


def check_bounds(
    bounds: Mapping[str, tuple[float, float]] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of every instrument, narrowed by ``bounds`` (name -> (lo, hi)).

    A bound outside an instrument's range, an inverted pair or an unknown name is an
    :class:`InputError` naming the field and what is allowed. ``lo == hi`` fixes it.
    """
    low = np.array([i.low for i in INSTRUMENTS])
    high = np.array([i.high for i in INSTRUMENTS])
    for name, pair in (bounds or {}).items():
        if name not in BY_NAME:
            raise InputError(
                f"bounds: unknown instrument {name!r}; allowed: {', '.join(BY_NAME)}"
            )
        inst = BY_NAME[name]
        try:
            lo_raw, hi_raw = pair
        except (TypeError, ValueError):
            raise InputError(f"bounds.{name}: expected (low, high), got {pair!r}") from None
        lo, hi = _number(f"bounds.{name}.low", lo_raw), _number(f"bounds.{name}.high", hi_raw)
        if not inst.low <= lo <= hi <= inst.high:
            raise InputError(
                f"bounds.{name}: ({lo:g}, {hi:g}) is not allowed; need "
                f"{inst.low:g} <= low <= high <= {inst.high:g}"
            )
        if inst.binary and (lo not in (0.0, 1.0) or hi not in (0.0, 1.0)):
            raise InputError(f"bounds.{name}: a 0/1 instrument takes bounds 0 or 1")
        index = INSTRUMENTS.index(inst)
        low[index], high[index] = lo, hi
    return low, high


def clean(x: np.ndarray) -> np.ndarray:
    """Candidates as evaluated: 0/1 instruments rounded (they are choices, not mixtures)."""
    x = np.array(x, dtype=float, copy=True)
    for index, inst in enumerate(INSTRUMENTS):
        if inst.binary:
            x[:, index] = np.round(x[:, index])
    return x


@dataclass(frozen=True)
class Prices:
    """What the coercer's instruments cost it, in its stakes (``docs/design.md`` §2).

    ``carrots``: stakes per target-GDP-year of compensation and one-off carrots (present
    value) paid on compliance. ``sanctions``: stakes per target-GDP-year of the economy
    loss the sanctions cause (the coercer's own lost trade and enforcement effort), per year
    they run. ``relief``: stakes the coercer gives up by lifting its sanctions on compliance
    (political cost; its own trade it gets back is in the sanctions term), paid on compliance.
    """

    carrots: float = 1.0
    sanctions: float = 0.1
    relief: float = 0.0

    def __post_init__(self) -> None:
        for field in ("carrots", "sanctions", "relief"):
            value = _number(f"prices.{field}", getattr(self, field))
            if value < 0:
                raise InputError(f"prices.{field}: must be >= 0, got {value:g}")


__all__ = [
    "BY_NAME",
    "CARROTS",
    "INSTRUMENTS",
    "Instrument",
    "Prices",
    "STICKS",
    "check_bounds",
    "clean",
]
