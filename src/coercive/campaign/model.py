"""The dynamic campaign model (derivation and sources in ``docs/campaign.md``).

Each month the target complies or holds out; a *resolute* coercer (its private resolve makes
executing the threat beat backing down, the stage game's last move) executes the threat with a
monthly hazard (at the deadline when there is one, else at rate ``1 / open_ended_years``).
The target does not see the coercer's type: it starts from the common prior and updates by
Bayes' rule on every month that passes without a strike. Sanctions costs accrue monthly and
erode; every month's payoffs come from the policy mapping of the phase in force.

The target's problem is solved by backward induction in the state (month, belief), which is
a Markov perfect best reply to the coercer's type-contingent strategy; with the beliefs from
Bayes' rule on the path this is a perfect Bayesian equilibrium of the campaign (the stated
concept; the test checks the one-shot deviation principle on a grid of states).

Everything is vectorized over rows = Monte Carlo draws x target-type nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from coercive.campaign.schema import Campaign
from coercive.policy.constants import AllConstants
from coercive.policy.mapping import constants as constants_in_force
from coercive.policy.mapping import map_scenario
from coercive.policy.montecarlo import sample_inputs

MONTH = 1.0 / 12.0
EXTRA_MONTHS = 120
"""Months solved beyond the reported horizon (the last phase continues); after them the
target's holding out is valued as the coercer backing down (sanctions stay, no strike). At
r = 0.2/yr they carry weight e^{-2} = 0.14, so the reported months hardly depend on it."""
TYPE_NODES = 16  # Gauss-Hermite nodes for the target's private resolve e_B ~ N(0, 1)


def solve_target(
    flow: np.ndarray,
    comply: np.ndarray,
    war: np.ndarray,
    strike: np.ndarray,
    terminal: np.ndarray,
    delta: float,
    types: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward induction of the target's stopping problem.

    Arrays are (rows, months). ``comply[:, t]``: value of complying at the start of month t.
    Holding out pays ``flow[:, t]``, then with probability ``strike[:, t]`` (the target's
    predictive probability, from its belief) the threat is executed (value ``war[:, t]`` at
    the month's end, plus the target's type), else month t+1 begins. ``terminal``: value of
    still holding out after the last month. ``types`` (k,): the target's private value of
    war e_B, added to ``war``; every output then has a type axis: (rows, k, months).
    Returns (V, H, complies): value, value of holding out, and the decision in each state.
    """
    rows, months = comply.shape
    shift = np.zeros(1) if types is None else np.asarray(types, dtype=float)
    k = shift.size
    # month-major copies: each backward step reads contiguous memory
    flow_t, comply_t, war_t, strike_t = (
        np.ascontiguousarray(a.T) for a in (flow, comply, war, strike)
    )
    value = np.empty((months + 1, rows, k))
    hold = np.empty((months, rows, k))
    value[months] = np.asarray(terminal, dtype=float)[:, None]
    for t in range(months - 1, -1, -1):
        p = strike_t[t][:, None]
        hold[t] = flow_t[t][:, None] + delta * (
            p * (war_t[t][:, None] + shift[None, :]) + (1.0 - p) * value[t + 1]
        )
        np.maximum(comply_t[t][:, None], hold[t], out=value[t])
    complies = comply_t[:, :, None] >= hold
    out = tuple(np.moveaxis(a, 0, -1) for a in (value[:months], hold, complies))
    if types is None:
        return out[0][:, 0], out[1][:, 0], out[2][:, 0]
    return out  # type: ignore[return-value]


def first_compliance(
    flow: np.ndarray,
    comply: np.ndarray,
    war: np.ndarray,
    strike: np.ndarray,
    terminal: np.ndarray,
    delta: float,
    types: np.ndarray,
) -> np.ndarray:
    """The same backward induction as :func:`solve_target`, keeping only the current value.

    Returns (rows, k): the first month in which each type complies on the no-strike path
    (``months`` if it never does). Memory is O(rows x k), not O(rows x k x months).
    """
    rows, months = comply.shape
    shift = np.asarray(types, dtype=float)[None, :]
    flow_t, comply_t, war_t, strike_t = (
        np.ascontiguousarray(a.T) for a in (flow, comply, war, strike)
    )
    value = np.repeat(np.asarray(terminal, dtype=float)[:, None], shift.size, axis=1)
    stop = np.full(value.shape, months, dtype=np.int64)
    hold = np.empty_like(value)
    for t in range(months - 1, -1, -1):
        p = strike_t[t][:, None]
        # hold = flow + delta * (p * (war + e_B) + (1 - p) * V_{t+1}), in place
        np.subtract(war_t[t][:, None] + shift, value, out=hold)
        hold *= p
        hold += value
        hold *= delta
        hold += flow_t[t][:, None]
        complies = comply_t[t][:, None] >= hold
        stop[complies] = t  # going backward, the last write is the earliest month
        np.maximum(comply_t[t][:, None], hold, out=value)
    return stop


