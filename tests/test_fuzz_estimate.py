"""Estimation entry points under bad input (issue 11, section 2).

``parse_formula`` (the shared layer both estimators use) is fuzzed with random formulas and
data frames; ``fit_deterrence`` and ``fit_signaling`` with random small data. Each either
works or raises one InputError/InputTypeError line of at most 300 characters; a fit that
returns has finite estimates, and says it converged only when its standard errors exist.
The issue's reproductions are regression tests below.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

from coercive._errors import MAX_MESSAGE, InputError, InputTypeError
from coercive.estimate import fit_deterrence, fit_signaling
from coercive.estimate.formula import parse_formula

SCALE = float(os.environ.get("COERCIVE_FUZZ_SCALE", "1"))
DETERRENCE_PARTS = ["u11", "u13", "u14", "u24"]
SIGNALING_PARTS = ["SA", "VA", "CB", "WA", "WB", "a", "VB"]


def _examples(n: int) -> int:
    return max(5, int(n * SCALE))


def assert_clean_error(exc: BaseException) -> None:
    assert isinstance(exc, InputError | InputTypeError), f"{type(exc).__name__}: {exc}"
    message = str(exc)
    assert "\n" not in message and 0 < len(message) <= MAX_MESSAGE, message


def _call(function, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return function(*args, **kwargs)
    except Exception as exc:  # the property: only input errors, one short line
        assert_clean_error(exc)
        return None


def _assert_results(fit: object) -> None:
    if fit is None:
        return
    params = np.asarray(fit.params, dtype=float)  # type: ignore[attr-defined]
    assert np.all(np.isfinite(params))
    assert math.isfinite(fit.llf)  # type: ignore[attr-defined]
    if fit.converged:  # type: ignore[attr-defined]
        assert np.all(np.isfinite(np.asarray(fit.bse, dtype=float)))  # type: ignore[attr-defined]


# --- fuzz -----------------------------------------------------------------------------

_TERMS = st.sampled_from(
    [
        "x",
        "z",
        "b",
        "f",
        "log(x)",
        "sqrt(z)",
        "I(x**2)",
        "x:z",
        "0",
        "1",
        "-1",
        "x - 1",
        "nope",
        "x +",
        "(x",
        "np.exp(x)",
        "exp(1e3 * x)",
        "f + b",
        "'x'",
        "1e400",
        "x ~ z",
        "",
    ]
)
_FORMULAS = st.builds(
    lambda lhs, parts: f"{lhs} ~ {' | '.join(parts)}",
    st.sampled_from(["esc + war", "y", "f", "esc", "sq + cd + sf + bd", "x", "nope", "esc +"]),
    st.lists(_TERMS, min_size=0, max_size=5),
)
_FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
_FRAMES = data_frames(
    columns=[
        column("esc", elements=st.sampled_from([0, 1])),
        column("war", elements=st.sampled_from([0, 1])),
        column("x", elements=_FLOATS),
        column("z", elements=st.floats(-1e6, 1e6)),
        column("b", elements=st.booleans()),
        column("f", elements=st.sampled_from(["a", "b", "c"])),
        column("y", elements=st.sampled_from([0.0, 1.0, 2.0])),
        column("sq", elements=st.integers(0, 3)),
        column("cd", elements=st.integers(0, 3)),
        column("sf", elements=st.integers(0, 3)),
        column("bd", elements=st.integers(-1, 3)),
    ],
    index=range_indexes(min_size=0, max_size=12),
)


@settings(max_examples=_examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula=_FORMULAS, frame=_FRAMES, parts=st.sampled_from([DETERRENCE_PARTS, SIGNALING_PARTS]))
def test_fuzz_parse_formula(formula: str, frame: pd.DataFrame, parts: list[str]) -> None:
    design = _call(parse_formula, formula, frame, parts)
    if design is not None:
        for matrix in design.matrices():
            assert np.all(np.isfinite(matrix))


def _deterrence_frame(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    esc = rng.integers(0, 2, n)
    return pd.DataFrame(
        {
            "esc": esc,
            "war": esc * rng.integers(0, 2, n),
            "x": rng.normal(size=n) * 10.0 ** rng.integers(-3, 4),
            "z": rng.normal(size=n),
        }
    )


def _fuzz_fit(
    examples: int, max_rows: int, formulas: list[str]
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A fit's fuzz test: ``examples`` cases of a data seed, a row count up to ``max_rows``
    and one of ``formulas``."""
    cases = settings(
        max_examples=_examples(examples),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    inputs = given(
        seed=st.integers(0, 2**32 - 1),
        n=st.integers(0, max_rows),
        formula=st.sampled_from(formulas),
    )

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        return cases(inputs(test))

    return decorate


@_fuzz_fit(
    25,
    60,
    [
        "esc + war ~ x | 0 | z | 1",
        "esc + war ~ x | 1 | 0 | z",
        "esc + war ~ 1 | 0 | x | 1",
        "esc + war ~ 0 | 0 | 0 | 0",
        "esc + war ~ x | x | x | x",
        "war + esc ~ x | 0 | z | 1",
    ],
)
def test_fuzz_fit_deterrence(seed: int, n: int, formula: str) -> None:
    _assert_results(_call(fit_deterrence, formula, _deterrence_frame(seed, n)))


@_fuzz_fit(
    15,
    40,
    [
        "sq + cd + sf + bd ~ x | 1 | 0 | z | 1 | 0 | 0",
        "sq + cd + sf + bd ~ 0 | 0 | 0 | 0 | 0 | 0 | 0",
        "sq + cd + sf + bd ~ x | x | 0 | x | 1 | x | 0",
        "sq + cd ~ x | 1 | 0 | z | 1 | 0 | 0",
    ],
)
def test_fuzz_fit_signaling(seed: int, n: int, formula: str) -> None:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {name: rng.integers(0, 4, n) for name in ("sq", "cd", "sf", "bd")}
        | {"x": rng.normal(size=n), "z": rng.normal(size=n)}
    )
    _assert_results(_call(fit_signaling, formula, frame, random_state=0, n_estimators=10))


