"""The coercer's cost accounting (coercive.design.cost): properties of the charges.

With the behaviour (compliance, war, back-down) held fixed, every charge is weakly increasing
in the level of the instrument it charges for; relief is the one instrument whose level also
lowers a charge (lifting the sanctions gives the coercer its own trade back), by exactly the
stream it lifts. A sanctions-only threat's cost does not depend on the strike's cost, through
the behaviour too. About 2 s.
"""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import flat_mapping_inputs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coercive.design import PhaseEvaluator, Prices
from coercive.design.cost import COST_PARTS, carrot_cost, coercer_cost, executing_cost
from coercive.design.space import BY_NAME, INSTRUMENTS
from coercive.policy.constants import default_constants
from coercive.policy.mapping import annuity, payoffs

CONST = default_constants().mapping
D = 25
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# instruments whose higher level is "more" of a thing the coercer pays for
CHARGED = ("comprehensive", "export_coverage", "import_coverage", "strategic_cut", "secondary",
           "force", "deadline_public", "assurance", "compensation", "other_carrots")


def synthetic(rng: np.random.Generator, **fixed: float) -> dict[str, np.ndarray]:
    def u(low: float, high: float) -> np.ndarray:
        return rng.uniform(low, high, D)

    drawn = dict(
        export_share=u(0.1, 0.4), import_share=u(0.1, 0.4), strategic_dependence=u(0.0, 0.3),
        coalition_enforcement=u(0.2, 0.9), value_per_year=u(0.0, 0.05),
        exploited_regime_loss=u(0.0, 0.5), value_to_coercer=np.ones(D),
        escalation_dominance=u(0.0, 1.0), coercer_war_cost=u(0.0, 3.0),
        backdown_cost=u(0.0, 1.0), strike_regime_loss=u(0.0, 1.0), strike_damage=u(0.0, 1.0),
        delivery=u(0.0, 1.0), compensation_years=u(1.0, 20.0), sanctions_on=np.ones(D),
        threatened=np.round(u(0.0, 1.0)), has_deadline=np.round(u(0.0, 1.0)),
        deadline_years=u(0.1, 5.0),
    )
    for name in INSTRUMENTS:
        if name.name != "deadline_months":
            level = rng.uniform(name.low, name.high, D)
            drawn[name.name] = np.round(level) if name.binary else level
    return flat_mapping_inputs(D, drawn, fixed)


def charges(inputs, behaviour, prices, horizon):
    """The cost parts at a fixed behaviour (comply, war, backdown), priced as the design does."""
    inputs = dict(inputs)
    inputs["carrot_cost"] = carrot_cost(inputs, prices, CONST.discount_rate)
    strike = inputs["coercer_war_cost"]
    loss = payoffs(inputs, CONST).parts["economy_loss"]
    inputs["coercer_war_cost"] = executing_cost(inputs, strike, loss, prices, CONST)
    mapped = payoffs(inputs, CONST)
    return coercer_cost(inputs, strike, mapped, *behaviour, prices, CONST, horizon)


def behaviour(rng):
    comply = rng.uniform(0, 1, D)
    firm = rng.uniform(0, 1, D)
    return comply, (1 - comply) * firm, (1 - comply) * (1 - firm)


prices_st = st.builds(Prices, carrots=st.floats(0.0, 5.0), sanctions=st.floats(0.0, 5.0),
                      relief=st.floats(0.0, 5.0))
horizon_st = st.sampled_from([np.inf, 0.5, 3.0, 10.0])


@SETTINGS
@given(seed=st.integers(0, 2**31), prices=prices_st, horizon=horizon_st,
       name=st.sampled_from(CHARGED), step=st.floats(0.01, 1.0))
def test_cost_weakly_increasing_in_each_instrument(seed, prices, horizon, name, step):
    rng = np.random.default_rng(seed)
    inputs, fixed = synthetic(rng), behaviour(rng)
    inst = BY_NAME[name]
    more = dict(inputs)
    raised = inputs[name] + step * (inst.high - inst.low)
    more[name] = np.minimum(np.round(raised) if inst.binary else raised, inst.high)
    low, high = charges(inputs, fixed, prices, horizon), charges(more, fixed, prices, horizon)
    for part in COST_PARTS:
        assert np.all(high[part] >= low[part] - 1e-12), (name, part)


