"""From a campaign's instruments to the payoffs of the Lewis–Schultz crisis game.

The coercer is player A (the challenger), the target player B (Lewis & Schultz 2003,
*Political Analysis* 11:345–367). The four outcomes and who gets what:

====  ==========================================  =========  ======
SQ    no coercion                                  ``SA``     0
CD    B complies                                   ``VA``     ``CB``
SF    B resists, A executes the threat             ``WA``     ``WB``
BD    B resists, A backs down                      ``a``      ``VB``
====  ==========================================  =========  ======

**Two layers.** :func:`payoffs` is the model: a pure, vectorized function of flat input
arrays (one row per Monte Carlo draw or per case; :data:`INPUTS` lists them) and a
:class:`~coercive.policy.constants.MappingConstants`. :func:`scenario_inputs` flattens a
validated scenario and its draws into those arrays; :func:`map_scenario` does both. The
estimator of the constants calls :func:`payoffs` directly (``docs/mapping-api.md``).

**Units.** The target's utility unit is the value of holding power: 1.0 = losing power for
certain, now. Economic flows (shares of GDP per year) convert to it at
``1 / office_value_gdp_years`` per GDP-year. The coercer's unit is its stakes (1.0 = the value
of compliance to it). Each side's payoffs are then divided by the spread of its private
resolve so the engine runs with ``sigma = 1``.

**Time.** One model for every stream: continuous discounting at ``discount_rate``; the target
chooses now; if it resists, the coercer decides at the deadline ``T`` (or, without one,
after ``open_ended_years``), so the strike, the coercer's war and its backing down are
discounted by ``exp(-r T)``; sanctions bite from now, eroding at ``sanctions_erosion``.

Steps (``docs/model.md`` derives and sources each):

1. *Third parties choose enforcement.* Party *i* maximises
   ``P_i ln e + k_i ln(1 - e)`` (pressure to enforce against its stake in the target), so
   ``e_i = P_i / (P_i + k_i)`` with ``P_i = 1 + secondary_pressure · s · x_i +
   isolation_pressure · I``; ``I = Σ_j w_j · tie_j`` counts partners by weight, so a
   zero-weight partner changes nothing. Enforcement = trade-weighted ``e_i`` plus the
   coalition's share; leakage = 1 − enforcement.
2. *Sanctions → economy → regime.* Trade stopped costs ``trade_welfare_loss`` of its value,
   cut strategic imports the output that needs them; the regime bears ``pass_through``
   of it (little under targeted, much under comprehensive sanctions): ``c`` = share of GDP
   a year.
3. *Regime survival.* Sanctions reaching the regime cost it ``c / V`` a year and raise its
   hazard of losing power by ``sanctions_hazard · c``; a strike ends it with probability
   ``dominance · strike_regime_loss``; after compliance, further demands end it with
   probability ``dominance · (1 − assurance) · exploited_regime_loss``, discounted over
   ``exploitation_delay_years``.
4. *Sanctions persist until lifted.* In force, they continue if the coercer backs down and
   beside a strike; after compliance they are lifted with the probability that relief is
   believed (offered × delivery credibility). Threatened, they start at ``T`` only if the
   coercer executes the threat.
5. *The coercer.* ``SA = 0``; ``VA`` = stakes − carrot cost; ``WA = exp(-rT)(dominance ·
   stakes − war cost)``; ``a = −exp(-rT)`` (audience cost + the commitment of a deadline
   and of limited force used).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from coercive._errors import InputError
from coercive.policy.constants import (
    AllConstants,
    MappingConstants,
    ScorecardConstants,
    default_constants,
)
from coercive.policy.scenario import Scenario

Draws = Mapping[str, np.ndarray]
"""Monte Carlo draws of the uncertain inputs: field path -> array with one value per draw."""

PAYOFFS: tuple[str, ...] = ("SA", "VA", "CB", "WA", "WB", "a", "VB")

TIES = {"maintained": 0.0, "downgraded": 0.5, "cut": 1.0}
"""Numeric value of a third party's ties with the target in the isolation index."""

