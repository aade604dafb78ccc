"""From a campaign's instruments to the payoffs of the Lewis–Schultz crisis game.

The coercer is player A (the challenger), the target player B (Lewis & Schultz 2003,
*Political Analysis* 11:345–367). The four outcomes and who gets what:

====  ==========================================  =========  ======
SQ    no coercion                                  ``SA``     0
CD    B complies                                   ``VA``     ``CB``
SF    B resists, A executes the threat             ``WA``     ``WB``
BD    B resists, A backs down                      ``a``      ``VB``
====  ==========================================  =========  ======

**Scale.** Each player's payoffs are divided by the spread of its own private resolve so
the engine runs with ``sigma = 1`` (a player's choices are unchanged when its payoffs and
its shocks are scaled together). The target's side is in GDP-years (a loss of 1.0 is one
year of the target's GDP to the regime) divided by ``target_resolve_spread`` (GDP-years);
the coercer's side is in stakes units (1.0 = the value of compliance to the coercer)
divided by ``coercer_resolve_spread``. So one utility unit is one standard deviation of
the player's private resolve.

Each step below names its source; ``docs/model.md`` gives the derivation in full.

1. *Sanctions → economy.* Trade stopped = coverage × enforcement, with enforcement
   weighted by the target's trade shares (leakage = 1 − enforcement); secondary sanctions
   and diplomatic isolation raise each third party's enforcement (Drezner 2000,
   *International Organization* 54:73–102 on enforcement in multilateral sanctions; the
   seed article on isolation and secondary sanctions). Lost trade costs a fraction
   ``trade_welfare_loss`` of its value (the target re-routes some of it; the cost-to-target
   measure of Hufbauer, Schott, Elliott & Oegg 2007, *Economic Sanctions Reconsidered*);
   cut strategic imports (oil) cost the output that depends on them.
2. *Economy → regime.* The regime bears a share ``pass_through`` of the loss: little under
   targeted sanctions, whose cost the regime shifts to the public; much under comprehensive
   ones, which cut the economy as a whole (the seed article; Pape 1997, *International
   Security* 22(2):90–136; Drezner 2011, *International Studies Review* 13:96–108).
3. *Time.* The sanctions cost accrues until the deadline (or, with none, over an
   open-ended horizon), discounted and eroding as the target adapts; the strike comes at
   the deadline and is discounted to today, so a short deadline makes the threat urgent
   (Jakobsen 1998; George 1991, *Forceful Persuasion*).
4. *Target.* ``CB`` = −value given up + expected carrots − (1 − assurance) × loss from
   further demands once disarmed − sanctions left in place without a relief offer
   (issue 4; the seed article; Jakobsen's assurance and inducement conditions).
   ``VB`` = −sanctions until resolution; ``WB`` = ``VB`` − discounted strike cost, which
   rises with escalation dominance: the strike destroys the target's aim and damages the
   regime with probability ``escalation_dominance`` (Jakobsen's first condition).
5. *Coercer.* ``SA`` = 0; ``VA`` = value of compliance − cost of the carrots;
   ``WA`` = escalation dominance × value of compliance − war cost; ``a`` = −(audience
   and reputation cost + commitment of a public deadline + commitment of limited force
   already used) (Schelling 1966; Fearon 1994 on audience costs; issue 4: a public deadline
   raises the cost of backing down, so credibility rises).

Global constants live in :class:`MappingConstants` and are read only through
:func:`constants`, which applies calibrated values from
:mod:`coercive.policy.calibration` when that module defines ``CALIBRATED``.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from coercive._errors import InputError
from coercive.policy.scenario import Scenario

Draws = Mapping[str, np.ndarray]
"""Monte Carlo draws of the uncertain inputs: field path -> array with one value per draw."""


@dataclass(frozen=True)
class MappingConstants:
    """Global constants of the mapping, with documented defaults (``docs/model.md``).

    These are model constants, not case facts: the same values apply to every case. They
    may be calibrated on the historical case library (``coercive.policy.calibration``).
    """

    # --- sanctions -> economy -> regime ------------------------------------------------
    trade_welfare_loss: float = 0.5
    """GDP lost per unit of trade value stopped (the rest is re-routed or substituted)."""
    pass_through_targeted: float = 0.15
    """Share of the economy-wide loss borne by the regime under targeted sanctions."""
    pass_through_comprehensive: float = 0.6
    """Share of the economy-wide loss borne by the regime under comprehensive sanctions."""
    isolation_enforcement: float = 0.5
    """How much full diplomatic isolation closes a third party's enforcement gap."""
    sanctions_erosion: float = 0.25
    """Per year: rate at which the bite of sanctions decays as the target adapts."""
    unrelieved_share: float = 0.5
    """Share of the open-ended sanctions stream the target expects to keep paying after
    complying when no relief is offered (or the offer is not believed)."""
    # --- time ----------------------------------------------------------------------------
    discount_rate: float = 0.2
    """Per year: the regime's discount rate (costs later weigh less)."""
    open_ended_years: float = 3.0
    """Without a deadline: the expected time until the coercer decides to strike or not."""
    # --- scales --------------------------------------------------------------------------
    target_resolve_spread: float = 1.0
    """GDP-years: standard deviation of the target's private resolve (sigma on its side)."""
    coercer_resolve_spread: float = 1.0
    """Stakes units: standard deviation of the coercer's private resolve."""
    # --- commitment --------------------------------------------------------------------
    public_deadline_commitment: float = 0.5
    """Stakes units added to the coercer's cost of backing down by a public deadline."""
    private_deadline_commitment: float = 0.1
    """Same for a deadline conveyed privately or only implied."""
    limited_force_commitment: float = 0.5
    """Same for limited force already used (resolve demonstrated, reputation engaged)."""

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(item.name for item in dataclasses.fields(cls))


