"""The dynamic campaign model: inputs from the policy mapping, the game, the trajectories.

``campaign_inputs`` maps every phase of a campaign, at every rung of the sanctions ladder,
with the policy mapping (``coercive.policy.mapping.payoffs``; the same Monte Carlo draws at
every rung and, through the seeded field streams, in every phase), and writes each player's
stage payoffs as coefficients of the month's erosion factors. ``simulate`` solves the game
of ``coercive.campaign.game`` for every draw and integrates both players' types out into the
reported trajectories. Derivations and sources: ``docs/campaign.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from coercive._errors import InputError
from coercive.campaign import game
from coercive.campaign.cost import cumulative_cost
from coercive.campaign.schema import Campaign
from coercive.policy.constants import AllConstants, MappingConstants
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
    # month grids: (months,) when every draw shares the timing (campaign_inputs), else
    # (draws, months) per row (rows_inputs)
    phase: np.ndarray  # phase of each month
    e0: np.ndarray  # (months,) erosion factor at the start of each month
    e1: np.ndarray  # (months,) at its end
    e_end: float
    deadline: np.ndarray  # bool: a deadline falls due in the month
    hazard: np.ndarray  # probability of a strike opportunity
    reset: np.ndarray  # (..., months + 1) the coded rung where a phase starts, else -1
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
    forgone: np.ndarray  # stakes the assurance gives up, on full compliance
    force: np.ndarray  # the posture's probability that the threat is a strike
    strike_cost: np.ndarray  # stakes: the strike's own cost (coercive.campaign.cost)
    threatened: np.ndarray  # 1 if the phase's sanctions are only threatened
    relief_offered: np.ndarray  # share of the sanctions lifted on full compliance
    sanctions_loss: np.ndarray  # (draws, phases, rungs) yearly economy loss, in force or not
    discount_rate: float
    erosion: float
    sanctions_hazard: float
    exploitation_years: float
    sanctions_price: float

    @property
    def draws(self) -> int:
        return int(self.rung_coefs.shape[0])


def phase_draws(campaign: Campaign, draws: int, seed: int) -> list[dict[str, np.ndarray]]:
    """Each phase's flat mapping inputs on the campaign's draws (the seeded field streams
    make a field uncertain in several phases the same draw in each: common random numbers)."""
    return [
        scenario_inputs(phase.scenario, sample_inputs(phase.scenario, draws, seed))
        for phase in campaign.phases
    ]


def coded_rungs(flat: dict[str, np.ndarray]) -> np.ndarray:
    """Each row's place on the ladder at the phase's start, from its flat inputs: none, or
    targeted / comprehensive by the (possibly fractional) ``comprehensive`` level rounded.
    The coefficients at that rung are the row's own mix exactly (see :func:`rows_inputs`)."""
    on = np.asarray(flat["sanctions_on"], dtype=float) > 0.5
    comprehensive = np.asarray(flat["comprehensive"], dtype=float) >= 0.5
    return np.where(on, np.where(comprehensive, 2, 1), 0).astype(np.int64)


def campaign_inputs(
    campaign: Campaign,
    draws: int | None = None,
    seed: int | None = None,
    const: AllConstants | None = None,
    extra: int = EXTRA_MONTHS,
    sanctions_price: float = SANCTIONS_PRICE,
) -> Inputs:
    """Map each phase at each rung and lay the game's coefficients on the month grid."""
    base = campaign.base
    n = base.model.draws if draws is None else int(draws)
    seed = base.model.seed if seed is None else int(seed)
    flats = phase_draws(campaign, n, seed)
    starts = np.array([[phase.start_month for phase in campaign.phases]], dtype=np.int64)
    mapping = (const or constants_in_force()).mapping
    inputs = rows_inputs(campaign, flats, starts, n, seed, mapping, extra, sanctions_price)
    # one timing shared by every draw: the month grids as (months,) arrays
    return replace(
        inputs, phase=inputs.phase[0], deadline=inputs.deadline[0], hazard=inputs.hazard[0],
        reset=inputs.reset[0],
    )