INPUTS: dict[str, str] = {
    # economy
    "export_share": "exports / GDP",
    "import_share": "imports / GDP",
    "strategic_dependence": "share of GDP that needs strategic imports (oil)",
    # sanctions
    "sanctions_on": "1 if there are sanctions (kind targeted or comprehensive), else 0",
    "comprehensive": "1 if comprehensive sanctions, 0 if targeted or none",
    "threatened": "1 if the sanctions are only threatened (imposed if the threat is executed)",
    "pass_through_given": "1 if the case codes its own pass_through, else 0 (constant by kind)",
    "pass_through": "the coded pass-through (used only where pass_through_given = 1)",
    "export_coverage": "share of exports banned",
    "import_coverage": "share of imports banned",
    "strategic_cut": "cut in strategic imports, share",
    "secondary": "strength of secondary sanctions, 0-1",
    "coalition_enforcement": "share of the sanctioned trade stopped outside listed parties",
    # third parties: 2-D arrays (rows, parties); pad with zeros (a zero-trade, zero-weight
    # party changes nothing)
    "party_trade": "(rows, parties) share of the target's trade with each party",
    "party_weight": "(rows, parties) weight of each party in the isolation index",
    "party_ties": "(rows, parties) ties: 0 maintained, 0.5 downgraded, 1 cut",
    "party_exposure": "(rows, parties) exposure to secondary sanctions, 0-1",
    "party_stake": "(rows, parties) stake in the target (>= 0)",
    # demand
    "value_per_year": "value of what is given up, share of GDP per year",
    "power_given_up": "probability that complying ends the regime",
    "exploited_regime_loss": "probability of losing power if exploited after complying",
    "value_to_coercer": "stakes of the coercer",
    # threat
    "force": "1 if the threat is a strike, 0 if it is the (threatened) sanctions",
    "escalation_dominance": "0-1",
    "coercer_war_cost": "stakes",
    "backdown_cost": "stakes (audience and reputation)",
    "strike_regime_loss": "probability a strike by a dominant coercer ends the regime",
    "strike_damage": "economic damage of a strike, share of one year's GDP",
    "limited_force": "1 if limited force was already used",
    # deadline
    "has_deadline": "1 if there is a deadline",
    "deadline_years": "deadline in years (used only where has_deadline = 1)",
    "deadline_public": "1 if the deadline is public",
    # assurance, inducements
    "assurance": "belief that compliance brings no further demands, 0-1",
    "relief_offered": "1 if sanctions relief is offered on compliance",
    "delivery": "belief that promised carrots (relief included) are delivered, 0-1",
    "compensation": "share of GDP per year paid on compliance",
    "compensation_years": "years of compensation",
    "other_carrots": "share of one year's GDP, one-off",
    "carrot_cost": "cost of the carrots to the coercer, stakes",
}
"""The flat inputs of :func:`payoffs`: name -> meaning. Every name is required."""

_PARTY_INPUTS = ("party_trade", "party_weight", "party_ties", "party_exposure", "party_stake")


# ----------------------------------------------------------------------------------------
# Constants in force
# ----------------------------------------------------------------------------------------


def constants() -> AllConstants:
    """The constants in force: the defaults file, or the calibration in force.

    If :mod:`coercive.policy.calibration` defines ``in_force()`` (returning
    :class:`AllConstants`), that decides; otherwise its ``CALIBRATED`` mapping (name ->
    value) overrides the defaults. An unknown name is refused with one line.
    """
    try:
        calibration = importlib.import_module("coercive.policy.calibration")
    except ModuleNotFoundError as exc:
        if exc.name != "coercive.policy.calibration":
            raise
        return default_constants()
    in_force = getattr(calibration, "in_force", None)
    if callable(in_force):
        const = in_force()
        if not isinstance(const, AllConstants):
            raise TypeError("coercive.policy.calibration.in_force() must return AllConstants")
        return const
    calibrated: Mapping[str, float] = getattr(calibration, "CALIBRATED", {}) or {}
    if not calibrated:
        return default_constants()
    return default_constants().replace(
        calibrated, source="defaults-v1 + coercive.policy.calibration.CALIBRATED"
    )


