"""The command line under hostile arguments and environments (issue 11, section 2).

Every command is fuzzed in-process through :func:`coercive.cli.main`: it exits 0 with its
output, or exits 1/2 with exactly one stderr line of at most 300 characters and no traceback.
Each reproduction from the issue that needs a real process (encodings, a full disk, numba's
environment) runs as a subprocess.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pytest
from _helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coercive._errors import MAX_MESSAGE, InputError

SRC = Path(__file__).resolve().parents[1] / "src"
SCALE = float(os.environ.get("COERCIVE_FUZZ_SCALE", "1"))
PLOT_DIR = Path(tempfile.mkdtemp(prefix="coercive-fuzz-plots-"))
atexit.register(shutil.rmtree, PLOT_DIR, ignore_errors=True)


GROUPS = ([], ["game"], ["cases"])


def assert_clean(code: int, out: str, err: str, argv: list[str] | None = None) -> None:
    assert "Traceback" not in err and "Traceback" not in out
    if code == 0:
        return
    if argv in GROUPS and code == 2:
        return  # a group without a command shows its help (rich writes it to the terminal)
    assert code in (1, 2), (code, err)
    lines = err.splitlines()
    if code == 2 and "Usage:" in err and not err.startswith("coercive: error"):
        return  # a command without its arguments: its help, as documented

    assert len(lines) == 1, err
    assert lines[0].startswith("coercive: error: "), err
    assert len(lines[0]) <= len("coercive: error: ") + MAX_MESSAGE, err


def run_subprocess(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(SRC), **env}
    return subprocess.run(
        [sys.executable, "-m", "coercive", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=full_env,
    )


# --- fuzz: every command, random arguments ---------------------------------------------

_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e308", "-1e308", "1e-320", "0", "-0", "nan", "inf", "1e400", "١", "²"]),
)
_TOKENS = st.one_of(
    _NUMBERS,
    st.text(max_size=12),
    st.sampled_from(["--json", "--help", "-h", "--", "-", "", "--set", "--unknown", "x" * 400]),
)
_PAYOFFS = ["--SA", "--VA", "--CB", "--WA", "--WB", "--a", "--VB"]


def _solve_args() -> st.SearchStrategy[list[str]]:
    # Moderate payoffs: the engine's own range is issue 11 section 1 (tests/test_crisis_game.py).
    moderate = st.floats(min_value=-50, max_value=50).map(repr)
    pair = st.tuples(st.sampled_from(_PAYOFFS), st.one_of(moderate, _TOKENS))
    return st.builds(
        lambda pairs, extra, json_flag, select: [
            "game",
            "solve",
            *[part for pair in pairs for part in pair],
            *extra,
            *(["--json"] if json_flag else []),
            *(["--select", select] if select is not None else []),
        ],
        st.lists(pair, max_size=4),
        st.lists(_TOKENS, max_size=1),
        st.booleans(),
        st.one_of(st.none(), st.sampled_from(["all", "stable", "most_resistance", "x", ""])),
    )


def _sweep_args() -> st.SearchStrategy[list[str]]:
    targets = st.sampled_from(
        ["ok.png", "ok.pdf", "ok.svg", "noext", "x.xyz", "", ".", "missing/x.png", "a" * 300]
    ).map(lambda name: str(PLOT_DIR / name) if name else name)
    return st.builds(
        lambda parameter, ends, num, plot: [
            "game",
            "sweep",
            parameter,
            f"--from={ends[0]}",
            f"--to={ends[1]}",
            "--num",
            num,
            *(["--plot", plot] if plot is not None else []),
        ],
        st.sampled_from(["SA", "VA", "CB", "WA", "WB", "a", "VB", "sigma", "x", ""]),
        st.tuples(_NUMBERS, _NUMBERS),
        st.sampled_from(["2", "3", "0", "-1", "x", "1e3", "2.5"]),
        st.one_of(st.none(), targets),
    )


def _assess_args() -> st.SearchStrategy[list[str]]:
    # Bad arguments only: a valid assessment is a ~1 s Monte Carlo (tests/test_cases.py).
    cases = st.sampled_from(["", "nope", "dprk-2017/..", "/dev/null", "/proc", "a" * 300, "\x7f"])
    return st.builds(
        lambda case, sets: ["assess", case, *[part for s in sets for part in ("--set", s)]],
        cases,
        st.lists(st.text(max_size=20), max_size=2),
    )


ARGUMENTS = st.one_of(
    _solve_args(),
    _sweep_args(),
    _assess_args(),
    st.builds(
        lambda extra: ["assess", "dprk-2017", "--set", *extra], st.lists(_TOKENS, max_size=2)
    ),
    st.builds(lambda extra: ["cases", "list", *extra], st.lists(_TOKENS, max_size=2)),
    st.builds(
        lambda extra: ["cases", "evaluate", "--draws", *extra], st.lists(_TOKENS, max_size=1)
    ),
    st.lists(_TOKENS, max_size=3),
    st.builds(lambda extra: ["game", *extra], st.lists(_TOKENS, max_size=2)),
)


@settings(
    max_examples=max(10, int(300 * SCALE)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(argv=ARGUMENTS)
def test_fuzz_every_command(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy warnings are checked by the subprocess tests
        code, out, err = run_cli(argv, capsys)
    assert_clean(code, out, err, argv)
    text = out.strip()
    # ("--json" in argv is not enough: `--SA --json` makes "--json" the value of --SA)
    if code == 0 and text.startswith(("{", "[")):
        # JSON output never carries NaN or Infinity (invalid JSON, silent bad output)
        data = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
        assert data is not None
    for path in PLOT_DIR.iterdir():  # nothing written under a name other than the one given
        assert path.name in {"ok.png", "ok.pdf", "ok.svg"}, path


# --- regressions: each reproduction from issue 11, section 2 ---------------------------


def test_ascii_terminal_gets_no_traceback() -> None:
    result = run_subprocess("game", "solve", PYTHONIOENCODING="ascii")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Lewis?Schultz" in result.stdout  # the en dash, replaced


def test_numba_num_threads_zero_is_one_line() -> None:
    result = run_subprocess("game", "solve", NUMBA_NUM_THREADS="0")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "NUMBA_NUM_THREADS=0" in result.stderr and ">= 1" in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_disk_on_stdout_is_one_line() -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "coercive", "game", "solve", "--json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
            env={**os.environ, "PYTHONPATH": str(SRC)},
        )
    assert result.returncode == 1
    assert result.stderr == "coercive: error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("missing-dir/x.png", "does not exist"),
        ("out.xyz", "unknown format '.xyz'"),
        ("noext", "no format suffix"),
        ("", "not a file name"),
        (".", "is a directory"),
    ],
)
def test_plot_targets_refused_before_the_work(
    target: str,
    fragment: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(
        ["game", "sweep", "WB", "--from", "-3", "--to", "-2", "--num", "3", "--plot", target],
        capsys,
    )
    assert code == 2 and fragment in err, err
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing renamed


def test_plot_into_a_directory_or_a_device_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for target in (str(tmp_path), "/dev/null", "/proc/version.png"):
        code, _, err = run_cli(
            ["game", "sweep", "WB", "--from", "-3", "--to", "-2", "--num", "3", "--plot", target],
            capsys,
        )
        assert code == 2, (target, err)
        assert_clean(code, "", err)
    assert list(tmp_path.iterdir()) == []
    assert not Path(f"{tmp_path}.png").exists()


def test_plot_written_under_the_name_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "branches.svg"
    code, out, _ = run_cli(
        ["game", "sweep", "WB", "--from", "-3", "--to", "-2", "--num", "3", "--plot", str(target)],
        capsys,
    )
    assert code == 0 and f"plot written to {target}" in out
    assert [path.name for path in tmp_path.iterdir()] == ["branches.svg"]
    assert target.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_sweep_over_the_whole_float_range(capsys: pytest.CaptureFixture[str]) -> None:
    # The grid itself is built for any finite ends without overflow; games beyond the engine's
    # documented range (|payoff| <= 1e150 sigma, docs/engine.md) are refused in one line that
    # names that range, never answered with NaN.
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow warnings either
        code, out, err = run_cli(
            ["game", "sweep", "WB", "--from=-1e308", "--to=1e308", "--num", "5", "--json"], capsys
        )
    assert code == 2 and out == "", (code, out)
    assert err.count("\n") == 1 and "1e+150" in err and "WB" in err, err


def test_sweep_over_a_wide_range_inside_the_engine_range(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        code, out, err = run_cli(
            ["game", "sweep", "WB", "--from=-1e100", "--to=1e100", "--num", "5", "--json"], capsys
        )
    assert code == 0, err
    rows = json.loads(out)
    values = sorted({row["value"] for row in rows})
    assert values[0] == -1e100 and values[-1] == 1e100 and len(values) == 5
    assert all(math.isfinite(row[key]) for row in rows for key in ("pR", "pF", "pC"))


def test_sweep_grid_is_even_and_exact_at_the_ends() -> None:
    from coercive.games.statics import grid

    values = grid(-3.0, -2.0, 11)
    assert values[0] == -3.0 and values[-1] == -2.0
    assert values == pytest.approx([-3.0 + 0.1 * k for k in range(11)], abs=1e-15)
    with pytest.raises(InputError, match="finite"):
        grid(0.0, math.inf, 3)


def test_read_only_numba_cache_falls_back_with_one_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from numba.core import config

    from coercive.games import _lazy

    monkeypatch.setattr(config, "CACHE_DIR", "")
    monkeypatch.setattr(
        _lazy, "_writable", lambda directory: "coercive-numba-cache" in str(directory)
    )
    with pytest.warns(_lazy.NumbaCacheWarning, match="read-only") as record:
        used = _lazy.ensure_numba_cache()
    assert used is not None and config.CACHE_DIR == used and "coercive-numba-cache" in used
    assert len(record) == 1 and "\n" not in str(record[0].message)


def test_read_only_home_and_package_still_compile(tmp_path: Path) -> None:
    """End to end: numba's usual cache places unusable -> kernels cache in the temp directory.

    numba refused at import ("cannot cache function 'ndtr'"), so importing the engine and
    compiling one kernel is the reproduction.
    """
    script = (
        "import coercive.games._lazy as lazy\n"
        "lazy._writable = lambda d: 'coercive-numba-cache' in str(d)\n"
        "used = lazy.ensure_numba_cache()\n"
        "from coercive.games import _normal\n"
        "assert _normal.ndtr(0.0) == 0.5\n"
        "print(used)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(SRC), "HOME": str(tmp_path / "missing")},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    used = Path(result.stdout.strip())
    assert "coercive-numba-cache" in used.name
    assert any(used.rglob("_normal.ndtr-*.nbi"))  # the kernel really was cached there
    assert "Traceback" not in result.stderr
