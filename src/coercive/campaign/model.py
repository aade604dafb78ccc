"""The dynamic campaign model: inputs from the policy mapping, the game, the trajectories.

``campaign_inputs`` maps every phase of a campaign, at every rung of the sanctions ladder,
with the policy mapping (``coercive.policy.mapping.payoffs``; the same Monte Carlo draws at
every rung and, through the seeded field streams, in every phase), and writes each player's
stage payoffs as coefficients of the month's erosion factors. ``simulate`` solves the game
of ``coercive.campaign.game`` for every draw and integrates both players' types out into the
reported trajectories. Derivations and sources: ``docs/campaign.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coercive._errors import InputError
from coercive.campaign import game
from coercive.campaign.schema import Campaign
from coercive.policy.constants import AllConstants
from coercive.policy.mapping import constants as constants_in_force
from coercive.policy.mapping import payoffs, scenario_inputs
from coercive.policy.montecarlo import _stream, draw, sample_inputs

MONTH = 1.0 / 12.0
EXTRA_MONTHS = 60
"""Months solved beyond the reported horizon (the last phase continues); after them the
coercer has backed down (its audience cost paid) and the sanctions stay. Measured on
dprk-2017-2018 (10,000 draws): 60 instead of 120 extra months moves no reported mean by more
than 0.01 (docs/campaign.md §5), at 60% of the cost."""
TYPE_NODES = 16  # Gauss-Hermite nodes for the target's private resolve e_B ~ N(0, 1)
COERCER_NODES = 8  # Gauss-Hermite nodes for the coercer's private resolve z ~ N(0, 2)
SANCTIONS_PRICE = 0.1
"""The coercer's own cost of sanctioning, stakes per target-GDP-year of economy loss they
cause: the prior of ``coercive design`` (docs/design.md §2: senders bear a small fraction of
the target's loss, the direction of Hufbauer et al. 2007's cost-to-sender codings)."""
RUNG_NAMES = ("none", "targeted", "comprehensive", "comprehensive + full secondary")


def coded_rung(kind: str) -> int:
    """The phase's coded place on the ladder (its coded secondary strength is kept)."""
    return {"none": 0, "targeted": 1, "comprehensive": 2}[kind]


def _rung_inputs(inputs: dict[str, np.ndarray], rung: int) -> dict[str, np.ndarray]:
    """The mapping's inputs at a rung: the kind (and, at the top, full secondary sanctions)
    changed, the coded coverages, status and everything else as coded."""
    out = dict(inputs)
    n = np.shape(inputs["value_per_year"])[0]
    out["sanctions_on"] = np.full(n, 0.0 if rung == 0 else 1.0)
    out["comprehensive"] = np.full(n, 1.0 if rung >= 2 else 0.0)
    if rung == 3:
        out["secondary"] = np.ones(n)
    return out


@dataclass(frozen=True)
class Inputs:
    """Coefficients of the game (see ``coercive.campaign.game``) and what the report needs."""

    rung_coefs: np.ndarray  # (draws, phases, rungs, RUNG_COEFS)
    phase_coefs: np.ndarray  # (draws, phases, PHASE_COEFS)
    phase: np.ndarray  # (months,) phase of each month
    e0: np.ndarray  # (months,) erosion factor at the start of each month
    e1: np.ndarray  # (months,) at its end
    e_end: float
    deadline: np.ndarray  # (months,) bool: a deadline falls due in the month
    hazard: np.ndarray  # (months,) probability of a strike opportunity
    reset: np.ndarray  # (months + 1,) the coded rung where a phase starts, else -1
    divisible: bool
    delta: float
    # for the report, per (draws, phases, rungs): yearly shares of GDP
    regime_cost: np.ndarray
    economy_loss: np.ndarray
    # per (draws, phases)
    relief: np.ndarray  # rho: relief believed on full compliance
    share: np.ndarray  # the first step's share of the demand (0 if indivisible)
    carrot_cost: np.ndarray  # stakes, paid on full compliance
    war_cost: np.ndarray  # stakes, on execution
    strike_regime: np.ndarray  # P(the regime falls) from a strike
    strike_damage: np.ndarray  # GDP-years destroyed by a strike
    exploitation: np.ndarray  # P(regime falls from further demands) over the delay
    sanctions_hazard: float
    exploitation_years: float
    sanctions_price: float

    @property
    def draws(self) -> int:
        return int(self.rung_coefs.shape[0])


