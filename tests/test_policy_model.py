"""The coercive-diplomacy model: the behaviours of issue 4, section 4, and the plumbing under them.

The DPRK behaviours are what the seed article argues (Wang 2018): comprehensive sanctions
press the regime far harder than targeted ones; with maximum pressure and weak assurances
compliance stays low and the binding condition is assurance or inducement; credible
guarantees with relief and compensation raise compliance markedly. The model must not be
wired to that answer: with no credible threat and generous carrots, the binding condition
must become the threat.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coercive._errors import InputError
from coercive.policy.assess import assess, assess_scenario
from coercive.policy.loader import load_scenario, scenario_from_text
from coercive.policy.mapping import (
    Mapped,
    MappingConstants,
    annuity,
    constants,
    economic_pressure,
    map_scenario,
)
from coercive.policy.montecarlo import EQUILIBRIUM_RULES, sample_inputs, solve, solve_rules
from coercive.policy.scenario import json_schema
from coercive.policy.scorecard import CONDITIONS, Calculus, counterfactual

DRAWS = "model.draws=1000"

# what the seed article asks for: "credible long-term security guarantees ... as well as
# economic compensation" and "removal of sanctions"; 5% of GDP a year is our illustration
CARROTS = [
    "instruments.assurance.credibility=0.9",
    "instruments.inducements.sanctions_relief=true",
    "instruments.inducements.compensation=0.05",
    "instruments.inducements.delivery_credibility=0.9",
]
NO_THREAT = [
    "instruments.threat.escalation_dominance=0",
    "instruments.threat.backdown_cost=0",
]


@pytest.fixture(scope="module")
def dprk_2017() -> dict:
    return assess("dprk-2017", [DRAWS]).to_dict()


# ----------------------------------------------------------------------------------------
# Section 4 behaviours
# ----------------------------------------------------------------------------------------


def test_comprehensive_sanctions_press_the_regime_far_harder(dprk_2017: dict) -> None:
    targeted = assess("dprk-2017", [DRAWS, "instruments.sanctions.kind=targeted"]).to_dict()
    comprehensive = dprk_2017["pressure"]["economic"]
    narrow = targeted["pressure"]["economic"]
    assert comprehensive > 3.0 * narrow
    # same trade cut, different pass-through: the economy is hit alike, the regime is not
    economy = dprk_2017["pressure"]["factors"]["economy_loss"]
    assert targeted["pressure"]["factors"]["economy_loss"] == pytest.approx(economy)


def test_dprk_2017_compliance_low_binding_assurance_or_inducement(dprk_2017: dict) -> None:
    assert dprk_2017["compliance"] < 0.15
    assert dprk_2017["binding"] in {"assurance", "inducement"}
    assert dprk_2017["conditions"]["assurance"]["status"] == "unmet"
    assert dprk_2017["conditions"]["inducement"]["status"] == "unmet"
    # the threat is credible (the seed: "maintained convincingly")
    assert dprk_2017["credibility"] > 0.5


def test_guarantees_relief_and_compensation_raise_compliance_markedly(dprk_2017: dict) -> None:
    offered = assess("dprk-2017", [DRAWS, *CARROTS]).to_dict()
    assert offered["compliance"] > dprk_2017["compliance"] + 0.3
    assert offered["conditions"]["assurance"]["status"] == "met"
    # resisting no longer looks better on average
    assert offered["calculus"]["margin"] < dprk_2017["calculus"]["margin"]


def test_without_a_credible_threat_the_binding_condition_is_the_threat() -> None:
    generous = [*CARROTS, "instruments.inducements.compensation=0.15", *NO_THREAT]
    result = assess("dprk-2017", [DRAWS, *generous]).to_dict()
    assert result["conditions"]["threat"]["status"] == "unmet"
    assert result["binding"] == "threat"
    assert result["counterfactuals"]["threat"]["gain"] > 0.2


def test_dprk_2018_engagement_assessment_runs() -> None:
    result = assess("dprk-2018", [DRAWS]).to_dict()
    assert result["conditions"]["deadline"]["status"] == "unmet"  # no timeline in Singapore
    assert 0.0 <= result["compliance"] <= 1.0
    assert result["binding"] in (*CONDITIONS, None)


# ----------------------------------------------------------------------------------------
# The assessment object
# ----------------------------------------------------------------------------------------


def test_json_has_the_required_fields(dprk_2017: dict) -> None:
    text = json.dumps(dprk_2017, allow_nan=False)
    data = json.loads(text)
    for key in ("compliance", "credibility", "war", "challenge", "war_unconditional"):
        assert isinstance(data[key], float) and math.isfinite(data[key]), key
        assert 0.0 <= data[key] <= 1.0, key
    assert data["war"] <= data["credibility"] + 1e-12
    # ex ante war is the conditional war discounted by the chance of the challenge
    assert data["war_unconditional"] <= data["war"] + 1e-12
    assert data["war_unconditional"] <= data["challenge"] + 1e-12
    pressure = data["pressure"]
    assert set(pressure["parts"]) == {"exports", "imports", "strategic_imports"}
    assert sum(pressure["parts"].values()) == pytest.approx(pressure["economic"], rel=1e-9)
    low, high = pressure["economic_interval"]
    assert 0.0 <= low <= pressure["economic"] <= high <= 1.0
    for name in CONDITIONS:
        condition = data["conditions"][name]
        assert condition["status"] in {"met", "partial", "unmet"}
        assert "value" in condition and "quantity" in condition
    assert data["binding"] in CONDITIONS
    gains = {name: data["counterfactuals"][name]["gain"] for name in CONDITIONS}
    assert data["binding"] == max(gains, key=gains.get)
    calculus = data["calculus"]
    comply_parts = [v for k, v in calculus["comply"].items() if k != "total"]
    resist_parts = [v for k, v in calculus["resist"].items() if k != "total"]
    assert sum(comply_parts) == pytest.approx(calculus["comply"]["total"])
    assert sum(resist_parts) == pytest.approx(calculus["resist"]["total"])
    assert "conditional on the challenge" in data["conditioning"]


# ----------------------------------------------------------------------------------------
# Equilibrium selection and its sensitivity
# ----------------------------------------------------------------------------------------


def _multi_equilibrium_variant() -> Mapped:
    """sigInt's documented example: three equilibria at 67 of its 101 payoff points."""
    n = 101
    x = np.linspace(-1.0, 2.0, n)
    return Mapped(
        SA=np.zeros(n),
        VA=np.ones(n),
        CB=np.zeros(n),
        WA=np.full(n, -1.9),
        WB=-2.9 + 0.1 * x,
        a=np.full(n, -1.2),
        VB=np.ones(n),
        parts={},
    )


