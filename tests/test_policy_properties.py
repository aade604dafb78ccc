"""Direction properties of the policy mapping, over random scenarios (issue 7, section 1).

Every property is checked on scenarios drawn by hypothesis from the whole input space of
:func:`coercive.policy.mapping.payoffs` (not on the bundled cases): first on the payoffs
(exact algebra: which option each change makes better), then, where the issue states it
for compliance, through the game's equilibrium under every selection rule. None of them
mentions a real case. Run time: about 20 s of CPU (40 s wall on the shared 2-core machine).
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coercive._errors import InputError
from coercive.policy.constants import (
    AllConstants,
    MappingConstants,
    default_constants,
    describe,
    load_constants,
    read_constants_file,
)
from coercive.policy.mapping import INPUTS, Mapped, enforcement_choice, payoffs
from coercive.policy.montecarlo import EQUILIBRIUM_RULES, solve

CONST = default_constants().mapping
RULES = EQUILIBRIUM_RULES
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GAME_SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

unit = st.floats(0.0, 1.0, allow_nan=False)
flag = st.sampled_from([0.0, 1.0])

_SCALARS = {
    "export_share": st.floats(0.0, 0.6),
    "import_share": st.floats(0.0, 0.6),
    "strategic_dependence": st.floats(0.0, 0.4),
    "sanctions_on": flag,
    "comprehensive": flag,
    "threatened": flag,
    "pass_through_given": flag,
    "pass_through": unit,
    "export_coverage": unit,
    "import_coverage": unit,
    "strategic_cut": unit,
    "secondary": unit,
    "coalition_enforcement": unit,
    "value_per_year": st.floats(0.0, 1.0),
    "power_given_up": unit,
    "exploited_regime_loss": unit,
    "value_to_coercer": st.floats(0.1, 3.0),
    "force": flag,
    "escalation_dominance": unit,
    "coercer_war_cost": st.floats(0.0, 4.0),
    "backdown_cost": st.floats(0.0, 3.0),
    "strike_regime_loss": unit,
    "strike_damage": st.floats(0.0, 3.0),
    "limited_force": flag,
    "has_deadline": flag,
    "deadline_years": st.floats(0.05, 10.0),
    "deadline_public": flag,
    "assurance": unit,
    "relief_offered": flag,
    "delivery": unit,
    "compensation": st.floats(0.0, 0.3),
    "compensation_years": st.floats(0.5, 30.0),
    "other_carrots": st.floats(0.0, 2.0),
    "carrot_cost": st.floats(0.0, 2.0),
}


@st.composite
def scenarios(draw: st.DrawFn, rows: int = 6, max_parties: int = 3) -> dict[str, np.ndarray]:
    """Random flat inputs: ``rows`` independent scenarios with up to ``max_parties`` parties."""
    n = draw(st.integers(1, rows))
    parties = draw(st.integers(0, max_parties))
    inputs: dict[str, np.ndarray] = {
        name: np.array(draw(st.lists(strategy, min_size=n, max_size=n)))
        for name, strategy in _SCALARS.items()
    }

    # trade shares and weights: each row's shares sum to at most 1
    def shares() -> np.ndarray:
        raw = (
            np.array(
                draw(
                    st.lists(
                        st.lists(unit, min_size=parties + 1, max_size=parties + 1),
                        min_size=n,
                        max_size=n,
                    )
                )
            ).reshape(n, parties + 1)
            + 1e-9
        )
        return (raw / raw.sum(axis=1, keepdims=True))[:, :parties]

    inputs["party_trade"] = shares()
    inputs["party_weight"] = shares()
    inputs["party_ties"] = np.array(
        draw(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=n * parties, max_size=n * parties))
    ).reshape(n, parties)
    inputs["party_exposure"] = np.array(
        draw(st.lists(unit, min_size=n * parties, max_size=n * parties))
    ).reshape(n, parties)
    inputs["party_stake"] = np.array(
        draw(st.lists(st.floats(0.0, 20.0), min_size=n * parties, max_size=n * parties))
    ).reshape(n, parties)
    return inputs


def with_(inputs: dict[str, np.ndarray], **changes: object) -> dict[str, np.ndarray]:
    out = dict(inputs)
    for name, value in changes.items():
        out[name] = np.broadcast_to(np.asarray(value, dtype=float), np.shape(inputs[name]))
    return out


def target_margin(mapped: Mapped, firm: np.ndarray | float) -> np.ndarray:
    """Comply minus resist for the target, for a given probability the coercer stands firm."""
    return mapped.CB - (firm * mapped.WB + (1.0 - firm) * mapped.VB)


def compliance(*variants: Mapped, rule: str) -> list[np.ndarray]:
    return [solution.compliance for solution in solve(list(variants), rule)]


TOL = 1e-9
GAME_TOL = 1e-6  # the engine's fixed points are exact to ~1e-10


# ----------------------------------------------------------------------------------------
# The interface
# ----------------------------------------------------------------------------------------


def test_every_input_is_required() -> None:
    inputs = {name: np.zeros(1) for name in INPUTS}
    for name in ("party_trade", "party_weight", "party_ties", "party_exposure", "party_stake"):
        inputs[name] = np.zeros((1, 0))
    payoffs(inputs, CONST)
    for name in INPUTS:
        partial = {k: v for k, v in inputs.items() if k != name}
        with pytest.raises(InputError, match=name):
            payoffs(partial, CONST)


@SETTINGS
@given(scenarios())
def test_payoffs_are_finite_and_rowwise(inputs: dict[str, np.ndarray]) -> None:
    mapped = payoffs(inputs, CONST)
    n = mapped.n
    for values in mapped.payoffs().values():
        assert values.shape == (n,) and np.all(np.isfinite(values))
    # vectorized == one row at a time (no row leaks into another)
    row = {name: value[-1:] for name, value in inputs.items()}
    single = payoffs(row, CONST)
    for name, values in mapped.payoffs().items():
        assert getattr(single, name)[0] == pytest.approx(values[-1], abs=1e-12)


# ----------------------------------------------------------------------------------------
# Sanctions persist until lifted; more pressure weakly raises compliance
# ----------------------------------------------------------------------------------------


@SETTINGS
@given(scenarios())
def test_sanctions_persist_until_lifted(inputs: dict[str, np.ndarray]) -> None:
    in_force = payoffs(with_(inputs, threatened=0.0), CONST)
    parts = in_force.parts
    stream = parts["sanctions_stream"] / CONST.target_resolve_spread
    # they continue if the coercer backs down and beside a strike
    np.testing.assert_allclose(in_force.VB, -stream, atol=TOL)
    assert np.all(parts["sanctions_beside_strike"] >= parts["sanctions_stream"] - TOL)
    # after compliance they are lifted only with the probability relief is believed
    believed = inputs["relief_offered"] * inputs["delivery"]
    np.testing.assert_allclose(
        parts["sanctions_after_compliance"], (1 - believed) * parts["sanctions_stream"], atol=TOL
    )


@SETTINGS
@given(scenarios(), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_more_pressure_moves_the_target_toward_compliance(
    inputs: dict[str, np.ndarray], more: float, firm: float
) -> None:
    """Coverage, comprehensive over targeted, less leakage: comply - resist weakly rises, by
    exactly (relief believed) x (added sanctions value) when the sanctions are in force."""
    base = payoffs(inputs, CONST)
    pressed_inputs = with_(
        inputs,
        export_coverage=np.minimum(inputs["export_coverage"] + more, 1.0),
        import_coverage=np.minimum(inputs["import_coverage"] + more, 1.0),
        strategic_cut=np.minimum(inputs["strategic_cut"] + more, 1.0),
        coalition_enforcement=np.minimum(inputs["coalition_enforcement"] + more, 1.0),
        party_stake=inputs["party_stake"] * (1.0 - more),
    )
    pressed = payoffs(pressed_inputs, CONST)
    gain = target_margin(pressed, firm) - target_margin(base, firm)
    assert np.all(gain >= -TOL)
    added = (pressed.parts["sanctions_stream"] - base.parts["sanctions_stream"]) / (
        CONST.target_resolve_spread
    )
    believed = inputs["relief_offered"] * inputs["delivery"]
    in_force = inputs["threatened"] == 0
    np.testing.assert_allclose(gain[in_force], (believed * added)[in_force], atol=1e-9)


@SETTINGS
@given(scenarios(), st.floats(0.0, 1.0))
def test_comprehensive_reaches_the_regime_more_than_targeted(
    inputs: dict[str, np.ndarray], firm: float
) -> None:
    common = {"sanctions_on": 1.0, "pass_through_given": 0.0}
    targeted = payoffs(with_(inputs, comprehensive=0.0, **common), CONST)
    comprehensive = payoffs(with_(inputs, comprehensive=1.0, **common), CONST)
    none = payoffs(with_(inputs, sanctions_on=0.0), CONST)
    assert np.all(comprehensive.parts["regime_cost"] >= targeted.parts["regime_cost"] - TOL)
    assert np.all(targeted.parts["regime_cost"] >= none.parts["regime_cost"] - TOL)
    assert np.all(target_margin(comprehensive, firm) >= target_margin(targeted, firm) - TOL)
    assert np.all(target_margin(targeted, firm) >= target_margin(none, firm) - TOL)


@GAME_SETTINGS
@given(scenarios(), st.floats(0.05, 1.0), st.sampled_from(RULES))
def test_more_pressure_weakly_raises_equilibrium_compliance(
    inputs: dict[str, np.ndarray], more: float, rule: str
) -> None:
    base = payoffs(inputs, CONST)
    pressed = payoffs(
        with_(
            inputs,
            export_coverage=np.minimum(inputs["export_coverage"] + more, 1.0),
            import_coverage=np.minimum(inputs["import_coverage"] + more, 1.0),
            coalition_enforcement=np.minimum(inputs["coalition_enforcement"] + more, 1.0),
        ),
        CONST,
    )
    common = {"sanctions_on": 1.0, "pass_through_given": 0.0}
    targeted = payoffs(with_(inputs, comprehensive=0.0, **common), CONST)
    comprehensive = payoffs(with_(inputs, comprehensive=1.0, **common), CONST)
    before, after, low, high = compliance(base, pressed, targeted, comprehensive, rule=rule)
    assert np.all(after >= before - GAME_TOL)
    assert np.all(high >= low - GAME_TOL)


@GAME_SETTINGS
@given(scenarios(), st.sampled_from(RULES))
def test_pressure_is_marked_where_the_regime_bears_it(
    inputs: dict[str, np.ndarray], rule: str
) -> None:
    """When the regime bears the cost (comprehensive, full pass-through) and relief is
    believed, heavier sanctions raise compliance strictly wherever it is not already ~1."""
    regime_bears = with_(
        inputs,
        sanctions_on=1.0,
        threatened=0.0,
        pass_through_given=1.0,
        pass_through=1.0,
        relief_offered=1.0,
        delivery=1.0,
        export_share=0.3,
        coalition_enforcement=1.0,
        party_stake=0.0,
    )
    light = payoffs(with_(regime_bears, export_coverage=0.0), CONST)
    heavy = payoffs(with_(regime_bears, export_coverage=1.0), CONST)
    shift = target_margin(heavy, 0.5) - target_margin(light, 0.5)
    assert np.all(shift > 0.1)  # in units of the target's resolve spread
    before, after = compliance(light, heavy, rule=rule)
    room = (before > 1e-6) & (before < 0.99)  # not pinned at 0 or 1 in floating point
    assert np.all(after[room] > before[room])


# ----------------------------------------------------------------------------------------
# Third parties: enforcement is a choice; isolation counts partners by weight
# ----------------------------------------------------------------------------------------


@SETTINGS
@given(
    st.floats(0.0, 50.0),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
    st.floats(0.01, 1.0),
)
def test_patrons_enforce_more_under_secondary_sanctions(
    stake: float, exposure: float, secondary: float, isolation: float, more: float
) -> None:
    def choice(s: float, k: float = stake, x: float = exposure) -> float:
        return float(
            enforcement_choice(np.array(k), np.array(x), np.array(s), np.array(isolation), CONST)
        )

    stronger = min(secondary + more, 1.0)
    assert 0.0 <= choice(secondary) <= 1.0
    assert choice(stronger) >= choice(secondary) - TOL
    if stake > 1e-3 and exposure > 1e-3 and stronger - secondary > 1e-3:
        assert choice(stronger) > choice(secondary)  # strictly: it responds
    # a bigger stake in the target means less enforcement; no stake means full enforcement
    assert choice(secondary, k=stake + more) <= choice(secondary) + TOL
    assert choice(secondary, k=0.0) == pytest.approx(1.0)
    # and the chosen enforcement is the optimum of P ln e + k ln(1 - e)
    pressure = (
        1 + CONST.secondary_pressure * secondary * exposure + (CONST.isolation_pressure * isolation)
    )
    grid = np.linspace(1e-6, 1 - 1e-6, 20001)
    objective = pressure * np.log(grid) + stake * np.log1p(-grid)
    assert choice(secondary) == pytest.approx(grid[np.argmax(objective)], abs=1e-3)


@SETTINGS
@given(scenarios(max_parties=2), st.floats(0.01, 1.0), st.floats(0.0, 1.0))
def test_secondary_sanctions_reduce_leakage_and_raise_pressure(
    inputs: dict[str, np.ndarray], more: float, firm: float
) -> None:
    base = payoffs(inputs, CONST)
    stronger = payoffs(with_(inputs, secondary=np.minimum(inputs["secondary"] + more, 1.0)), CONST)
    assert np.all(stronger.parts["leakage"] <= base.parts["leakage"] + TOL)
    assert np.all(target_margin(stronger, firm) >= target_margin(base, firm) - TOL)


@SETTINGS
@given(scenarios(), st.sampled_from([0.0, 0.5, 1.0]), st.floats(0.0, 1.0), st.floats(0, 20))
def test_zero_weight_partners_change_nothing(
    inputs: dict[str, np.ndarray], ties: float, exposure: float, stake: float
) -> None:
    """Thirty zero-trade, zero-weight states cutting ties change no payoff and no isolation."""
    n = inputs["party_trade"].shape[0]
    extra = 30
    padded = dict(inputs)
    for name, value in (
        ("party_trade", 0.0),
        ("party_weight", 0.0),
        ("party_ties", ties),
        ("party_exposure", exposure),
        ("party_stake", stake),
    ):
        padded[name] = np.concatenate([inputs[name], np.full((n, extra), value)], axis=1)
    base, more = payoffs(inputs, CONST), payoffs(padded, CONST)
    for name, values in base.payoffs().items():
        np.testing.assert_allclose(getattr(more, name), values, atol=1e-12)
    np.testing.assert_allclose(more.parts["isolation"], base.parts["isolation"], atol=1e-12)


@SETTINGS
@given(scenarios(max_parties=3))
def test_isolation_counts_partners_by_weight(inputs: dict[str, np.ndarray]) -> None:
    mapped = payoffs(inputs, CONST)
    expected = np.sum(inputs["party_weight"] * inputs["party_ties"], axis=1)
    np.testing.assert_allclose(mapped.parts["isolation"], expected, atol=1e-12)
    cut = payoffs(with_(inputs, party_ties=1.0), CONST)
    assert np.all(cut.parts["isolation"] >= mapped.parts["isolation"] - TOL)
    assert np.all(cut.parts["leakage"] <= mapped.parts["leakage"] + TOL)


# ----------------------------------------------------------------------------------------
# Regime survival, time, assurance
# ----------------------------------------------------------------------------------------


@SETTINGS
@given(scenarios(), st.floats(0.0, 1.0), st.floats(0.01, 1.0))
def test_assurance_and_exploitation_signs(
    inputs: dict[str, np.ndarray], firm: float, more: float
) -> None:
    base = payoffs(inputs, CONST)
    assured = payoffs(with_(inputs, assurance=np.minimum(inputs["assurance"] + more, 1)), CONST)
    assert np.all(target_margin(assured, firm) >= target_margin(base, firm) - TOL)
    # further demands are weighted by dominance x (1 - assurance) and discounted
    weight = inputs["escalation_dominance"] * (1 - inputs["assurance"])
    discount = np.exp(-CONST.discount_rate * CONST.exploitation_delay_years)
    np.testing.assert_allclose(
        base.parts["further_demands"],
        discount * weight * inputs["exploited_regime_loss"],
        atol=1e-12,
    )
    full = payoffs(with_(inputs, assurance=1.0), CONST)
    powerless = payoffs(with_(inputs, escalation_dominance=0.0), CONST)
    assert np.all(full.parts["further_demands"] == 0)
    assert np.all(powerless.parts["further_demands"] == 0)
    later = payoffs(inputs, dataclasses.replace(CONST, exploitation_delay_years=20.0))
    assert np.all(later.parts["further_demands"] <= base.parts["further_demands"] + TOL)
    patient = dataclasses.replace(CONST, discount_rate=CONST.discount_rate / 2)
    assert np.all(
        payoffs(inputs, patient).parts["further_demands"] >= base.parts["further_demands"] - TOL
    )


@GAME_SETTINGS
@given(scenarios(), st.floats(0.05, 1.0), st.sampled_from(RULES))
def test_assurance_and_relief_weakly_raise_compliance(
    inputs: dict[str, np.ndarray], more: float, rule: str
) -> None:
    base = payoffs(inputs, CONST)
    assured = payoffs(with_(inputs, assurance=np.minimum(inputs["assurance"] + more, 1)), CONST)
    relieved = payoffs(with_(inputs, relief_offered=1.0), CONST)
    before, after, relief = compliance(base, assured, relieved, rule=rule)
    assert np.all(after >= before - GAME_TOL)
    assert np.all(relief >= before - GAME_TOL)


@SETTINGS
@given(scenarios(), st.floats(0.0, 1.0))
def test_regime_survival_channel(inputs: dict[str, np.ndarray], firm: float) -> None:
    """A strike that ends the regime, sanctions that raise its hazard, complying that costs
    power: each in the direction the survival channel says."""
    base = payoffs(inputs, CONST)
    deadly = payoffs(with_(inputs, strike_regime_loss=1.0), CONST)
    assert np.all(deadly.WB <= base.WB + TOL)  # resisting a strike is worse
    hazardous = payoffs(inputs, dataclasses.replace(CONST, sanctions_hazard=1.0))
    assert np.all(hazardous.VB <= base.VB + TOL)
    assert np.all(hazardous.parts["sanctions_hazard"] >= base.parts["sanctions_hazard"] - TOL)
    leave = payoffs(with_(inputs, power_given_up=1.0), CONST)
    assert np.all(leave.CB <= base.CB + TOL)


@SETTINGS
@given(scenarios(), st.floats(0.05, 5.0), st.floats(0.01, 5.0))
def test_one_time_model_for_deadlines(
    inputs: dict[str, np.ndarray], years: float, longer: float
) -> None:
    """A later decision discounts the strike and the coercer's war the same way; a public
    deadline commits the coercer more than a private one, which commits more than none."""
    soon = payoffs(with_(inputs, has_deadline=1.0, deadline_years=years), CONST)
    late = payoffs(with_(inputs, has_deadline=1.0, deadline_years=years + longer), CONST)
    threat = inputs["force"] * inputs["escalation_dominance"]
    strike_soon = soon.parts["strike_regime"] + soon.parts["strike_damage"]
    strike_late = late.parts["strike_regime"] + late.parts["strike_damage"]
    assert np.all(strike_late <= strike_soon + TOL)
    assert np.all(soon.parts["strike_discount"] > late.parts["strike_discount"])
    np.testing.assert_allclose(
        soon.parts["strike_regime"],
        soon.parts["strike_discount"] * threat * inputs["strike_regime_loss"],
        atol=1e-12,
    )
    public = payoffs(with_(inputs, has_deadline=1.0, deadline_public=1.0), CONST)
    private = payoffs(with_(inputs, has_deadline=1.0, deadline_public=0.0), CONST)
    none = payoffs(with_(inputs, has_deadline=0.0), CONST)
    assert np.all(public.parts["backdown_cost"] >= private.parts["backdown_cost"])
    assert np.all(private.parts["backdown_cost"] >= none.parts["backdown_cost"])


@SETTINGS
@given(scenarios())
def test_a_deadline_beyond_the_open_ended_horizon_weakens_the_strike(
    inputs: dict[str, np.ndarray],
) -> None:
    """The derivation in docs/model.md: a deadline later than open_ended_years puts the
    strike further away than no deadline does, so its discounted damage is smaller."""
    none = payoffs(with_(inputs, has_deadline=0.0), CONST)
    long = payoffs(
        with_(inputs, has_deadline=1.0, deadline_years=CONST.open_ended_years + 2.0), CONST
    )
    assert np.all(long.parts["strike_discount"] < none.parts["strike_discount"])
    assert np.all(long.parts["strike_regime"] <= none.parts["strike_regime"] + TOL)


# ----------------------------------------------------------------------------------------
# Smoothness in the constants (the estimator differentiates numerically)
# ----------------------------------------------------------------------------------------


@SETTINGS
@given(scenarios(), st.sampled_from(MappingConstants.names()))
def test_payoffs_are_smooth_in_each_constant(inputs: dict[str, np.ndarray], name: str) -> None:
    value = getattr(CONST, name)
    h = 1e-4 * max(abs(value), 1.0)

    def at(x: float) -> np.ndarray:
        mapped = payoffs(inputs, dataclasses.replace(CONST, **{name: x}))
        return np.stack(list(mapped.payoffs().values()))

    left, mid, right = at(value - h), at(value), at(value + h)
    # a smooth function: central second difference is O(h^2), no kink
    second = np.abs(left - 2 * mid + right)
    scale = 1.0 + np.abs(mid)
    assert np.all(second <= 1e-4 * scale)


# ----------------------------------------------------------------------------------------
# The constants file
# ----------------------------------------------------------------------------------------


def test_every_constant_has_value_unit_and_source() -> None:
    entries = describe()
    assert set(entries) == set(MappingConstants.names()) | set(AllConstants().scorecard.names())
    for name, entry in entries.items():
        assert isinstance(entry["value"], int | float), name
        assert entry["unit"].strip(), name
        assert entry["source"].strip(), name
        assert getattr(getattr(default_constants(), entry["group"]), name) == entry["value"]


def test_calibration_file_overrides_by_name(tmp_path) -> None:
    path = tmp_path / "cal.json"
    path.write_text(
        json.dumps(
            {
                "name": "test-cal",
                "version": 1,
                "constants": {"target_resolve_spread": {"group": "mapping", "value": 0.5}},
            }
        )
    )
    const = load_constants(path)
    assert const.mapping.target_resolve_spread == 0.5
    assert const.mapping.discount_rate == CONST.discount_rate
    assert const.source == "defaults-v1 + test-cal"
    for bad, fragment in [
        ({"nonsense": {"value": 1.0}}, "unknown constant 'nonsense'"),
        ({"discount_rate": {"value": float("nan")}}, "'discount_rate' must be finite"),
        ({"discount_rate": {"group": "scorecard", "value": 0.1}}, "group 'mapping'"),
        ({"discount_rate": {"value": "0.1"}}, "must be a number"),
    ]:
        path.write_text(json.dumps({"version": 1, "constants": bad}))
        with pytest.raises(InputError, match=fragment) as info:
            read_constants_file(path)
        assert "\n" not in str(info.value) and str(path) in str(info.value)
    path.write_text(json.dumps({"version": 2, "constants": {}}))
    with pytest.raises(InputError, match="does not match the code's constants"):
        read_constants_file(path)


def test_constants_are_frozen() -> None:
    const = default_constants()
    with pytest.raises(dataclasses.FrozenInstanceError):
        const.mapping.discount_rate = 0.5  # type: ignore[misc]


@SETTINGS
@given(scenarios(max_parties=3))
def test_constants_may_vary_by_row(inputs: dict[str, np.ndarray]) -> None:
    """Parameter draws: one value of each constant per row gives each row its own mapping."""
    n = inputs["party_trade"].shape[0]
    scale = np.linspace(0.5, 1.5, n)
    names = MappingConstants.names()
    per_row = dataclasses.replace(CONST, **{name: getattr(CONST, name) * scale for name in names})
    together = payoffs(inputs, per_row)
    for i in range(n):
        row = {name: value[i : i + 1] for name, value in inputs.items()}
        alone = payoffs(
            row,
            dataclasses.replace(CONST, **{name: getattr(CONST, name) * scale[i] for name in names}),
        )
        for name, values in together.payoffs().items():
            assert getattr(alone, name)[0] == pytest.approx(values[i], rel=1e-12, abs=1e-12)