def campaign_inputs(
    campaign: Campaign,
    draws: int | None = None,
    seed: int | None = None,
    const: AllConstants | None = None,
    extra: int = EXTRA_MONTHS,
    sanctions_price: float = SANCTIONS_PRICE,
) -> Inputs:
    """Map each phase at each rung and lay the game's coefficients on the month grid."""
    const = const or constants_in_force()
    mc = const.mapping
    r, erosion = mc.discount_rate, mc.sanctions_erosion
    base = campaign.base
    n = base.model.draws if draws is None else int(draws)
    seed = base.model.seed if seed is None else int(seed)
    if not np.isfinite(sanctions_price) or sanctions_price < 0:
        raise InputError(f"sanctions_price {sanctions_price!r}: allowed: a number >= 0")
    months = campaign.months + extra
    starts = [phase.start_month for phase in campaign.phases]
    phase_of = np.searchsorted(starts, np.arange(months), side="right") - 1
    tau = np.arange(months) * MONTH
    e0, e1 = np.exp(-erosion * tau), np.exp(-erosion * (tau + MONTH))
    P, R = len(campaign.phases), game.RUNGS
    cr = np.zeros((n, P, R, game.RUNG_COEFS))
    cp = np.zeros((n, P, game.PHASE_COEFS))
    regime_cost = np.zeros((n, P, R))
    economy_loss = np.zeros((n, P, R))
    per_phase = {
        k: np.zeros((n, P))
        for k in (
            "relief",
            "carrot_cost",
            "war_cost",
            "strike_regime",
            "strike_damage",
            "exploitation",
        )
    }
    spec = campaign.spec
    if spec.partial is None:
        share = np.zeros(n)
    else:
        share = draw(spec.partial.share, (0.0, 1.0), n, _stream(seed, "campaign.partial.share"))
    deadline = np.zeros(months, dtype=bool)
    hazard = np.zeros(months)
    reset = np.full(months + 1, -1, dtype=np.int64)
    open_hazard = 1.0 - np.exp(-MONTH / mc.open_ended_years)
    sb, sa = mc.target_resolve_spread, mc.coercer_resolve_spread
    flow_k = 1.0 - np.exp(-(r + erosion) * MONTH)  # the month's slice of a stream's value
    for index, (phase, pspec) in enumerate(zip(campaign.phases, spec.phases, strict=True)):
        scenario = phase.scenario
        inst = scenario.instruments
        flat = scenario_inputs(scenario, sample_inputs(scenario, n, seed))
        reset[phase.start_month] = coded_rung(inst.sanctions.kind)
        cols = np.flatnonzero(phase_of == index)
        if inst.deadline.months is None:
            hazard[cols] = open_hazard
        else:
            due = phase.start_month + int(np.ceil(float(inst.deadline.months))) - 1
            hazard[cols] = np.where(cols < due, 0.0, np.where(cols == due, 1.0, open_hazard))
            deadline[cols] = cols == due
        threatened = 1.0 if inst.sanctions.status == "threatened" else 0.0
        for rung in range(R):
            mapped = payoffs(_rung_inputs(flat, rung), mc)
            parts = mapped.parts
            stream = parts["sanctions_stream"]
            in_force = parts["sanctions_until_resolution"]
            after = parts["sanctions_after_compliance"]
            beside = parts["sanctions_beside_strike"]
            strike_now = (mapped.WB * sb + beside) / parts["strike_discount"]
            gf = parts["value_given_up"] + parts["further_demands"]
            carrots = parts["carrots_expected"]
            c = cr[:, index, rung]
            c[:, game.FLOW_K] = -in_force * flow_k / sb
            c[:, game.COMPLY_A] = (mapped.CB * sb + after) / sb
            c[:, game.COMPLY_B] = -after / sb
            c[:, game.WAR_A] = strike_now / sb
            c[:, game.WAR_B] = -stream / sb
            c[:, game.COMPLY1_A] = (-(1.0 - share) * gf + carrots) / sb
            loss_in_force = parts["economy_loss"] * (1.0 - threatened)
            c[:, game.AFLOW_K] = -sanctions_price * loss_in_force * MONTH / sa
            c[:, game.TERM_K] = -in_force / sb
            regime_cost[:, index, rung] = parts["regime_cost"] * (1.0 - threatened)
            economy_loss[:, index, rung] = loss_in_force
        # rung-free parts (the last rung's mapping; they do not depend on sanctions)
        commitment = 0.0  # the audience cost of letting the deadline pass (Fearon 1994)
        if inst.deadline.months is not None:
            public = inst.deadline.public
            commitment = (
                mc.public_deadline_commitment if public else mc.private_deadline_commitment
            )
        stakes, carrot_cost = parts["stakes"], flat["carrot_cost"]
        dominance, war_cost = parts["escalation_dominance"], parts["coercer_war_cost"]
        cp[:, index, game.PLUMP] = -share * gf / sb
        delivery = parts["delivery"]
        cp[:, index, game.RHO1] = float(pspec.partial_relief) * delivery
        cp[:, index, game.A_COMPLY] = (stakes - carrot_cost) / sa
        cp[:, index, game.A_PARTIAL] = share * stakes / sa
        cp[:, index, game.A_COMPLETE] = ((1.0 - share) * stakes - carrot_cost) / sa
        cp[:, index, game.A_WAR] = (dominance * stakes - war_cost) / sa
        cp[:, index, game.A_DEAD] = commitment / sa
        cp[:, index, game.A_TERM] = -(parts["backdown_cost"] - commitment) / sa
        per_phase["relief"][:, index] = parts["relief_value"] / np.where(stream > 0, stream, 1.0)
        per_phase["carrot_cost"][:, index] = carrot_cost
        per_phase["war_cost"][:, index] = war_cost
        force = 1.0 if inst.threat.kind == "force" else 0.0
        per_phase["strike_regime"][:, index] = force * dominance * flat["strike_regime_loss"]
        per_phase["strike_damage"][:, index] = force * dominance * flat["strike_damage"]
        per_phase["exploitation"][:, index] = parts["exploitation_weight"] * flat[
            "exploited_regime_loss"
        ]
    for name, value in (("rung_coefs", cr), ("phase_coefs", cp)):
        if not np.all(np.isfinite(value)):
            raise InputError(f"campaign {campaign.id}: non-finite {name} from the mapping")
    return Inputs(
        rung_coefs=cr,
        phase_coefs=cp,
        phase=phase_of,
        e0=e0,
        e1=e1,
        e_end=float(np.exp(-erosion * months * MONTH)),
        deadline=deadline,
        hazard=hazard,
        reset=reset,
        divisible=spec.partial is not None,
        delta=float(np.exp(-r * MONTH)),
        regime_cost=regime_cost,
        economy_loss=economy_loss,
        share=share,
        sanctions_hazard=float(mc.sanctions_hazard),
        exploitation_years=float(mc.exploitation_delay_years),
        sanctions_price=float(sanctions_price),
        **per_phase,
    )


