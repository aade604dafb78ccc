"""coercive.sensitivity: Sobol indices (known analytically on toys), no-effect inputs,
determinism, the binding condition and its flipping recoding, bad input."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coercive._errors import InputError, InputTypeError
from coercive.policy.loader import load_scenario
from coercive.policy.scenario import Scenario
from coercive.sensitivity import build_factors, sensitivity, top_inputs
from coercive.sensitivity.analysis import sobol
from coercive.sensitivity.classes import SCENARIO_FAMILIES, current_span, stake_family
from coercive.sensitivity.factors import draws_from_unit
from coercive.sensitivity.recoding import recoded

matplotlib.use("Agg")

NO_CARROTS = {
    "instruments.inducements.sanctions_relief": False,
    "instruments.inducements.compensation": 0.0,
    "instruments.inducements.other": 0.0,
    # uncertain (class K1), so that it is a factor whose effect must come out as nil
    "instruments.inducements.delivery_credibility": {"low": 0.1, "high": 0.4},
}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("dprk-2017", NO_CARROTS)


@pytest.fixture(scope="module")
def quick(scenario: Scenario):
    return sensitivity(scenario, samples=64, conditions=True, recode=False)


def _within(value: float, truth: float, conf: float, slack: float = 0.02) -> bool:
    return abs(value - truth) <= 2.0 * conf + slack


@pytest.mark.parametrize("coefficients", [(1.0, 2.0, 0.0), (3.0, 1.0, 1.0), (0.5, 0.0, 2.0)])
def test_additive_toy_indices_match_the_analytic_values(coefficients):
    # f = sum a_i u_i, u_i ~ U(0,1) independent: Var = sum a_i^2 / 12 and, with no
    # interactions, S1_i = ST_i = a_i^2 / sum a_j^2
    a = np.asarray(coefficients)
    truth = a**2 / np.sum(a**2)
    names = ["x0", "x1", "x2"]
    _, _, indices = sobol(names, lambda u: {"y": u @ a}, 2048, seed=7)
    frame = indices["y"]
    for i, name in enumerate(names):
        assert _within(frame.loc[name, "S1"], truth[i], frame.loc[name, "S1_conf"])
        assert _within(frame.loc[name, "ST"], truth[i], frame.loc[name, "ST_conf"])


@settings(max_examples=6, deadline=None, derandomize=True)  # a statistical check: fixed examples
@given(st.lists(st.floats(0.0, 3.0), min_size=3, max_size=3).filter(lambda a: sum(a) > 0.3))
def test_additive_toy_property(coefficients):
    a = np.asarray(coefficients)
    truth = a**2 / np.sum(a**2)
    _, _, indices = sobol(["x0", "x1", "x2"], lambda u: {"y": u @ a}, 1024, seed=5)
    frame = indices["y"]
    assert np.all(np.abs(frame["S1"].to_numpy() - truth) <= 2 * frame["S1_conf"] + 0.03)
    assert np.all(np.abs(frame["ST"].to_numpy() - truth) <= 2 * frame["ST_conf"] + 0.03)
    # an input with a zero coefficient gets exactly zero total order (Jansen's estimator)
    for i in np.flatnonzero(a == 0):
        assert frame.iloc[i]["ST"] == pytest.approx(0.0, abs=1e-12)


def test_interaction_toy_total_exceeds_first_order():
    # f = u0 * u1 (+ u2 ignored): Var = 7/144; S1_0 = S1_1 = (1/48)/(7/144) = 3/7,
    # ST_0 = ST_1 = (1/48 + 1/144)/(7/144) = 4/7, S_2 = 0
    _, _, indices = sobol(["x0", "x1", "x2"], lambda u: {"y": u[:, 0] * u[:, 1]}, 2048, seed=3)
    frame = indices["y"]
    for name in ("x0", "x1"):
        assert _within(frame.loc[name, "S1"], 3 / 7, frame.loc[name, "S1_conf"])
        assert _within(frame.loc[name, "ST"], 4 / 7, frame.loc[name, "ST_conf"])
    assert frame.loc["x2", "ST"] == pytest.approx(0.0, abs=1e-12)


def test_an_input_with_no_effect_gets_indices_near_zero_within_their_interval(quick):
    # without carrots or relief, the belief that carrots are delivered cannot matter
    frame = quick.indices["compliance"]
    for name in ("instruments.inducements.delivery_credibility",
                 "class:instruments.inducements.delivery_credibility"):
        assert name in frame.index
        assert abs(frame.loc[name, "ST"]) <= frame.loc[name, "ST_conf"] + 1e-12
        assert abs(frame.loc[name, "S1"]) <= frame.loc[name, "S1_conf"] + 1e-12
    # and at least one input does matter (the test could fail)
    assert frame["ST"].max() > 0.05


def test_same_seed_same_answer_other_seed_other_sample(scenario):
    one = sensitivity(scenario, samples=16, seed=11, conditions=False, recode=False)
    two = sensitivity(scenario, samples=16, seed=11, conditions=False, recode=False)
    other = sensitivity(scenario, samples=16, seed=12, conditions=False, recode=False)
    a, b, c = one.to_frame(), two.to_frame(), other.to_frame()
    assert a.equals(b)
    assert not np.allclose(a["ST"], c["ST"])


def test_results_object_frame_json_and_plot(quick, tmp_path):
    frame = quick.to_frame()
    assert set(frame["output"]) == {"compliance", "gain:threat", "gain:deadline",
                                    "gain:assurance", "gain:inducement"}
    assert {"factor", "kind", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"} <= set(frame)
    assert np.all(np.isfinite(frame[["S1", "ST", "S1_conf", "ST_conf"]].to_numpy()))
    assert sum(quick.binding_share.values()) == pytest.approx(1.0)
    import json

    json.loads(quick.to_json())
    figure = quick.plot()
    figure.savefig(tmp_path / "tornado.png")
    assert (tmp_path / "tornado.png").stat().st_size > 0


def test_class_factor_moves_the_field_into_the_neighbour_class(scenario):
    fs = build_factors(scenario)
    j = fs.names.index("class:instruments.threat.escalation_dominance")
    factor = fs.factors[j]
    family, (first, last) = factor.family, factor.span
    unit = np.full((3, len(fs.factors)), 0.5)
    # the class column picks shifts[0], shifts[1], shifts[2] in equal thirds of [0, 1)
    unit[:, j] = [0.1, 0.5, 0.9]
    values = draws_from_unit(fs, unit)["instruments.threat.escalation_dominance"]
    for row, shift in enumerate(factor.shifts):
        low, high = family.span_range(first + shift, last + shift)
        assert low <= values[row] <= high


def test_class_tables_are_ordered_and_spans_found():
    for family in (*SCENARIO_FAMILIES, stake_family(0)):
        for k in range(len(family.fields)):
            lows = [row[k][0] for row in family.ranges]
            highs = [row[k][1] for row in family.ranges]
            assert all(lo <= hi for lo, hi in zip(lows, highs, strict=True))
            assert lows == sorted(lows) and highs == sorted(highs)
    b1 = SCENARIO_FAMILIES[0]
    assert current_span(b1, 0.1, 0.4) == (1, 2)  # a union of V2 and V3
    assert current_span(b1, 0.3, 0.3) == (2, 2)
    b2 = SCENARIO_FAMILIES[1]
    assert current_span(b2, 0.0, 0.0) == (0, 0)
    assert current_span(b2, 0.4, 0.4) is None  # in the gap between P1 and P2


def test_binding_matches_assess_and_the_flip_really_flips(scenario):
    from coercive.policy.assess import assess_scenario

    result = sensitivity(scenario, samples=16, conditions=False, recode=True)
    flip = result.flip
    assert flip is not None
    assert flip.baseline == assess_scenario(scenario).binding
    if flip.smallest is not None:
        s = flip.smallest
        overrides = {
            path: ({"low": lo, "high": hi} if hi > lo else lo)
            for path, (lo, hi) in zip(s.fields, s.ranges, strict=True)
        }
        assert assess_scenario(recoded(scenario, overrides)).binding == s.binding != flip.baseline
        # nothing with fewer class steps flips it
        assert not any(r.steps < s.steps and r.binding != flip.baseline for r in flip.tried)


def test_top_inputs_are_the_largest_total_order_indices(scenario):
    top = top_inputs(scenario, k=3, samples=32)
    assert len(top) == 3
    totals = [row["total_order"] for row in top]
    assert totals == sorted(totals, reverse=True)
    full = sensitivity(scenario, samples=32, conditions=False, recode=False)
    assert max(full.indices["compliance"]["ST"]) == pytest.approx(totals[0])


@pytest.mark.parametrize("samples", [1000, 8, 2**17, 0])
def test_bad_samples_are_refused(scenario, samples):
    with pytest.raises(InputError, match="samples"):
        sensitivity(scenario, samples=samples)


def test_bad_arguments_are_refused(scenario):
    with pytest.raises(InputTypeError):
        sensitivity(scenario, samples=64.0)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="seed"):
        sensitivity(scenario, samples=16, seed=-1)
    with pytest.raises(InputError, match="k"):
        top_inputs(scenario, k=0)
    with pytest.raises(InputTypeError, match="case"):
        sensitivity(3.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["sensitivity", "dprk-2017", "--samples", "100"], "samples"),
        (["sensitivity", "no-such-case"], "no-such-case"),
        (["sensitivity", "dprk-2017", "--set", "instruments.threat.escalation_dominance=2"],
         "escalation_dominance"),
        (["sensitivity", "dprk-2017", "--plot", "/no/such/dir/x.png"], "--plot"),
        (["sensitivity", "dprk-2017", "--plot", "x.txt"], "--plot"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(argv, needle, capsys):
    from coercive.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err and "Traceback" not in err


def test_cli_json(capsys):
    import json

    from coercive.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["sensitivity", "dprk-2017", "--samples", "16", "--json"])
    assert exit_info.value.code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["samples"] == 16 and payload["indices"]["compliance"]