def test_unknown_equilibrium_rule_is_rejected() -> None:
    variant = _multi_equilibrium_variant()
    for bad in ("most-resistance", "Stable", "", None):
        with pytest.raises(InputError, match="equilibrium: unknown selection rule") as info:
            solve([variant], equilibrium=bad)  # type: ignore[arg-type]
        message = str(info.value)
        assert "\n" not in message
        assert all(rule in message for rule in EQUILIBRIUM_RULES)
    with pytest.raises(InputError, match="equilibrium"):
        solve_rules([variant], ("stable", "most"))


def test_rules_match_the_scenario_schema() -> None:
    schema = json_schema()["$defs"]["ModelSettings"]["properties"]["equilibrium"]
    assert set(schema["enum"]) == set(EQUILIBRIUM_RULES)
    with pytest.raises(InputError, match="model.equilibrium"):
        load_scenario("dprk-2017", ["model.equilibrium=cheapest"])


def test_selection_rules_pick_the_extremes_where_equilibria_differ() -> None:
    variant = _multi_equilibrium_variant()
    by_rule = solve_rules([variant], EQUILIBRIUM_RULES)
    least = by_rule["least_resistance"][0]
    most = by_rule["most_resistance"][0]
    stable = by_rule["stable"][0]
    several = least.n_equilibria > 1
    assert several.sum() == 67
    assert np.all(least.resist[several] < most.resist[several])  # the rule matters here
    assert np.all(least.resist <= stable.resist + 1e-12)
    assert np.all(stable.resist <= most.resist + 1e-12)
    np.testing.assert_array_equal(least.resist[~several], most.resist[~several])
    # one engine call or three: the same answer
    for rule in EQUILIBRIUM_RULES:
        np.testing.assert_array_equal(solve([variant], rule)[0].resist, by_rule[rule][0].resist)