@dataclass(frozen=True)
class ScorecardConstants:
    """Thresholds for Jakobsen's conditions and the 'met' levels used in counterfactuals."""

    threat_met: float = 0.5
    """Threat potency (credibility × escalation dominance) at or above which it is met."""
    threat_partial: float = 0.25
    threat_met_dominance: float = 0.9
    """Counterfactual 'met' threat: escalation dominance at least this ..."""
    threat_met_war_cost: float = 0.25
    """... and a coercer war cost at most this (stakes): quick victory at little cost."""
    deadline_met_months: float = 12.0
    """A public deadline of at most this many months is met; a longer or private one partial."""
    deadline_counterfactual_months: float = 6.0
    assurance_met: float = 0.7
    assurance_partial: float = 0.4
    assurance_counterfactual: float = 0.9
    inducement_met: float = 0.5
    """Carrots (expected, incl. relief) worth at least this share of what is given up: met."""
    inducement_partial: float = 0.2
    inducement_counterfactual_cover: float = 0.75
    """Counterfactual 'met' inducement: relief offered, delivery credibility at least
    ``assurance_counterfactual``, and compensation worth this share of what is given up."""
    binding_min_gain: float = 0.005
    """Below this gain in compliance no condition is called binding."""


@dataclass(frozen=True)
class AllConstants:
    mapping: MappingConstants = field(default_factory=MappingConstants)
    scorecard: ScorecardConstants = field(default_factory=ScorecardConstants)


def constants() -> AllConstants:
    """The constants in force: defaults, updated by ``coercive.policy.calibration.CALIBRATED``.

    ``CALIBRATED`` is a mapping from a field name of :class:`MappingConstants` or
    :class:`ScorecardConstants` to a number; an unknown name is an error.
    """
    try:
        calibration = importlib.import_module("coercive.policy.calibration")
    except ModuleNotFoundError as exc:
        if exc.name != "coercive.policy.calibration":
            raise
        return AllConstants()
    calibrated: Mapping[str, float] = getattr(calibration, "CALIBRATED", {}) or {}
    mapping_names = set(MappingConstants.names())
    scorecard_names = {item.name for item in dataclasses.fields(ScorecardConstants)}
    unknown = sorted(set(calibrated) - mapping_names - scorecard_names)
    if unknown:
        raise InputError(f"coercive.policy.calibration.CALIBRATED: unknown constant {unknown[0]!r}")
    return AllConstants(
        mapping=MappingConstants(
            **{k: float(v) for k, v in calibrated.items() if k in mapping_names}
        ),
        scorecard=ScorecardConstants(
            **{k: float(v) for k, v in calibrated.items() if k in scorecard_names}
        ),
    )


# ----------------------------------------------------------------------------------------
# The mapped scenario
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapped:
    """Payoffs of the game (utility units, sigma = 1) and the quantities behind them.

    Every array has one entry per Monte Carlo draw. Quantities named ``*_gdp_years`` are on
    the target's GDP-year scale; payoffs ``SA … VB`` are divided by the resolve spreads.
    """

    SA: np.ndarray
    VA: np.ndarray
    CB: np.ndarray
    WA: np.ndarray
    WB: np.ndarray
    a: np.ndarray
    VB: np.ndarray
    parts: dict[str, np.ndarray]
    """Named intermediate quantities (see :func:`map_scenario`)."""

    @property
    def n(self) -> int:
        return int(self.SA.shape[0])


