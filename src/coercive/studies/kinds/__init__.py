"""The kinds of work a study can run, and the registry that finds them.

A kind is an object with the attributes and methods of :class:`Kind`. Built-in kinds live
in this folder (one module each, registered in :data:`BUILTIN`); another package can add one
through the ``coercive.study_kinds`` entry-point group (``name = "module:KIND"``). The
``campaign`` and ``design`` kinds are planned: until their modules land, asking for them is
the same one-line "unknown kind" error as any other name.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any, Protocol

import numpy as np
import pandas as pd

from coercive._errors import InputError

BUILTIN: dict[str, str] = {
    "assess": "coercive.studies.kinds.assess:KIND",
    "estimate": "coercive.studies.kinds.estimate:KIND",
    "game": "coercive.studies.kinds.game:KIND",
}
"""Kind name -> ``module:attribute`` of its :class:`Kind` object."""

ENTRY_POINT_GROUP = "coercive.study_kinds"


class Kind(Protocol):
    """What the runner needs from a kind of work."""

    name: str
    replicated: bool
    """True: each of a point's ``draws`` is its own work unit (a Monte Carlo replicate).
    False: ``draws`` is handed to the kind, one unit per grid point."""
    default_chunk: int
    """Work units per task when the spec gives no ``chunk`` (about a second of work)."""

    def prepare(
        self, base: dict[str, Any], axes: dict[str, tuple[Any, ...]], draws: int, source: str
    ) -> dict[str, Any]:
        """Check base, axis paths and values (InputError naming them); return what workers
        need, as plain picklable data."""
        ...

    def outputs(self, prepared: dict[str, Any]) -> tuple[str, ...]:
        """Every output this study can keep."""
        ...

    def default_outputs(self, prepared: dict[str, Any]) -> tuple[str, ...]: ...

    def calibration(self, prepared: dict[str, Any]) -> dict[str, Any]:
        """The constants in force that shape the results (recorded in the manifest)."""
        ...

    def run(
        self,
        prepared: dict[str, Any],
        points: dict[str, list[Any]],
        units: np.ndarray,
        seed: int,
        draws: int,
        outputs: tuple[str, ...],
    ) -> pd.DataFrame:
        """Compute ``units`` (axis values in ``points``, one list entry per unit).

        Random streams come from ``seed`` and the unit number alone
        (:func:`coercive.studies.spec.unit_seed`). Returns a frame with a ``unit`` column and
        one column per output; a unit may give several rows."""
        ...


def _registry() -> dict[str, str]:
    found = dict(BUILTIN)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name, entry.value)
    return found


def kind_names() -> list[str]:
    return sorted(_registry())


def get_kind(name: object) -> Kind:
    """The kind called ``name``; InputError listing the allowed ones otherwise."""
    registry = _registry()
    if not isinstance(name, str) or name not in registry:
        raise InputError(f"kind: unknown kind {name!r}; allowed: {', '.join(sorted(registry))}")
    module, _, attribute = registry[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def check_keys(given: dict[str, Any], allowed: tuple[str, ...] | list[str], where: str) -> None:
    for key in given:
        if key not in allowed:
            raise InputError(f"{where}: unknown field {key!r}; allowed: {', '.join(allowed)}")


def unit_axes(points: dict[str, list[Any]], position: int) -> dict[str, Any]:
    """The axis values of the unit at ``position`` in a :meth:`Kind.run`'s ``points``, as the
    Python values the spec gave (an axis column hands back numpy scalars)."""
    values = {path: column[position] for path, column in points.items()}
    return {
        path: value.item() if isinstance(value, np.generic) else value
        for path, value in values.items()
    }


__all__ = ["BUILTIN", "Kind", "get_kind", "kind_names", "check_keys", "unit_axes"]