# ----------------------------------------------------------------------------------------
# The model: flat arrays + constants -> payoffs
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapped:
    """Payoffs of the game (utility units, sigma = 1) and the quantities behind them.

    Every array has one entry per row (draw or case). ``parts`` holds named intermediate
    quantities on the target's scale (value of office) or the coercer's (stakes), before
    division by the resolve spreads, plus the pressure quantities (shares).
    """

    SA: np.ndarray
    VA: np.ndarray
    CB: np.ndarray
    WA: np.ndarray
    WB: np.ndarray
    a: np.ndarray
    VB: np.ndarray
    parts: dict[str, np.ndarray]

    @property
    def n(self) -> int:
        return int(self.SA.shape[0])

    def payoffs(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in PAYOFFS}


def annuity(rate: float | np.ndarray, years: np.ndarray | float) -> np.ndarray:
    """Present value of 1 per year for ``years`` years, continuous discounting at ``rate``.

    ``years`` may be ``inf`` (then ``1 / rate``); ``rate`` must be > 0 where years is inf.
    """
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    safe = np.where(rate > 0, rate, 1.0)
    return np.where(rate > 0, -np.expm1(-safe * years) / safe, years)


def _rows(inputs: Mapping[str, object]) -> int:
    sizes = {np.shape(value)[0] for value in inputs.values() if np.ndim(value) >= 1}
    if len(sizes) > 1:
        raise InputError(f"payoffs: inputs have different numbers of rows {sorted(sizes)}")
    return sizes.pop() if sizes else 1


def _column(inputs: Mapping[str, object], name: str, n: int) -> np.ndarray:
    try:
        value = inputs[name]
    except KeyError:
        raise InputError(f"payoffs: missing input {name!r}; allowed: see mapping.INPUTS") from None
    array = np.asarray(value, dtype=float)
    if array.ndim > 1:
        raise InputError(f"payoffs: input {name!r} must be one value per row")
    return np.broadcast_to(array, (n,))


def _parties(inputs: Mapping[str, object], n: int) -> dict[str, np.ndarray]:
    arrays = {}
    for name in _PARTY_INPUTS:
        if name not in inputs:
            raise InputError(f"payoffs: missing input {name!r}; allowed: see mapping.INPUTS")
        array = np.asarray(inputs[name], dtype=float)
        if array.ndim == 1 and array.shape[0] == 0:
            array = np.zeros((n, 0))
        if array.ndim == 1:
            array = array[None, :]
        arrays[name] = array
    width = {array.shape[1] for array in arrays.values()}
    if len(width) > 1:
        raise InputError(f"payoffs: party inputs have different numbers of parties {width}")
    return {name: np.broadcast_to(array, (n, array.shape[1])) for name, array in arrays.items()}


def enforcement_choice(
    stake: np.ndarray,
    exposure: np.ndarray,
    secondary: np.ndarray,
    isolation: np.ndarray,
    const: MappingConstants,
) -> np.ndarray:
    """Each third party's chosen enforcement ``P / (P + stake)`` (step 1).

    ``P = 1 + secondary_pressure · secondary · exposure + isolation_pressure · isolation``
    is its pressure to enforce; the optimum of ``P ln e + stake ln(1 − e)``. Arrays broadcast
    (rows, parties) against (rows, 1).
    """

    def per_row(value: float | np.ndarray) -> np.ndarray:
        # a constant given per row (parameter draws) must broadcast over the parties
        array = np.asarray(value, dtype=float)
        return array[:, None] if array.ndim == 1 else array

    pressure = (
        1.0
        + per_row(const.secondary_pressure) * secondary * exposure
        + per_row(const.isolation_pressure) * isolation
    )
    return pressure / (pressure + stake)


