"""TIES specification v2 (docs/validation.md §"Specification v2: protocol"): the mixture of
the game with an outcome decided outside it — its gradient, its bounds, recovery of known
constants from simulated cases — the inner-validation selection rule, and v2 calibration
files (round trip, refusal). Simulated cases only, except the shipped-file checks.

Runs in about 25 s on a loaded 2-core machine (one recovery fit of 1,000 simulated cases)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coercive._errors import InputError
from coercive.policy.structural import (
    SPECIFICATIONS,
    V2_CANDIDATES,
    MappingLikelihood,
    Parameters,
    base_inputs,
    fit_mapping,
    specification,
)
from coercive.policy.ties import CATEGORICAL, GAME_OUTCOMES, NUMERIC, CodedCases, Coding

TRADE_PRIOR = 0.02


def _cases(n: int, seed: int, levels: bool = True) -> CodedCases:
    """Simulated TIES-like cases: the raw columns the mapping design reads, with outcomes to
    be replaced by draws from the model."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"year": np.full(n, 1980), "caseid": np.arange(n)})
    for name in NUMERIC:
        frame[name] = rng.normal(size=n)
    frame["sqrt_target_econdep"] = rng.uniform(0.05, 0.6, size=n)
    if levels:  # several classes and categories: every coding effect is exercised
        frame["sender_costs"] = rng.choice([1.0, 2.0, 3.0], size=n)
        frame["commitment"] = rng.choice([1.0, 2.0, 3.0, np.nan], size=n)
        frame["carrots"] = (rng.random(n) < 0.3).astype(float)
        for name in CATEGORICAL:
            frame[name] = rng.choice(["a", "b", "c"], size=n)
    else:  # one class each: only the spreads and the mixture are free
        frame["sender_costs"] = 1.0
        frame["commitment"] = 1.0
        frame["carrots"] = 0.0
        for name in CATEGORICAL:
            frame[name] = "a"
    frame["outcome"] = rng.choice(list(GAME_OUTCOMES), size=n)
    frame["acquiesced"] = (frame["outcome"] == "CD").astype(float)
    return CodedCases(frame=frame, skipped={})


def _likelihood(cases: CodedCases, spec: str) -> tuple[MappingLikelihood, Parameters]:
    coding = Coding.fit(cases, min_level_count=1)
    parameters = Parameters.build(coding, spec)
    outcome = pd.Categorical(cases.frame["outcome"], categories=list(GAME_OUTCOMES)).codes
    design = base_inputs(cases, coding, TRADE_PRIOR)
    return MappingLikelihood(design, parameters, np.asarray(outcome, dtype=int)), parameters


@pytest.mark.parametrize("spec", V2_CANDIDATES)
def test_v2_gradient_matches_finite_differences(spec):
    likelihood, parameters = _likelihood(_cases(150, seed=1), spec)
    rng = np.random.default_rng(2)
    theta = parameters.centres + 0.3 * rng.standard_normal(parameters.centres.size)
    value, gradient = likelihood.value_and_gradient(theta)
    assert value == pytest.approx(likelihood.loglike(theta), rel=1e-12)
    for j in range(theta.size):
        step = np.zeros_like(theta)
        step[j] = 1e-5
        numeric = (likelihood.loglike(theta + step) - likelihood.loglike(theta - step)) / 2e-5
        assert numeric == pytest.approx(gradient[j], rel=1e-4, abs=1e-5), parameters.names[j]
    rows = likelihood.row_scores(theta)
    assert rows.shape == (150, theta.size)
    assert rows.sum(axis=0) == pytest.approx(gradient)


def test_v1_has_no_mixture_and_v2_nests_it():
    likelihood, parameters = _likelihood(_cases(60, seed=3), "v1")
    assert parameters.mixture(parameters.centres)[0] == 0.0
    assert "outside_game" not in parameters.names
    lean = Parameters.build(Coding.fit(_cases(60, seed=3), min_level_count=1), "v2-lean")
    assert not any(name.startswith("comprehensive[") for name in lean.names)
    assert {"outside_game", "outside_outcome[SF]", "outside_outcome[BD]"} <= set(lean.names)