def rows_inputs(
    campaign: Campaign,
    flats: list[dict[str, np.ndarray]],
    starts: np.ndarray,
    per_candidate: int,
    seed: int | None = None,
    mapping: MappingConstants | None = None,
    extra: int = EXTRA_MONTHS,
    sanctions_price: float = SANCTIONS_PRICE,
    strike_costs: list[np.ndarray] | None = None,
) -> Inputs:
    """The game's coefficients of every row: ``flats[k]`` phase k's flat mapping inputs
    (rows candidate-major, ``per_candidate`` draws each, any instrument level, fractional
    ones included), ``starts`` (candidates, phases) the phase-change months (phase 0 at 0).

    The rungs the coalition may move to are the ladder's; the row's coded rung carries the
    row's own mix exactly. Month grids (phase, deadline, hazard, reset) are per row.
    ``strike_costs[k]``: the strike's own cost in phase k, if the flat inputs'
    ``coercer_war_cost`` is more than that (the design puts the whole cost of executing the
    threat there); default: ``coercer_war_cost``.
    """
    mc = mapping or constants_in_force().mapping
    r, erosion = mc.discount_rate, mc.sanctions_erosion
    seed = campaign.base.model.seed if seed is None else int(seed)
    if not np.isfinite(sanctions_price) or sanctions_price < 0:
        raise InputError(f"sanctions_price {sanctions_price!r}: allowed: a number >= 0")
    starts = np.asarray(starts, dtype=np.int64)
    P, R = len(campaign.phases), game.RUNGS
    if starts.ndim != 2 or starts.shape[1] != P or np.any(starts[:, 0] != 0) or np.any(
        np.diff(starts, axis=1) <= 0
    ):
        raise InputError(
            f"campaign {campaign.id}: start months {starts.tolist()!r}; allowed: "
            f"(candidates, {P}) whole months, strictly increasing from 0"
        )
    d = int(per_candidate)
    n = starts.shape[0] * d
    months = campaign.months + extra
    if np.any(starts >= campaign.months):
        raise InputError(
            f"campaign {campaign.id}: a phase starts after the horizon; allowed: start months "
            f"< {campaign.months}"
        )
    row_starts = np.repeat(starts, d, axis=0)  # (n, P)
    month = np.arange(months)
    phase_of = (month[None, :, None] >= row_starts[:, None, :]).sum(axis=2) - 1  # (n, months)
    tau = month * MONTH
    e0, e1 = np.exp(-erosion * tau), np.exp(-erosion * (tau + MONTH))
    cr = np.zeros((n, P, R, game.RUNG_COEFS))
    cp = np.zeros((n, P, game.PHASE_COEFS))
    regime_cost = np.zeros((n, P, R))
    economy_loss = np.zeros((n, P, R))
    sanctions_loss = np.zeros((n, P, R))
    per_phase = {
        k: np.zeros((n, P))
        for k in (
            "relief",
            "carrot_cost",
            "war_cost",
            "strike_regime",
            "strike_damage",
            "exploitation",
            "forgone",
            "force",
            "strike_cost",
            "threatened",
            "relief_offered",
        )
    }
    spec = campaign.spec
    if spec.partial is None:
        share = np.zeros(n)
    else:
        share = np.tile(
            draw(spec.partial.share, (0.0, 1.0), d, _stream(seed, "campaign.partial.share")),
            starts.shape[0],
        )
    deadline = np.zeros((n, months), dtype=bool)
    hazard = np.zeros((n, months))
    reset = np.full((n, months + 1), -1, dtype=np.int64)
    open_hazard = 1.0 - np.exp(-MONTH / mc.open_ended_years)
    sb, sa = mc.target_resolve_spread, mc.coercer_resolve_spread
    flow_k = 1.0 - np.exp(-(r + erosion) * MONTH)  # the month's slice of a stream's value
    rows = np.arange(n)
    for index, pspec in enumerate(spec.phases):
        flat = flats[index]
        if np.shape(flat["value_per_year"])[0] != n:
            raise InputError(f"campaign {campaign.id}: phase {index} has the wrong row count")
        coded = coded_rungs(flat)
        reset[rows, row_starts[:, index]] = coded
        here = phase_of == index  # (n, months)
        in_phase = month[None, :] - row_starts[:, index : index + 1]
        has = np.asarray(flat["has_deadline"], dtype=float) > 0.5
        # the deadline's month in the phase; months come back from years: round off the error
        due = np.ceil(np.asarray(flat["deadline_years"], dtype=float) * 12.0 - 1e-9) - 1.0
        due = np.where(has, due, -1.0)[:, None]
        timed = np.where(in_phase < due, 0.0, np.where(in_phase == due, 1.0, open_hazard))
        hazard[here] = np.where(has[:, None], timed, open_hazard)[here]
        deadline[here] = (has[:, None] & (in_phase == due))[here]
        threatened = np.asarray(flat["threatened"], dtype=float)
        def rung_coefs(values: dict[str, np.ndarray], threatened: np.ndarray = threatened) -> tuple:
            mapped = payoffs(values, mc)
            parts = mapped.parts
            stream = parts["sanctions_stream"]
            in_force = parts["sanctions_until_resolution"]
            after = parts["sanctions_after_compliance"]
            beside = parts["sanctions_beside_strike"]
            strike_now = (mapped.WB * sb + beside) / parts["strike_discount"]
            gf = parts["value_given_up"] + parts["further_demands"]
            carrots = parts["carrots_expected"]
            c = np.zeros((n, game.RUNG_COEFS))
            c[:, game.FLOW_K] = -in_force * flow_k / sb
            c[:, game.COMPLY_A] = (mapped.CB * sb + after) / sb
            c[:, game.COMPLY_B] = -after / sb
            c[:, game.WAR_A] = strike_now / sb
            c[:, game.WAR_B] = -stream / sb
            c[:, game.COMPLY1_A] = (-(1.0 - share) * gf + carrots) / sb
            loss_in_force = parts["economy_loss"] * (1.0 - threatened)
            c[:, game.AFLOW_K] = -sanctions_price * loss_in_force * MONTH / sa
            c[:, game.TERM_K] = -in_force / sb
            return (c, parts["regime_cost"] * (1.0 - threatened), loss_in_force, parts, gf,
                    parts["economy_loss"])  # fmt: skip

        # the row's own mix (fractional levels included), written at its coded rung last
        own = rung_coefs(flat)
        for rung in range(R):
            c, regime, loss, parts, gf, full = rung_coefs(_rung_inputs(flat, rung))
            cr[:, index, rung] = c
            regime_cost[:, index, rung] = regime
            economy_loss[:, index, rung] = loss
            sanctions_loss[:, index, rung] = full
        cr[rows, index, coded] = own[0]
        regime_cost[rows, index, coded] = own[1]
        economy_loss[rows, index, coded] = own[2]
        sanctions_loss[rows, index, coded] = own[5]
        stream = parts["sanctions_stream"]
        # rung-free parts (the last rung's mapping; they do not depend on sanctions)
        public = np.asarray(flat["deadline_public"], dtype=float)
        # the audience cost of letting the deadline pass (Fearon 1994)
        commitment = np.where(
            has,
            public * mc.public_deadline_commitment
            + (1.0 - public) * mc.private_deadline_commitment,
            0.0,
        )
        stakes, carrot_cost = parts["stakes"], flat["carrot_cost"]
        dominance, war_cost = parts["escalation_dominance"], parts["coercer_war_cost"]
        force = np.asarray(flat["force"], dtype=float)
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
        per_phase["forgone"][:, index] = parts["forgone_demands"]
        per_phase["force"][:, index] = force
        per_phase["strike_cost"][:, index] = (
            war_cost if strike_costs is None else np.asarray(strike_costs[index], dtype=float)
        )
        per_phase["threatened"][:, index] = threatened
        per_phase["relief_offered"][:, index] = flat["relief_offered"]
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
        sanctions_loss=sanctions_loss,
        discount_rate=float(r),
        erosion=float(erosion),
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
    grids = [g if g.ndim == 1 else g[i] for g in (inputs.phase, inputs.deadline, inputs.hazard,
                                                   inputs.reset)]  # fmt: skip
    phase, deadline, hazard, reset = grids
    iterations = game.solve_draw(
        i, inputs.rung_coefs, inputs.phase_coefs, phase, inputs.e0, inputs.e1,
        inputs.e_end, deadline, hazard, reset, inputs.divisible,
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
    regime; coercer_cost: the coercer's expected cumulative cost (stakes, discounted to
    month 0; ``cost_parts`` by part, ``coercive.campaign.cost``); regime_survival:
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
    cost_parts: dict[str, np.ndarray] = field(default_factory=dict)  # coercer_cost by part

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
    def per_row(grid: np.ndarray) -> np.ndarray:  # the kernel takes one grid per row
        return np.ascontiguousarray(np.broadcast_to(grid, (n, grid.shape[-1])))

    game.solve_all(
        inputs.rung_coefs, inputs.phase_coefs, per_row(inputs.phase), inputs.e0, inputs.e1,
        inputs.e_end, per_row(inputs.deadline), per_row(inputs.hazard), per_row(inputs.reset),
        inputs.divisible,
        inputs.delta, x, wx, th, wth, inputs.regime_cost, inputs.economy_loss,
        report_coefs(inputs), consts, out, iterations,
    )  # fmt: skip
    series = {name: out[:, k] for k, name in enumerate(game.SERIES)}
    phase = per_row(inputs.phase)[:, :months]
    parts = coercer_cost(inputs, phase, series)
    series["coercer_cost"] = sum(parts.values())
    return Paths(**series, phase=inputs.phase[..., :months], iterations=iterations,
                 cost_parts=parts)  # fmt: skip


