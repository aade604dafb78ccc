"""TIES (issue 7 §2): the loader, the coder's rules and skip counts, the two structural
estimators (recovery on simulated games, gradients), calibration files and their refusal.

Runs in about 40 s on a loaded 2-core machine (the recovery fit and one small real fit)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from coercive._errors import InputError
from coercive.policy.ties import (
    CATEGORICAL,
    NUMERIC,
    OUTCOME_MAP,
    SKIP_REASONS,
    CodedCases,
    Coding,
    code_cases,
    load_coded,
)


def _ties_rows(**columns: list) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {
        "caseid": list(range(n)),
        "startyear": [1980] * n,
        "threat": [1] * n,
        "finaloutcome": [1] * n,
        "targetstate": [20] * n,
        "primarysender": [2.0] * n,
        "sender1": [2.0] * n,
        "institution": [0.0] * n,
        "issue1": ["13"] * n,
        "sanctiontypethreat": ["4"] * n,
        "carrots": [None] * n,
        "anticipatedtargetcosts": [1.0] * n,
        "anticipatedsendercosts": [1.0] * n,
        "scommit": [2.0] * n,
        "bspecif": [1.0] * n,
    }
    base.update(columns)
    return pd.DataFrame(base)


# --- the data set --------------------------------------------------------------------------


def test_load_ties_reads_the_case_file(shared_data):
    from coercive.datasets import available, load

    assert "ties" in available()
    ties = load("ties")
    assert ties.shape == (1412, 66)
    assert int((ties["threat"] == 1).sum()) == 1053
    # mixed code columns come back as strings of codes ("3 5" = two codes), never floats
    codes = ties["sanctiontypethreat"].dropna()
    assert all(isinstance(v, str) for v in codes)
    assert "3 5" in set(codes)


def test_load_ties_refuses_a_file_with_another_hash(tmp_path, shared_data, monkeypatch):
    from coercive.datasets import load

    shutil.copy(shared_data / "TIESv4-1.xls", tmp_path / "TIESv4-1.xls")
    with (tmp_path / "TIESv4-1.xls").open("ab") as handle:
        handle.write(b"\0")
    monkeypatch.setenv("COERCIVE_DATA_DIR", str(tmp_path))
    with pytest.raises(InputError, match="SHA-256"):
        load("ties")


# --- the coder -------------------------------------------------------------------------------


def test_outcome_rule_and_skip_reasons_are_counted():
    rows = _ties_rows(
        finaloutcome=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None, 11, 2, 7],
        threat=[1] * 12 + [0, 1],
        startyear=[1980] * 13 + [None],
    )
    coded = code_cases(rows)
    assert coded.skipped == {"no_outcome": 1, "bad_outcome": 1, "not_threat": 1, "no_year": 1}
    assert coded.n_rows_read == len(rows)
    frame = coded.frame
    assert list(frame["outcome"]) == ["CD", "CD", "BD", "BD", "BD", "SF", "SF", "SF", "SF", "SF"]
    assert list(frame["acquiesced"]) == [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    report = coded.skipped_report()
    assert set(report) == set(SKIP_REASONS)
    assert report["no_outcome"]["count"] == 1
    assert set(OUTCOME_MAP.values()) == {"CD", "SF", "BD"}


def test_missing_column_is_one_clear_error():
    rows = _ties_rows(finaloutcome=[1, 2]).drop(columns=["scommit"])
    with pytest.raises(InputError, match="'scommit'"):
        code_cases(rows)


def test_coding_is_fixed_on_training_rows_and_fills_priors():
    types = ["4"] * 12 + ["8"] * 11 + ["9"] * 3  # "9" is rare: pooled into "other"
    train = code_cases(
        _ties_rows(
            sanctiontypethreat=types,
            finaloutcome=[1, 3, 6] * 8 + [1, 3],
            anticipatedtargetcosts=[1.0, 3.0] * 12 + [None, None],
        )
    )
    coding = Coding.fit(train)
    assert coding.levels["sanction_type"] == ("4", "8", "other")
    assert coding.priors["target_costs"] == pytest.approx(2.0)
    test = code_cases(
        _ties_rows(sanctiontypethreat=["9", "77", "8 4"], anticipatedtargetcosts=[None, 3.0, 1.0])
    )
    features = coding.features(test)
    # unseen "77" and rare "9" join "other"; the first listed code of "8 4" is taken
    assert list(features["sanction_type"]) == ["other", "other", "8"]
    # a missing number is the prior (0 after standardizing), others are in training SDs
    assert features["target_costs"].iloc[0] == 0.0
    assert features["target_costs"].iloc[1] == pytest.approx(1.0)
    again = Coding.from_dict(json.loads(json.dumps(coding.to_dict())))
    pd.testing.assert_frame_equal(again.features(test), features)


def test_real_cases_code_without_silent_loss(shared_data):
    coded = load_coded()
    assert len(coded.frame) + sum(coded.skipped.values()) == 1412
    assert len(coded.frame) == 807  # threat cases with a final outcome (issue 7)
    assert coded.frame["dyad_matched"].any() and not coded.frame["dyad_matched"].all()
    train, test = coded.split(1989)
    assert train.frame["year"].max() <= 1989 < test.frame["year"].min()


# --- the free-index structural estimator -------------------------------------------------


def _synthetic_cases(n: int, seed: int) -> CodedCases:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"year": np.full(n, 1980), "caseid": np.arange(n)})
    for name in CATEGORICAL:
        frame[name] = rng.choice(["a", "b"], size=n)
    for name in NUMERIC:
        frame[name] = rng.normal(size=n)
    frame["outcome"] = rng.choice(["CD", "SF", "BD"], size=n)  # replaced by simulated ones
    frame["acquiesced"] = 0.0
    return CodedCases(frame=frame, skipped={})


def test_free_index_game_recovers_simulated_constants():
    from coercive.policy.estimation import ThreatLikelihood, fit_ties, outcome_probabilities
    from coercive.policy.ties import GAME_OUTCOMES

    spec = {
        "VA": (),
        "WA": ("sender_costs",),
        "a": (),
        "CB": ("carrots",),
        "WB": ("target_costs",),
    }
    cases = _synthetic_cases(1200, seed=3)
    from coercive.estimate.formula import parse_formula
    from coercive.policy.estimation import PAYOFF_PARTS, _frame, formula

    coding = Coding.fit(cases)
    frame = _frame(coding, cases)
    design = parse_formula(formula(spec), frame, PAYOFF_PARTS)
    truth = np.array([-0.3, -0.8, -0.5, -0.6, 0.7, -1.0, 0.8])  # WA(2) a(1) CB(2) WB(2)
    probabilities = outcome_probabilities(
        ThreatLikelihood(design.matrices(), np.zeros(len(frame), int)).payoffs(truth)
    )
    rng = np.random.default_rng(4)
    draw = (rng.random(len(frame))[:, None] > np.cumsum(probabilities, axis=1)).sum(axis=1)
    cases.frame["outcome"] = [GAME_OUTCOMES[k] for k in draw]
    fit = fit_ties(cases, spec=spec)
    estimates = fit.params.to_numpy()
    se = fit.results.bse.to_numpy()
    assert np.all(np.isfinite(se))
    assert np.all(np.abs(estimates - truth) < 3.5 * se), (estimates, truth, se)


# --- the mapping estimator ---------------------------------------------------------------


@pytest.fixture(scope="module")
def small_real_fit():
    from coercive.policy.structural import fit_mapping

    coded = load_coded()
    train, _ = coded.split(1989)
    small = CodedCases(train.frame[train.frame["year"] >= 1975].reset_index(drop=True), {})
    return small, fit_mapping(small)


def test_mapping_likelihood_gradient_matches_finite_differences(small_real_fit):
    from coercive.policy.structural import MappingLikelihood, base_inputs

    cases, fit = small_real_fit
    outcome = pd.Categorical(cases.frame["outcome"], categories=["CD", "SF", "BD"]).codes
    likelihood = MappingLikelihood(
        base_inputs(cases, fit.coding, fit.trade_prior), fit.parameters, np.asarray(outcome)
    )
    theta = fit.results.params.to_numpy() + 0.1
    _, gradient = likelihood.value_and_gradient(theta)
    for j in range(theta.size):
        step = np.zeros_like(theta)
        step[j] = 1e-5
        numeric = (likelihood.loglike(theta + step) - likelihood.loglike(theta - step)) / 2e-5
        assert numeric == pytest.approx(gradient[j], rel=1e-4, abs=1e-5)


def test_mapping_fit_gives_finite_probabilities_and_spreads(small_real_fit):
    cases, fit = small_real_fit
    p = fit.acquiescence(cases)
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))
    for entry in fit.mapping_constants().values():
        assert entry["value"] > 0 and np.isfinite(entry["value"])


# --- calibration files -----------------------------------------------------------------------


def test_shipped_calibration_is_in_force_and_readable():
    from coercive.policy.calibration import in_force, read_fit
    from coercive.policy.mapping import constants

    const = constants()
    assert "ties-v2" in const.source
    assert const.source == in_force().source
    fit = read_fit()
    assert const.mapping.target_resolve_spread == pytest.approx(
        float(np.exp(fit.results.params["target_resolve_spread"]))
    )


def _copy_calibration(tmp_path):
    from coercive.policy.calibration import default_path

    data = json.loads(default_path().read_text())
    return data, tmp_path / "ties-test.json"


def test_calibration_with_an_unknown_constant_is_refused(tmp_path):
    from coercive.policy.calibration import read_fit

    data, path = _copy_calibration(tmp_path)
    data["constants"]["resolve_sprad"] = {"group": "mapping", "value": 1.0}
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="'resolve_sprad'"):
        read_fit(path)


def test_calibration_with_a_parameter_the_code_lacks_is_refused(tmp_path):
    from coercive.policy.calibration import read_fit

    data, path = _copy_calibration(tmp_path)
    data["ties_model"]["parameters"][3] = "war_cost[sender_costs=9]"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"'war_cost\[sender_costs=9\]'"):
        read_fit(path)


def test_calibration_of_another_version_is_refused(tmp_path):
    from coercive.policy.calibration import read_fit

    data, path = _copy_calibration(tmp_path)
    data["version"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="version"):
        read_fit(path)


def test_parameter_draws_only_when_the_calibration_is_in_force():
    import dataclasses

    from coercive.policy.calibration import parameter_draws
    from coercive.policy.constants import default_constants
    from coercive.policy.mapping import constants

    drawn = parameter_draws(constants().mapping, 500, seed=1)
    spread = np.asarray(drawn.target_resolve_spread)
    assert spread.shape == (500,) and np.all(spread > 0)
    assert np.median(spread) == pytest.approx(constants().mapping.target_resolve_spread, rel=0.1)
    untouched = parameter_draws(default_constants().mapping, 500, seed=1)
    assert np.ndim(untouched.target_resolve_spread) == 0
    by_hand = dataclasses.replace(constants().mapping, target_resolve_spread=0.3)
    assert np.ndim(parameter_draws(by_hand, 500, seed=1).target_resolve_spread) == 0