_BOUNDS_CASES = _cases(40, seed=5)
_BOUNDS = {spec: _likelihood(_BOUNDS_CASES, spec) for spec in ("v2-tremble", "v2-baseline")}


@settings(max_examples=25, deadline=None)
@given(
    spec=st.sampled_from(["v2-tremble", "v2-baseline"]),
    shift=st.lists(st.floats(-4.0, 4.0), min_size=30, max_size=30),
)
def test_mixture_bounds_every_acquiescence_probability(spec, shift):
    likelihood, parameters = _BOUNDS[spec]
    theta = parameters.centres + np.asarray(shift[: parameters.centres.size])
    epsilon, pi = parameters.mixture(theta)
    p = likelihood.probabilities(theta)
    assert np.allclose(p.sum(axis=1), 1.0)
    low, high = epsilon * pi[0], 1.0 - epsilon * (1.0 - pi[0])
    assert np.all(p[:, 0] >= low - 1e-12) and np.all(p[:, 0] <= high + 1e-12)
    if spec == "v2-tremble":  # uniform: every outcome has at least ε/3
        assert np.all(p >= epsilon / 3.0 - 1e-12)


def test_v2_recovers_simulated_constants_within_two_se():
    """1,000 cases drawn from v2-lean at known constants (one class per code, so the free
    parameters are the two spreads and the mixture; trade dependence varies). The spreads
    are well identified (se about 0.2 and 0.4 on the log scale); the mixture only weakly
    (se about 1.2-1.9 on the logit scale) — as on TIES, where ε's logit has se 1.5."""
    cases = _cases(1000, seed=11, levels=False)
    cases.frame["sqrt_target_econdep"] = np.random.default_rng(5).uniform(0.05, 0.9, size=1000)
    likelihood, parameters = _likelihood(cases, "v2-lean")
    truth = parameters.centres.copy()
    names = parameters.names
    values = {
        "target_resolve_spread": np.log(0.05),
        "coercer_resolve_spread": np.log(1.0),
        "outside_game": np.log(0.25 / 0.75),
        "outside_outcome[SF]": 0.8,
        "outside_outcome[BD]": -0.5,
    }
    for name, value in values.items():
        truth[names.index(name)] = value
    probabilities = likelihood.probabilities(truth)
    rng = np.random.default_rng(12)
    draw = (rng.random(len(cases.frame))[:, None] > np.cumsum(probabilities, axis=1)).sum(axis=1)
    cases.frame["outcome"] = [GAME_OUTCOMES[k] for k in draw]
    cases.frame["acquiesced"] = (draw == 0).astype(float)
    fit = fit_mapping(cases, spec="v2-lean")
    assert fit.results.converged
    estimates, se = fit.results.params, fit.results.bse
    assert se["target_resolve_spread"] < 0.5 and se["coercer_resolve_spread"] < 0.75
    for name, value in values.items():
        assert np.isfinite(se[name]) and se[name] > 0
        assert abs(estimates[name] - value) < 2.0 * se[name], (name, estimates[name], value, se)


def test_unknown_specification_is_one_line():
    with pytest.raises(InputError, match="'v3'.*allowed: v1, v2-tremble"):
        specification("v3")
    assert specification("v2-lean") is SPECIFICATIONS["v2-lean"]