def payoffs(inputs: Mapping[str, object], const: MappingConstants) -> Mapped:
    """The seven payoffs (sigma = 1) for every row of ``inputs`` under ``const`` (steps 1–5).

    Pure and vectorized: ``inputs`` maps each name of :data:`INPUTS` to an array with one
    value per row (scalars broadcast; the ``party_*`` inputs are (rows, parties)). Smooth in
    every constant. Non-finite payoffs are refused (InputError naming the payoff).
    """
    n = _rows({k: v for k, v in inputs.items() if k not in _PARTY_INPUTS})

    def col(name: str) -> np.ndarray:
        return _column(inputs, name, n)

    parties = _parties(inputs, n)
    r = const.discount_rate
    w = 1.0 / const.office_value_gdp_years  # value of office per GDP-year

    # step 1: third parties choose enforcement; isolation counts partners by weight
    secondary = col("secondary")
    isolation = np.sum(parties["party_weight"] * parties["party_ties"], axis=1)
    chosen = enforcement_choice(
        parties["party_stake"],
        parties["party_exposure"],
        secondary[:, None],
        isolation[:, None],
        const,
    )
    trade = parties["party_trade"]
    listed = np.sum(trade, axis=1)
    enforcement = np.sum(trade * chosen, axis=1) + (1.0 - listed) * col("coalition_enforcement")

    # step 2: sanctions -> economy -> regime (share of GDP per year)
    on = col("sanctions_on")
    stopped = enforcement * on
    export_loss = const.trade_welfare_loss * col("export_share") * col("export_coverage") * stopped
    import_loss = const.trade_welfare_loss * col("import_share") * col("import_coverage") * stopped
    strategic_loss = col("strategic_dependence") * col("strategic_cut") * stopped
    economy_loss = np.minimum(export_loss + import_loss + strategic_loss, 1.0)
    comprehensive = col("comprehensive")
    by_kind = on * (
        comprehensive * const.pass_through_comprehensive
        + (1.0 - comprehensive) * const.pass_through_targeted
    )
    given = col("pass_through_given")
    pass_through = given * on * col("pass_through") + (1.0 - given) * by_kind
    regime_cost = economy_loss * pass_through

    # time: when the coercer decides
    has_deadline = col("has_deadline")
    years = has_deadline * col("deadline_years") + (1.0 - has_deadline) * const.open_ended_years
    at_decision = np.exp(-r * years)

    # step 3: regime survival. A sanctions stream c·exp(-erosion t) costs the regime c/V a
    # year and adds sanctions_hazard·c to its hazard of losing power; to first order in the
    # hazard its present value is c (w + sanctions_hazard) / (r + erosion).
    flow_value = w + const.sanctions_hazard
    sanctions_stream = regime_cost * flow_value * annuity(r + const.sanctions_erosion, np.inf)
    threatened = col("threatened")
    relief_believed = col("relief_offered") * col("delivery")
    # step 4: sanctions persist until lifted
    sanctions_resist_backdown = (1.0 - threatened) * sanctions_stream
    sanctions_resist_strike = (1.0 - threatened) * sanctions_stream + threatened * (
        at_decision * sanctions_stream
    )
    sanctions_after_compliance = (1.0 - threatened) * (1.0 - relief_believed) * sanctions_stream

    # the demand: what complying gives up (value of office units)
    value_given_up = w * col("value_per_year") * annuity(r, np.inf) + col("power_given_up")
    dominance = col("escalation_dominance")
    assurance = col("assurance")
    exploitation_weight = dominance * (1.0 - assurance)
    further_demands = (
        np.exp(-r * const.exploitation_delay_years)
        * exploitation_weight
        * col("exploited_regime_loss")
    )
    delivery = col("delivery")
    compensation_value = col("compensation") * annuity(r, col("compensation_years"))
    carrots_expected = delivery * w * (compensation_value + col("other_carrots"))
    comply = -value_given_up + carrots_expected - further_demands - sanctions_after_compliance

    force = col("force")
    strike_regime = at_decision * force * dominance * col("strike_regime_loss")
    strike_damage = at_decision * force * dominance * w * col("strike_damage")
    # a strike by a dominant coercer also takes what was demanded (the aim defeated)
    aim_defeated = at_decision * force * dominance * w * col("value_per_year") * annuity(r, np.inf)
    backdown_b = -sanctions_resist_backdown
    strike_b = -sanctions_resist_strike - strike_regime - strike_damage - aim_defeated

    # step 5: the coercer (stakes), discounted the same way
    stakes = col("value_to_coercer")
    carrot_cost = col("carrot_cost")
    war_cost = col("coercer_war_cost")
    # What an assurance costs the coercer on compliance (the design's accounting, docs/model.md
    # §6): the same dominance-weighted later demand the target loses with (1 - assurance),
    # valued at the coercer's stakes and discounted over the same delay. Not in VA (below).
    forgone_demands = (
        np.exp(-r * const.exploitation_delay_years) * dominance * assurance * stakes
    )
    public = col("deadline_public")
    commitment = has_deadline * (
        public * const.public_deadline_commitment
        + (1.0 - public) * const.private_deadline_commitment
    )
    force_commitment = col("limited_force") * const.limited_force_commitment
    backdown_cost = col("backdown_cost") + commitment + force_commitment

    spread_b = const.target_resolve_spread
    spread_a = const.coercer_resolve_spread
    result = {
        "SA": np.zeros(n),
        "VA": (stakes - carrot_cost) / spread_a,
        "CB": comply / spread_b,
        "WA": at_decision * (dominance * stakes - war_cost) / spread_a,
        "WB": strike_b / spread_b,
        "a": -at_decision * backdown_cost / spread_a,
        "VB": backdown_b / spread_b,
    }
    for name, values in result.items():
        if not np.all(np.isfinite(values)):
            raise InputError(f"payoffs: {name} is not finite; check the inputs and constants")
    parts = {
        "enforcement": enforcement,
        "leakage": 1.0 - enforcement,
        "isolation": isolation,
        "party_enforcement": chosen,
        "export_loss": export_loss,
        "import_loss": import_loss,
        "strategic_import_loss": strategic_loss,
        "economy_loss": economy_loss,
        "pass_through": pass_through,
        "regime_cost": regime_cost,
        "sanctions_hazard": const.sanctions_hazard * regime_cost,
        "sanctions_stream": sanctions_stream,
        "sanctions_until_resolution": sanctions_resist_backdown,
        "sanctions_after_compliance": sanctions_after_compliance,
        "sanctions_beside_strike": sanctions_resist_strike,
        "relief_value": (1.0 - threatened) * relief_believed * sanctions_stream,
        "horizon_years": years,
        "strike_discount": at_decision,
        "value_given_up": value_given_up,
        "carrots_expected": carrots_expected,
        "compensation_value": compensation_value,
        "further_demands": further_demands,
        "exploitation_weight": exploitation_weight,
        "comply_total": comply,
        "strike_regime": strike_regime,
        "strike_damage": strike_damage,
        "aim_defeated": aim_defeated,
        "escalation_dominance": dominance,
        "assurance": assurance,
        "delivery": delivery,
        "backdown_cost": backdown_cost,
        "coercer_war_cost": war_cost,
        "forgone_demands": forgone_demands,
        "stakes": stakes,
    }
    return Mapped(parts=parts, **result)


