"""The campaign game's equilibrium: no profitable one-shot deviation for either player.

The checker below is written apart from the solver: it re-derives both players' beliefs by
Bayes' rule from the solved policies on the main path, evaluates each policy by plain
backward recursion (no max), and tries every single deviation — the target's hold / first
step / comply (and, after the step, complete / stay), the coercer type's strike / wait, the
coalition's relent / hold / escalate — at every month, rung and type (the grid of states).
"""

from __future__ import annotations

import numpy as np
import pytest

from coercive.campaign import game
from coercive.campaign.model import campaign_inputs, solve_one, type_nodes
from coercive.campaign.schema import load_campaign

TOL = 1e-9


def bayes_beliefs(sol, inputs):
    """pi (T, K): coercer's belief about the target; mu (T+1, M): target's about the coercer."""
    _, wx, _, wth = type_nodes()
    act, strike, rho = sol["act"], sol["strike"], sol["rho"]
    T, R, K = act.shape
    path = np.empty(T, dtype=int)
    r = int(inputs.reset[0])
    alive = np.ones(K, bool)
    weight = wth.copy()
    pi, mu = np.zeros((T, K)), np.zeros((T + 1, wth.size))
    for t in range(T):
        path[t] = r
        if (wx * alive).sum() > 0:
            pi[t] = wx * alive / (wx * alive).sum()
        else:
            pi[t, -1] = 1.0
        if weight.sum() > 0:
            mu[t] = weight / weight.sum()
        else:
            mu[t, 0] = 1.0
        alive &= act[t, r] == game.HOLD
        weight = weight * (1 - inputs.hazard[t] * strike[t, r])
        r = int(rho[t, r])
    mu[T] = weight / weight.sum() if weight.sum() > 0 else np.eye(wth.size)[0]
    return path, pi, mu


def stage(inputs, i):
    """Each month's stage values from the coefficients (T, R) / (T,)."""
    cr, cp, ph = inputs.rung_coefs[i], inputs.phase_coefs[i], inputs.phase
    e0, e1 = inputs.e0[:, None], inputs.e1[:, None]
    c = cr[ph]  # (T, R, coefs)
    q = cp[ph]  # (T, coefs)
    keep1 = (1 - q[:, game.RHO1])[:, None]
    return {
        "flow": c[..., game.FLOW_K] * e0,
        "comply": c[..., game.COMPLY_A] + c[..., game.COMPLY_B] * e0,
        "war": c[..., game.WAR_A] + c[..., game.WAR_B] * e1,
        "comply1": c[..., game.COMPLY1_A] + c[..., game.COMPLY_B] * e0,
        "flow1": keep1 * c[..., game.FLOW_K] * e0,
        "plump": q[:, game.PLUMP],
        "term": cr[ph[-1], :, game.TERM_K] * inputs.e_end,
        "term1": (1 - cp[ph[-1], game.RHO1]) * cr[ph[-1], :, game.TERM_K] * inputs.e_end,
        "a_flow": c[..., game.AFLOW_K] * e0,
        "a_flow1": keep1 * c[..., game.AFLOW_K] * e0,
        "a_comply": q[:, game.A_COMPLY],
        "a_partial": q[:, game.A_PARTIAL],
        "a_complete": q[:, game.A_COMPLETE],
        "a_war": q[:, game.A_WAR],
        "a_dead": np.where(inputs.deadline, q[:, game.A_DEAD], 0.0),
        "a_term": cp[ph[-1], game.A_TERM],
    }