@pytest.mark.parametrize("rule", EQUILIBRIUM_RULES)
def test_equilibrium_sensitivity_is_reported(rule: str) -> None:
    data = assess("dprk-2018", ["model.draws=300", f"model.equilibrium={rule}"]).to_dict()
    sensitivity = data["equilibrium_sensitivity"]
    assert sensitivity["rule_used"] == rule == data["model"]["equilibrium"]
    used = sensitivity["compliance_rule_used"]
    assert used == data["compliance"]
    least = sensitivity["compliance_least_resistance"]
    most = sensitivity["compliance_most_resistance"]
    # least resistance = most compliance in every draw; any rule lies between the two
    assert most - 1e-12 <= used <= least + 1e-12
    if rule == "least_resistance":
        assert used == least
    if rule == "most_resistance":
        assert used == most


# ----------------------------------------------------------------------------------------
# Read-only results
# ----------------------------------------------------------------------------------------


def test_assessment_and_calculus_contents_are_read_only() -> None:
    assessment = assess("dprk-2018", ["model.draws=200"])
    before = assessment.to_dict()
    with pytest.raises(TypeError):
        assessment.compliance["mean"] = 2.0  # type: ignore[index]
    with pytest.raises(TypeError):
        assessment.pressure["factors"]["kind"] = "none"  # type: ignore[index]
    with pytest.raises(TypeError):
        assessment.conditions["threat"]["status"] = "met"  # type: ignore[index]
    with pytest.raises(TypeError):
        assessment.calculus["comply"]["total"] = 0.0  # type: ignore[index]
    with pytest.raises((TypeError, AttributeError)):
        assessment.pressure["economic_interval"].append(0.0)  # tuples have no append
    # to_dict hands out fresh copies: editing one leaves the assessment unchanged
    copy = assessment.to_dict()
    copy["pressure"]["factors"]["kind"] = "none"
    copy["conditions"]["threat"]["status"] = "met"
    copy["calculus"]["comply"]["total"] = 99.0
    copy["equilibrium_sensitivity"]["rule_used"] = "other"
    copy["pressure"]["economic_interval"].append(0.0)
    assert assessment.to_dict() == before
    assert assessment.to_dict() is not assessment.to_dict()
    json.dumps(before, allow_nan=False)

    comply = {"value_given_up": -1.0, "total": -1.0}
    resist = {"strike_damage": -0.5, "total": -0.5}
    calc = Calculus(comply=comply, resist=resist)
    comply["total"] = 5.0  # the caller's dict is not the object's
    assert calc.comply["total"] == -1.0
    with pytest.raises(TypeError):
        calc.resist["total"] = 0.0  # type: ignore[index]
    plain = calc.to_dict()
    assert plain == {
        "comply": {"value_given_up": -1.0, "total": -1.0},
        "resist": {"strike_damage": -0.5, "total": -0.5},
        "margin": 0.5,
    }
    plain["comply"]["total"] = 7.0
    assert calc.comply["total"] == -1.0


def test_terminal_view_says_war_is_conditional(capsys: pytest.CaptureFixture[str]) -> None:
    from coercive.cli.policy import render

    data = assess("dprk-2017", ["model.draws=300"]).to_dict()
    render(data)
    text = " ".join(capsys.readouterr().out.split())
    assert "if the target is challenged" in text
    assert "unconditionally" in text
    assert "Equilibrium selection" in text


def test_seeded_and_reproducible() -> None:
    first = assess("dprk-2018", ["model.draws=300"]).to_dict()
    again = assess("dprk-2018", ["model.draws=300"]).to_dict()
    other = assess("dprk-2018", ["model.draws=300", "model.seed=1"]).to_dict()
    assert first == again
    assert first["pressure"] != other["pressure"]


# ----------------------------------------------------------------------------------------
# Mapping: hand-checked numbers on a small scenario with fixed inputs
# ----------------------------------------------------------------------------------------

SMALL = """
id: small
title: Small test campaign
actors:
  coercer: {name: A}
  target: {name: B}
  third_parties:
    - {name: Leaky, trade_share: 0.5, secondary_exposure: 1.0}
demand:
  description: give up X
  value_to_target: 1.0
  loss_if_exploited: 2.0
economy:
  gdp_usd_bn: 10
  export_share: 0.2
  import_dependence: 0.1
  strategic_import_dependence: 0.1
instruments:
  sanctions:
    kind: comprehensive
    export_coverage: 1.0
    import_coverage: 0.5
    strategic_import_cut: 0.5
    secondary: 0.5
    enforcement: {Leaky: 0.6}
    coalition_enforcement: 1.0
  threat:
    escalation_dominance: 0.5
    coercer_war_cost: 0.4
    backdown_cost: 0.3
    target_war_cost: 4.0
  deadline: {months: 12, public: true}
  assurance: {credibility: 0.5}
  inducements: {sanctions_relief: false, compensation: 0.02, compensation_years: 5, other: 0.1}
model: {draws: 4}
"""


