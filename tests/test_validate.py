"""Validation harness (issue 7 §2): scores, paired bootstrap, reliability, and one small
real train/test split through ``coercive.policy.validation`` (about 25 s on 2 loaded cores)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from coercive._errors import InputError
from coercive.policy.validation import (
    auc,
    bootstrap_difference,
    brier_scores,
    log_scores,
    reliability,
    validate,
)


def test_scores_by_hand():
    y = np.array([1.0, 0.0, 1.0])
    p = np.array([0.9, 0.1, 0.5])
    assert log_scores(p, y) == pytest.approx(np.log([0.9, 0.9, 0.5]))
    assert brier_scores(p, y) == pytest.approx([0.01, 0.01, 0.25])
    assert auc(p, y) == 1.0
    assert auc(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == 0.5
    assert auc(p, np.ones(3)) is None


def test_bootstrap_difference_detects_a_better_model_and_not_a_copy():
    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.3).astype(float)
    resamples = rng.integers(0, y.size, size=(500, y.size))
    base = np.full(y.size, 0.3)
    same = bootstrap_difference(base, base, y, resamples)
    assert same["log_score"]["difference"] == 0.0
    assert same["log_score"]["interval"] == [0.0, 0.0]
    assert not same["model_better"]["log_score"]
    informed = np.where(y == 1, 0.7, 0.15)
    better = bootstrap_difference(informed, base, y, resamples)
    assert better["model_better"] == {"log_score": True, "brier": True}
    assert better["log_score"]["excludes_zero"] and better["brier"]["excludes_zero"]
    worse = bootstrap_difference(base, informed, y, resamples)
    assert worse["model_better"] == {"log_score": False, "brier": False}


def test_reliability_bins_cover_every_case():
    p = np.array([0.05, 0.15, 0.15, 0.95, 1.0])
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0])
    table = reliability(p, y, bins=10)
    assert sum(row["n"] for row in table) == 5
    assert table[1]["observed_rate"] == 0.5
    assert table[9]["n"] == 2


def test_validate_is_the_package_entry_point():
    import coercive.policy

    assert coercive.policy.validate is validate


def test_validate_refuses_what_is_not_ties_rows():
    with pytest.raises(InputError, match="train"):
        validate("cases.csv", pd.DataFrame())  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def small_split(shared_data):
    from coercive.datasets import load

    ties = load("ties")
    dyads = load("sanctions")
    year = pd.to_numeric(ties["startyear"], errors="coerce")
    train = ties[(year >= 1975) & (year <= 1989)]
    test = ties[(year >= 1990) & (year <= 1993)]
    return validate(train, test, dyads=dyads, resamples=300, seed=1)


def test_validate_reports_every_model_and_the_skips(small_split):
    payload = small_split.to_dict()
    json.dumps(payload, allow_nan=False)  # the CLI's --json: no NaN, no numpy types
    assert set(payload["models"]) >= {"structural", "base_rate", "logistic"}
    n_test = payload["split"]["n_test"]
    for key in ("structural", "base_rate", "logistic"):
        row = payload["models"][key]
        assert row["n"] == n_test
        assert row["log_score"] < 0 and 0 <= row["brier"] <= 1
    assert payload["split"]["train_years"][1] <= 1989 < payload["split"]["test_years"][0]
    skipped = payload["skipped"]["train"]
    assert skipped["not_threat"]["count"] > 0 and skipped["no_outcome"]["count"] > 0
    for comparison in payload["comparisons"].values():
        low, high = comparison["log_score"]["interval"]
        assert low <= comparison["log_score"]["difference"] <= high
    assert payload["signaling"]["used"] == ("signaling" in payload["models"])
    spreads = payload["estimation_mapping"]["mapping_constants"]
    assert set(spreads) == {"target_resolve_spread", "coercer_resolve_spread"}


def test_validate_plot_writes_a_png(small_split, tmp_path):
    path = tmp_path / "reliability.png"
    small_split.plot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_bad_input_is_one_line_and_exit_2(capsys):
    from coercive.cli import main

    for argv in (
        ["validate", "ties", "--train-until", "3000"],
        ["validate", "ties", "--plot", "/no/such/folder/r.png"],
        ["calibrate", "--output", "/no/such/folder/c.json"],
    ):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("coercive: error:") and "\n" not in err