@SETTINGS
@given(seed=st.integers(0, 2**31), prices=prices_st, horizon=horizon_st)
def test_relief_is_charged_and_lifts_exactly_the_sanctions_it_lifts(seed, prices, horizon):
    rng = np.random.default_rng(seed)
    fixed = behaviour(rng)
    none, full = synthetic(rng, relief_offered=0.0), None
    full = dict(none, relief_offered=np.ones(D))
    a, b = charges(none, fixed, prices, horizon), charges(full, fixed, prices, horizon)
    assert np.all(b["carrots"] - a["carrots"] == pytest.approx(fixed[0] * prices.relief))
    loss = payoffs(dict(none, carrot_cost=np.zeros(D)), CONST).parts["economy_loss"]
    stream = prices.sanctions * loss * annuity(CONST.discount_rate + CONST.sanctions_erosion,
                                               horizon)
    lifted = (1 - none["threatened"]) * fixed[0] * stream
    np.testing.assert_allclose(a["sanctions"] - b["sanctions"], lifted, atol=1e-12)


@SETTINGS
@given(seed=st.integers(0, 2**31), prices=prices_st, horizon=horizon_st)
def test_later_deadline_defers_every_charge(seed, prices, horizon):
    """A later deadline moves the decision later: no charge rises."""
    rng = np.random.default_rng(seed)
    fixed = behaviour(rng)
    soon = synthetic(rng, has_deadline=1.0)
    late = dict(soon, deadline_years=soon["deadline_years"] + 1.0)
    a, b = charges(soon, fixed, prices, horizon), charges(late, fixed, prices, horizon)
    for part in COST_PARTS:
        assert np.all(b[part] <= a[part] + 1e-12), part


@SETTINGS
@given(seed=st.integers(0, 2**31), war_cost=st.floats(0.0, 10.0))
def test_sanctions_only_threat_cost_does_not_depend_on_war_cost(seed, war_cost):
    """Through the game too: the evaluation (compliance, every cost part) is unchanged."""
    rng = np.random.default_rng(seed)
    base = synthetic(rng)
    other = dict(base, coercer_war_cost=np.full(D, war_cost))
    prices = Prices(carrots=1.0, sanctions=0.3, relief=0.2)
    x = np.array([rng.uniform(i.low, i.high) for i in INSTRUMENTS])
    x[[i.name for i in INSTRUMENTS].index("force")] = 0.0
    a = PhaseEvaluator(base, CONST, prices).evaluate(x[None, :])
    b = PhaseEvaluator(other, CONST, prices).evaluate(x[None, :])
    assert a.compliance[0] == pytest.approx(b.compliance[0], abs=1e-12)
    for part in COST_PARTS:
        assert a.parts[part][0] == pytest.approx(b.parts[part][0], abs=1e-12)


def test_force_posture_is_charged_the_war_cost():
    """The converse, so the test above can fail: with force, the war part scales with it."""
    rng = np.random.default_rng(3)
    base = synthetic(rng, escalation_dominance=1.0, backdown_cost=3.0)
    x = np.array([i.high for i in INSTRUMENTS])
    cheap = PhaseEvaluator(dict(base, coercer_war_cost=np.full(D, 0.1)), CONST).evaluate(x[None])
    dear = PhaseEvaluator(dict(base, coercer_war_cost=np.full(D, 0.5)), CONST).evaluate(x[None])
    assert cheap.war[0] > 0 and dear.parts["war"][0] != pytest.approx(cheap.parts["war"][0])


def test_assurance_costs_what_the_target_no_longer_fears():
    """The coercer's forgone demands mirror the target's further demands: the same
    exp(-r L) · dominance weight, on the assurance's share instead of its complement."""
    rng = np.random.default_rng(4)
    inputs = synthetic(rng, exploited_regime_loss=1.0)
    inputs["carrot_cost"] = np.zeros(D)
    parts = payoffs(inputs, CONST).parts
    weight = np.exp(-CONST.discount_rate * CONST.exploitation_delay_years)
    weight = weight * inputs["escalation_dominance"]
    np.testing.assert_allclose(parts["further_demands"], weight * (1 - inputs["assurance"]))
    np.testing.assert_allclose(
        parts["forgone_demands"], weight * inputs["assurance"] * inputs["value_to_coercer"]
    )
