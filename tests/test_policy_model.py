"""The coercive-diplomacy model's plumbing: the assessment object, selection rules, the
mapping checked by hand on a small synthetic scenario, counterfactuals, explanations.

No test here asserts what a real case's answer must be (issue 7): the bundled cases are used
only as well-formed inputs; the direction properties are in ``test_policy_properties.py``
over random scenarios. Run time: about 20 s.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coercive._errors import InputError
from coercive.policy.assess import assess
from coercive.policy.constants import default_constants
from coercive.policy.loader import load_scenario, scenario_from_text
from coercive.policy.mapping import (
    Mapped,
    MappingConstants,
    annuity,
    constants,
    map_scenario,
)
from coercive.policy.montecarlo import EQUILIBRIUM_RULES, sample_inputs, solve, solve_rules
from coercive.policy.scenario import json_schema
from coercive.policy.scorecard import CONDITIONS, Calculus, counterfactual

DRAWS = "model.draws=1000"


@pytest.fixture(scope="module")
def dprk_2017() -> dict:
    return assess("dprk-2017", [DRAWS]).to_dict()


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
    assert data["binding"] in (*CONDITIONS, None)
    gains = {name: data["counterfactuals"][name]["gain"] for name in CONDITIONS}
    if data["binding"] is not None:
        assert data["binding"] == max(gains, key=gains.get)
    else:
        assert max(gains.values()) < data["model"]["constants"]["scorecard"]["binding_min_gain"]
    for key in ("ex_ante", "selection", "notes"):
        assert key in data
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
schema_version: 2
id: small
title: Small test campaign
actors:
  coercer: {name: A}
  target: {name: B}
  third_parties:
    - {name: Leaky, trade_share: 0.5, secondary_exposure: 1.0, stake_in_target: 2.0}
    - {name: Far, trade_share: 0.0, weight: 0.2, ties: cut, stake_in_target: 0.0}
demand:
  description: give up X
  value_per_year: 0.2
  exploited_regime_loss: 0.4
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
    coalition_enforcement: 1.0
  threat:
    escalation_dominance: 0.5
    coercer_war_cost: 0.4
    backdown_cost: 0.3
    strike_regime_loss: 0.8
    strike_damage: 0.5
  deadline: {months: 12, public: true}
  assurance: {credibility: 0.5}
  inducements: {sanctions_relief: true, delivery_credibility: 0.6, compensation: 0.02,
                compensation_years: 5, other: 0.1}
model: {draws: 4}
"""


def test_mapping_by_hand() -> None:
    scenario = scenario_from_text(SMALL)
    const = MappingConstants()
    draws = sample_inputs(scenario)
    assert all(np.ptp(values) == 0 for values in draws.values())  # nothing uncertain
    mapped = map_scenario(scenario, draws, const)
    parts = mapped.parts
    # isolation counts Far by its weight (0.2 x cut = 1), not by its zero trade
    isolation = 0.2
    assert parts["isolation"][0] == pytest.approx(isolation)
    # Leaky chooses P / (P + stake), P = 1 + secondary_pressure x 0.5 x 1.0 + iso_p x 0.2
    pressure = 1 + const.secondary_pressure * 0.5 + const.isolation_pressure * isolation
    leaky = pressure / (pressure + 2.0)
    assert parts["party_enforcement"][0, 0] == pytest.approx(leaky)
    enforcement = 0.5 * leaky + 0.5 * 1.0
    assert parts["enforcement"][0] == pytest.approx(enforcement)
    exports = const.trade_welfare_loss * 0.2 * 1.0 * enforcement
    imports = const.trade_welfare_loss * 0.1 * 0.5 * enforcement
    strategic = 0.1 * 0.5 * enforcement
    assert parts["economy_loss"][0] == pytest.approx(exports + imports + strategic)
    regime = (exports + imports + strategic) * const.pass_through_comprehensive
    assert parts["regime_cost"][0] == pytest.approx(regime)

    r, erosion = const.discount_rate, const.sanctions_erosion
    w = 1 / const.office_value_gdp_years
    stream = regime * (w + const.sanctions_hazard) / (r + erosion)
    relief = 0.6
    value = w * 0.2 / r
    carrots = 0.6 * w * (0.02 * (1 - math.exp(-r * 5)) / r + 0.1)
    further = math.exp(-r * const.exploitation_delay_years) * 0.5 * (1 - 0.5) * 0.4
    comply = -value + carrots - further - (1 - relief) * stream
    at_deadline = math.exp(-r * 1.0)
    strike = at_deadline * 0.5 * (0.8 + w * 0.5 + value)
    spread_b, spread_a = const.target_resolve_spread, const.coercer_resolve_spread
    assert mapped.CB[0] == pytest.approx(comply / spread_b)
    assert mapped.VB[0] == pytest.approx(-stream / spread_b)  # sanctions persist
    assert mapped.WB[0] == pytest.approx((-stream - strike) / spread_b)
    assert mapped.SA[0] == 0.0
    assert mapped.VA[0] == pytest.approx(1.0 / spread_a)
    assert mapped.WA[0] == pytest.approx(at_deadline * (0.5 - 0.4) / spread_a)
    assert mapped.a[0] == pytest.approx(
        -at_deadline * (0.3 + const.public_deadline_commitment) / spread_a
    )