def _get(draws: Draws, path: str, n: int) -> np.ndarray:
    try:
        values = draws[path]
    except KeyError:
        raise KeyError(f"no draws for {path!r}") from None
    return np.broadcast_to(np.asarray(values, dtype=float), (n,))


def annuity(rate: float, years: np.ndarray | float) -> np.ndarray:
    """Present value of 1 per year for ``years`` years, continuous discounting at ``rate``."""
    years = np.asarray(years, dtype=float)
    if rate <= 0:
        return years
    return -np.expm1(-rate * years) / rate


def economic_pressure(
    scenario: Scenario, draws: Draws, n: int, const: MappingConstants
) -> dict[str, np.ndarray]:
    """The regime's sanctions cost per year and its parts (steps 1–2 of the module doc)."""
    sanctions = scenario.instruments.sanctions
    parties = scenario.actors.third_parties
    zeros = np.zeros(n)
    secondary = _get(draws, "instruments.sanctions.secondary", n)
    # isolation: share of listed third parties that cut (1) or downgraded (1/2) their ties
    if parties:
        weights = {"cut": 1.0, "downgraded": 0.5, "maintained": 0.0}
        isolation = sum(weights[party.ties] for party in parties) / len(parties)
    else:
        isolation = 0.0
    enforced_trade = zeros.copy()
    listed_share = 0.0
    for party in parties:
        base = (
            _get(draws, f"instruments.sanctions.enforcement.{party.name}", n)
            if party.name in sanctions.enforcement
            else zeros
        )
        # secondary sanctions and isolation each close part of the remaining enforcement gap
        gap = (
            (1.0 - base)
            * (1.0 - secondary * party.secondary_exposure)
            * (1.0 - const.isolation_enforcement * isolation)
        )
        enforced_trade = enforced_trade + party.trade_share * (1.0 - gap)
        listed_share += party.trade_share
    coalition = _get(draws, "instruments.sanctions.coalition_enforcement", n)
    enforcement = enforced_trade + (1.0 - listed_share) * coalition
    enforcement = np.clip(enforcement, 0.0, 1.0)

    economy = "economy"
    export_share = _get(draws, f"{economy}.export_share", n)
    import_share = _get(draws, f"{economy}.import_dependence", n)
    strategic = _get(draws, f"{economy}.strategic_import_dependence", n)
    if sanctions.kind == "none":
        export_loss = import_loss = strategic_loss = zeros
        pass_through = zeros
    else:
        export_cov = _get(draws, "instruments.sanctions.export_coverage", n)
        import_cov = _get(draws, "instruments.sanctions.import_coverage", n)
        strategic_cut = _get(draws, "instruments.sanctions.strategic_import_cut", n)
        export_loss = const.trade_welfare_loss * export_share * export_cov * enforcement
        import_loss = const.trade_welfare_loss * import_share * import_cov * enforcement
        strategic_loss = strategic * strategic_cut * enforcement
        if sanctions.pass_through is not None:
            pass_through = _get(draws, "instruments.sanctions.pass_through", n)
        elif sanctions.kind == "comprehensive":
            pass_through = np.full(n, const.pass_through_comprehensive)
        else:
            pass_through = np.full(n, const.pass_through_targeted)
    economy_loss = np.minimum(export_loss + import_loss + strategic_loss, 1.0)
    regime_cost = economy_loss * pass_through
    return {
        "enforcement": enforcement,
        "leakage": 1.0 - enforcement,
        "isolation": np.full(n, isolation),
        "export_loss": export_loss,
        "import_loss": import_loss,
        "strategic_import_loss": strategic_loss,
        "economy_loss": economy_loss,
        "pass_through": pass_through,
        "regime_cost": regime_cost,
    }


