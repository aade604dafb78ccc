"""Comparative statics of the crisis game: branch tables and plots (coercive.games.statics)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coercive._errors import InputError, InputTypeError
from coercive.games import CrisisGame
from coercive.games.statics import (
    _assign_branches,
    _order_preserving_match,
    plot_branches,
    sweep,
)

matplotlib.use("Agg")

# The sigInt documentation example: WB = -2.9 + 0.1 x for 101 values of x on [-1, 2].
SIGINT_FIXED = {"SA": 0.0, "VA": 1.0, "CB": 0.0, "WA": -1.9, "a": -1.2, "VB": 1.0}
SIGINT_X = np.linspace(-1.0, 2.0, 101)
SIGINT_WB = -2.9 + 0.1 * SIGINT_X


@pytest.fixture(scope="module")
def sigint_table() -> pd.DataFrame:
    return sweep(SIGINT_FIXED, "WB", SIGINT_WB)


def test_sigint_example_counts(sigint_table: pd.DataFrame) -> None:
    per_point = sigint_table.groupby("point").size()
    assert len(per_point) == 101
    assert (per_point == 3).sum() == 67
    assert (per_point == 1).sum() == 34
    assert set(sigint_table["parameter"]) == {"WB"}
    np.testing.assert_allclose(
        sigint_table.drop_duplicates("point")["value"].to_numpy(), SIGINT_WB, rtol=0, atol=0
    )


def test_sigint_example_branches(sigint_table: pd.DataFrame) -> None:
    branches = sigint_table.groupby("branch_id")["branch"].first()
    assert list(branches) == ["low", "middle", "high"]
    # The S-curve: low from the start of the grid, high to its end, middle only in between.
    first, last = sigint_table["point"].min(), sigint_table["point"].max()
    for name, touches_first, touches_last in [
        ("low", True, False),
        ("middle", False, False),
        ("high", False, True),
    ]:
        points = sigint_table.loc[sigint_table["branch"] == name, "point"].to_numpy()
        assert np.all(np.diff(points) == 1), f"{name} must be one connected run of grid points"
        assert bool(points[0] == first) is touches_first
        assert bool(points[-1] == last) is touches_last
        # Connected: resistance moves little between neighbouring grid points on a branch.
        resistance = sigint_table.loc[sigint_table["branch"] == name, "pR"].to_numpy()
        assert np.max(np.abs(np.diff(resistance))) < 0.05
    # Where three coexist they are ordered low < middle < high, the middle one unstable.
    triple = sigint_table.groupby("point").filter(lambda rows: len(rows) == 3)
    for _, rows in triple.groupby("point"):
        assert list(rows["branch"]) == ["low", "middle", "high"]
        assert list(rows["stable"]) == [True, False, True]
    assert set(sigint_table.loc[sigint_table["branch"] == "middle", "stable"]) == {False}
    # Folds: middle is born with high and dies with low.
    middle = sigint_table.loc[sigint_table["branch"] == "middle", "point"]
    high = sigint_table.loc[sigint_table["branch"] == "high", "point"]
    low = sigint_table.loc[sigint_table["branch"] == "low", "point"]
    assert middle.min() == high.min()
    assert middle.max() == low.max()


def test_table_rows_are_the_engine_equilibria(sigint_table: pd.DataFrame) -> None:
    engine = CrisisGame(**SIGINT_FIXED, WB=SIGINT_WB).equilibria()
    engine = engine.sort_values(["game", "pR"]).reset_index(drop=True)
    assert len(engine) == len(sigint_table)
    for column in ("pC", "pR", "pF", "SQ", "CD", "SF", "BD", "stable"):
        np.testing.assert_array_equal(sigint_table[column].to_numpy(), engine[column].to_numpy())
    np.testing.assert_array_equal(sigint_table["point"].to_numpy(), engine["game"].to_numpy())


@pytest.mark.parametrize("select", ["most_resistance", "least_resistance", "stable"])
def test_selection_keeps_one_per_point(sigint_table: pd.DataFrame, select: str) -> None:
    chosen = sweep(SIGINT_FIXED, "WB", SIGINT_WB, select=select)
    assert list(chosen["point"]) == list(range(101))
    extremes = sigint_table.groupby("point")["pR"]
    if select == "least_resistance":
        np.testing.assert_array_equal(chosen["pR"].to_numpy(), extremes.min().to_numpy())
    else:
        np.testing.assert_array_equal(chosen["pR"].to_numpy(), extremes.max().to_numpy())
        assert chosen["stable"].all()
    # Branch names survive the selection: the selected path jumps between named branches.
    assert set(chosen["branch"]) == {"low", "high"}


def test_unsorted_grid_gives_the_same_table(sigint_table: pd.DataFrame) -> None:
    shuffled = np.random.default_rng(7).permutation(SIGINT_WB)
    again = sweep(SIGINT_FIXED, "WB", shuffled)
    pd.testing.assert_frame_equal(again, sigint_table)


def test_payoffs_can_move_with_the_grid() -> None:
    grid = np.linspace(0.5, 1.5, 9)
    moving_WA = np.linspace(-2.0, -1.5, 9)
    fixed = {name: value for name, value in SIGINT_FIXED.items() if name != "VB"}
    table = sweep({**fixed, "WA": moving_WA, "WB": -2.85}, "VB", grid)
    for point in range(9):
        alone = CrisisGame(
            **{**fixed, "WA": moving_WA[point], "WB": -2.85, "VB": grid[point]}
        ).equilibria()
        np.testing.assert_allclose(
            table.loc[table["point"] == point, "pR"].to_numpy(), np.sort(alone["pR"].to_numpy())
        )


def test_sigma_can_be_swept() -> None:
    table = sweep({**SIGINT_FIXED, "WB": -2.85}, "sigma", np.linspace(0.5, 2.0, 7))
    assert set(table["parameter"]) == {"sigma"}
    assert table["point"].nunique() == 7


def test_order_preserving_match() -> None:
    assert _order_preserving_match(np.array([0.3]), np.array([0.29, 0.6, 0.7])) == [0, -1, -1]
    assert _order_preserving_match(np.array([0.3]), np.array([0.1, 0.2, 0.72])) == [-1, 0, -1]
    assert _order_preserving_match(np.array([0.2, 0.5, 0.8]), np.array([0.79])) == [2]
    assert _order_preserving_match(np.array([0.2, 0.5, 0.8]), np.array([0.21])) == [0]
    assert _order_preserving_match(np.array([0.2, 0.5]), np.array([0.6, 0.9])) == [0, 1]
    assert _order_preserving_match(np.empty(0), np.array([0.4])) == [-1]
    # Three to five roots: the two newborn ones are the adjacent pair between 0.5 and 0.8.
    assert _order_preserving_match(
        np.array([0.2, 0.5, 0.8]), np.array([0.2, 0.5, 0.6, 0.7, 0.8])
    ) == [0, 1, -1, -1, 2]


def test_branches_born_twice_get_distinct_names() -> None:
    """Two separate regions of three equilibria: the second pair is a new pair of branches."""
    resistance_by_point = [[0.2], [0.2, 0.5, 0.7], [0.21, 0.5, 0.7], [0.22], [0.22, 0.6, 0.8]]
    rows = [
        {"game": point, "pR": value}
        for point, values in enumerate(resistance_by_point)
        for value in values
    ]
    equilibria = pd.DataFrame(rows)
    for column in ("pC", "pF", "SQ", "CD", "SF", "BD", "slope"):
        equilibria[column] = 0.5
    equilibria["stable"] = True
    table = _assign_branches(equilibria, n_points=len(resistance_by_point))
    assert list(table["branch_id"]) == [0, 0, 1, 2, 0, 1, 2, 0, 0, 3, 4]
    names = table.drop_duplicates("branch_id").set_index("branch_id")["branch"]
    assert list(names) == ["low", "middle", "high", "middle (2)", "high (2)"]


payoff_ranges = {
    "SA": (-1.0, 1.0),
    "VA": (0.0, 2.0),
    "CB": (-2.0, 1.0),
    "WA": (-3.0, 0.0),
    "WB": (-3.0, 0.0),
    "a": (-3.0, 0.0),
    "VB": (0.0, 2.0),
}


@settings(max_examples=40, deadline=None)
@given(
    fixed=st.fixed_dictionaries(
        {name: st.floats(low, high) for name, (low, high) in payoff_ranges.items()}
    ),
    parameter=st.sampled_from(list(payoff_ranges)),
)
def test_branches_never_cross(fixed: dict[str, float], parameter: str) -> None:
    low, high = payoff_ranges[parameter]
    grid = np.linspace(low - 1.0, high + 1.0, 25)
    table = sweep({k: v for k, v in fixed.items() if k != parameter}, parameter, grid)
    assert table["point"].nunique() == 25
    # Every equilibrium has one branch, distinct at its point, ordered like pR at every point.
    assert not table.duplicated(["point", "branch_id"]).any()
    rank_of = {}
    for _, rows in table.groupby("point"):
        assert rows["pR"].is_monotonic_increasing
        ids = list(rows["branch_id"])
        for lower, upper in zip(ids, ids[1:], strict=False):
            assert rank_of.get((upper, lower)) is None, "two branches swapped order"
            rank_of[(lower, upper)] = True


def test_plot_draws_each_branch(sigint_table: pd.DataFrame, tmp_path: Path) -> None:
    ax = plot_branches(sigint_table)
    assert len(ax.lines) == 3
    styles = sorted(line.get_linestyle() for line in ax.lines)
    assert styles == ["-", "-", "--"]
    dashed = next(line for line in ax.lines if line.get_linestyle() == "--")
    middle = sigint_table[sigint_table["branch"] == "middle"]
    np.testing.assert_array_equal(dashed.get_xdata(), middle["value"].to_numpy())
    np.testing.assert_array_equal(dashed.get_ydata(), middle["pR"].to_numpy())
    assert ax.get_xlabel() == "WB"
    output = tmp_path / "branches.png"
    ax.figure.savefig(output)
    assert output.stat().st_size > 5_000
    assert output.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_onto_given_axes(sigint_table: pd.DataFrame) -> None:
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    assert plot_branches(sigint_table[sigint_table["branch"] == "low"], ax=ax) is ax
    assert len(ax.lines) == 1
    assert ax.lines[0].get_linestyle() == "-"


@pytest.mark.parametrize(
    ("call", "error", "names"),
    [
        (lambda: sweep(SIGINT_FIXED, "XB", [1.0]), InputError, "parameter"),
        (lambda: sweep(SIGINT_FIXED, "VB", [1.0]), InputError, "game_kwargs"),
        (lambda: sweep({**SIGINT_FIXED, "zz": 1}, "WB", [1.0]), InputError, "game_kwargs"),
        (lambda: sweep(SIGINT_FIXED, "WB", [[1.0, 2.0]]), InputError, "values"),
        (lambda: sweep(SIGINT_FIXED, "WB", []), InputError, "values"),
        (lambda: sweep(SIGINT_FIXED, "WB", [1.0, float("nan")]), InputError, "values"),
        (lambda: sweep(SIGINT_FIXED, "WB", ["x"]), InputTypeError, "values"),
        (lambda: sweep({**SIGINT_FIXED, "WA": [1.0, 2.0]}, "WB", [1.0]), InputError, "WA"),
        (lambda: sweep(SIGINT_FIXED, "WB", [1.0], select="best"), InputError, "select"),
        (lambda: sweep([1, 2], "WB", [1.0]), InputTypeError, "game_kwargs"),
        (lambda: plot_branches(pd.DataFrame({"value": [1.0]})), InputError, "table"),
    ],
)
def test_bad_input_is_refused_by_name(call, error: type, names: str) -> None:  # noqa: ANN001
    with pytest.raises(error, match=names) as raised:
        call()
    assert "\n" not in str(raised.value)
