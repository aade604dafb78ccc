"""Monte Carlo over a scenario's uncertain inputs, solved through one vectorized engine call.

Every uncertain field (a number or a distribution in the scenario, see
:mod:`coercive.policy.scenario`) is drawn ``n`` times with a seeded
:class:`numpy.random.Generator`. Each field has its own stream, derived from the scenario's
seed and the field's path, so the draws of one field do not change when another field is
added, and a counterfactual (``--set`` or the scorecard's 'met' runs) sees the same draws
of everything it does not change (common random numbers). The payoffs of all draws — and of
all counterfactual variants — become the rows of ONE :class:`coercive.games.CrisisGame`.
"""

from __future__ import annotations

import typing
import zlib
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel

from coercive._errors import InputError
from coercive.policy.mapping import Mapped, stack
from coercive.policy.scenario import Distribution, ModelSettings, Scenario

EQUILIBRIUM_RULES: tuple[str, ...] = typing.get_args(
    ModelSettings.model_fields["equilibrium"].annotation
)
"""The allowed equilibrium-selection rules: exactly the values the scenario schema accepts
for ``model.equilibrium`` (read from it, so the two cannot drift apart)."""


def _bounds(metadata: list[object]) -> tuple[float, float] | None:
    for meta in metadata:
        func = getattr(meta, "func", None)
        bounds = getattr(func, "bounds", None)
        if bounds is not None:
            return bounds
    return None


def uncertain_leaves(
    model: BaseModel, prefix: str = ""
) -> list[tuple[str, float | Distribution, tuple[float, float]]]:
    """(path, value, (low, high)) for every uncertain number in a scenario, in field order."""
    leaves: list[tuple[str, float | Distribution, tuple[float, float]]] = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{name}"
        bounds = _bounds(info.metadata)
        if bounds is not None:
            if value is not None:
                leaves.append((path, value, bounds))
            continue
        if isinstance(value, BaseModel):
            leaves.extend(uncertain_leaves(value, f"{path}."))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    leaves.extend(uncertain_leaves(item, f"{path}.{index}."))
        elif isinstance(value, dict):
            args = typing.get_args(info.annotation)
            item_bounds = _bounds(list(getattr(args[1], "__metadata__", ()))) if args else None
            if item_bounds is not None:
                for key, item in value.items():
                    leaves.append((f"{path}.{key}", item, item_bounds))
    return leaves


def _stream(seed: int, path: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(path.encode("utf-8"))])


def draw(
    value: float | Distribution, bounds: tuple[float, float], n: int, rng: np.random.Generator
) -> np.ndarray:
    """``n`` draws of one uncertain value (a fixed number gives a constant array)."""
    low, high = bounds
    if not isinstance(value, Distribution):
        return np.full(n, float(value))
    if value.dist == "uniform":
        sample = rng.uniform(float(value.low), float(value.high), n)  # type: ignore[arg-type]
    elif value.dist == "triangular":
        left, mode, right = float(value.low), float(value.mode), float(value.high)  # type: ignore[arg-type]
        sample = np.full(n, mode) if left == right else rng.triangular(left, mode, right, n)
    else:
        sample = rng.normal(float(value.mean), float(value.sd), n)  # type: ignore[arg-type]
    # a normal's tails are clipped to the field's range (documented in docs/scenario.md)
    return np.clip(sample, low, high)


def sample_inputs(
    scenario: Scenario, n: int | None = None, seed: int | None = None
) -> dict[str, np.ndarray]:
    """Draws of every uncertain input: field path -> array of length ``n``."""
    n = scenario.model.draws if n is None else int(n)
    seed = scenario.model.seed if seed is None else int(seed)
    return {
        path: draw(value, bounds, n, _stream(seed, path))
        for path, value, bounds in uncertain_leaves(scenario)
    }


