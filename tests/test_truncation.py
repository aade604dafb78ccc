"""No silent truncation (issue 11): a search cut short is recorded and the game refused.

Real games do not reach the engine's limits (``MAX_ROOTS`` roots, ``_STACK`` cells), so
the mechanism is exercised by calling the compiled kernel with smaller buffers: its
capacities are the buffers' lengths, and nothing else about the engine changes.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coercive.games import CrisisGame, _solve
from coercive.games._solve import STACK_FULL, TOO_MANY_ROOTS, solve_one

# Games with three equilibria, drawn from the benchmark's payoff ranges (seed 0).
THREE_ROOTS = [
    (-0.114494342050937, 0.8243964599986902, 0.8343701362773746, -2.561586766759092,
     -1.6212367865104818, -1.6290895244692842, 1.3592499382240801),
    (-0.8678350065518505, 0.4526418014188769, 0.3059304503592917, -2.272578602054502,
     -2.633947638603831, -0.9778537222264796, 0.8845115451068661),
    (0.6596079705562055, 1.4812378883103947, 0.6584397102941786, -2.8504416248622704,
     -1.8492535964388825, -1.3886957901559809, 0.7821766525779059),
]  # fmt: skip
ONE_ROOT = (0.0, 1.0, 0.0, -1.0, -2.9, -1.2, 1.0)  # (SA−VA)(WA−a)(VB−CB) < 0: F falls


def kernel(game: tuple[float, ...], roots: int, cells: int) -> tuple[int, int, int, np.ndarray]:
    """Solve one game (σ = 1) with ``roots`` root slots and ``cells`` stack cells."""
    buffers = np.empty(roots), np.empty(roots), np.empty(roots)
    count, rejected, truncated = solve_one(*game, 1.0, *buffers, np.empty((4, cells)))
    return count, rejected, truncated, buffers[0][:count].copy()


@pytest.mark.parametrize("game", THREE_ROOTS)
def test_full_buffers_find_three_roots_untruncated(game: tuple[float, ...]) -> None:
    count, rejected, truncated, roots = kernel(game, _solve.MAX_ROOTS, _solve._STACK)
    assert (count, rejected, truncated) == (3, 0, 0)
    assert np.all(np.diff(roots) > 0)


@pytest.mark.parametrize("game", THREE_ROOTS)
@pytest.mark.parametrize("slots", [1, 2])
def test_too_few_root_slots_is_recorded(game: tuple[float, ...], slots: int) -> None:
    count, rejected, truncated, roots = kernel(game, slots, _solve._STACK)
    assert count == slots and rejected == 0
    assert truncated & TOO_MANY_ROOTS
    # What was stored is still a subset of the true roots.
    _, _, _, every = kernel(game, _solve.MAX_ROOTS, _solve._STACK)
    assert np.all(np.isin(roots, every))


@pytest.mark.parametrize("game", THREE_ROOTS)
def test_exactly_enough_root_slots_is_not_truncation(game: tuple[float, ...]) -> None:
    assert kernel(game, 3, _solve._STACK)[2] & TOO_MANY_ROOTS == 0


@pytest.mark.parametrize("game", THREE_ROOTS)
def test_small_stack_is_recorded(game: tuple[float, ...]) -> None:
    truncated = kernel(game, _solve.MAX_ROOTS, 2)[2]
    assert truncated & STACK_FULL


def test_one_root_path_never_truncates() -> None:
    # The falling-F path brackets [0, 1] once: no cells, one slot.
    assert kernel(ONE_ROOT, 1, 2)[:3] == (1, 0, 0)


@settings(max_examples=200, deadline=None)
@given(
    st.tuples(
        st.floats(-1, 1),
        st.floats(0, 2),
        st.floats(-2, 1),
        st.floats(-3, 0),
        st.floats(-3, 0),
        st.floats(-3, 0),
        st.floats(0, 2),
    ),
    st.integers(1, 4),
)
def test_truncation_flag_iff_roots_exceed_slots(game: tuple[float, ...], slots: int) -> None:
    full_count, _, full_truncated, full_roots = kernel(game, _solve.MAX_ROOTS, _solve._STACK)
    assert full_truncated == 0  # the engine's own limits hold on the benchmark's ranges
    count, _, truncated, roots = kernel(game, slots, _solve._STACK)
    assert count == min(full_count, slots)
    assert bool(truncated & TOO_MANY_ROOTS) == (full_count > slots)
    assert np.all(np.isin(roots, full_roots))


def patched_solve_many(slots: int, cells: int):  # noqa: ANN201
    """``solve_many`` whose ``truncated`` comes from the kernel run with smaller buffers."""
    real = _solve.solve_many

    def solve_many(*arrays: np.ndarray):  # noqa: ANN202
        counts, rejected, truncated, *padded = real(*arrays)
        for i in range(counts.shape[0]):
            game = tuple(float(x[i]) for x in arrays)
            buffers = np.empty(slots), np.empty(slots), np.empty(slots)
            truncated[i] = solve_one(*game, *buffers, np.empty((4, cells)))[2]
        return counts, rejected, truncated, *padded

    return solve_many


def two_games() -> CrisisGame:
    columns = np.array([ONE_ROOT, THREE_ROOTS[0]]).T
    return CrisisGame(**dict(zip(("SA", "VA", "CB", "WA", "WB", "a", "VB"), columns, strict=True)))


def test_equilibria_refuses_a_game_with_more_roots_than_slots(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_solve, "solve_many", patched_solve_many(2, _solve._STACK))
    with pytest.raises(ValueError, match=r"^game 1: .*more than 16 equilibria") as info:
        two_games().equilibria()
    assert "\n" not in str(info.value)


def test_equilibria_refuses_a_game_whose_stack_overflowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_solve, "solve_many", patched_solve_many(_solve.MAX_ROOTS, 2))
    with pytest.raises(ValueError, match=r"^game 1: .*stack full"):
        two_games().equilibria()


def test_equilibria_unpatched_returns_every_root() -> None:
    table = two_games().equilibria()
    assert table["game"].tolist() == [0, 1, 1, 1]