def type_nodes() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(target nodes, weights, coercer nodes, weights): N(0, 1) and N(0, 2) quadrature."""
    x, w = np.polynomial.hermite_e.hermegauss(TYPE_NODES)
    z, v = np.polynomial.hermite_e.hermegauss(COERCER_NODES)
    return x, w / w.sum(), z * np.sqrt(2.0), v / v.sum()


def solve_one(inputs: Inputs, i: int) -> dict[str, np.ndarray]:
    """Every array of draw i's solution (policies, values, beliefs): for tests."""
    x, wx, th, wth = type_nodes()
    arrays = game.scratch(inputs.e0.size, game.RUNGS, TYPE_NODES, COERCER_NODES)
    iterations = game.solve_draw(
        i, inputs.rung_coefs, inputs.phase_coefs, inputs.phase, inputs.e0, inputs.e1,
        inputs.e_end, inputs.deadline, inputs.hazard, inputs.reset, inputs.divisible,
        inputs.delta, x, wx, th, wth, *arrays.values(),
    )  # fmt: skip
    arrays["iterations"] = np.array(iterations)
    return arrays


SERIES_KEYS = game.SERIES


@dataclass(frozen=True)
class Paths:
    """Per-draw expected trajectories (draws, months), both players' types integrated out.

    complied: P(complied in full by the end of month t); partial: P(the first step taken by
    then); struck: P(threat executed by then); belief: the target's P(the coercer executes
    at an opportunity), start of month t; coercer_belief: the coercer's P(the target holds
    out to the end | it has held out); sanctions_level: the rung in force (0-3);
    escalated/relented: 1 once the coalition has raised/lowered the rung below/above the
    phase's coded one; regime_cost: expected cumulative share of one year's GDP borne by the
    regime; coercer_cost: expected cumulative cost to the coercer (stakes); regime_survival:
    P(the regime holds power at the end of month t); output: expected output (1 = trend
    level at month 0); growth: the 12 months' output to t over the 12 before, minus 1.
    """

    complied: np.ndarray
    partial: np.ndarray
    struck: np.ndarray
    belief: np.ndarray
    coercer_belief: np.ndarray
    sanctions_level: np.ndarray
    escalated: np.ndarray
    relented: np.ndarray
    regime_cost: np.ndarray
    coercer_cost: np.ndarray
    regime_survival: np.ndarray
    output: np.ndarray
    growth: np.ndarray
    phase: np.ndarray
    iterations: np.ndarray  # (draws,) see coercive.campaign.game.solve_draw

    @property
    def converged(self) -> np.ndarray:
        """The draw's game reached a fixed point with the coalition free to move the rung."""
        return (self.iterations > 0) & (self.iterations <= game.MAX_ITERATIONS)

    @property
    def rungs_held(self) -> np.ndarray:
        """No fixed point with rung moves; the fixed point with the coded rungs held."""
        return self.iterations > game.MAX_ITERATIONS


