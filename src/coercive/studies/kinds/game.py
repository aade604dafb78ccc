"""The ``game`` kind: a grid of Lewis–Schultz payoffs, every game solved by the engine.

``base`` holds the payoffs that stay fixed (``SA VA CB WA WB a VB`` and ``sigma``, default 1)
and ``select``: ``stable`` (default), ``most_resistance``, ``least_resistance`` (one row per
game, by :meth:`coercive.games.CrisisGame.equilibria`'s rules; under ``stable`` a game whose
only equilibria are tangencies, slope exactly 1, has no stable one and so no row) or ``all``
(one row per equilibrium). ``n_equilibria`` counts all of a game's equilibria. Axes range
over payoffs and ``sigma``. Each grid point is one game, solved exactly, so there is nothing
to draw: ``draws`` must be 1.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from coercive._errors import InputError
from coercive.games import PAYOFFS, SELECTIONS, CrisisGame
from coercive.games.crisis import select_equilibria
from coercive.studies.kinds import check_keys

FIELDS = (*PAYOFFS, "sigma")
OUTPUTS = ("pC", "pR", "pF", "SQ", "CD", "SF", "BD", "slope", "stable", "n_equilibria")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}: expected a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise InputError(f"{where}: must be finite")
    return number


class GameKind:
    name = "game"
    replicated = False
    default_chunk = 250_000

    def prepare(
        self, base: dict[str, Any], axes: dict[str, tuple[Any, ...]], draws: int, source: str
    ) -> dict[str, Any]:
        check_keys(base, (*FIELDS, "select"), f"{source}: base")
        for path in axes:
            if path not in FIELDS:
                raise InputError(
                    f"{source}: axes.{path}: unknown path for kind 'game'; allowed: "
                    f"{', '.join(FIELDS)}"
                )
        if draws != 1:
            raise InputError(
                f"{source}: draws: {draws}; the game kind solves each grid point exactly "
                "(nothing to draw), allowed: 1"
            )
        select = base.get("select", "stable")
        if select not in SELECTIONS:
            raise InputError(f"{source}: base.select: {select!r}; allowed: {', '.join(SELECTIONS)}")
        fixed = {"sigma": 1.0}
        for name in FIELDS:
            if name in base and name not in axes:
                fixed[name] = _number(base[name], f"{source}: base.{name}")
        missing = [name for name in PAYOFFS if name not in fixed and name not in axes]
        if missing:
            raise InputError(
                f"{source}: base: payoff(s) {', '.join(missing)} missing; give each in base "
                "or as an axis"
            )
        for path, values in axes.items():
            for index, value in enumerate(values):
                number = _number(value, f"{source}: axes.{path}[{index}]")
                if path == "sigma" and number <= 0:
                    raise InputError(f"{source}: axes.sigma[{index}]: must be > 0")
        if fixed["sigma"] <= 0:
            raise InputError(f"{source}: base.sigma: must be > 0")
        return {"fixed": fixed, "select": select}

    def outputs(self, prepared: dict[str, Any]) -> tuple[str, ...]:
        return OUTPUTS

    def default_outputs(self, prepared: dict[str, Any]) -> tuple[str, ...]:
        return ("pC", "pR", "pF", "SQ", "CD", "SF", "BD", "n_equilibria")

    def calibration(self, prepared: dict[str, Any]) -> dict[str, Any]:
        return {"note": "the game kind uses no calibrated constants"}

    def run(
        self,
        prepared: dict[str, Any],
        points: dict[str, list[Any]],
        units: np.ndarray,
        seed: int,
        draws: int,
        outputs: tuple[str, ...],
    ) -> pd.DataFrame:
        payoffs: dict[str, Any] = dict(prepared["fixed"])
        payoffs.update({name: np.asarray(values, dtype=float) for name, values in points.items()})
        game = CrisisGame(**{name: np.broadcast_to(payoffs[name], units.shape) for name in FIELDS})
        table = game.equilibria("all")
        counts = np.bincount(table["game"].to_numpy(), minlength=len(units))
        select = prepared["select"]
        chosen = table if select == "all" else select_equilibria(table, select)
        rows = chosen["game"].to_numpy()
        frame = {"unit": units[rows]}
        for output in outputs:
            frame[output] = counts[rows] if output == "n_equilibria" else chosen[output].to_numpy()
        return pd.DataFrame(frame)


KIND = GameKind()