def test_threatened_sanctions_start_only_with_the_executed_threat() -> None:
    scenario = scenario_from_text(SMALL, overrides=["instruments.sanctions.status=threatened"])
    const = MappingConstants()
    mapped = map_scenario(scenario, sample_inputs(scenario), const)
    in_force = map_scenario(scenario_from_text(SMALL), sample_inputs(scenario), const)
    stream = in_force.parts["sanctions_stream"][0]
    at_deadline = math.exp(-const.discount_rate * 1.0)
    assert mapped.VB[0] == 0.0
    assert mapped.parts["sanctions_after_compliance"][0] == 0.0
    assert mapped.parts["sanctions_beside_strike"][0] == pytest.approx(at_deadline * stream)


def test_monte_carlo_matches_a_direct_engine_solve() -> None:
    from coercive.games import CrisisGame

    scenario = scenario_from_text(SMALL)
    draws = sample_inputs(scenario)
    mapped = map_scenario(scenario, draws, constants().mapping)
    (solution,) = solve([mapped], equilibrium="stable")
    table = CrisisGame(**{k: v[0] for k, v in mapped.payoffs().items()}).equilibria(select="stable")
    assert solution.resist[0] == pytest.approx(table["pR"].iloc[0], abs=1e-9)
    assert solution.firm[0] == pytest.approx(table["pF"].iloc[0], abs=1e-9)
    assert solution.war[0] == pytest.approx(table["pR"].iloc[0] * table["pF"].iloc[0])


def test_annuity() -> None:
    assert annuity(0.2, 5.0) == pytest.approx((1 - math.exp(-1.0)) / 0.2)
    assert annuity(0.2, np.inf) == pytest.approx(5.0)
    assert annuity(0.0, 3.0) == pytest.approx(3.0)


# ----------------------------------------------------------------------------------------
# Counterfactuals, explanations, constants
# ----------------------------------------------------------------------------------------