def test_mapping_by_hand() -> None:
    scenario = scenario_from_text(SMALL)
    const = MappingConstants()
    draws = sample_inputs(scenario)
    assert all(np.ptp(values) == 0 for values in draws.values())  # nothing uncertain
    pressure = economic_pressure(scenario, draws, 4, const)
    # Leaky: gap (1 - 0.6) x (1 - 0.5 x 1.0) = 0.2 -> enforces 0.8; the rest enforces 1.0
    assert pressure["enforcement"][0] == pytest.approx(0.5 * 0.8 + 0.5 * 1.0)
    enforcement = 0.9
    exports = const.trade_welfare_loss * 0.2 * 1.0 * enforcement
    imports = const.trade_welfare_loss * 0.1 * 0.5 * enforcement
    strategic = 0.1 * 0.5 * enforcement
    assert pressure["economy_loss"][0] == pytest.approx(exports + imports + strategic)
    regime = (exports + imports + strategic) * const.pass_through_comprehensive
    assert pressure["regime_cost"][0] == pytest.approx(regime)

    mapped = map_scenario(scenario, draws, const)
    rho, erosion = const.discount_rate, const.sanctions_erosion
    until_deadline = regime * (1 - math.exp(-(rho + erosion) * 1.0)) / (rho + erosion)
    open_ended = regime / (rho + erosion)
    carrots = 0.02 * (1 - math.exp(-rho * 5)) / rho + 0.1
    comply = -1.0 + carrots - 0.5 * 2.0 - const.unrelieved_share * open_ended
    strike = math.exp(-rho * 1.0) * 0.5 * (4.0 + 1.0)
    spread_b, spread_a = const.target_resolve_spread, const.coercer_resolve_spread
    assert mapped.CB[0] == pytest.approx(comply / spread_b)
    assert mapped.VB[0] == pytest.approx(-until_deadline / spread_b)
    assert mapped.WB[0] == pytest.approx((-until_deadline - strike) / spread_b)
    assert mapped.SA[0] == 0.0
    assert mapped.VA[0] == pytest.approx(1.0 / spread_a)
    assert mapped.WA[0] == pytest.approx((0.5 - 0.4) / spread_a)
    assert mapped.a[0] == pytest.approx(-(0.3 + const.public_deadline_commitment) / spread_a)


def test_monte_carlo_matches_a_direct_engine_solve() -> None:
    from coercive.games import CrisisGame

    scenario = scenario_from_text(SMALL)
    draws = sample_inputs(scenario)
    mapped = map_scenario(scenario, draws, constants().mapping)
    (solution,) = solve([mapped], equilibrium="stable")
    table = CrisisGame(
        SA=mapped.SA[0],
        VA=mapped.VA[0],
        CB=mapped.CB[0],
        WA=mapped.WA[0],
        WB=mapped.WB[0],
        a=mapped.a[0],
        VB=mapped.VB[0],
    ).equilibria(select="stable")
    assert solution.resist[0] == pytest.approx(table["pR"].iloc[0], abs=1e-9)
    assert solution.firm[0] == pytest.approx(table["pF"].iloc[0], abs=1e-9)
    assert solution.war[0] == pytest.approx(table["pR"].iloc[0] * table["pF"].iloc[0])


def test_annuity() -> None:
    assert annuity(0.2, 5.0) == pytest.approx((1 - math.exp(-1.0)) / 0.2)
    assert annuity(0.2, np.inf) == pytest.approx(5.0)
    assert annuity(0.0, 3.0) == pytest.approx(3.0)


# ----------------------------------------------------------------------------------------
# Counterfactuals and comparative statics
# ----------------------------------------------------------------------------------------


def test_counterfactuals_never_weaken_a_condition() -> None:
    scenario = load_scenario(
        "dprk-2017",
        ["model.draws=50", "instruments.deadline.months=2", "instruments.deadline.public=true"],
    )
    draws = sample_inputs(scenario)
    const = constants()
    changed, _ = counterfactual("deadline", scenario, draws, const)
    assert changed.instruments.deadline.months == 2  # already shorter than the 'met' level
    _, more = counterfactual("assurance", scenario, draws, const)
    path = "instruments.assurance.credibility"
    assert np.all(more[path] >= draws[path])
    relieved, more = counterfactual("inducement", scenario, draws, const)
    assert relieved.instruments.inducements.sanctions_relief
    path = "instruments.inducements.compensation"
    assert np.all(more[path] >= draws[path])