def test_selection_takes_the_best_inner_log_score(monkeypatch):
    from coercive.policy import validation

    cases = _cases(80, seed=21)
    cases.frame["year"] = np.where(np.arange(80) < 50, 1975, 1985)
    cases.frame.loc[cases.frame.index[-5:], "year"] = 1995  # after the inner window: unused
    scores = {"v1": 0.5, "v2-tremble": 0.2, "v2-baseline": 0.4, "v2-lean": 0.4}
    seen: list[int] = []

    class Fake:
        def __init__(self, spec: str):
            self.spec = spec
            self.results = type("R", (), {"llf": -1.0, "converged": True})()

        def acquiescence(self, test: CodedCases) -> np.ndarray:
            seen.append(int(test.frame["year"].max()))
            return np.full(len(test.frame), scores[self.spec])

        def mixture(self) -> dict:
            return {}

    def fake_fit(train: CodedCases, spec: str = "v1", progress=None):
        assert int(train.frame["year"].max()) <= 1979
        return Fake(spec)

    monkeypatch.setattr("coercive.policy.structural.fit_mapping", fake_fit)
    y = cases.frame.loc[cases.frame["year"] == 1985, "acquiesced"].to_numpy()
    result = validation.select_specification(cases)
    assert max(seen) <= 1989  # the test period never reaches a score

    def inner_score(candidate: str) -> float:
        return float(np.mean(validation.log_scores(np.full(y.size, scores[candidate]), y)))

    expected = max(V2_CANDIDATES, key=inner_score)
    assert result["chosen"] == expected
    assert result["n_validate"] == y.size
    with pytest.raises(InputError, match="fit_until"):
        validation.select_specification(cases, fit_until=1990, validate_until=1989)


# --- calibration files of v2 ----------------------------------------------------------------


@pytest.fixture(scope="module")
def small_v2_file(tmp_path_factory):
    from coercive.policy.calibration import calibration_dict, write_calibration

    cases = _cases(300, seed=31)
    fit = fit_mapping(cases, spec="v2-baseline")
    path = tmp_path_factory.mktemp("cal") / "ties-v2.json"
    write_calibration(calibration_dict(fit, 1989, {}, {"chosen": "v2-baseline"}), path)
    return cases, fit, path


def test_v2_calibration_round_trips(small_v2_file):
    from coercive.policy.calibration import read_fit

    cases, fit, path = small_v2_file
    data = json.loads(path.read_text())
    assert data["name"] == "ties-v2"
    assert data["ties_model"]["specification"] == "v2-baseline"
    assert data["ties_model"]["specification_selection"] == {"chosen": "v2-baseline"}
    again = read_fit(path)
    assert again.spec.id == "v2-baseline"
    pd.testing.assert_series_equal(again.results.params, fit.results.params)
    assert np.allclose(again.acquiescence(cases), fit.acquiescence(cases), atol=1e-12)
    assert again.mixture()["outside_game"] == pytest.approx(fit.mixture()["outside_game"])


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["ties_model"].update(specification="v2-wild"), "'v2-wild'"),
        (lambda d: d["ties_model"].update(specification="v2-lean"), "ties_model.model"),
        (lambda d: d["ties_model"]["parameters"].remove("outside_game"), "'outside_game'"),
    ],
)
def test_mismatching_v2_file_is_refused_in_one_line(small_v2_file, tmp_path, edit, message):
    from coercive.policy.calibration import read_fit

    _, _, path = small_v2_file
    data = json.loads(path.read_text())
    edit(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(InputError, match=message) as caught:
        read_fit(bad)
    assert "\n" not in str(caught.value)


def test_shipped_v1_and_v2_files_read_and_record_their_specification():
    from coercive.policy.calibration import calibration_path, read_fit, shipped_specification

    assert shipped_specification("v1") == "v1"
    assert shipped_specification("v2") in V2_CANDIDATES
    v2 = json.loads(calibration_path("v2").read_text())
    record = v2["ties_model"]["specification_selection"]
    assert record["chosen"] == v2["ties_model"]["specification"]
    assert record["validate_years"] == [1980, 1989] and record["fit_years"][1] == 1979
    for family in ("v1", "v2"):
        assert read_fit(calibration_path(family)).spec.family == family
    with pytest.raises(InputError, match="allowed: v1, v2"):
        calibration_path("v9")


def test_cli_refuses_an_unknown_spec_in_one_line(capsys):
    from coercive.cli import main

    for argv in (
        ["calibrate", "--spec", "v3"],
        ["calibrate", "--spec", "v2", "--train-until", "1985"],
        ["validate", "ties", "--spec", "v3"],
        ["cases", "evaluate", "--spec", "v9"],
    ):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2, argv
        err = capsys.readouterr().err.strip()
        assert err.startswith("coercive: error:") and "\n" not in err, err
        assert "allowed" in err or "1989" in err, err