def beliefs(
    threshold: np.ndarray, phase: np.ndarray, hazard: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The target's belief that the coercer is resolute, and P(no strike yet), per month.

    ``threshold[:, p]``: in phase p the coercer is resolute iff its resolve shock
    z = e_A - e_a ~ N(0, 2) exceeds it; ``phase[t]``: the phase of month t; ``hazard[:, t]``:
    a resolute coercer's probability of striking in month t. Bayes' rule, exactly: the
    thresholds cut the z line into intervals on which the resolute pattern is constant; each
    month without a strike multiplies an interval's prior mass by (1 - hazard) where it is
    resolute. Returns (mu, survival), (rows, months): mu at the start of month t, survival =
    the prior probability of no strike before month t (the posterior's normalizer).
    """
    threshold = np.asarray(threshold, dtype=float)
    rows, phases = threshold.shape
    cuts = np.sort(threshold, axis=1)
    edges = np.concatenate([np.full((rows, 1), -np.inf), cuts, np.full((rows, 1), np.inf)], 1)
    mass = np.diff(ndtr(edges / np.sqrt(2.0)), axis=1)  # (rows, phases + 1)
    lower = edges[:, :-1]  # an interval is resolute in phase p iff its lower edge >= k_p
    resolute = lower[:, :, None] >= threshold[:, None, :]  # (rows, intervals, phases)
    resolute &= np.isfinite(lower)[:, :, None]
    by_month = resolute[:, :, phase]  # (rows, intervals, months)
    factor = 1.0 - hazard[:, None, :] * by_month
    kept = np.cumprod(np.concatenate([np.ones((rows, phases + 1, 1)), factor[:, :, :-1]], 2), 2)
    weight = mass[:, :, None] * kept
    survival = weight.sum(axis=1)
    mu = (weight * by_month).sum(axis=1) / np.maximum(survival, 1e-300)
    return mu, survival


@dataclass(frozen=True)
class Inputs:
    """Per-draw, per-month quantities of the campaign (draws, months)."""

    flow: np.ndarray  # target's utility from holding out one month (sanctions), <= 0
    comply: np.ndarray  # target's utility of complying at the start of the month
    war: np.ndarray  # target's utility when the threat is executed that month (before e_B)
    terminal: np.ndarray  # (draws,) holding out after the last solved month
    threshold: np.ndarray  # (draws, phases): coercer resolute in a phase iff z > threshold
    hazard: np.ndarray  # resolute coercer's strike probability in the month
    regime_cost: np.ndarray  # share of GDP lost to sanctions in the month
    carrot_cost: np.ndarray  # coercer's cost of the carrots if the target complies (stakes)
    war_cost: np.ndarray  # coercer's cost of executing the threat (stakes)
    phase: np.ndarray  # (months,) phase index of each month
    delta: float


def campaign_inputs(
    campaign: Campaign,
    draws: int | None = None,
    seed: int | None = None,
    const: AllConstants | None = None,
    extra: int = EXTRA_MONTHS,
) -> Inputs:
    """Map each phase with the policy mapping and lay its stage payoffs on the month grid."""
    const = const or constants_in_force()
    mc = const.mapping
    r, erosion = mc.discount_rate, mc.sanctions_erosion
    base = campaign.base
    n = base.model.draws if draws is None else int(draws)
    seed = base.model.seed if seed is None else int(seed)
    months = campaign.months + extra
    starts = [phase.start_month for phase in campaign.phases]
    phase_of = np.searchsorted(starts, np.arange(months), side="right") - 1
    tau = np.arange(months) * MONTH  # years since the campaign began
    eroded = np.exp(-erosion * tau)
    eroded_end = np.exp(-erosion * (tau + MONTH))
    shape = (n, months)
    out = {
        name: np.zeros(shape)
        for name in ("flow", "comply", "war", "hazard", "regime_cost", "carrot_cost", "war_cost")
    }
    open_hazard = 1.0 - np.exp(-MONTH / mc.open_ended_years)
    terminal = np.zeros(n)
    threshold = np.zeros((n, len(campaign.phases)))
    for index, phase in enumerate(campaign.phases):
        scenario = phase.scenario
        # the same seed and field paths give common draws across phases (common random numbers)
        mapped = map_scenario(scenario, sample_inputs(scenario, n, seed), mc)
        parts = mapped.parts
        sb, sa = mc.target_resolve_spread, mc.coercer_resolve_spread
        stream = parts["sanctions_stream"]
        in_force = parts["sanctions_until_resolution"]
        after = parts["sanctions_after_compliance"]
        beside = parts["sanctions_beside_strike"]
        cb_raw, wb_raw = mapped.CB * sb, mapped.WB * sb
        strike_now = (wb_raw + beside) / parts["strike_discount"]  # the strike itself, undiscounted
        cols = np.flatnonzero(phase_of == index)
        e0, e1 = eroded[cols][None, :], eroded_end[cols][None, :]
        c = lambda x: np.asarray(x, dtype=float)[:, None]  # noqa: E731 (column)
        out["comply"][:, cols] = (c(cb_raw) + c(after) * (1.0 - e0)) / sb
        out["war"][:, cols] = (c(strike_now) - c(stream) * e1) / sb
        out["flow"][:, cols] = -c(in_force) * e0 * (1.0 - np.exp(-(r + erosion) * MONTH)) / sb
        threshold[:, index] = mapped.a - mapped.WA
        deadline = scenario.instruments.deadline.months
        if deadline is None:
            out["hazard"][:, cols] = open_hazard
        else:
            month_in_phase = cols - phase.start_month
            due = np.ceil(float(deadline)) - 1
            out["hazard"][:, cols] = np.where(
                month_in_phase < due, 0.0, np.where(month_in_phase == due, 1.0, open_hazard)
            )[None, :]
        on = np.where(stream > 0, in_force / np.where(stream > 0, stream, 1.0), 0.0)
        out["regime_cost"][:, cols] = c(parts["regime_cost"] * on) * e0 * MONTH
        out["carrot_cost"][:, cols] = c(parts["stakes"] - mapped.VA * sa)
        out["war_cost"][:, cols] = c(parts["coercer_war_cost"])
        if index == len(campaign.phases) - 1:
            terminal = -in_force * eroded_end[-1] / sb
    for name, value in out.items():
        if not np.all(np.isfinite(value)):
            raise ValueError(f"campaign {campaign.id}: non-finite {name} from the mapping")
    return Inputs(
        terminal=terminal,
        threshold=threshold,
        phase=phase_of,
        delta=float(np.exp(-r * MONTH)),
        **out,
    )


@dataclass(frozen=True)
class Paths:
    """Per-draw expected trajectories (draws, months), types integrated out."""

    complied: np.ndarray  # P(complied by the end of month t)
    struck: np.ndarray  # P(threat executed by the end of month t)
    regime_cost: np.ndarray  # expected cumulative share of GDP lost
    coercer_cost: np.ndarray  # expected cumulative cost to the coercer (stakes)
    belief: np.ndarray  # target's belief that the coercer is resolute, start of month t
    phase: np.ndarray


def simulate(inputs: Inputs, months: int) -> Paths:
    """Solve the target's problem for every draw and type node; integrate out both types."""
    x, w = np.polynomial.hermite_e.hermegauss(TYPE_NODES)  # nodes and weights for N(0, 1)
    w = w / w.sum()
    n, total = inputs.comply.shape
    mu, survival = beliefs(inputs.threshold, inputs.phase, inputs.hazard)
    strike = mu * inputs.hazard  # predictive probability of a strike in month t
    # the first month the target complies (on the no-strike path); `total` if never
    stop = first_compliance(
        inputs.flow, inputs.comply, inputs.war, strike, inputs.terminal, inputs.delta, x
    )
    t = np.arange(months)
    surv_end = np.concatenate(
        [survival[:, 1:], (survival[:, -1] * (1 - strike[:, -1]))[:, None]], 1
    )
    surv_at_stop = np.take_along_axis(
        np.concatenate([survival, surv_end[:, -1:]], 1), np.minimum(stop, total), axis=1
    )
    stopped = stop[:, :, None] <= t[None, None, :]  # complied at or before month t (start)
    complied = (w[None, :, None] * stopped * surv_at_stop[:, :, None]).sum(1)
    running_end = np.where(stopped, surv_at_stop[:, :, None], surv_end[:, None, :months])
    struck = (w[None, :, None] * (1.0 - running_end)).sum(1)
    # the campaign is still running during month t with prob P(no strike before t, not complied)
    running = np.where(stop[:, :, None] <= t[None, None, :], 0.0, survival[:, None, :months])
    running = (w[None, :, None] * running).sum(1)
    regime = np.cumsum(running * inputs.regime_cost[:, :months], axis=1)
    struck_now = np.diff(np.concatenate([np.zeros((n, 1)), struck], 1), axis=1)
    complied_now = np.diff(np.concatenate([np.zeros((n, 1)), complied], 1), axis=1)
    coercer = np.cumsum(
        struck_now * inputs.war_cost[:, :months] + complied_now * inputs.carrot_cost[:, :months], 1
    )
    return Paths(complied, struck, regime, coercer, mu[:, :months], inputs.phase[:months])
