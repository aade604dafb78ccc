"""Campaigns over time (issue 8, section 1): equilibrium, Bayes, properties, bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coercive._errors import InputError
from coercive.campaign import run_campaign
from coercive.campaign.model import beliefs, first_compliance, solve_target
from coercive.campaign.schema import load_campaign

SRC = Path(__file__).resolve().parents[1] / "src"


def _policy_value(flow, comply, war, strike, terminal, delta, decide):
    """Value of following the decisions `decide` (evaluated forward, without any max)."""
    rows, months = comply.shape
    value = np.empty((rows, months + 1))
    value[:, months] = terminal
    for t in range(months - 1, -1, -1):
        hold = flow[:, t] + delta * (
            strike[:, t] * war[:, t] + (1 - strike[:, t]) * value[:, t + 1]
        )
        value[:, t] = np.where(decide[:, t], comply[:, t], hold)
    return value


def _grid_problem(seed: int = 0):
    """A grid of states: prior beliefs x hazards x months, with random stage payoffs."""
    rng = np.random.default_rng(seed)
    prior = np.repeat(np.linspace(0.0, 1.0, 11), 5)
    hazard_level = np.tile([0.0, 0.02, 0.1, 0.5, 1.0], 11)
    rows, months = prior.size, 30
    hazard = np.broadcast_to(hazard_level[:, None], (rows, months)).copy()
    hazard[:, 10] = 1.0  # a deadline in month 10
    # belief after each month without a strike, by Bayes' rule with a point-mass type
    mu = np.empty((rows, months))
    m = prior.copy()
    for t in range(months):
        mu[:, t] = m
        m = m * (1 - hazard[:, t]) / np.maximum(1 - m * hazard[:, t], 1e-300)
    flow = -rng.uniform(0, 0.2, (rows, months))
    comply = rng.normal(-1.0, 1.0, (rows, months))
    war = rng.normal(-2.0, 1.5, (rows, months))
    terminal = rng.normal(-1.5, 1.0, rows)
    return flow, comply, war, mu * hazard, terminal


def test_no_profitable_one_shot_deviation_on_a_grid_of_states():
    flow, comply, war, strike, terminal = _grid_problem()
    delta = float(np.exp(-0.2 / 12))
    value, hold, decide = solve_target(flow, comply, war, strike, terminal, delta)
    follow = _policy_value(flow, comply, war, strike, terminal, delta, decide)
    np.testing.assert_allclose(follow[:, :-1], value, atol=1e-12)
    # deviate once at (row, t): do the other thing, then follow the policy
    hold_then_follow = flow + delta * (strike * war + (1 - strike) * follow[:, 1:])
    deviation = np.where(decide, hold_then_follow, comply)
    assert np.all(deviation <= follow[:, :-1] + 1e-12)
    assert decide.any() and (~decide).any()  # both actions occur on the grid


def test_a_non_equilibrium_policy_is_caught():
    flow, comply, war, strike, terminal = _grid_problem(1)
    delta = 0.99
    _, _, decide = solve_target(flow, comply, war, strike, terminal, delta)
    wrong = ~decide
    follow = _policy_value(flow, comply, war, strike, terminal, delta, wrong)
    hold_then_follow = flow + delta * (strike * war + (1 - strike) * follow[:, 1:])
    deviation = np.where(wrong, hold_then_follow, comply)
    assert np.any(deviation > follow[:, :-1] + 1e-9)


def test_fast_solver_matches_full_solver_with_types():
    flow, comply, war, strike, terminal = _grid_problem(2)
    types = np.linspace(-2, 2, 7)
    _, _, decide = solve_target(flow, comply, war, strike, terminal, 0.98, types=types)
    stop = first_compliance(flow, comply, war, strike, terminal, 0.98, types)
    expected = np.where(decide.any(axis=2), decide.argmax(axis=2), comply.shape[1])
    np.testing.assert_array_equal(stop, expected)


def test_beliefs_follow_bayes_rule_against_quadrature():
    rng = np.random.default_rng(3)
    rows, months = 6, 24
    threshold = rng.normal(0, 1.5, (rows, 3))
    phase = np.repeat([0, 1, 2], 8)
    hazard = rng.uniform(0, 0.3, (rows, months))
    hazard[:, 5] = 1.0
    mu, survival = beliefs(threshold, phase, hazard)
    z = np.linspace(-12, 12, 200_001)
    density = np.exp(-(z**2) / 4) / np.sqrt(4 * np.pi)
    for row in range(rows):
        weight = density.copy()
        for t in range(months):
            resolute = z > threshold[row, phase[t]]
            total = np.trapezoid(weight, z)
            assert survival[row, t] == pytest.approx(total, abs=1e-4)
            assert mu[row, t] == pytest.approx(np.trapezoid(weight * resolute, z) / total, abs=2e-4)
            weight = weight * (1 - hazard[row, t] * resolute)
    # the prior predicts what it learns from: survival falls by exactly mu * hazard
    np.testing.assert_allclose(
        survival[:, 1:], survival[:, :-1] * (1 - mu[:, :-1] * hazard[:, :-1])
    )


def test_a_deadline_that_passes_without_a_strike_removes_resolute_types():
    threshold = np.array([[0.3]])
    hazard = np.zeros((1, 12))
    hazard[0, 4] = 1.0
    mu, _ = beliefs(threshold, np.zeros(12, dtype=int), hazard)
    assert mu[0, 4] > 0.3 and mu[0, 5] == 0.0


CASES = ["dprk-2017", "dprk-2018", "iran-2013", "libya-2003", "kosovo-1999", "cuba-1962"]


def _campaign_file(tmp_path, base, phases, months=24):
    lines = ["campaign_version: 1", "id: test", f"base: {base}", f"months: {months}", "phases:"]
    for name, start, donor in phases:
        lines += [f"  - name: {name}", f"    start_month: {start}"]
        if donor:
            lines.append(f"    instruments_from: {donor}")
    path = tmp_path / "c.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    base=st.sampled_from(CASES),
    donors=st.lists(st.sampled_from(CASES), min_size=0, max_size=2),
    gaps=st.lists(st.integers(1, 10), min_size=2, max_size=2),
    value=st.floats(0.0, 0.6),
)
def test_trajectories_are_probabilities_and_cumulative(tmp_path, base, donors, gaps, value):
    phases = [("p0", 0, None)] + [
        (f"p{i + 1}", sum(gaps[: i + 1]), d) for i, d in enumerate(donors)
    ]
    path = _campaign_file(tmp_path, base, phases)
    result = run_campaign(path, settings=[f"demand.value_per_year={value}"], draws=150)
    p = result.paths
    for series in (p.complied, p.struck, p.belief):
        assert np.all((series >= -1e-12) & (series <= 1 + 1e-12))
    assert np.all(p.complied + p.struck <= 1 + 1e-9)
    for series in (p.complied, p.struck, p.regime_cost, p.coercer_cost):
        assert np.all(np.diff(series, axis=1) >= -1e-12)
    for index in range(len(phases)):  # within a phase, no strike only lowers the belief
        cols = np.flatnonzero(p.phase == index)
        assert np.all(np.diff(p.belief[:, cols], axis=1) <= 1e-12)
    frame = result.to_frame()
    assert len(frame) == 24 and {"complied_low", "belief_high"} <= set(frame.columns)


@pytest.mark.parametrize("base", ["dprk-2017", "iran-2013"])
def test_more_compensation_in_every_phase_never_lowers_compliance(tmp_path, base):
    path = _campaign_file(tmp_path, base, [("a", 0, None), ("b", 6, "libya-2003")])
    low = run_campaign(path, settings=["demand.value_per_year=0.02"], draws=300)
    sets = (
        ["demand.value_per_year=0.02"]
        + [f"phases.{i}.inducements.compensation=0.3" for i in (0, 1)]
        + [f"phases.{i}.inducements.delivery_credibility=1.0" for i in (0, 1)]
    )
    high = run_campaign(path, settings=sets, draws=300)
    assert np.all(high.paths.complied >= low.paths.complied - 1e-12)
    assert high.paths.complied[:, -1].mean() > 0  # the check is not vacuous


def test_bundled_campaign_runs_and_its_counterfactual_parses():
    campaign = load_campaign("dprk-2017-2018")
    assert [p.start_month for p in campaign.phases] == [0, 12]
    assert (
        campaign.phases[1].scenario.instruments
        == load_campaign("dprk-2017-2018").phases[1].scenario.instruments
    )
    sets = campaign.spec.counterfactuals["guarantees-relief-compensation"]
    changed = load_campaign("dprk-2017-2018", sets).phases[1].scenario.instruments
    assert changed.inducements.compensation == 0.05 and changed.inducements.sanctions_relief


def test_phase_two_instruments_are_those_coded_in_dprk_2018():
    from coercive.policy.loader import load_scenario

    campaign = load_campaign("dprk-2017-2018")
    assert campaign.phases[1].scenario.instruments == load_scenario("dprk-2018").instruments
    assert campaign.phases[0].scenario.instruments == load_scenario("dprk-2017").instruments


BAD = [
    (
        "phases:\n  - {name: a, start_month: 0}\n  - {name: b, start_month: 0}\n",
        "phases.1.start_month",
    ),
    (
        "phases:\n  - {name: a, start_month: 0}\n  - {name: b, start_month: 9}\n"
        "  - {name: c, start_month: 5}\n",
        "phases.2.start_month",
    ),
    (
        "phases:\n  - {name: a, start_month: 0}\n  - {name: b, start_month: 30}\n",
        "after the horizon",
    ),
    ("phases:\n  - {name: a, start_month: 3}\n", "phases.0.start_month"),
    (
        "phases:\n  - name: a\n    start_month: 0\n    instruments: {sanctions.secondary: 1.7}\n",
        "phases.0",
    ),
    (
        "phases:\n  - name: a\n    start_month: 0\n    instruments: {threat.colour: red}\n",
        "phases.0",
    ),
    ("phases:\n  - {name: a, start_month: 0, extra: 1}\n", "phases.0.extra"),
    ("phases: []\n", "phases"),
]


@pytest.mark.parametrize(("tail", "where"), BAD)
def test_bad_campaign_files_give_one_line_naming_the_field(tmp_path, tail, where):
    path = tmp_path / "bad.yaml"
    path.write_text("campaign_version: 1\nid: bad\nbase: dprk-2017\nmonths: 24\n" + tail)
    with pytest.raises(InputError) as info:
        load_campaign(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and where in message


def test_instrument_outside_its_range_names_what_is_allowed(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "campaign_version: 1\nid: bad\nbase: dprk-2017\nphases:\n  - name: a\n    start_month: 0\n"
        "    instruments: {sanctions.secondary: 1.7}\n"
    )
    with pytest.raises(InputError, match=r"phases\.0\.instruments\.sanctions\.secondary.*allowed"):
        load_campaign(path)


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "campaign_version: 1\nid: bad\nbase: dprk-2017\nmonths: 12\nphases:\n"
        "  - {name: a, start_month: 0}\n  - {name: b, start_month: 14}\n"
    )
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}
    for args in (
        [str(path)],
        ["dprk-2017-2018", "--months", "10"],
        ["no-such"],
        ["dprk-2017-2018", "--counterfactual", "nope"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "coercive", "campaign", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert done.returncode == 2, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
