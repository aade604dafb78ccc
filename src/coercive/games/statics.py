"""Comparative statics of the Lewis–Schultz crisis game: every equilibrium branch over a grid.

Lewis & Schultz (2003, *Political Analysis* 11:345–367) show that the private-information crisis
game can have several equilibria (typically one or three): B's resistance ``pR`` is a fixed
point of ``F``, B's best response to A's best response, and ``F`` can be S-shaped. Sweeping one
payoff traces the equilibrium correspondence; its branches meet and vanish in pairs at folds
(the familiar S-curve of multiple equilibria, cf. the sigInt package's documentation example
of Crisman-Cox & Gibilisco 2021, *PSRM* 9(3)).

:func:`sweep` solves every grid point at once with one vectorised
:class:`coercive.games.CrisisGame` (one row per grid point) and returns a tidy table in which
each equilibrium carries a *branch*: equilibria at a point are sorted by ``pR`` and joined to the
equilibria at the neighbouring point by an order-preserving matching of least total change in
``pR`` (equilibria are roots of a continuous function of the payoffs, so branches do not cross;
where the count changes, the unmatched roots are the pair born or lost at a fold).
:func:`plot_branches` draws ``pR`` against the swept payoff, stable branches solid and unstable
ones dashed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coercive._errors import InputError, InputTypeError, finite_array, shown

if TYPE_CHECKING:
    from matplotlib.axes import Axes

SWEEPABLE: tuple[str, ...] = ("SA", "VA", "CB", "WA", "WB", "a", "VB", "sigma")
SELECTIONS: tuple[str, ...] = ("all", "most_resistance", "least_resistance", "stable")
EQUILIBRIUM_COLUMNS: tuple[str, ...] = (
    "pC",
    "pR",
    "pF",
    "SQ",
    "CD",
    "SF",
    "BD",
    "slope",
    "stable",
)
TABLE_COLUMNS: tuple[str, ...] = (
    "parameter",
    "value",
    "point",
    "branch",
    "branch_id",
    *EQUILIBRIUM_COLUMNS,
)

# Names for the equilibria at a point by rank of resistance, for the counts that occur in practice.
_RANK_NAMES: dict[int, tuple[str, ...]] = {
    1: ("unique",),
    2: ("low", "high"),
    3: ("low", "middle", "high"),
}

__all__ = [
    "SELECTIONS",
    "SWEEPABLE",
    "check_plot_target",
    "grid",
    "plot_branches",
    "save_plot",
    "sweep",
]


def sweep(
    game_kwargs: Mapping[str, object],
    parameter: str,
    values: object,
    select: str = "all",
) -> pd.DataFrame:
    """Every equilibrium of the crisis game at each value of one swept payoff.

    Parameters
    ----------
    game_kwargs
        The other keywords of :class:`coercive.games.CrisisGame` (``SA, VA, CB, WA, WB, a, VB``,
        ``sigma``), each a scalar or an array of the grid's length (to move several payoffs
        together).
    parameter
        The keyword swept, one of ``SA, VA, CB, WA, WB, a, VB, sigma``.
    values
        The grid: a 1-D array of finite numbers. It is solved and tabulated in increasing order.
    select
        ``"all"`` keeps every equilibrium; ``"most_resistance"`` / ``"least_resistance"`` keep the
        one with the highest / lowest ``pR`` at each point; ``"stable"`` keeps the stable one with
        the most resistance (the selection rules of ``CrisisGame.equilibria``). Branches are
        always traced through all equilibria first, so a selected path that jumps between
        branches shows the jump.

    Returns
    -------
    pandas.DataFrame
        One row per equilibrium and grid point, sorted by ``value`` then ``pR``: ``parameter``
        (the swept keyword), ``value``, ``point`` (index of the grid point in the sorted grid),
        ``branch`` (a readable name: ``"low"``, ``"middle"``, ``"high"`` where three equilibria
        coexist, ``"low"``/``"high"`` where two do, ``"unique"`` for a branch that is never
        accompanied, with a suffix when a name repeats), ``branch_id`` (0-based, in order of
        appearance), ``pC, pR, pF, SQ, CD, SF, BD``, ``slope`` (of ``F`` at the equilibrium) and
        ``stable`` (slope below 1).

    Examples
    --------
    The sigInt documentation example (three equilibria over most of the grid)::

        x = np.linspace(-1, 2, 101)
        table = sweep(dict(SA=0, VA=1, CB=0, WA=-1.9, a=-1.2, VB=1), "WB", -2.9 + 0.1 * x)
    """
    from coercive.games import CrisisGame

    if not isinstance(parameter, str) or parameter not in SWEEPABLE:
        raise InputError(
            f"parameter: must be one of {', '.join(SWEEPABLE)}; got {shown(parameter)}"
        )
    if not isinstance(select, str) or select not in SELECTIONS:
        raise InputError(f"select: must be one of {', '.join(SELECTIONS)}; got {shown(select)}")
    if not isinstance(game_kwargs, Mapping):
        raise InputTypeError("game_kwargs: expected a mapping of CrisisGame keywords to values")
    for name in game_kwargs:
        if name not in SWEEPABLE:
            raise InputError(
                f"game_kwargs: unknown keyword {shown(name)}; allowed: {', '.join(SWEEPABLE)}"
            )
    if parameter in game_kwargs:
        raise InputError(f"game_kwargs: {parameter!r} is the swept parameter; give it in values")
    grid = finite_array("values", values)
    if grid.ndim != 1 or grid.size == 0:
        raise InputError(f"values: must be a non-empty 1-D grid; got shape {grid.shape}")

    order = np.argsort(grid, kind="stable")
    grid = grid[order]
    fixed: dict[str, object] = {}
    for name, value in game_kwargs.items():
        array = finite_array(name, value)
        if array.ndim == 0:
            fixed[name] = float(array)
            continue
        if array.shape != (len(order),):
            raise InputError(
                f"{name}: must be a scalar or have the grid's length {len(order)}; "
                f"got shape {array.shape}"
            )
        fixed[name] = array[order]  # keep rows aligned with the sorted grid
    game = CrisisGame(**fixed, **{parameter: grid})
    equilibria = game.equilibria(select="all")

    table = _assign_branches(equilibria, n_points=len(grid))
    table.insert(0, "parameter", parameter)
    table.insert(1, "value", grid[table["point"].to_numpy()])
    table = table.loc[:, list(TABLE_COLUMNS)]
    return _select(table, select).reset_index(drop=True)


def _assign_branches(equilibria: pd.DataFrame, n_points: int) -> pd.DataFrame:
    """Join the equilibria at consecutive grid points into branches (see the module docstring)."""
    ordered = equilibria.sort_values(["game", "pR"], kind="stable").reset_index(drop=True)
    points = ordered["game"].to_numpy()
    resistance = ordered["pR"].to_numpy()
    starts = np.searchsorted(points, np.arange(n_points + 1))

    branch_of_row = np.empty(len(ordered), dtype=np.int64)
    active: list[int] = []  # branch ids at the previous point, in order of pR
    active_resistance = np.empty(0)
    next_branch = 0
    for point in range(n_points):
        rows = slice(starts[point], starts[point + 1])
        current = resistance[rows]
        matched_to = _order_preserving_match(active_resistance, current)
        ids: list[int] = []
        for previous_index in matched_to:
            if previous_index < 0:  # born here (at a fold, or at the first point)
                ids.append(next_branch)
                next_branch += 1
            else:
                ids.append(active[previous_index])
        branch_of_row[rows] = ids
        active, active_resistance = ids, current

    counts = np.diff(starts)
    table = pd.DataFrame(
        {
            "point": points,
            "branch_id": branch_of_row,
            **{column: ordered[column].to_numpy() for column in EQUILIBRIUM_COLUMNS},
        }
    )
    rank = np.arange(len(ordered)) - starts[points]
    names = _branch_names(branch_of_row, rank, counts[points])
    table.insert(1, "branch", [names[branch] for branch in branch_of_row])
    table["stable"] = table["stable"].astype(bool)
    return table


def _order_preserving_match(previous: np.ndarray, current: np.ndarray) -> list[int]:
    """For each current root, the index of the previous root it continues, or -1 if none.

    Chooses the order-preserving matching of ``min(len(previous), len(current))`` pairs with the
    least total ``|change in pR|`` (a small dynamic programme; counts are a handful).
    """
    n_previous, n_current = len(previous), len(current)
    if n_previous == n_current:
        return list(range(n_current))
    if n_previous == 0 or n_current == 0:
        return [-1] * n_current
    pairs = min(n_previous, n_current)
    distance = np.abs(previous[:, None] - current[None, :])
    # cost[i, j]: least cost matching the first i previous and first j current roots, where
    # every root of the smaller side is matched (the larger side may skip).
    infinity = np.inf
    cost = np.full((n_previous + 1, n_current + 1), infinity)
    cost[0, :] = 0.0 if n_previous < n_current else infinity
    cost[:, 0] = 0.0 if n_current < n_previous else infinity
    cost[0, 0] = 0.0
    for i in range(1, n_previous + 1):
        for j in range(1, n_current + 1):
            options = [cost[i - 1, j - 1] + distance[i - 1, j - 1]]
            if n_previous < n_current:
                options.append(cost[i, j - 1])  # current root j-1 is newborn
            else:
                options.append(cost[i - 1, j])  # previous root i-1 has vanished
            cost[i, j] = min(options)
    matched = [-1] * n_current
    i, j = n_previous, n_current
    while i > 0 and j > 0:
        if cost[i, j] == cost[i - 1, j - 1] + distance[i - 1, j - 1]:
            matched[j - 1] = i - 1
            i, j = i - 1, j - 1
        elif n_previous < n_current:
            j -= 1
        else:
            i -= 1
    assert sum(index >= 0 for index in matched) == pairs
    return matched


def _branch_names(branch_of_row: np.ndarray, rank: np.ndarray, count: np.ndarray) -> list[str]:
    """Name each branch by its rank where the most equilibria coexist along it."""
    rows = pd.DataFrame({"branch": branch_of_row, "rank": rank, "count": count})
    # First row of each branch among those with the largest count along it.
    widest = rows.sort_values(["branch", "count"], ascending=[True, False], kind="stable")
    widest = widest.drop_duplicates("branch", keep="first")
    names: list[str] = []
    seen: dict[str, int] = {}
    for coexisting, position in zip(widest["count"], widest["rank"], strict=True):
        rank_names = _RANK_NAMES.get(int(coexisting))
        name = rank_names[position] if rank_names else f"rank {position + 1} of {coexisting}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def _select(table: pd.DataFrame, select: str) -> pd.DataFrame:
    """Apply ``CrisisGame``'s selection rule per grid point, keeping the branch columns."""
    from coercive.games.crisis import select_equilibria

    chosen = select_equilibria(table.rename(columns={"point": "game"}), select)
    chosen = chosen.rename(columns={"game": "point"}).loc[:, list(TABLE_COLUMNS)]
    return chosen.sort_values(["value", "pR"], kind="stable")