def report_coefs(inputs: Inputs) -> np.ndarray:
    rep = np.zeros((inputs.draws, inputs.relief.shape[1], game.REPORT_COEFS))
    rep[:, :, game.R_RELIEF] = inputs.relief
    rep[:, :, game.R_CARROT] = inputs.carrot_cost
    rep[:, :, game.R_WAR] = inputs.war_cost
    rep[:, :, game.R_STRIKE_REGIME] = inputs.strike_regime
    rep[:, :, game.R_DAMAGE] = inputs.strike_damage
    rep[:, :, game.R_EXPLOIT] = inputs.exploitation
    rep[:, :, game.R_SHARE] = inputs.share[:, None]
    return rep


def simulate(inputs: Inputs, months: int, trend_growth: float = 0.0) -> Paths:
    """Solve the game for every draw and integrate out both players' types."""
    x, wx, th, wth = type_nodes()
    n = inputs.draws
    out = np.zeros((n, len(game.SERIES), months))
    iterations = np.empty(n, dtype=np.int64)
    consts = np.array(
        [MONTH, inputs.sanctions_hazard, inputs.exploitation_years, inputs.sanctions_price,
         float(trend_growth)]
    )  # fmt: skip
    game.solve_all(
        inputs.rung_coefs, inputs.phase_coefs, inputs.phase, inputs.e0, inputs.e1,
        inputs.e_end, inputs.deadline, inputs.hazard, inputs.reset, inputs.divisible,
        inputs.delta, x, wx, th, wth, inputs.regime_cost, inputs.economy_loss,
        report_coefs(inputs), consts, out, iterations,
    )  # fmt: skip
    series = {name: out[:, k] for k, name in enumerate(game.SERIES)}
    return Paths(**series, phase=inputs.phase[:months], iterations=iterations)
