"""Morris screening (coercive.sensitivity.screening): it names the scenario's own factors, and
on a scenario whose answer is known by construction it names the right three, in the order
of the full Sobol ranking. About 3 s."""

from __future__ import annotations

import pytest

from coercive._errors import InputError
from coercive.policy.loader import load_scenario
from coercive.sensitivity import build_factors, sensitivity
from coercive.sensitivity.factors import uncertain_leaves
from coercive.sensitivity.screening import screen_inputs

# three inputs given their whole range, two given a sliver of theirs; everything else fixed
WIDE = {
    "demand.value_per_year": {"low": 0.0, "high": 0.06},
    "instruments.threat.escalation_dominance": {"low": 0.0, "high": 1.0},
    "instruments.assurance.credibility": {"low": 0.0, "high": 1.0},
}
SLIVER = {
    "instruments.threat.coercer_war_cost": {"low": 1.0, "high": 1.01},
    "instruments.threat.backdown_cost": {"low": 0.5, "high": 0.505},
}


def _midpoint(value):
    low, high = getattr(value, "low", None), getattr(value, "high", None)
    if low is None and isinstance(value, dict):
        low, high = value.get("low"), value.get("high")
    return None if low is None else (low + high) / 2


@pytest.fixture(scope="module")
def constructed():
    base = load_scenario("dprk-2018")
    pins = {}
    for path, value, _ in uncertain_leaves(base):
        mid = _midpoint(value)
        if mid is not None:
            pins[path] = mid
    pins.update(WIDE)
    pins.update(SLIVER)
    pins["instruments.inducements.compensation"] = 0.1  # compliance neither 0 nor 1
    return load_scenario("dprk-2018", pins)


def test_known_top_three_and_the_sobol_order(constructed):
    factors = build_factors(constructed, classes=False).names
    assert sorted(factors) == sorted([*WIDE, *SLIVER])  # the construction holds
    screened = screen_inputs(constructed, k=None, classes=False)
    assert {s.factor for s in screened[:3]} == set(WIDE)
    assert all(s.mu_star < 0.01 * screened[0].mu_star for s in screened[3:])
    full = sensitivity(constructed, samples=512, conditions=False, recode=False, classes=False)
    sobol_top = [row["factor"] for row in full.ranking("compliance", 3)]
    assert [s.factor for s in screened[:3]] == sobol_top


def test_named_inputs_are_the_scenarios_own_factors():
    scenario = load_scenario("dprk-2017")
    names = set(build_factors(scenario).names)
    top = screen_inputs(scenario)
    assert len(top) == 3 and all(item.factor in names for item in top)
    assert [t.mu_star for t in top] == sorted((t.mu_star for t in top), reverse=True)
    assert screen_inputs(scenario) == top  # deterministic (the scenario's seed)


def test_bad_arguments_are_refused():
    with pytest.raises(InputError, match="k"):
        screen_inputs("dprk-2017", k=0)
    with pytest.raises(InputError, match="trajectories"):
        screen_inputs("dprk-2017", trajectories=1)