def best_deviation_gains(sol, inputs, i):
    """The largest gain from a one-shot deviation, for each kind of choice."""
    x, _, th, _ = type_nodes()
    s = stage(inputs, i)
    act, strike, rho, done1 = sol["act"], sol["strike"], sol["rho"], sol["done1"]
    T, R, K = act.shape
    d, h = inputs.delta, inputs.hazard
    _, pi, mu = bayes_beliefs(sol, inputs)
    gains = {}
    # the target after its first step: follow done1, then deviate once
    w1 = np.empty((T + 1, R))
    w1[T] = s["term1"]
    for t in range(T - 1, -1, -1):
        stay = s["flow1"][t] + d * w1[t + 1]
        w1[t] = np.where(done1[t], s["comply1"][t], stay)
    stay_all = s["flow1"] + d * w1[1:]
    follow1 = w1[:-1]
    gains["target_after_step"] = np.max(np.maximum(s["comply1"], stay_all) - follow1)
    # the target holding out: evaluate its policy, then deviate once
    sigma = h[:, None] * np.einsum("trm,tm->tr", strike, mu[:T])
    v = np.empty((T + 1, R, K))
    v[T] = s["term"][:, None]
    hold = np.empty((T, R, K))
    part = s["plump"][:, None] + s["flow1"] + d * w1[1:]
    for t in range(T - 1, -1, -1):
        nxt = v[t + 1][rho[t]]  # (R, K)
        hold[t] = s["flow"][t][:, None] + d * (
            sigma[t][:, None] * (s["war"][t][:, None] + x[None, :])
            + (1 - sigma[t][:, None]) * nxt
        )
        choice = act[t]
        v[t] = np.where(
            choice == game.COMPLY,
            s["comply"][t][:, None],
            np.where(choice == game.PARTIAL, part[t][:, None], hold[t]),
        )
    options = [hold, np.broadcast_to(s["comply"][:, :, None], hold.shape)]
    if inputs.divisible:
        options.append(np.broadcast_to(part[:, :, None], hold.shape))
    gains["target"] = max(np.max(o - v[:T]) for o in options)
    # the coercer: evaluate (strike, rho) against the target's policy, then deviate once
    a1 = np.empty((T + 1, R))
    a1[T] = 0.0
    for t in range(T - 1, -1, -1):
        a1[t] = np.where(done1[t], s["a_complete"][t], s["a_flow1"][t] + d * a1[t + 1])
    u = np.empty((T + 1, R, th.size))
    u[T] = s["a_term"]
    strike_gain, rung_gain = -np.inf, -np.inf
    for t in range(T - 1, -1, -1):
        pc = (pi[t][None, :] * (act[t] == game.COMPLY)).sum(1)  # (R,)
        pp = (pi[t][None, :] * (act[t] == game.PARTIAL)).sum(1)
        ph = 1 - pc - pp
        wait = -s["a_dead"][t] + u[t + 1][rho[t]]  # (R, M)
        fire = s["a_war"][t] + th[None, :]
        chosen = np.where(strike[t], fire, wait)
        strike_gain = max(strike_gain, np.max(np.maximum(fire, wait) - chosen) * h[t])
        after = h[t] * chosen + (1 - h[t]) * wait
        partial = s["a_partial"][t] + s["a_flow1"][t] + d * a1[t + 1]
        u[t] = (
            pc[:, None] * s["a_comply"][t]
            + pp[:, None] * partial[:, None]
            + ph[:, None] * (s["a_flow"][t][:, None] + d * after)
        )
        if t + 1 < T and inputs.reset[t + 1] < 0:  # the coalition chooses next month's rung
            pooled = u[t + 1] @ mu[t + 1]  # (R,)
            for r in range(R):
                alternatives = [c for c in (r - 1, r, r + 1) if 0 <= c < R]
                rung_gain = max(rung_gain, max(pooled[alternatives]) - pooled[rho[t, r]])
    gains["coercer_strike"] = strike_gain
    gains["coalition_rung"] = rung_gain
    return gains


def _load(tmp_path, base, donor, value):
    path = tmp_path / "c.yaml"
    path.write_text(GAME.format(base=base, donor=donor))
    return load_campaign(path, [f"demand.value_per_year={value}"])


GAME = """campaign_version: 1
id: test-game
base: {base}
months: 24
partial: {{name: first step, share: {{low: 0.2, high: 0.6}}, source: test}}
phases:
  - name: a
    start_month: 0
    partial_relief: 0.5
  - name: b
    start_month: 8
    instruments_from: {donor}
    instruments: {{deadline.months: 4, deadline.public: true}}
"""


@pytest.mark.parametrize(
    ("base", "donor", "value"),
    [
        ("iran-2013", "libya-2003", 0.05),
        ("kosovo-1999", "iran-2013", 0.3),
        ("cuba-1962", "libya-2003", 0.1),
    ],
)
def test_no_profitable_one_shot_deviation_for_either_player(tmp_path, base, donor, value):
    campaign = _load(tmp_path, base, donor, value)
    inputs = campaign_inputs(campaign, draws=12, seed=5)
    checked = 0
    for i in range(inputs.draws):
        sol = solve_one(inputs, i)
        iterations = int(sol["iterations"])
        if iterations < 0:
            continue  # no pure fixed point found (the share is reported)
        gains = best_deviation_gains(sol, inputs, i)
        if iterations > game.MAX_ITERATIONS:  # the coded rungs held: the players' own moves
            gains.pop("coalition_rung")
        else:
            checked += 1
        for kind, gain in gains.items():
            assert gain <= TOL, (i, kind, gain)
    assert checked >= 6  # most draws reach the fixed point (the shares: docs/campaign.md §3)


def test_the_check_catches_a_policy_that_is_not_a_best_reply(tmp_path):
    campaign = _load(tmp_path, "iran-2013", "libya-2003", 0.05)
    inputs = campaign_inputs(campaign, draws=4, seed=5)
    sol = solve_one(inputs, 0)
    assert 0 < int(sol["iterations"]) <= game.MAX_ITERATIONS
    wrong = {k: v.copy() for k, v in sol.items()}
    wrong["strike"] = ~wrong["strike"]  # every coercer type does the opposite
    assert best_deviation_gains(wrong, inputs, 0)["coercer_strike"] > 1e-6
    wrong = {k: v.copy() for k, v in sol.items()}
    wrong["act"][:] = game.COMPLY  # the target complies whatever the state
    assert best_deviation_gains(wrong, inputs, 0)["target"] > 1e-6


def test_a_higher_resolve_coercer_escalates_weakly_more(tmp_path):
    """At every state, a coercer type that executes the threat is followed by every more
    resolute type (its continuation has slope below one in its resolve)."""
    campaign = _load(tmp_path, "kosovo-1999", "iran-2013", 0.2)
    inputs = campaign_inputs(campaign, draws=10, seed=7)
    fired = 0
    for i in range(inputs.draws):
        strike = solve_one(inputs, i)["strike"]  # (T, R, M), types in increasing resolve
        assert np.all(np.diff(strike.astype(int), axis=2) >= 0)
        fired += int(strike.any())
    assert fired > 0