# ----------------------------------------------------------------------------------------
# Scenario -> flat inputs
# ----------------------------------------------------------------------------------------


def _get(draws: Draws, path: str, n: int) -> np.ndarray:
    try:
        values = draws[path]
    except KeyError:
        raise KeyError(f"no draws for {path!r}") from None
    return np.broadcast_to(np.asarray(values, dtype=float), (n,))


def scenario_inputs(scenario: Scenario, draws: Draws) -> dict[str, np.ndarray]:
    """The flat inputs of :func:`payoffs` for a scenario and its Monte Carlo draws."""
    n = int(np.shape(next(iter(draws.values())))[0]) if draws else 1
    inst = scenario.instruments
    sanctions = inst.sanctions
    threat = inst.threat
    parties = scenario.actors.third_parties

    def get(path: str) -> np.ndarray:
        return _get(draws, path, n)

    def flag(value: bool) -> np.ndarray:
        return np.full(n, 1.0 if value else 0.0)

    def party_column(values: list[np.ndarray]) -> np.ndarray:
        return np.stack(values, axis=1) if values else np.zeros((n, 0))

    prefix = "actors.third_parties"
    inputs: dict[str, np.ndarray] = {
        "export_share": get("economy.export_share"),
        "import_share": get("economy.import_dependence"),
        "strategic_dependence": get("economy.strategic_import_dependence"),
        "sanctions_on": flag(sanctions.kind != "none"),
        "comprehensive": flag(sanctions.kind == "comprehensive"),
        "threatened": flag(sanctions.status == "threatened"),
        "pass_through_given": flag(sanctions.pass_through is not None),
        "pass_through": (
            get("instruments.sanctions.pass_through")
            if sanctions.pass_through is not None
            else np.zeros(n)
        ),
        "export_coverage": get("instruments.sanctions.export_coverage"),
        "import_coverage": get("instruments.sanctions.import_coverage"),
        "strategic_cut": get("instruments.sanctions.strategic_import_cut"),
        "secondary": get("instruments.sanctions.secondary"),
        "coalition_enforcement": get("instruments.sanctions.coalition_enforcement"),
        "party_trade": party_column([np.full(n, p.trade_share) for p in parties]),
        "party_weight": party_column(
            [np.full(n, p.trade_share if p.weight is None else p.weight) for p in parties]
        ),
        "party_ties": party_column([np.full(n, TIES[p.ties]) for p in parties]),
        "party_exposure": party_column([np.full(n, p.secondary_exposure) for p in parties]),
        "party_stake": party_column(
            [get(f"{prefix}.{i}.stake_in_target") for i in range(len(parties))]
        ),
        "value_per_year": get("demand.value_per_year"),
        "power_given_up": get("demand.power_given_up"),
        "exploited_regime_loss": get("demand.exploited_regime_loss"),
        "value_to_coercer": get("demand.value_to_coercer"),
        "force": flag(threat.kind == "force"),
        "escalation_dominance": get("instruments.threat.escalation_dominance"),
        "coercer_war_cost": get("instruments.threat.coercer_war_cost"),
        "backdown_cost": get("instruments.threat.backdown_cost"),
        "strike_regime_loss": get("instruments.threat.strike_regime_loss"),
        "strike_damage": get("instruments.threat.strike_damage"),
        "limited_force": flag(threat.limited_force_used),
        "has_deadline": flag(inst.deadline.months is not None),
        "deadline_years": np.full(
            n, 0.0 if inst.deadline.months is None else inst.deadline.months / 12.0
        ),
        "deadline_public": flag(inst.deadline.public),
        "assurance": get("instruments.assurance.credibility"),
        "relief_offered": flag(inst.inducements.sanctions_relief),
        "delivery": get("instruments.inducements.delivery_credibility"),
        "compensation": get("instruments.inducements.compensation"),
        "compensation_years": np.full(n, inst.inducements.compensation_years),
        "other_carrots": get("instruments.inducements.other"),
        "carrot_cost": get("instruments.inducements.cost_to_coercer"),
    }
    return inputs


def map_scenario(scenario: Scenario, draws: Draws, const: MappingConstants | None = None) -> Mapped:
    """Payoffs of the crisis game for every draw: :func:`scenario_inputs` + :func:`payoffs`."""
    const = const or constants().mapping
    try:
        return payoffs(scenario_inputs(scenario, draws), const)
    except InputError as exc:
        raise InputError(f"scenario {scenario.id}: {exc}") from None


def stack(mapped: list[Mapped]) -> dict[str, np.ndarray]:
    """Concatenate the payoffs of several mapped variants (rows in order) for one engine call."""
    return {name: np.concatenate([getattr(item, name) for item in mapped]) for name in PAYOFFS}


__all__ = [
    "AllConstants",
    "INPUTS",
    "MappingConstants",
    "Mapped",
    "PAYOFFS",
    "ScorecardConstants",
    "TIES",
    "annuity",
    "constants",
    "enforcement_choice",
    "map_scenario",
    "payoffs",
    "scenario_inputs",
    "stack",
]