def plot_branches(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Plot ``pR`` against the swept payoff: one line per run of a branch, unstable dashed.

    ``table`` is the output of :func:`sweep`. Without ``ax`` a new figure is made with
    :class:`matplotlib.figure.Figure` (no pyplot state, safe on any backend); the Axes is
    returned so the caller can ``ax.figure.savefig(...)``.
    """
    missing = [
        column for column in ("value", "branch", "branch_id", "pR", "stable") if column not in table
    ]
    if missing:
        raise InputError(f"table: missing columns {', '.join(missing)}; pass the output of sweep()")
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(6.0, 4.0), layout="constrained").subplots()

    for branch_id, rows in table.sort_values(["branch_id", "value"]).groupby("branch_id"):
        color = f"C{int(branch_id) % 10}"
        name = str(rows["branch"].iloc[0])
        stable = rows["stable"].to_numpy(dtype=bool)
        # Split the branch into runs of constant stability; each run is one line.
        run_starts = np.flatnonzero(np.r_[True, stable[1:] != stable[:-1]])
        run_ends = np.r_[run_starts[1:], len(rows)]
        labelled: set[bool] = set()
        for start, end in zip(run_starts, run_ends, strict=True):
            is_stable = bool(stable[start])
            label = f"{name} ({'stable' if is_stable else 'unstable'})"
            ax.plot(
                rows["value"].to_numpy()[start:end],
                rows["pR"].to_numpy()[start:end],
                color=color,
                linestyle="-" if is_stable else "--",
                marker="o" if end - start == 1 else None,  # a lone point would be invisible
                markersize=3,
                label=label if is_stable not in labelled else "_nolegend_",
            )
            labelled.add(is_stable)

    parameters = table["parameter"].unique() if "parameter" in table else []
    ax.set_xlabel(str(parameters[0]) if len(parameters) == 1 else "swept payoff")
    ax.set_ylabel("pR = Pr(B resists | challenge)")
    ax.set_ylim(-0.02, 1.02)
    if len(table):
        ax.legend(frameon=False, fontsize="small")
    return ax


def grid(start: float, stop: float, num: int) -> np.ndarray:
    """``num`` evenly spaced values from ``start`` to ``stop``, for any finite ends.

    ``numpy.linspace`` computes the step ``stop - start``, which overflows to inf for ends
    such as ±1e308 although every point is finite; the weights form ``start·(1 − t) + stop·t``
    cannot overflow past the ends (clipped against the last rounding).
    """
    ends = finite_array("--from/--to", [start, stop])
    if isinstance(num, bool) or not isinstance(num, int | np.integer) or num < 2:
        raise InputError(f"num: expected a whole number >= 2, got {shown(num)}")
    t = np.linspace(0.0, 1.0, int(num))
    with np.errstate(over="ignore"):
        values = ends[0] * (1.0 - t) + ends[1] * t
    values = np.clip(values, ends.min(), ends.max())
    values[0], values[-1] = ends
    return values


def check_plot_target(target: str | os.PathLike[str]) -> Path:
    """Validate where a plot goes before any work is done; return the path to write.

    The file's suffix picks the format (one matplotlib writes: .png, .pdf, .svg, ...), its
    directory must exist and be writable, and the target must not be a directory or a device.
    Nothing is renamed: the file written is the file named.
    """
    text = os.fspath(target) if isinstance(target, str | os.PathLike) else None
    if not isinstance(text, str):
        raise InputTypeError(f"plot: expected a file path, got {shown(target)}")
    path = Path(text)
    name = shown(text)
    formats = _plot_formats()
    allowed = f"a file name ending in {', '.join('.' + f for f in sorted(formats))}"
    if not text.strip() or text.endswith(("/", os.sep)):
        raise InputError(f"plot: {name} is not a file name; allowed: {allowed}")
    try:
        if path.is_dir():
            raise InputError(f"plot: {name} is a directory; allowed: {allowed}")
        if path.exists() and not path.is_file():
            raise InputError(f"plot: {name} is not a regular file; allowed: {allowed}")
        suffix = path.suffix.lower().lstrip(".")
        if suffix not in formats:
            kind = f"unknown format '.{suffix}'" if suffix else "no format suffix"
            raise InputError(f"plot: {name} has {kind}; allowed: {allowed}")
        parent = path.parent
        if not parent.is_dir():
            raise InputError(f"plot: directory {shown(str(parent))} does not exist")
        existed = path.exists()
        with open(path, "ab"):  # the real test of writability (os.access lies for root)
            pass
        if not existed:
            path.unlink()
    except OSError as exc:
        raise InputError(
            f"plot: cannot write {name} ({exc.strerror or type(exc).__name__})"
        ) from None
    return path


def save_plot(ax: Axes, target: str | os.PathLike[str], dpi: int = 120) -> Path:
    """Write the figure of ``ax`` to ``target`` (validated by :func:`check_plot_target`)."""
    path = check_plot_target(target)
    try:
        kind = path.suffix.lstrip(".").lower()
        ax.figure.savefig(path, dpi=dpi, bbox_inches="tight", format=kind)
    except OSError as exc:
        raise InputError(
            f"plot: cannot write {shown(str(path))} ({exc.strerror or type(exc).__name__})"
        ) from None
    return path


def _plot_formats() -> set[str]:
    """The file formats matplotlib can write here (backend-independent, no pyplot)."""
    from matplotlib.backend_bases import FigureCanvasBase

    return set(FigureCanvasBase.get_supported_filetypes())