@dataclass(frozen=True)
class Solution:
    """The selected equilibrium of each draw of one variant."""

    resist: np.ndarray
    """pR: probability the target resists, given the challenge."""
    firm: np.ndarray
    """pF: probability the coercer executes the threat if resisted."""
    challenge: np.ndarray
    """pC: probability the coercer challenges at all (given its belief pR)."""
    n_equilibria: np.ndarray
    """How many equilibria each draw's game has."""

    @property
    def compliance(self) -> np.ndarray:
        return 1.0 - self.resist

    @property
    def war(self) -> np.ndarray:
        """Probability the threat is executed, conditional on the challenge having been made."""
        return self.resist * self.firm


def _check_rule(equilibrium: object) -> str:
    if not isinstance(equilibrium, str) or equilibrium not in EQUILIBRIUM_RULES:
        raise InputError(
            f"equilibrium: unknown selection rule {equilibrium!r}; "
            f"allowed: {', '.join(EQUILIBRIUM_RULES)}"
        )
    return equilibrium


def solve_rules(
    variants: list[Mapped], rules: tuple[str, ...] | list[str]
) -> dict[str, list[Solution]]:
    """Solve every draw of every variant in ONE engine call, selecting by each rule.

    Returns ``{rule: [Solution per variant]}``. The equilibria are computed once; only the
    selection differs between rules (``stable``: the stable equilibrium with most resistance,
    falling back to the most resistant; ``most_resistance``; ``least_resistance``).
    """
    from coercive.games import CrisisGame
    from coercive.games.crisis import solve_arrays

    checked = [_check_rule(rule) for rule in rules]
    if not checked:
        raise InputError(f"rules: need at least one of {', '.join(EQUILIBRIUM_RULES)}")
    payoffs = stack(variants)
    game = CrisisGame(**payoffs, sigma=1.0)  # validates the payoffs
    # the flat arrays, not the DataFrame of game.equilibria(): the same numbers, without
    # building a table of ~10^4 rows on every assess (bench_assess.py)
    solved = solve_arrays(
        game.SA, game.VA, game.CB, game.WA, game.WB, game.a, game.VB, game.sigma
    )
    index = solved["game"].astype(np.int64)
    resist = solved["pR"]
    firm = solved["pF"]
    challenge = solved["pC"]
    stable = solved["slope"] < 1.0  # the engine's definition of a stable equilibrium
    n_games = game.n_games
    counts = np.bincount(index, minlength=n_games)
    if np.any(counts == 0):  # the engine finds at least one fixed point in every game
        raise RuntimeError("crisis-game engine returned no equilibrium for some games")

    preferences = {
        "least_resistance": -resist,
        # stable equilibria first in preference, then most resistance among them
        "stable": resist + 2.0 * stable,
        "most_resistance": resist,
    }
    selected: dict[str, list[Solution]] = {}
    for rule in checked:
        # choose one equilibrium per game: sort rows by (game, preference), keep the last
        order = np.lexsort((preferences[rule], index))
        last_of_game = np.r_[index[order][1:] != index[order][:-1], True]
        chosen = order[last_of_game]
        solutions = []
        start = 0
        for variant in variants:
            rows = chosen[start : start + variant.n]
            solutions.append(
                Solution(
                    resist=resist[rows],
                    firm=firm[rows],
                    challenge=challenge[rows],
                    n_equilibria=counts[start : start + variant.n],
                )
            )
            start += variant.n
        selected[rule] = solutions
    return selected


def solve(variants: list[Mapped], equilibrium: str = "stable") -> list[Solution]:
    """Solve every draw of every variant in ONE engine call; split the answer by variant.

    ``equilibrium`` is one of :data:`EQUILIBRIUM_RULES`; anything else is an InputError.
    """
    rule = _check_rule(equilibrium)
    return solve_rules(variants, (rule,))[rule]


def summarize(values: np.ndarray, level: float = 0.9) -> dict[str, float]:
    """Mean and central interval (default 90%) of a Monte Carlo quantity."""
    values = np.asarray(values, dtype=float)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(values, [tail, 1.0 - tail])
    return {"mean": float(values.mean()), "low": float(low), "high": float(high)}


__all__ = [
    "EQUILIBRIUM_RULES",
    "uncertain_leaves",
    "sample_inputs",
    "draw",
    "solve",
    "solve_rules",
    "Solution",
    "summarize",
]
