"""The generic row bootstrap (coercive.estimate.bootstrap), on a refit with a known answer.

Run time: about 5 s (one two-process run pays the worker start-up).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from coercive._errors import InputError, InputTypeError
from coercive.estimate.bootstrap import BootstrapResult, bootstrap_fit, resample_indices


@dataclass(frozen=True)
class _Mean:
    params: pd.Series
    converged: bool = True
    notes: tuple[str, ...] = ()


def mean_refit(frame: pd.DataFrame) -> _Mean:
    return _Mean(pd.Series({"mean": frame["x"].mean(), "sd": frame["x"].std()}))


def picky_refit(frame: pd.DataFrame) -> _Mean:
    # Fails on data sets whose first row is the smallest value: a deterministic subset.
    if frame["x"].iloc[0] == frame["x"].min():
        raise ValueError("first row is the minimum")
    if frame["x"].iloc[0] == frame["x"].max():
        return _Mean(pd.Series({"mean": np.nan, "sd": np.nan}), converged=False, notes=("max",))
    return mean_refit(frame)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.DataFrame({"x": np.random.default_rng(3).normal(size=40)})


def test_replicates_are_the_statistic_on_seeded_row_resamples(data: pd.DataFrame) -> None:
    result = bootstrap_fit(mean_refit, data, 30, seed=9, n_jobs=1)
    rows = resample_indices(len(data), 30, 9)
    expected = data["x"].to_numpy()[rows].mean(axis=1)
    np.testing.assert_allclose(result.params["mean"], expected)
    assert result.B == 30 and result.failed == 0 and result.n_ok == 30
    again = bootstrap_fit(mean_refit, data, 30, seed=9, n_jobs=1)
    pd.testing.assert_frame_equal(result.params, again.params)
    other = bootstrap_fit(mean_refit, data, 30, seed=10, n_jobs=1)
    assert not np.allclose(other.params["mean"], result.params["mean"])


def test_two_processes_give_the_same_replicates(data: pd.DataFrame) -> None:
    serial = bootstrap_fit(mean_refit, data, 12, seed=4, n_jobs=1)
    parallel = bootstrap_fit(mean_refit, data, 12, seed=4, n_jobs=2)
    pd.testing.assert_frame_equal(serial.params, parallel.params)


def test_bootstrap_standard_error_of_a_mean_is_about_sd_over_root_n(data: pd.DataFrame) -> None:
    result = bootstrap_fit(mean_refit, data, 400, seed=1, n_jobs=1)
    expected = data["x"].std(ddof=0) / np.sqrt(len(data))
    assert result.bse["mean"] == pytest.approx(expected, rel=0.15)


def test_percentile_interval_is_the_quantiles_of_the_replicates(data: pd.DataFrame) -> None:
    result = bootstrap_fit(mean_refit, data, 50, seed=2, n_jobs=1)
    interval = result.percentile_interval(0.1)
    lower, upper = np.quantile(result.params["mean"], [0.05, 0.95])
    assert interval.loc["mean", "lower"] == pytest.approx(lower)
    assert interval.loc["mean", "upper"] == pytest.approx(upper)
    with pytest.raises(InputError, match="alpha"):
        result.percentile_interval(1.5)


def test_failed_replicates_are_counted_with_reasons_never_dropped(data: pd.DataFrame) -> None:
    result = bootstrap_fit(picky_refit, data, 200, seed=5, n_jobs=1)
    values = data["x"].to_numpy()[resample_indices(len(data), 200, 5)]
    raised = values[:, 0] == values.min(axis=1)
    unconverged = (values[:, 0] == values.max(axis=1)) & ~raised
    assert raised.sum() > 0 and unconverged.sum() > 0  # the seed exercises both kinds
    assert result.failed == raised.sum() + unconverged.sum()
    assert result.B == 200 and len(result.params) == 200  # failed rows kept, as NaN
    assert result.params.loc[raised | unconverged].isna().all().all()
    assert set(result.reasons) == set(np.flatnonzero(raised | unconverged))
    assert all("first row is the minimum" in result.reasons[b] for b in np.flatnonzero(raised))
    assert all("not converged" in result.reasons[b] for b in np.flatnonzero(unconverged))
    ok = result.successful()
    assert len(ok) == result.n_ok and not ok.isna().any().any()
    line = result.summary_line()
    assert f"{result.failed} failed" in line and "ValueError" in line


def test_bad_arguments_are_refused(data: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="bootstrap"):
        bootstrap_fit(mean_refit, data, 0, seed=1)
    with pytest.raises(InputError, match="n_jobs"):
        bootstrap_fit(mean_refit, data, 5, seed=1, n_jobs=0)
    with pytest.raises(InputTypeError, match="refit"):
        bootstrap_fit("mean", data, 5, seed=1)  # type: ignore[arg-type]
    with pytest.raises(InputTypeError, match="data"):
        bootstrap_fit(mean_refit, [1, 2, 3], 5, seed=1)  # type: ignore[arg-type]


def test_result_is_immutable_in_effect(data: pd.DataFrame) -> None:
    result = bootstrap_fit(mean_refit, data, 10, seed=1, n_jobs=1)
    params = result.params
    params.iloc[0, 0] = 99.0
    assert isinstance(result, BootstrapResult)
    assert result.params.iloc[0, 0] != 99.0
    reasons = result.reasons
    reasons[0] = "edited"
    assert result.failed == 0
    with pytest.raises(AttributeError):
        result.seed = 3  # type: ignore[misc]


def test_fit_deterrence_bootstraps_the_rows_it_used() -> None:
    from coercive.datasets import PUBLISHED_MODELS, load
    from coercive.estimate import fit_deterrence

    war = load("war1800")
    fit = fit_deterrence(PUBLISHED_MODELS["war1800"], war, bootstrap=4, n_jobs=1)
    replicates = fit.extra["bootstrap"]
    assert list(replicates.params.columns) == list(fit.params.index)
    assert replicates.B == 4 and replicates.n_ok + replicates.failed == 4
    # Replicate 1 is the fit of resample 1 of the 282 complete rows (31 have missing values).
    columns = ["esc", "war", "s_wt_re1", "revis1", "regime1", "balanc", "regime2"]
    used = war.loc[war[columns].notna().all(axis=1)]
    assert len(used) == fit.nobs
    rows = resample_indices(fit.nobs, 4, 12345)[1]
    direct = fit_deterrence(PUBLISHED_MODELS["war1800"], used.iloc[rows].reset_index(drop=True))
    np.testing.assert_allclose(replicates.params.iloc[1], direct.params, rtol=1e-4, atol=1e-5)