def test_counterfactuals_never_weaken_a_condition() -> None:
    scenario = scenario_from_text(
        SMALL, overrides=["instruments.deadline.months=2", "instruments.deadline.public=true"]
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


def test_a_long_deadline_worse_than_none_is_explained() -> None:
    """A private 20-year deadline puts the strike far beyond the open-ended horizon."""
    scenario = scenario_from_text(
        SMALL,
        overrides=["instruments.deadline.months=240", "instruments.deadline.public=false"],
    )
    data = assess(scenario).to_dict()
    effect = data["deadline_effect"]
    assert effect["deadline_years"] == 20.0
    assert effect["compliance_with_deadline"] < effect["compliance_without_deadline"]
    assert any("lowers compliance against none" in note for note in data["notes"])
    assert any("discounted more" in note for note in data["notes"])
    none = assess(scenario_from_text(SMALL, overrides=["instruments.deadline.months=null"]))
    assert none.to_dict()["deadline_effect"] is None


def test_ex_ante_figures_stand_beside_the_conditional_ones() -> None:
    data = assess(scenario_from_text(SMALL, overrides=["model.draws=200"])).to_dict()
    ex_ante = data["ex_ante"]
    assert ex_ante["challenge"] == pytest.approx(data["challenge"])
    assert ex_ante["status_quo"] + ex_ante["compliance"] + ex_ante["war"] + ex_ante[
        "backdown"
    ] == pytest.approx(1.0)
    assert ex_ante["compliance"] <= data["compliance"] + 1e-12
    assert ex_ante["war"] == pytest.approx(data["war_unconditional"])
    selection = data["selection"]
    assert selection["gap"] == pytest.approx(
        selection["credibility_challengers"] - selection["credibility_all_coercers"]
    )


def test_assess_takes_a_constants_object() -> None:
    scenario = scenario_from_text(SMALL, overrides=["model.draws=50"])
    const = default_constants().replace({"target_resolve_spread": 5.0}, source="test")
    data = assess(scenario, const=const).to_dict()
    assert data["model"]["constants_source"] == "test"
    assert data["model"]["constants"]["mapping"]["target_resolve_spread"] == 5.0
    assert data != assess(scenario).to_dict()
    with pytest.raises(TypeError, match="AllConstants"):
        assess(scenario, const={"target_resolve_spread": 5.0})  # type: ignore[arg-type]


def test_calibrated_constants_are_read_from_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    module = types.ModuleType("coercive.policy.calibration")
    module.CALIBRATED = {"pass_through_comprehensive": 0.3}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "coercive.policy.calibration", module)
    assert constants().mapping.pass_through_comprehensive == 0.3
    module.CALIBRATED = {"no_such_constant": 1.0}  # type: ignore[attr-defined]
    with pytest.raises(InputError, match="no_such_constant"):
        constants()
    module.in_force = lambda: default_constants().replace(  # type: ignore[attr-defined]
        {"discount_rate": 0.1}, source="cal"
    )
    assert constants().mapping.discount_rate == 0.1
    assert constants().source == "cal"


def test_assess_accepts_a_scenario_object_with_overrides() -> None:
    scenario = load_scenario("dprk-2017", ["model.draws=300"])
    direct = assess(scenario).to_dict()
    overridden = assess(scenario, ["instruments.sanctions.kind=targeted"]).to_dict()
    assert direct == assess("dprk-2017", ["model.draws=300"]).to_dict()
    assert overridden["pressure"]["factors"]["kind"] == "targeted"


def test_every_bundled_case_carries_its_coding_record() -> None:
    """Each library case says how it was coded: protocol, coder, date (docs/coding.md, step 5)."""
    from datetime import date

    from coercive.policy.loader import bundled_cases

    for case in bundled_cases():
        scenario = load_scenario(case)
        assert scenario.schema_version == 2
        record = scenario.coding
        assert record is not None, case
        assert record.protocol == "coding-v1", case
        if record.status != "awaiting_independent_recoding":
            assert record.coder, case
            assert date.fromisoformat(record.date or ""), case


def test_version_1_files_are_refused_in_one_line() -> None:
    text = SMALL.replace("schema_version: 2", "schema_version: 1")
    with pytest.raises(InputError, match="schema_version") as info:
        scenario_from_text(text)
    assert "\n" not in str(info.value)


