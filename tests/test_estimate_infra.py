"""Shared estimation infrastructure: data loader, multi-part formulas, covariance, results."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from coercive._errors import InputError, InputTypeError
from coercive.datasets import PUBLISHED_MODELS, available, load
from coercive.estimate import fit_deterrence, fit_signaling
from coercive.estimate.covariance import (
    hessian_covariance,
    numerical_gradient,
    numerical_hessian,
    opg_covariance,
    sandwich_covariance,
)
from coercive.estimate.formula import parse_formula, split_formula
from coercive.estimate.results import EstimationResults

WAR_FORMULA = PUBLISHED_MODELS["war1800"]
FOUR = ["u11", "u13", "u14", "u24"]
SIGNALING_FORMULA = PUBLISHED_MODELS["sanctions"]
SIGNALING_PHAT = ("PRnpl", "PFnpl")


# --- data sets -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def war1800() -> pd.DataFrame:
    return load("war1800")


@pytest.fixture(scope="module")
def sanctions() -> pd.DataFrame:
    return load("sanctions")


def test_war1800_loads_with_plain_dtypes(war1800: pd.DataFrame) -> None:
    assert war1800.shape == (313, 21)
    for name, dtype in war1800.dtypes.items():
        assert isinstance(name, str) and type(name) is str
        if isinstance(dtype, pd.CategoricalDtype):
            continue
        assert isinstance(dtype, np.dtype), f"{name} has pandas extension dtype {dtype}"
    assert list(war1800["regime1"].cat.categories) == ["autoc", "dem", "mixed"]
    assert war1800["war"].dtype == np.int64
    # dem1 has missing values in the R file: it must come back as float with NaN, not pd.NA
    assert war1800["dem1"].dtype == np.float64 and war1800["dem1"].isna().sum() == 12
    assert isinstance(war1800.index, pd.RangeIndex)


def test_sanctions_loads_with_published_totals() -> None:
    sanctions = load("sanctions")
    assert sanctions.shape == (418, 22)
    totals = sanctions[["sq", "cd", "sf", "bd"]].sum()
    assert totals.tolist() == [49071, 144, 349, 140]
    assert {"PRnpl", "PFnpl", "PRhat", "PFhat"} <= set(sanctions.columns)


def test_unknown_data_set_lists_allowed_names() -> None:
    with pytest.raises(InputError, match="allowed: .*sanctions.*war1800"):
        load("war1900")
    # games 1.1.2's example data joined with issue 10 (sorted names)
    assert {"sanctions", "ties", "war1800", "data_122", "data_123", "data_ult", "leblang2003",
            "student_offers"} <= set(available())  # fmt: skip
    assert list(available()) == sorted(available())


def test_sha_mismatch_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = Path(__import__("os").environ["COERCIVE_DATA_DIR"]) / "war1800.rda"
    corrupt = tmp_path / "war1800.rda"
    shutil.copyfile(source, corrupt)
    with corrupt.open("ab") as handle:
        handle.write(b"\x00")
    monkeypatch.setenv("COERCIVE_DATA_DIR", str(tmp_path))
    with pytest.raises(InputError, match="SHA-256"):
        load("war1800")
    with pytest.raises(InputError, match="not found"):
        load("sanctions")


# --- formulas --------------------------------------------------------------------------------
def test_war1800_formula_parts_and_labels(war1800: pd.DataFrame) -> None:
    design = parse_formula(WAR_FORMULA, war1800, FOUR)
    assert design.nobs == 282 and design.n_dropped == 31
    assert [matrix.shape[1] for _, matrix in design.parts] == [3, 0, 3, 4]
    assert design.labels() == [
        "u11:(Intercept)",
        "u11:s_wt_re1",
        "u11:revis1",
        "u14:(Intercept)",
        "u14:regime1dem",
        "u14:regime1mixed",
        "u24:(Intercept)",
        "u24:balanc",
        "u24:regime2dem",
        "u24:regime2mixed",
    ]
    assert design.outcome.shape == (282, 2)
    kept = war1800.loc[design.index]
    np.testing.assert_array_equal(
        design.parts[3][1]["regime2dem"].to_numpy(), (kept["regime2"] == "dem").to_numpy()
    )


def test_constant_only_no_intercept_and_transforms(war1800: pd.DataFrame) -> None:
    design = parse_formula(
        "esc + war ~ 1 | sqrt(balanc) - 1 | 0 + regime1 | np.log(cap_1) + I(balanc**2)",
        war1800,
        FOUR,
    )
    names = [list(matrix.columns) for _, matrix in design.parts]
    assert names[0] == ["(Intercept)"]
    assert names[1] == ["sqrt(balanc)"]
    assert names[2] == ["regime1autoc", "regime1dem", "regime1mixed"]
    assert names[3][0] == "(Intercept)" and names[3][1] == "np.log(cap_1)"
    kept = war1800.loc[design.index]
    np.testing.assert_allclose(design.parts[1][1].iloc[:, 0], np.sqrt(kept["balanc"]))


def test_categorical_outcome(war1800: pd.DataFrame) -> None:
    frame = war1800.assign(
        y=pd.Categorical(
            np.where(war1800.esc == 1, np.where(war1800.war == 1, "war", "cap"), "sq"),
            categories=["sq", "cap", "war"],
        )
    )
    design = parse_formula("y ~ s_wt_re1 | 0 | 1 | balanc", frame, FOUR)
    assert design.outcome_kind == "categorical"
    assert design.outcome_levels == ("sq", "cap", "war")
    assert set(np.unique(design.outcome)) == {0, 1, 2}


def test_wrong_number_of_parts(war1800: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="expected 4 right-hand parts.*got 3"):
        parse_formula("esc + war ~ balanc | 0 | 1", war1800, FOUR)


def test_unknown_column_is_named(war1800: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="unknown column 'balance'"):
        parse_formula("esc + war ~ balance | 0 | 1 | 1", war1800, FOUR)
    with pytest.raises(InputError, match="unknown column 'escalate'"):
        parse_formula("escalate + war ~ balanc | 0 | 1 | 1", war1800, FOUR)


def test_all_missing_column(war1800: pd.DataFrame) -> None:
    frame = war1800.assign(empty=np.nan)
    with pytest.raises(InputError, match="'empty' is entirely missing"):
        parse_formula("esc + war ~ empty | 0 | 1 | 1", frame, FOUR)


def test_no_outcome_variation(war1800: pd.DataFrame) -> None:
    frame = war1800.assign(esc=1.0, war=1)
    with pytest.raises(InputError, match="no variation"):
        parse_formula("esc + war ~ balanc | 0 | 1 | 1", frame, FOUR)


def test_missing_rows_raise_when_asked(war1800: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="31 row"):
        parse_formula(WAR_FORMULA, war1800, FOUR, na="raise")
    design = parse_formula("esc + war ~ balanc | 0 | 1 | 1", war1800, FOUR, na="raise")
    assert design.n_dropped == 0 and design.nobs == 313


def test_subset_string_and_mask_agree(war1800: pd.DataFrame) -> None:
    by_string = parse_formula(WAR_FORMULA, war1800, FOUR, subset="year >= 1850")
    by_mask = parse_formula(WAR_FORMULA, war1800, FOUR, subset=(war1800.year >= 1850).to_numpy())
    assert list(by_string.index) == list(by_mask.index)
    complete = war1800.loc[war1800.year >= 1850, ["regime1", "regime2"]].notna().all(axis=1)
    assert by_string.nobs == int(complete.sum())
    with pytest.raises(InputError, match="subset"):
        parse_formula(WAR_FORMULA, war1800, FOUR, subset=[True, False])


def test_bad_formula_and_data_types(war1800: pd.DataFrame) -> None:
    with pytest.raises(InputTypeError, match="formula"):
        parse_formula(42, war1800, FOUR)  # type: ignore[arg-type]
    with pytest.raises(InputTypeError, match="data"):
        parse_formula(WAR_FORMULA, war1800.to_dict(), FOUR)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="'~'"):
        parse_formula("esc + war balanc | 0 | 1 | 1", war1800, FOUR)
    with pytest.raises(InputError, match="na"):
        parse_formula(WAR_FORMULA, war1800, FOUR, na="omit")  # type: ignore[arg-type]


@pytest.mark.parametrize("column, value", [("s_wt_re1", np.inf), ("balanc", -np.inf)])
def test_infinite_value_is_refused_not_dropped_deterrence(
    war1800: pd.DataFrame, column: str, value: float
) -> None:
    data = war1800.copy()
    data.loc[data.index[3], column] = value
    for na in ("drop", "raise"):
        with pytest.raises(InputError, match=rf"data: column '{column}' has 1 infinite") as info:
            fit_deterrence(WAR_FORMULA, data, na=na)
        assert "\n" not in str(info.value)
    # NaN, by contrast, is missing: dropped and counted
    data.loc[data.index[3], column] = np.nan
    baseline = fit_deterrence(WAR_FORMULA, war1800)
    assert fit_deterrence(WAR_FORMULA, data).n_dropped == baseline.n_dropped + 1
    # in newdata too: inf is refused, not predicted as a missing row
    newdata = war1800.iloc[:5].copy()
    newdata.loc[newdata.index[0], column] = value
    with pytest.raises(InputError, match=rf"newdata: column '{column}' has 1 infinite"):
        baseline.predict(newdata)


@pytest.mark.parametrize("column", ["sq", "contig"])
def test_infinite_value_is_refused_not_dropped_signaling(
    sanctions: pd.DataFrame, column: str
) -> None:
    data = sanctions.copy()
    data[column] = data[column].astype(float)
    data.loc[data.index[7], column] = np.inf
    with pytest.raises(InputError, match=rf"data: column '{column}' has 1 infinite"):
        fit_signaling(SIGNALING_FORMULA, data, method="pl", phat=SIGNALING_PHAT)


@pytest.mark.parametrize(
    "formula, match",
    [
        ("esc + war ~ s_wt_re1 + | 0 | 1 | balanc", "cannot parse part 'u11'"),
        (
            "esc + war ~ nosuchfunction(s_wt_re1) | 0 | 1 | balanc",
            "unknown column 'nosuchfunction'",
        ),
        ("esc + war ~ log(regime1) | 0 | 1 | balanc", "cannot build part 'u11'"),
    ],
)
def test_formula_errors_are_one_line_input_errors(
    war1800: pd.DataFrame, formula: str, match: str
) -> None:
    with pytest.raises(InputError, match=match) as info:
        parse_formula(formula, war1800, FOUR)
    assert "\n" not in str(info.value)
    with pytest.raises(InputError, match="subset: cannot evaluate") as info:
        parse_formula(WAR_FORMULA, war1800, FOUR, subset="year >")
    assert "\n" not in str(info.value)


def test_library_bug_is_not_reported_as_user_input_error(
    war1800: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    import formulaic

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("internal failure")

    monkeypatch.setattr(formulaic, "model_matrix", broken)
    # a transform, so formulaic builds the part (plain columns take a numpy fast path)
    with pytest.raises(RuntimeError, match="internal failure"):
        parse_formula(WAR_FORMULA.replace("balanc", "I(2 * balanc)"), war1800, FOUR)


def test_split_respects_parentheses() -> None:
    lhs, parts = split_formula("a + b ~ I(x | y) + z | 0 | log(w)")
    assert lhs == ["a", "b"] and parts == ["I(x | y) + z", "0", "log(w)"]


def test_regressors_for_new_data(war1800: pd.DataFrame) -> None:
    design = parse_formula(WAR_FORMULA, war1800, FOUR)
    rows = war1800.iloc[[0, 1, 2]].copy()
    rows.loc[rows.index[1], "balanc"] = np.nan
    matrices = design.regressors(rows)
    assert [m.shape for m in matrices] == [(3, 3), (3, 0), (3, 3), (3, 4)]
    assert np.isnan(matrices[3][1]).all() and np.isfinite(matrices[3][0]).all()
    fitted = design.parts[0][1].loc[rows.index[0]].to_numpy()
    np.testing.assert_allclose(matrices[0][0], fitted)
    unseen = war1800.iloc[[0]].astype({"regime2": object}).assign(regime2="junta")
    with pytest.raises(InputError, match="newdata"):
        design.regressors(unseen)
    with pytest.raises(InputError, match="'balanc'"):
        design.regressors(war1800.drop(columns="balanc"))


@settings(max_examples=25, deadline=None)
@given(
    values=arrays(
        np.float64,
        (12, 2),
        elements=st.floats(-5, 5, allow_nan=False, allow_infinity=False),
    ),
    missing=st.lists(st.integers(0, 11), max_size=4),
)
def test_design_equals_columns_and_counts_drops(values: np.ndarray, missing: list[int]) -> None:
    frame = pd.DataFrame({"x": values[:, 0], "z": values[:, 1]})
    frame["y1"] = np.arange(12) % 2
    frame["y2"] = (np.arange(12) // 2) % 2
    frame.loc[missing, "x"] = np.nan
    design = parse_formula("y1 + y2 ~ x | z - 1", frame, ["a", "b"])
    kept = frame.dropna()
    assert design.n_dropped == len(set(missing))
    np.testing.assert_array_equal(design.parts[0][1]["x"], kept["x"])
    np.testing.assert_array_equal(design.parts[1][1]["z"], kept["z"])
    assert design.labels() == ["a:(Intercept)", "a:x", "b:z"]


# --- covariance ------------------------------------------------------------------------------
def test_hessian_covariance_inverts_negative_definite() -> None:
    hessian = -np.array([[4.0, 1.0], [1.0, 3.0]])
    covariance = hessian_covariance(hessian)
    assert covariance.ok and covariance.note is None
    np.testing.assert_allclose(covariance.matrix, np.linalg.inv(-hessian))


@pytest.mark.parametrize(
    "hessian, word",
    [(np.array([[-1.0, 1.0], [1.0, -1.0]]), "singular"), (np.diag([-1.0, 2.0]), "not definite")],
)
def test_bad_hessian_gives_nan_and_reason(hessian: np.ndarray, word: str) -> None:
    covariance = hessian_covariance(hessian)
    assert not covariance.ok and np.isnan(covariance.matrix).all()
    assert word in covariance.note


def test_numerical_derivatives_of_a_quadratic() -> None:
    matrix = np.array([[3.0, 0.5, 0.0], [0.5, 2.0, -0.3], [0.0, -0.3, 1.0]])

    def function(x: np.ndarray) -> float:
        return -0.5 * float(x @ matrix @ x) + float(x.sum())

    def gradient(x: np.ndarray) -> np.ndarray:
        return -matrix @ x + 1.0

    point = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(numerical_gradient(function, point), gradient(point), atol=1e-7)
    np.testing.assert_allclose(numerical_hessian(gradient, point), -matrix, atol=1e-8)


def test_opg_and_sandwich() -> None:
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(200, 3))
    opg = opg_covariance(scores)
    np.testing.assert_allclose(opg.matrix, np.linalg.inv(scores.T @ scores))
    hessian = -(scores.T @ scores)
    sandwich = sandwich_covariance(hessian, scores)
    # when the information equality holds exactly, sandwich = inverse Hessian = OPG
    np.testing.assert_allclose(sandwich.matrix, opg.matrix, rtol=1e-10)
    assert not opg_covariance(np.zeros((5, 2))).ok


# --- results ---------------------------------------------------------------------------------
def _results(cov: np.ndarray, notes: tuple[str, ...] = ()) -> EstimationResults:
    return EstimationResults(
        model="toy",
        method="MLE",
        params=pd.Series([1.0, -2.0], index=["a:x", "b:(Intercept)"]),
        cov=cov,
        llf=-10.0,
        nobs=40,
        n_dropped=3,
        notes=notes,
        extra={"iterations": 5},
    )


def test_results_statistics_and_text() -> None:
    results = _results(np.diag([0.25, 1.0]))
    np.testing.assert_allclose(results.bse, [0.5, 1.0])
    np.testing.assert_allclose(results.tvalues, [2.0, -2.0])
    np.testing.assert_allclose(results.pvalues, [0.0455003, 0.0455003], rtol=1e-5)
    assert results.aic == pytest.approx(24.0)
    assert results.bic == pytest.approx(20.0 + 2.0 * np.log(40))
    interval = results.conf_int()
    assert interval.loc["a:x", "lower"] == pytest.approx(1.0 - 1.959964 * 0.5, rel=1e-6)
    text = results.summary()
    for piece in ("toy", "MLE", "Rows dropped (missing)  3", "-10.0000", "b:(Intercept)", "yes"):
        assert piece in text
    latex = results.to_latex(caption="A & B")
    assert r"\begin{tabular}" in latex and r"b:(Intercept)" in latex and r"A \& B" in latex
    with pytest.raises(dataclasses.FrozenInstanceError):
        results.llf = 0.0  # type: ignore[misc]
    with pytest.raises(NotImplementedError):
        results.predict(pd.DataFrame())


def test_mutating_what_results_return_does_not_change_them() -> None:
    hessian = np.array([[-4.0, 0.0], [0.0, -1.0]])
    phat = pd.DataFrame({"PRhat": [0.2, 0.7]})
    given_params = pd.Series([1.0, -2.0], index=["a:x", "b:(Intercept)"])
    given_cov = np.diag([0.25, 1.0])
    results = EstimationResults(
        model="toy",
        method="MLE",
        params=given_params,
        cov=given_cov,
        llf=-10.0,
        nobs=40,
        extra={"hessian": hessian, "phat": phat, "iterations": 5},
    )
    # what the caller passed in is copied, not aliased
    given_params.iloc[0] = 50.0
    given_cov[0, 0] = 50.0
    hessian[0, 0] = 50.0
    phat.iloc[0, 0] = 50.0
    # what the caller gets back is a copy or read-only
    for series in (results.params, results.bse, results.tvalues, results.pvalues):
        series.iloc[0] = 99.0
    for frame in (results.cov_params(), results.cov, results.conf_int(), results.extra["phat"]):
        frame.iloc[0, 0] = 99.0
    phat_back = results.extra["phat"]
    phat_back["PRhat"] = 99.0
    with pytest.raises(ValueError, match="read-only"):
        results.extra["hessian"][0, 0] = 99.0
    with pytest.raises(TypeError):
        results.extra["iterations"] = 6  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        results.extra = {}  # type: ignore[misc]
    np.testing.assert_array_equal(results.params, [1.0, -2.0])
    np.testing.assert_array_equal(results.bse, [0.5, 1.0])
    np.testing.assert_array_equal(results.tvalues, [2.0, -2.0])
    np.testing.assert_array_equal(results.cov_params(), np.diag([0.25, 1.0]))
    assert results.conf_int().iloc[0, 0] == pytest.approx(1.0 - 1.959964 * 0.5, rel=1e-6)
    np.testing.assert_array_equal(results.extra["hessian"], [[-4.0, 0.0], [0.0, -1.0]])
    np.testing.assert_array_equal(results.extra["phat"]["PRhat"], [0.2, 0.7])
    assert results.extra["iterations"] == 5
    for clone in (copy.deepcopy(results), pickle.loads(pickle.dumps(results))):
        np.testing.assert_array_equal(clone.params, [1.0, -2.0])
        with pytest.raises(ValueError, match="read-only"):
            clone.extra["hessian"][0, 0] = 99.0
        with pytest.raises(dataclasses.FrozenInstanceError):
            clone.llf = 0.0  # type: ignore[misc]


@pytest.mark.parametrize("which", ["deterrence", "signaling"])
def test_fitted_results_are_immutable(
    which: str, war1800: pd.DataFrame, sanctions: pd.DataFrame
) -> None:
    if which == "deterrence":
        fit = fit_deterrence(WAR_FORMULA, war1800)
        array_key = "hessian"
    else:
        fit = fit_signaling(SIGNALING_FORMULA, sanctions, method="pl", phat=SIGNALING_PHAT)
        array_key = "phat"
    before = (fit.params, fit.cov_params(), fit.extra[array_key])
    returned = fit.params
    returned.iloc[0] = 99.0
    returned = fit.cov_params()
    returned.iloc[0, 0] = 99.0
    value = fit.extra[array_key]
    if isinstance(value, np.ndarray):
        with pytest.raises(ValueError, match="read-only"):
            value[0, 0] = 99.0
    else:
        value.iloc[0, 0] = 99.0
    pd.testing.assert_series_equal(fit.params, before[0])
    pd.testing.assert_frame_equal(fit.cov_params(), before[1])
    if isinstance(value, np.ndarray):
        np.testing.assert_array_equal(fit.extra[array_key], before[2])
    else:
        pd.testing.assert_frame_equal(fit.extra[array_key], before[2])


def test_results_with_singular_hessian_show_nan_and_note() -> None:
    covariance = hessian_covariance(np.array([[-1.0, 1.0], [1.0, -1.0]]))
    with pytest.warns(RuntimeWarning, match="singular"):
        results = _results(covariance.matrix, notes=(covariance.note,))
    assert results.bse.isna().all() and results.pvalues.isna().all()
    assert "Note: the negative Hessian" in results.summary()
    assert "NaN" in results.summary()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _results(np.eye(2))  # a good covariance warns about nothing


def test_without_local_mirror_fetches_pinned_file_with_pooch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pooch

    mirror = Path(__import__("os").environ["COERCIVE_DATA_DIR"])
    calls: list[dict[str, object]] = []

    def fake_retrieve(**kwargs: object) -> str:  # no network here: hand back the mirror's file
        calls.append(kwargs)
        return str(mirror / str(kwargs["fname"]))

    monkeypatch.delenv("COERCIVE_DATA_DIR")
    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    frame = load("war1800")
    assert frame.shape == (313, 21)
    (call,) = calls
    assert str(call["url"]).startswith("https://raw.githubusercontent.com/brentonk/games/")
    assert call["known_hash"] == (
        "sha256:316e53d99efb96ac0c7108a51d5c8aceade4481cfcc9f129fe5912b16f732963"
    )
    assert Path(str(call["path"])) == Path(pooch.os_cache("coercive"))