def coercer_cost(
    inputs: Inputs, phase: np.ndarray, series: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The coercer's expected cumulative cost by month, per part (``coercive.campaign.cost``),
    of the phase and the sanctions rung in force each month on the main path."""
    rows = np.arange(inputs.draws)[:, None]
    level = series["sanctions_level"].astype(np.int64)

    def grid(values: np.ndarray) -> np.ndarray:  # (draws, phases) -> (draws, months)
        return values[rows, phase]

    return cumulative_cost(
        series["complied"], series["struck"], MONTH, inputs.discount_rate, inputs.erosion,
        package=grid(inputs.carrot_cost), forgone=grid(inputs.forgone), force=grid(inputs.force),
        strike_cost=grid(inputs.strike_cost),
        loss=inputs.sanctions_price * inputs.sanctions_loss[rows, phase, level],
        threatened=grid(inputs.threatened), relief=grid(inputs.relief_offered),
    )  # fmt: skip


def solve_rows(
    campaign: Campaign,
    flats: list[dict[str, np.ndarray]],
    starts: np.ndarray,
    per_candidate: int,
    *,
    seed: int | None = None,
    mapping: MappingConstants | None = None,
    sanctions_price: float = SANCTIONS_PRICE,
    strike_costs: list[np.ndarray] | None = None,
) -> tuple[Inputs, Paths]:
    """Candidates' trajectories in one solve: each candidate's phase instruments (the rows of
    ``flats[k]``, ``per_candidate`` draws each, candidate-major; fractional levels included)
    and its phase-change months (``starts`` (candidates, phases)), on common draws.

    ``paths.complied`` is P(complied in full by month t), ``paths.partial`` P(the first step
    taken by t), ``paths.struck`` P(struck by t), ``paths.coercer_cost`` the coercer's
    expected cumulative cost (``coercive.campaign.cost``), each (rows, campaign.months).
    With the file's own instruments (:func:`phase_draws`) and start months this is
    :func:`coercive.campaign.run_campaign`'s solution.
    """
    inputs = rows_inputs(campaign, flats, starts, per_candidate, seed, mapping,
                         sanctions_price=sanctions_price, strike_costs=strike_costs)  # fmt: skip
    return inputs, simulate(inputs, campaign.months, campaign.spec.economy.trend_growth)