def test_migration_preserves_meaning() -> None:
    from coercive.policy.migrate import migrate_text

    v1 = """schema_version: 1
id: m
title: M
actors:
  coercer: {name: A}
  target: {name: B}
  third_parties:
    - name: P
      trade_share: 0.4
demand:
  description: d
  value_to_target: {low: 1.0, high: 2.0}   # a comment survives
  loss_if_exploited: 7.5
economy: {gdp_usd_bn: 1, export_share: 0.1, import_dependence: 0.1}
instruments:
  sanctions:
    kind: targeted
    enforcement:
      P: {low: 0.2, high: 0.5}
  threat:
    escalation_dominance: 0.5
    coercer_war_cost: 1
    target_war_cost: 2.5
  deadline: {months: null}
  assurance: {credibility: 0.3}
  inducements: {sanctions_relief: false}
"""
    text = migrate_text(v1)
    scenario = scenario_from_text(text)
    mapping = default_constants().mapping
    value = scenario.demand.value_per_year
    assert (value.low, value.high) == pytest.approx((0.2, 0.4))  # x discount rate 0.2
    assert scenario.demand.exploited_regime_loss == 1.0  # 7.5 / 5, capped at 1
    assert scenario.instruments.threat.strike_regime_loss == pytest.approx(0.5)
    stake = scenario.actors.third_parties[0].stake_in_target
    # enforcement 0.5 -> stake 1, enforcement 0.2 -> stake 4 (the ends swap)
    assert (stake.low, stake.high) == pytest.approx((1.0, 4.0))
    assert "a comment survives" in text
    assert scenario.coding.status == "awaiting_independent_recoding"
    # a perpetuity of value_per_year at the discount rate is worth the old GDP-years
    assert 0.2 / mapping.discount_rate == pytest.approx(1.0)


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
    "demand.exploited_regime_loss",
    "demand.power_given_up",
    "instruments.threat.strike_regime_loss",
]
AMOUNT_FIELDS = [
    "demand.value_per_year",
    "instruments.threat.strike_damage",
    "instruments.threat.coercer_war_cost",
    "instruments.threat.backdown_cost",
    "actors.third_parties.0.stake_in_target",
]


@settings(max_examples=15, deadline=None)
@given(
    shares=st.dictionaries(st.sampled_from(SHARE_FIELDS), st.floats(0.0, 1.0), max_size=4),
    amounts=st.dictionaries(st.sampled_from(AMOUNT_FIELDS), st.floats(0.0, 100.0), max_size=3),
    months=st.one_of(st.none(), st.floats(0.01, 240.0)),
    relief=st.booleans(),
    kind=st.sampled_from(["none", "targeted", "comprehensive"]),
    status=st.sampled_from(["in_force", "threatened"]),
)
def test_any_valid_scenario_gives_finite_probabilities(
    shares, amounts, months, relief, kind, status
):
    overrides = {"model.draws": 50, **shares, **amounts}
    overrides["instruments.deadline.months"] = months
    overrides["instruments.inducements.sanctions_relief"] = relief
    overrides["instruments.sanctions.kind"] = kind
    overrides["instruments.sanctions.status"] = status
    data = assess(scenario_from_text(SMALL, overrides=overrides)).to_dict()
    json.dumps(data, allow_nan=False)  # no NaN or inf anywhere
    for key in ("compliance", "credibility", "war", "challenge"):
        assert 0.0 <= data[key] <= 1.0
    for name in CONDITIONS:
        assert 0.0 <= data["counterfactuals"][name]["compliance"] <= 1.0
    if kind == "none":
        assert data["pressure"]["economic"] == 0.0


def test_cli_constants_file_bad_is_one_line(tmp_path) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "constants": {"bogus": {"value": 1}}}')
    src = Path(__file__).resolve().parents[1] / "src"
    env = dict(os.environ, PYTHONPATH=str(src))
    result = subprocess.run(
        [sys.executable, "-m", "coercive", "assess", "dprk-2017", "--constants", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown constant 'bogus'" in lines[0] and str(bad) in lines[0]
    assert "Traceback" not in result.stderr