# --- regressions: the reproductions ------------------------------------------------


def test_war_without_escalation_is_refused_naming_rows() -> None:
    frame = _deterrence_frame(0, 50)
    frame.loc[[3, 7], ["esc", "war"]] = [0, 1]
    with pytest.raises(InputError, match=r"2 row\(s\) have esc=0 and war=1 \(rows 3, 7\)"):
        fit_deterrence("esc + war ~ x | 0 | z | 1", frame)


def test_duplicate_column_names_are_refused() -> None:
    frame = _deterrence_frame(0, 50)
    frame = pd.concat([frame, frame[["x"]]], axis=1)
    with pytest.raises(InputError, match="column 'x' appears more than once"):
        fit_deterrence("esc + war ~ x | 0 | z | 1", frame)
    # a duplicated column the formula does not use is no obstacle
    parse_formula("esc + war ~ z | 0 | 1 | 1", frame, DETERRENCE_PARTS)


def test_all_zero_formula_is_refused() -> None:
    frame = pd.DataFrame({name: [1, 0, 2, 1] for name in ("sq", "cd", "sf", "bd")})
    with pytest.raises(InputError, match="nothing to estimate"):
        fit_signaling("sq + cd + sf + bd ~ 0 | 0 | 0 | 0 | 0 | 0 | 0", frame)


def test_huge_regressor_is_refused_naming_the_part() -> None:
    frame = _deterrence_frame(0, 50)
    frame["x"] *= 1e300
    with pytest.raises(InputError, match=r"part 'u11' \('x'\) has a value of magnitude"):
        fit_deterrence("esc + war ~ x | 0 | z | 1", frame)


def test_boolean_indicators_and_counts_are_read_as_zero_one() -> None:
    frame = _deterrence_frame(1, 80)
    as_bool = frame.astype({"esc": bool, "war": bool})
    design = parse_formula("esc + war ~ x | 0 | z | 1", as_bool, DETERRENCE_PARTS)
    assert design.outcome.tolist() == frame[["esc", "war"]].to_numpy(dtype=float).tolist()
    counts = pd.DataFrame({"sq": [True, False, True], "cd": [1, 2, 0], "sf": [0, 1, 1]})
    counts["bd"] = 1
    design = parse_formula("sq + cd + sf + bd ~ 1", counts, ["SA"])
    assert design.outcome[:, 0].tolist() == [1.0, 0.0, 1.0]


def test_separated_data_is_not_reported_converged() -> None:
    """Perfect separation: the estimates run off, the Hessian is singular, no SEs."""
    rng = np.random.default_rng(3)
    n = 120
    x = rng.normal(size=n)
    esc = (x > 0).astype(int)
    frame = pd.DataFrame({"esc": esc, "war": esc * (rng.random(n) < 0.5), "x": x})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_deterrence("esc + war ~ x | 0 | 1 | 1", frame)
    assert not np.all(np.isfinite(np.asarray(fit.bse, dtype=float)))  # the symptom
    assert not fit.converged
    assert "Converged               NO" in fit.summary()


def test_results_converged_requires_finite_covariance() -> None:
    from coercive.estimate.results import EstimationResults

    params = pd.Series([1.0, 2.0], index=["a", "b"])
    with pytest.warns(RuntimeWarning):
        singular = EstimationResults("m", "ml", params, np.full((2, 2), np.nan), -1.0, 10)
    assert not singular.converged
    fine = EstimationResults("m", "ml", params, np.eye(2), -1.0, 10)
    assert fine.converged