def map_scenario(scenario: Scenario, draws: Draws, const: MappingConstants | None = None) -> Mapped:
    """Payoffs of the crisis game for every draw (steps 1–5 of the module doc)."""
    const = const or constants().mapping
    n = int(next(iter(draws.values())).shape[0]) if draws else 1
    inst = scenario.instruments
    pressure = economic_pressure(scenario, draws, n, const)
    regime_cost = pressure["regime_cost"]

    # step 3: time. A deadline fixes when the coercer decides; without one the decision is
    # expected after an open-ended horizon.
    years = (
        inst.deadline.months / 12.0 if inst.deadline.months is not None else const.open_ended_years
    )
    rho = const.discount_rate
    sanctions_until_resolution = regime_cost * annuity(rho + const.sanctions_erosion, years)
    sanctions_open_ended = regime_cost * annuity(rho + const.sanctions_erosion, np.inf)
    strike_discount = float(np.exp(-rho * years))

    # step 4: the target (GDP-years)
    value_given_up = _get(draws, "demand.value_to_target", n)
    loss_if_exploited = _get(draws, "demand.loss_if_exploited", n)
    assurance = _get(draws, "instruments.assurance.credibility", n)
    delivery = _get(draws, "instruments.inducements.delivery_credibility", n)
    compensation = _get(draws, "instruments.inducements.compensation", n)
    other_carrots = _get(draws, "instruments.inducements.other", n)
    compensation_value = compensation * annuity(rho, inst.inducements.compensation_years)
    carrots_expected = delivery * (compensation_value + other_carrots)
    relief_believed = delivery if inst.inducements.sanctions_relief else np.zeros(n)
    sanctions_after_compliance = (
        const.unrelieved_share * sanctions_open_ended * (1.0 - relief_believed)
    )
    further_demands = (1.0 - assurance) * loss_if_exploited
    comply_gdp = -value_given_up + carrots_expected - further_demands - sanctions_after_compliance

    dominance = _get(draws, "instruments.threat.escalation_dominance", n)
    target_war_cost = _get(draws, "instruments.threat.target_war_cost", n)
    strike_damage = strike_discount * dominance * target_war_cost
    aim_defeated = strike_discount * dominance * value_given_up
    backdown_gdp = -sanctions_until_resolution
    strike_gdp = backdown_gdp - strike_damage - aim_defeated

    # step 5: the coercer (stakes units)
    stakes = _get(draws, "demand.value_to_coercer", n)
    carrot_cost = _get(draws, "instruments.inducements.cost_to_coercer", n)
    war_cost = _get(draws, "instruments.threat.coercer_war_cost", n)
    audience = _get(draws, "instruments.threat.backdown_cost", n)
    if inst.deadline.months is None:
        deadline_commitment = 0.0
    elif inst.deadline.public:
        deadline_commitment = const.public_deadline_commitment
    else:
        deadline_commitment = const.private_deadline_commitment
    force_commitment = const.limited_force_commitment if inst.threat.limited_force_used else 0.0
    backdown_cost = audience + deadline_commitment + force_commitment

    spread_b = const.target_resolve_spread
    spread_a = const.coercer_resolve_spread
    payoffs = {
        "SA": np.zeros(n),
        "VA": (stakes - carrot_cost) / spread_a,
        "CB": comply_gdp / spread_b,
        "WA": (dominance * stakes - war_cost) / spread_a,
        "WB": strike_gdp / spread_b,
        "a": -backdown_cost / spread_a,
        "VB": backdown_gdp / spread_b,
    }
    for name, values in payoffs.items():
        if not np.all(np.isfinite(values)):
            raise InputError(f"scenario {scenario.id}: payoff {name} is not finite; check inputs")
    parts = dict(pressure)
    parts.update(
        sanctions_until_resolution=sanctions_until_resolution,
        sanctions_open_ended=sanctions_open_ended,
        horizon_years=np.full(n, years),
        strike_discount=np.full(n, strike_discount),
        value_given_up=value_given_up,
        carrots_expected=carrots_expected,
        compensation_value=compensation_value,
        further_demands=further_demands,
        sanctions_after_compliance=sanctions_after_compliance,
        comply_gdp_years=comply_gdp,
        strike_damage=strike_damage,
        aim_defeated=aim_defeated,
        escalation_dominance=dominance,
        assurance=assurance,
        delivery=delivery,
        relief_value=const.unrelieved_share * sanctions_open_ended * relief_believed,
        backdown_cost=backdown_cost,
        coercer_war_cost=war_cost,
        stakes=stakes,
    )
    return Mapped(parts=parts, **payoffs)


def stack(mapped: list[Mapped]) -> dict[str, np.ndarray]:
    """Concatenate the payoffs of several mapped variants (rows in order) for one engine call."""
    return {
        name: np.concatenate([getattr(item, name) for item in mapped])
        for name in ("SA", "VA", "CB", "WA", "WB", "a", "VB")
    }


__all__ = [
    "MappingConstants",
    "ScorecardConstants",
    "AllConstants",
    "constants",
    "Mapped",
    "map_scenario",
    "economic_pressure",
    "annuity",
    "stack",
]
