"""`coercive game`: solve and sweep from the shell; bad input is one line and exit 2.

The first test runs a real process (the installed entry point, interpreter start-up and
all); the others run the same entry point, :func:`coercive.cli.main`, in this process,
which has the same error handling and saves a second of start-up per call.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from _helpers import run_cli


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


def test_solve_selection_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["game", "solve", "--select", "least_resistance", "--json"], capsys)
    assert code == 0
    rows = json.loads(out)["equilibria"]
    assert len(rows) == 1
    assert rows[0]["pR"] == pytest.approx(0.2708, abs=1e-4)
    code, out, _ = run_cli(["game", "solve", "--WB", "-2.0"], capsys)
    assert code == 0
    assert "1 equilibrium" in out


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
def test_solve_bad_input_is_one_line_and_exit_2(
    args: tuple[str, ...], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["game", "solve", *args], capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert needle in lines[0]
    assert "Traceback" not in err


def test_sweep_writes_a_plot_and_a_tidy_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "branches.png"
    sweep = ["game", "sweep", "WB", "--from", "-3", "--to", "-2.7", "--num", "31"]
    code, out, err = run_cli([*sweep, "--plot", str(png)], capsys)
    assert code == 0, err
    assert png.stat().st_size > 1000
    assert "branches: high, low, middle" in out
    code, out, _ = run_cli([*sweep, "--json"], capsys)
    records = json.loads(out)
    assert {record["branch"] for record in records} == {"low", "middle", "high"}
    code, _, err = run_cli(["game", "sweep", "nope", "--from", "0", "--to", "1"], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
