"""`coercive game`: solve and sweep from the shell; bad input is one line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coercive", *args], capture_output=True, text=True, timeout=120
    )


def test_solve_json_lists_every_equilibrium() -> None:
    result = run("game", "solve", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["payoffs"]["WB"] == -2.85
    rows = data["equilibria"]
    assert len(rows) == 3  # the documented example has three
    assert [row["stable"] for row in rows] == [True, False, True]
    for row in rows:
        assert set(row) >= {"pC", "pR", "pF", "SQ", "CD", "SF", "BD", "slope", "stable"}
        assert row["SQ"] + row["CD"] + row["SF"] + row["BD"] == pytest.approx(1.0)
    resist = [row["pR"] for row in rows]
    assert resist == sorted(resist)


def test_solve_selection_and_table() -> None:
    result = run("game", "solve", "--select", "least_resistance", "--json")
    rows = json.loads(result.stdout)["equilibria"]
    assert len(rows) == 1
    assert rows[0]["pR"] == pytest.approx(0.2708, abs=1e-4)
    table = run("game", "solve", "--WB", "-2.0")
    assert table.returncode == 0
    assert "1 equilibrium" in table.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--WB", "nan"), "WB: must be finite"),
        (("--SA", "inf"), "SA: must be finite"),
        (("--sigma", "0"), "sigma: must be > 0"),
        (("--VA", "abc"), "--VA"),
        (("--select", "best"), "select: must be one of"),
        (("--bogus", "1"), "No such option"),
    ],
)
def test_solve_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], needle: str) -> None:
    result = run("game", "solve", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert needle in lines[0]
    assert "Traceback" not in result.stderr


def test_sweep_writes_a_plot_and_a_tidy_table(tmp_path: Path) -> None:
    png = tmp_path / "branches.png"
    result = run(
        "game", "sweep", "WB", "--from", "-3", "--to", "-2.7", "--num", "31", "--plot", str(png)
    )
    assert result.returncode == 0, result.stderr
    assert png.stat().st_size > 1000
    assert "branches: high, low, middle" in result.stdout
    records = json.loads(
        run("game", "sweep", "WB", "--from", "-3", "--to", "-2.7", "--num", "31", "--json").stdout
    )
    assert {record["branch"] for record in records} == {"low", "middle", "high"}
    bad = run("game", "sweep", "nope", "--from", "0", "--to", "1")
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1