@settings(max_examples=12, deadline=None)
@given(
    low=st.floats(0.0, 0.8),
    step=st.floats(0.05, 0.2),
)
def test_more_assurance_never_lowers_compliance(low: float, step: float) -> None:
    base = load_scenario(
        "dprk-2017", ["model.draws=200", f"instruments.assurance.credibility={low}"]
    )
    more = load_scenario(
        "dprk-2017", ["model.draws=200", f"instruments.assurance.credibility={low + step}"]
    )
    # common random numbers: only assurance differs between the two runs
    a, b = assess_scenario(base), assess_scenario(more)
    assert b.compliance["mean"] >= a.compliance["mean"] - 1e-9


@settings(max_examples=10, deadline=None)
@given(low=st.floats(0.0, 0.8), step=st.floats(0.05, 0.2))
def test_more_escalation_dominance_raises_credibility(low: float, step: float) -> None:
    runs = [
        assess("dprk-2018", ["model.draws=200", f"instruments.threat.escalation_dominance={d}"])
        for d in (low, low + step)
    ]
    assert runs[1].credibility["mean"] >= runs[0].credibility["mean"] - 1e-9


def test_calibrated_constants_are_read_from_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    module = types.ModuleType("coercive.policy.calibration")
    module.CALIBRATED = {"pass_through_comprehensive": 0.3}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "coercive.policy.calibration", module)
    assert constants().mapping.pass_through_comprehensive == 0.3
    module.CALIBRATED = {"no_such_constant": 1.0}  # type: ignore[attr-defined]
    from coercive._errors import InputError

    with pytest.raises(InputError, match="no_such_constant"):
        constants()


def test_assess_accepts_a_scenario_object_with_overrides() -> None:
    scenario = load_scenario("dprk-2017", ["model.draws=300"])
    direct = assess(scenario).to_dict()
    overridden = assess(scenario, ["instruments.sanctions.kind=targeted"]).to_dict()
    assert direct == assess("dprk-2017", ["model.draws=300"]).to_dict()
    assert overridden["pressure"]["factors"]["kind"] == "targeted"
    assert overridden["pressure"]["economic"] < direct["pressure"]["economic"]


def test_package_exports() -> None:
    import coercive.policy as policy

    assert policy.load_scenario is load_scenario
    assert "properties" in policy.json_schema()


SHARE_FIELDS = [
    "instruments.threat.escalation_dominance",
    "instruments.assurance.credibility",
    "instruments.inducements.compensation",
    "instruments.inducements.delivery_credibility",
    "instruments.sanctions.export_coverage",
    "instruments.sanctions.secondary",
    "instruments.sanctions.coalition_enforcement",
]
AMOUNT_FIELDS = [
    "demand.value_to_target",
    "demand.loss_if_exploited",
    "instruments.threat.target_war_cost",
    "instruments.threat.coercer_war_cost",
    "instruments.threat.backdown_cost",
]


@settings(max_examples=25, deadline=None)
@given(
    shares=st.dictionaries(st.sampled_from(SHARE_FIELDS), st.floats(0.0, 1.0), max_size=4),
    amounts=st.dictionaries(st.sampled_from(AMOUNT_FIELDS), st.floats(0.0, 100.0), max_size=3),
    months=st.one_of(st.none(), st.floats(0.01, 240.0)),
    relief=st.booleans(),
    kind=st.sampled_from(["none", "targeted", "comprehensive"]),
)
def test_any_valid_scenario_gives_finite_probabilities(shares, amounts, months, relief, kind):
    overrides = {"model.draws": 50, **shares, **amounts}
    overrides["instruments.deadline.months"] = months
    overrides["instruments.inducements.sanctions_relief"] = relief
    overrides["instruments.sanctions.kind"] = kind
    data = assess("dprk-2018", overrides).to_dict()
    json.dumps(data, allow_nan=False)  # no NaN or inf anywhere
    for key in ("compliance", "credibility", "war", "challenge"):
        assert 0.0 <= data[key] <= 1.0
    for name in CONDITIONS:
        assert 0.0 <= data["counterfactuals"][name]["compliance"] <= 1.0
    if kind == "none":
        assert data["pressure"]["economic"] == 0.0
