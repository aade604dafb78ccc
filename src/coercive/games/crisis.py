"""`CrisisGame`: many Lewis–Schultz games, solved together.

>>> from coercive.games import CrisisGame
>>> game = CrisisGame(SA=0, VA=1, CB=0, WA=-1.9, WB=-2.9, a=-1.2, VB=1)
>>> game.equilibria()[["pR", "pF", "stable"]].round(4)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from coercive._errors import InputError
from coercive.games._inputs import check_range, real_array

PAYOFFS = ("SA", "VA", "CB", "WA", "WB", "a", "VB")
Selection = Literal["all", "most_resistance", "least_resistance", "stable"]
SELECTIONS: tuple[str, ...] = ("all", "most_resistance", "least_resistance", "stable")
COLUMNS = ["game", "pC", "pR", "pF", "SQ", "CD", "SF", "BD", "slope", "stable"]


@dataclass(frozen=True, init=False)
class CrisisGame:
    """One or many Lewis–Schultz crisis games (Lewis & Schultz 2003).

    Every payoff is a scalar or an array; all broadcast together and are flattened to
    one axis of games (row ``i`` is game ``i``). ``sigma`` is the standard deviation of
    the private shocks ``eA, ea, eB``.
    """

    SA: np.ndarray
    VA: np.ndarray
    CB: np.ndarray
    WA: np.ndarray
    WB: np.ndarray
    a: np.ndarray
    VB: np.ndarray
    sigma: np.ndarray

    def __init__(
        self,
        *,
        SA: object,
        VA: object,
        CB: object,
        WA: object,
        WB: object,
        a: object,
        VB: object,
        sigma: object = 1.0,
    ) -> None:
        given = {"SA": SA, "VA": VA, "CB": CB, "WA": WA, "WB": WB, "a": a, "VB": VB, "sigma": sigma}
        arrays = {name: real_array(name, value) for name, value in given.items()}
        if np.any(arrays["sigma"] <= 0.0):
            raise InputError("sigma: must be > 0")
        try:
            shape = np.broadcast_shapes(*(arr.shape for arr in arrays.values()))
        except ValueError:
            shapes = ", ".join(f"{name}{arr.shape}" for name, arr in arrays.items())
            raise InputError(f"payoff shapes do not broadcast: {shapes}") from None
        for name, arr in arrays.items():
            flat = np.ascontiguousarray(np.broadcast_to(arr, shape).ravel(), dtype=float)
            flat.setflags(write=False)
            object.__setattr__(self, name, flat)
        check_range(*self._args())

    @classmethod
    def from_frame(cls, frame: Mapping[str, object], sigma: object = 1.0) -> CrisisGame:
        """Build from a mapping or DataFrame with columns ``SA … VB`` (and optional sigma)."""
        missing = [name for name in PAYOFFS if name not in frame]
        if missing:
            raise InputError(f"missing payoff columns: {', '.join(missing)}")
        kwargs = {name: frame[name] for name in PAYOFFS}
        return cls(**kwargs, sigma=frame["sigma"] if "sigma" in frame else sigma)

    @property
    def n_games(self) -> int:
        return int(self.SA.shape[0])

    def _args(self) -> tuple[np.ndarray, ...]:
        return (self.SA, self.VA, self.CB, self.WA, self.WB, self.a, self.VB, self.sigma)

    def best_response(self, resist: object) -> np.ndarray:
        """``F(pR)`` for each game (``resist`` broadcasts against the games)."""
        from coercive.games.lewis_schultz import best_response

        return best_response(resist, *self._args())

    def equilibria(self, select: Selection = "all") -> pd.DataFrame:
        """Every equilibrium, one row each, or one per game by a selection rule.

        ``select``: ``"all"``; ``"most_resistance"`` / ``"least_resistance"`` (the
        equilibrium with the highest / lowest ``pR``); ``"stable"`` (among the stable
        equilibria — slope of ``F`` below 1 — the one with the most resistance).
        Columns: ``game pC pR pF SQ CD SF BD slope stable``.
        """
        if select not in SELECTIONS:
            raise InputError(f"select: must be one of {', '.join(SELECTIONS)}; got {select!r}")
        table = equilibrium_table(solve_arrays(*self._args()))
        return table if select == "all" else select_equilibria(table, select)

    def __repr__(self) -> str:
        return f"CrisisGame(n_games={self.n_games})"


def solve_arrays(
    SA: np.ndarray,
    VA: np.ndarray,
    CB: np.ndarray,
    WA: np.ndarray,
    WB: np.ndarray,
    a: np.ndarray,
    VB: np.ndarray,
    sigma: np.ndarray,
) -> dict[str, np.ndarray]:
    """Flat arrays over all equilibria of all games: game index, pC, pR, pF, slope of F."""
    from coercive.games._solve import compact, solve_many

    counts, rejected, truncated, *padded = solve_many(SA, VA, CB, WA, WB, a, VB, sigma)
    if truncated.any():
        _refuse_truncated(truncated)
    if rejected.any():
        # A polished point that fails the certificate: refuse the game rather than
        # return a non-root or silently drop a root. Not seen for |payoff| <= 1e3·σ
        # (tests/test_certification.py) nor in 2·10⁶ games with payoffs to 1e9·σ
        # (benchmarks/bench_extreme_payoffs.py); possible where F's own rounding makes
        # p − F(p) noisy, e.g. B's index a difference of two terms near 1e12.
        bad = np.flatnonzero(rejected)
        raise InputError(
            f"game {int(bad[0])}: no equilibrium could be certified to 1e-9 (payoffs too "
            f"many sigma apart for F's precision)"
            + (f"; {bad.size} games like it" if bad.size > 1 else "")
        )
    game, columns = compact(counts, *padded)
    return {"game": game, "pC": columns[0], "pR": columns[1], "pF": columns[2], "slope": columns[3]}


def _refuse_truncated(truncated: np.ndarray) -> None:
    """Refuse games whose root search was cut short: a root may be missing (issue 11)."""
    from coercive.games._solve import (
        _STACK,
        BELOW_SMALLEST_DOUBLE,
        MAX_ROOTS,
        STACK_FULL,
        TOO_MANY_ROOTS,
        WITHIN_A_FLOAT_OF_ONE,
    )

    bad = np.flatnonzero(truncated)
    first = int(truncated[bad[0]])
    others = f"; {bad.size} games like it" if bad.size > 1 else ""
    if first & BELOW_SMALLEST_DOUBLE:
        raise InputError(
            f"game {int(bad[0])}: an equilibrium lies between pR = 0 and 5e-324, below the "
            "smallest positive double (payoff differences too small for sigma: outside the "
            "engine's range); refusing rather than return 2 of 3 equilibria" + others
        )
    if first & WITHIN_A_FLOAT_OF_ONE:
        raise InputError(
            f"game {int(bad[0])}: F rises through the diagonal within 2e-15 of pR = 1 "
            "(VA too many sigma from SA: outside the engine's range), too close to 1 to "
            "count the equilibria in doubles; refusing" + others
        )
    causes = []
    if first & TOO_MANY_ROOTS:
        causes.append(f"more than {MAX_ROOTS} equilibria (MAX_ROOTS)")
    if first & STACK_FULL:
        causes.append(f"the search needed more than {_STACK} pending cells (stack full)")
    raise InputError(
        f"game {int(bad[0])}: equilibrium search truncated, {' and '.join(causes)}; "
        "refusing rather than return a partial list" + others
    )


def equilibrium_table(solved: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """The equilibrium table (columns :data:`COLUMNS`) from :func:`solve_arrays` output."""
    challenge, resist, firm = solved["pC"], solved["pR"], solved["pF"]
    return pd.DataFrame(
        {
            "game": solved["game"].astype(np.int64),
            "pC": challenge,
            "pR": resist,
            "pF": firm,
            "SQ": 1.0 - challenge,
            "CD": challenge * (1.0 - resist),
            "SF": challenge * resist * firm,
            "BD": challenge * resist * (1.0 - firm),
            "slope": solved["slope"],
            "stable": solved["slope"] < 1.0,
        },
        columns=COLUMNS,
    )


def select_equilibria(table: pd.DataFrame, select: str) -> pd.DataFrame:
    """Apply a selection rule to an equilibrium table (see :meth:`CrisisGame.equilibria`)."""
    if select == "all":
        return table.reset_index(drop=True)
    if select == "stable":
        table = table[table["stable"]]
        select = "most_resistance"
    ascending = select == "least_resistance"
    ordered = table.sort_values(["game", "pR"], ascending=[True, ascending], kind="stable")
    return ordered.drop_duplicates("game", keep="first").reset_index(drop=True)
