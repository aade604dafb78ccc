"""The monthly campaign game, solved draw by draw (derivation in ``docs/campaign.md`` §2-3).

Players and types (one Monte Carlo draw):

* the target, of private resolve ``e_B`` (K nodes of N(0, 1), its private value of war);
* the coercer, of private resolve ``theta`` (M nodes of N(0, 2), the stage game's
  ``e_A - e_a``: its private value of executing the threat over backing down).

Public state at the start of month ``t``: the sanctions rung ``r`` (0 none, 1 targeted,
2 comprehensive, 3 comprehensive with full secondary sanctions) and the target's compliance
state (holding out, or the demand's first step taken). Each month, holding out:

1. the target complies, takes the first step (a divisible demand only), or holds out;
2. if it held out, a strike opportunity comes with probability ``h_t`` (1 in a deadline's
   month); a coercer of type ``theta`` executes the threat iff that beats not executing it;
3. if not, the sanctioning coalition sets next month's rung (escalate, hold, relent), on
   public information: it maximises the coercer's expected value over the types the
   no-strike history leaves (the posterior both sides hold), so a rung move reveals nothing
   about ``theta``.

After the first step the threat is suspended and the rung frozen; the target then chooses
each month whether to complete the demand (a type-free stopping problem).

Equilibrium: a perfect Bayesian equilibrium in which strategies are Markov in (month, rung)
with beliefs from Bayes' rule on the equilibrium path (the main path of rungs); a history
off that path has probability zero and carries the main path's beliefs at that month
(passive beliefs, allowed off the path). It is found by iterating best replies to a fixed
point draw by draw: (target's backward induction given the coercer's strategy and the
target's beliefs) -> (Bayes forward on the path) -> (coercer's backward induction given the
target's strategy and the coercer's beliefs), until no policy changes. ``converged``
records whether the fixed point was reached; ``tests/test_campaign_game.py`` re-derives the
beliefs from the policies and checks that neither player gains from any one-shot deviation
on every (month, rung, type).
"""

from __future__ import annotations

import numpy as np
from numba import njit

HOLD, PARTIAL, COMPLY = 0, 1, 2
RUNGS = 4
MAX_ITERATIONS = 5
_TIE = 1e-12  # a rung move or a strike must gain more than this to be chosen

# per (draw, phase, rung) coefficients; values in month t are affine in the erosion factors
FLOW_K, COMPLY_A, COMPLY_B, WAR_A, WAR_B, COMPLY1_A, AFLOW_K, TERM_K = range(8)
RUNG_COEFS = 8
# per (draw, phase) coefficients
PLUMP, RHO1, A_COMPLY, A_PARTIAL, A_COMPLETE, A_WAR, A_DEAD, A_TERM = range(8)
PHASE_COEFS = 8


@njit(cache=True, nogil=True)
def _target_values(i, cr, cp, ph, e0, e1, e_end, hz, divisible, mu, strike, rho, delta, ex,
                   W1, V, act):  # fmt: skip
    """Target's backward induction for draw i given the coercer's strategy and beliefs.

    ``W1[t, r]``: value in the first-step state (rung frozen at r), type-free.
    ``V[t, r, j]``: value at the start of month t holding out at rung r for type j;
    ``act[t, r, j]``: HOLD / PARTIAL / COMPLY.
    """
    T = e0.shape[0]
    R = cr.shape[2]
    K = ex.shape[0]
    M = mu.shape[1]
    last = ph[T - 1]
    for r in range(R):
        W1[T, r] = (1.0 - cp[i, last, RHO1]) * cr[i, last, r, TERM_K] * e_end
        for j in range(K):
            V[T, r, j] = cr[i, last, r, TERM_K] * e_end
    for t in range(T - 1, -1, -1):
        p = ph[t]
        keep1 = 1.0 - cp[i, p, RHO1]
        for r in range(R):
            flow1 = keep1 * cr[i, p, r, FLOW_K] * e0[t]
            comply1 = cr[i, p, r, COMPLY1_A] + cr[i, p, r, COMPLY_B] * e0[t]
            stay = flow1 + delta * W1[t + 1, r]
            W1[t, r] = comply1 if comply1 >= stay else stay
        for r in range(R):
            sigma = 0.0
            for m in range(M):
                if strike[t, r, m]:
                    sigma += mu[t, m]
            sigma *= hz[t]
            nxt = rho[t, r]
            flow = cr[i, p, r, FLOW_K] * e0[t]
            war = cr[i, p, r, WAR_A] + cr[i, p, r, WAR_B] * e1[t]
            comply = cr[i, p, r, COMPLY_A] + cr[i, p, r, COMPLY_B] * e0[t]
            part = cp[i, p, PLUMP] + keep1 * flow + delta * W1[t + 1, r]
            for j in range(K):
                hold = flow + delta * (sigma * (war + ex[j]) + (1.0 - sigma) * V[t + 1, nxt, j])
                best = hold
                choice = HOLD
                if divisible and part > best:
                    best = part
                    choice = PARTIAL
                if comply >= best:
                    best = comply
                    choice = COMPLY
                V[t, r, j] = best
                act[t, r, j] = choice


@njit(cache=True, nogil=True)
def _first_step_completion(i, cr, cp, ph, e0, e_end, delta, done1):
    """done1[t, r]: the target, in the first-step state at rung r, completes in month t."""
    T = e0.shape[0]
    R = cr.shape[2]
    last = ph[T - 1]
    for r in range(R):
        w = (1.0 - cp[i, last, RHO1]) * cr[i, last, r, TERM_K] * e_end
        for t in range(T - 1, -1, -1):
            p = ph[t]
            flow1 = (1.0 - cp[i, p, RHO1]) * cr[i, p, r, FLOW_K] * e0[t]
            comply1 = cr[i, p, r, COMPLY1_A] + cr[i, p, r, COMPLY_B] * e0[t]
            stay = flow1 + delta * w
            done1[t, r] = comply1 >= stay
            w = comply1 if done1[t, r] else stay


@njit(cache=True, nogil=True)
def _after_first_step(i, cr, cp, ph, e0, e_end, delta, done1, W1, A1):
    """Both players' values in the first-step state (type- and belief-free: computed once)."""
    T = e0.shape[0]
    R = cr.shape[2]
    last = ph[T - 1]
    for r in range(R):
        W1[T, r] = (1.0 - cp[i, last, RHO1]) * cr[i, last, r, TERM_K] * e_end
        A1[T, r] = 0.0
    for t in range(T - 1, -1, -1):
        p = ph[t]
        keep1 = 1.0 - cp[i, p, RHO1]
        for r in range(R):
            if done1[t, r]:
                W1[t, r] = cr[i, p, r, COMPLY1_A] + cr[i, p, r, COMPLY_B] * e0[t]
                A1[t, r] = cp[i, p, A_COMPLETE]
            else:
                W1[t, r] = keep1 * cr[i, p, r, FLOW_K] * e0[t] + delta * W1[t + 1, r]
                A1[t, r] = keep1 * cr[i, p, r, AFLOW_K] * e0[t] + delta * A1[t + 1, r]


@njit(cache=True, nogil=True)
def _forward(act, strike, rho, hz, wx, prior_a, start_rung, path, pi, mu, surv):
    """Bayes' rule on the main path: rungs, the coercer's belief ``pi`` about the target's
    type (types still holding out), the target's belief ``mu`` about the coercer's type (no
    strike yet), and ``surv[t]`` = P(no strike before t) under the prior."""
    T = act.shape[0]
    K = wx.shape[0]
    M = prior_a.shape[0]
    alive = np.ones(K, dtype=np.bool_)
    weight = prior_a.copy()
    total = 1.0
    r = start_rung
    for t in range(T):
        path[t] = r
        mass = 0.0
        for j in range(K):
            mass += wx[j] if alive[j] else 0.0
        if mass > 0.0:
            for j in range(K):
                pi[t, j] = (wx[j] / mass) if alive[j] else 0.0
        else:  # off the path: an unexpected hold-out is read as the most resolute type
            for j in range(K):
                pi[t, j] = 0.0
            pi[t, K - 1] = 1.0
        wsum = 0.0
        for m in range(M):
            wsum += weight[m]
        surv[t] = total
        if wsum > 0.0:
            for m in range(M):
                mu[t, m] = weight[m] / wsum
        else:  # off the path: a coercer that did not strike is read as the least resolute
            for m in range(M):
                mu[t, m] = 0.0
            mu[t, 0] = 1.0
        for j in range(K):
            if alive[j] and act[t, r, j] != HOLD:
                alive[j] = False
        lost = 0.0
        for m in range(M):
            if strike[t, r, m]:
                lost += weight[m] * hz[t]
                weight[m] *= 1.0 - hz[t]
        total = max(total - lost, 0.0)
        r = rho[t, r]
    surv[T] = total
    wsum = 0.0
    for m in range(M):
        wsum += weight[m]
    for m in range(M):
        mu[T, m] = weight[m] / wsum if wsum > 0.0 else (1.0 if m == 0 else 0.0)


@njit(cache=True, nogil=True)
def _coercer_values(i, cr, cp, ph, e0, dead, hz, reset, act, done1, pi, mu, delta, th,
                    A1, U, strike, rho, rungs_free):  # fmt: skip
    """Coercer's backward induction for draw i given the target's strategy and beliefs.

    ``U[t, r, m]``: type m's value at the start of month t (target holding out, rung r).
    ``strike[t, r, m]``: executes the threat at an opportunity; ``rho[t, r]``: next rung.
    """
    T = act.shape[0]
    R = act.shape[1]
    K = act.shape[2]
    M = th.shape[0]
    last = ph[T - 1]
    for r in range(R):
        A1[T, r] = 0.0
        for m in range(M):
            U[T, r, m] = cp[i, last, A_TERM]
    for t in range(T - 1, -1, -1):
        p = ph[t]
        keep1 = 1.0 - cp[i, p, RHO1]
        for r in range(R):
            if done1[t, r]:
                A1[t, r] = cp[i, p, A_COMPLETE]
            else:
                A1[t, r] = keep1 * cr[i, p, r, AFLOW_K] * e0[t] + delta * A1[t + 1, r]
        # the coalition's rung for month t+1, pooled over the coercer's types
        for r in range(R):
            if t + 1 < T and reset[t + 1] >= 0:
                rho[t, r] = reset[t + 1]
                continue
            if t + 1 == T or not rungs_free:
                rho[t, r] = r
                continue
            best_r = r
            best = 0.0
            for m in range(M):
                best += mu[t + 1, m] * U[t + 1, r, m]
            for cand in (r - 1, r + 1):
                if cand < 0 or cand >= R:
                    continue
                value = 0.0
                for m in range(M):
                    value += mu[t + 1, m] * U[t + 1, cand, m]
                if value > best + _TIE:
                    best = value
                    best_r = cand
            rho[t, r] = best_r
        a_dead = cp[i, p, A_DEAD] if dead[t] else 0.0
        fire = cp[i, p, A_WAR]
        for r in range(R):
            pc = 0.0
            pp = 0.0
            ph_ = 0.0
            for j in range(K):
                if act[t, r, j] == COMPLY:
                    pc += pi[t, j]
                elif act[t, r, j] == PARTIAL:
                    pp += pi[t, j]
                else:
                    ph_ += pi[t, j]
            nxt = rho[t, r]
            a_flow = cr[i, p, r, AFLOW_K] * e0[t]
            partial = cp[i, p, A_PARTIAL] + keep1 * a_flow + delta * A1[t + 1, r]
            for m in range(M):
                wait = -a_dead + U[t + 1, nxt, m]
                mine = fire + th[m]
                strike[t, r, m] = mine > wait + _TIE
                after = hz[t] * (mine if strike[t, r, m] else wait) + (1.0 - hz[t]) * wait
                U[t, r, m] = pc * cp[i, p, A_COMPLY] + pp * partial + ph_ * (a_flow + delta * after)


@njit(cache=True, nogil=True)
def _joint_backward(i, cr, cp, ph, e0, e1, e_end, dead, hz, reset, divisible, delta, ex, th,
                    mu, pi, rungs_free, W1, V, act, done1, A1, U, strike, rho):  # fmt: skip
    """Both players' best replies in one backward pass, given the belief paths ``mu``/``pi``.

    Within month t, backward: the coalition's rung for t+1 and each coercer type's strike
    (both need only month t+1's values), then each target type's move (it anticipates them),
    then the coercer's value at t (it depends on the target's move at t).
    """
    T = e0.shape[0]
    R = cr.shape[2]
    K = ex.shape[0]
    M = th.shape[0]
    last = ph[T - 1]
    for r in range(R):
        for j in range(K):
            V[T, r, j] = cr[i, last, r, TERM_K] * e_end
        for m in range(M):
            U[T, r, m] = cp[i, last, A_TERM]
    pooled = np.empty(R)
    hold = np.empty(K)
    for t in range(T - 1, -1, -1):
        p = ph[t]
        keep1 = 1.0 - cp[i, p, RHO1]
        a_dead = cp[i, p, A_DEAD] if dead[t] else 0.0
        fire = cp[i, p, A_WAR]
        for r in range(R):
            value = 0.0
            for m in range(M):
                value += mu[t + 1, m] * U[t + 1, r, m]
            pooled[r] = value
        for r in range(R):
            # the coalition's rung for month t+1, pooled over the coercer's types
            if t + 1 < T and reset[t + 1] >= 0:
                best_r = reset[t + 1]
            elif t + 1 == T or not rungs_free:
                best_r = r
            else:
                best_r = r
                best = pooled[r]
                for cand in (r - 1, r + 1):
                    if 0 <= cand < R and pooled[cand] > best + _TIE:
                        best = pooled[cand]
                        best_r = cand
            rho[t, r] = best_r
            sigma = 0.0
            for m in range(M):
                wait = -a_dead + U[t + 1, best_r, m]
                strike[t, r, m] = fire + th[m] > wait + _TIE
                if strike[t, r, m]:
                    sigma += mu[t, m]
            sigma *= hz[t]
            # the target's move
            flow = cr[i, p, r, FLOW_K] * e0[t]
            war = cr[i, p, r, WAR_A] + cr[i, p, r, WAR_B] * e1[t]
            comply = cr[i, p, r, COMPLY_A] + cr[i, p, r, COMPLY_B] * e0[t]
            part = cp[i, p, PLUMP] + keep1 * flow + delta * W1[t + 1, r]
            # holding out, for every type at once (a branch-free loop the compiler vectorizes)
            a_ = flow + delta * sigma * war
            b_ = delta * sigma
            c_ = delta * (1.0 - sigma)
            for j in range(K):
                hold[j] = a_ + b_ * ex[j] + c_ * V[t + 1, best_r, j]
            # the better of the two ways out (ties go to full compliance), then per type:
            # take it iff it beats holding out (comply on a tie with holding, as the step not)
            if divisible and part > comply:
                out_v, out_a, tie = part, PARTIAL, False
            else:
                out_v, out_a, tie = comply, COMPLY, True
            taken = 0.0
            for j in range(K):
                take = out_v >= hold[j] if tie else out_v > hold[j]
                if take:
                    V[t, r, j] = out_v
                    act[t, r, j] = out_a
                    taken += pi[t, j]
                else:
                    V[t, r, j] = hold[j]
                    act[t, r, j] = HOLD
            pc = taken if out_a == COMPLY else 0.0
            pp = taken if out_a == PARTIAL else 0.0
            ph_ = 1.0 - pc - pp
            if ph_ < 0.0:
                ph_ = 0.0
            a_flow = cr[i, p, r, AFLOW_K] * e0[t]
            partial = cp[i, p, A_PARTIAL] + keep1 * a_flow + delta * A1[t + 1, r]
            for m in range(M):
                wait = -a_dead + U[t + 1, best_r, m]
                after = hz[t] * (fire + th[m] if strike[t, r, m] else wait) + (1.0 - hz[t]) * wait
                U[t, r, m] = pc * cp[i, p, A_COMPLY] + pp * partial + ph_ * (a_flow + delta * after)


@njit(cache=True, nogil=True)
def _same(a, b):
    """a == b element by element (2-D); a plain loop: np.array_equal costs seconds of compile."""
    for t in range(a.shape[0]):
        for k in range(a.shape[1]):
            if a[t, k] != b[t, k]:
                return False
    return True


@njit(cache=True, nogil=True)
def _copy(dst, src):
    for t in range(dst.shape[0]):
        for k in range(dst.shape[1]):
            dst[t, k] = src[t, k]


@njit(cache=True, nogil=True)
def solve_draw(i, cr, cp, ph, e0, e1, e_end, dead, hz, reset, divisible, delta, ex, wx, th, wth,
               W1, V, act, done1, A1, U, strike, rho, path, pi, mu, surv):  # fmt: skip
    """Find draw i's equilibrium: iterate (both players' best replies by one backward pass
    given the belief paths) -> (the belief paths by Bayes' rule from those policies on the
    main path) until the policies repeat, which makes the beliefs they were computed with
    those they imply. Returns the rounds used: 1..MAX_ITERATIONS, a fixed point of the full
    game; MAX_ITERATIONS + k, none with rung moves but one (after k rounds) with the coded
    rungs held (the coalition does not move); -1, neither.

    Scratch/outputs: W1 (T+1, R), V (T+1, R, K), act (T, R, K) int8, done1 (T, R) bool,
    A1 (T+1, R), U (T+1, R, M), strike (T, R, M) bool, rho (T, R) int64, path (T,) int64,
    pi (T, K), mu (T+1, M), surv (T+1,).
    """
    T = e0.shape[0]
    K = ex.shape[0]
    M = th.shape[0]
    _first_step_completion(i, cr, cp, ph, e0, e_end, delta, done1)
    _after_first_step(i, cr, cp, ph, e0, e_end, delta, done1, W1, A1)
    mu_used = np.empty((T + 1, M))
    pi_used = np.empty((T, K))
    mu_back = np.empty((T + 1, M))  # two rounds back: a 2-cycle is given up early
    pi_back = np.empty((T, K))
    # start from the priors (no learning yet); the fallback starts where the first try ended
    for t in range(T + 1):
        for m in range(M):
            mu[t, m] = wth[m]
    for t in range(T):
        for j in range(K):
            pi[t, j] = wx[j]
    for attempt in range(2):
        rungs_free = attempt == 0
        mu_back.fill(-1.0)
        pi_back.fill(-1.0)
        for iteration in range(MAX_ITERATIONS):
            _copy(mu_used, mu)
            _copy(pi_used, pi)
            _joint_backward(i, cr, cp, ph, e0, e1, e_end, dead, hz, reset, divisible, delta,
                            ex, th, mu, pi, rungs_free, W1, V, act, done1, A1, U, strike,
                            rho)  # fmt: skip
            _forward(act, strike, rho, hz, wx, wth, reset[0], path, pi, mu, surv)
            # the policies are best replies to mu_used/pi_used; if those are the beliefs the
            # policies imply by Bayes' rule, this is an equilibrium
            if _same(mu, mu_used) and _same(pi, pi_used):
                return iteration + 1 if rungs_free else MAX_ITERATIONS + iteration + 1
            if _same(mu, mu_back) and _same(pi, pi_back):
                break  # the beliefs alternate between two paths: no pure fixed point here
            _copy(mu_back, mu_used)
            _copy(pi_back, pi_used)
    return -1


SERIES = (
    "complied", "partial", "struck", "belief", "coercer_belief", "sanctions_level",
    "escalated", "relented", "regime_cost", "coercer_cost", "regime_survival", "output",
    "growth",
)  # fmt: skip
(S_COMPLIED, S_PARTIAL, S_STRUCK, S_BELIEF, S_CBELIEF, S_LEVEL, S_ESCALATED, S_RELENTED,
 S_REGIME, S_COERCER, S_SURVIVAL, S_OUTPUT, S_GROWTH) = range(13)  # fmt: skip
# per (draw, phase) report inputs
(R_RELIEF, R_CARROT, R_WAR, R_STRIKE_REGIME, R_DAMAGE, R_EXPLOIT, R_SHARE) = range(7)
REPORT_COEFS = 7


@njit(cache=True, nogil=True)
def _series(i, ph, e0, reset, act, done1, path, pi, mu, surv, strike, wx, rc, el, cp, rep,
            consts, out):  # fmt: skip
    """The reported trajectories of draw i, types integrated out (``docs/campaign.md`` §4).

    ``rc``/``el`` (draws, phases, rungs): yearly regime cost / economy loss of the sanctions
    in force; ``consts``: (month length, sanctions hazard, exploitation delay (years),
    sanctions price, trend growth). The coercer's cost series (``S_COERCER``) is not
    written here: ``coercive.campaign.cost`` prices it from these trajectories.
    """
    Tm = out.shape[2]
    T = act.shape[0]
    K = wx.shape[0]
    M = mu.shape[1]
    dt, s_hazard, delay, trend = consts[0], consts[1], consts[2], consts[4]
    leave = np.full(K, T)
    action = np.zeros(K, dtype=np.int64)
    done = np.full(K, T)
    for j in range(K):
        for t in range(T):
            a = act[t, path[t], j]
            if a != HOLD:
                leave[j] = t
                action[j] = a
                if a == PARTIAL:
                    for s in range(t + 1, T):
                        if done1[s, path[t]]:
                            done[j] = s
                            break
                break
    cum_regime = 0.0
    stay_el = 0.0  # sanctions' economy loss left after a strike or compliance (before erosion)
    stay_rc = 0.0
    alive = 1.0
    escalated = 0.0
    relented = 0.0
    prev_struck = 0.0
    prev_complied = 0.0
    coded = reset[0]
    strikes = np.zeros(Tm)  # damage-weighted strike probability by month
    for t in range(Tm):
        p = ph[t]
        r = path[t]
        if reset[t] >= 0:
            coded = reset[t]
        if r > coded:
            escalated = 1.0
        if r < coded:
            relented = 1.0
        complied = 0.0
        partial = 0.0
        struck = 0.0
        running = 0.0
        step_rc = 0.0
        step_el = 0.0
        in_step = 0.0
        holds = 0.0
        for j in range(K):
            sl = surv[leave[j]]
            took = leave[j] <= t
            if took and (action[j] == COMPLY or done[j] <= t):
                complied += wx[j] * sl
            if took and action[j] == PARTIAL:
                partial += wx[j] * sl
                if done[j] > t:
                    f = path[leave[j]]
                    in_step += wx[j] * sl
                    step_rc += wx[j] * sl * rc[i, p, f]
                    step_el += wx[j] * sl * el[i, p, f]
            if took:
                struck += wx[j] * (1.0 - sl)
            else:
                struck += wx[j] * (1.0 - surv[t + 1])
                running += wx[j] * surv[t]
            if leave[j] == T:
                holds += pi[t, j]
        keep1 = 1.0 - cp[i, p, RHO1]
        struck_now = struck - prev_struck
        complied_now = complied - prev_complied
        prev_struck = struck
        prev_complied = complied
        regime_month = (running * rc[i, p, r] + keep1 * step_rc) * e0[t] * dt
        cum_regime += regime_month
        keep = 1.0 - rep[i, p, R_RELIEF]
        stay_el += struck_now * el[i, p, r] + complied_now * keep * el[i, p, r]
        stay_rc += struck_now * rc[i, p, r] + complied_now * keep * rc[i, p, r]
        strikes[t] = struck_now * rep[i, p, R_DAMAGE]
        recent = 0.0
        for s in range(max(0, t - 11), t + 1):
            recent += strikes[s]
        loss = (running * el[i, p, r] + keep1 * step_el + stay_el) * e0[t] + recent
        out[i, S_OUTPUT, t] = np.exp(trend * t * dt) * (1.0 - min(loss, 1.0))
        hz = s_hazard * (regime_month + stay_rc * e0[t] * dt)
        hz += struck_now * rep[i, p, R_STRIKE_REGIME]
        hz += (complied + rep[i, p, R_SHARE] * in_step) * rep[i, p, R_EXPLOIT] / delay * dt
        alive *= 1.0 - min(hz, 1.0)
        b = 0.0
        for m in range(M):
            if strike[t, r, m]:
                b += mu[t, m]
        out[i, S_COMPLIED, t] = complied
        out[i, S_PARTIAL, t] = partial
        out[i, S_STRUCK, t] = struck
        out[i, S_BELIEF, t] = b
        out[i, S_CBELIEF, t] = holds
        out[i, S_LEVEL, t] = r
        out[i, S_ESCALATED, t] = escalated
        out[i, S_RELENTED, t] = relented
        out[i, S_REGIME, t] = cum_regime
        out[i, S_SURVIVAL, t] = alive
    # growth of the 12 months' output ending at t over the 12 before (trend before month 0)
    for t in range(Tm):
        last12 = 0.0
        prev12 = 0.0
        for s in range(t - 11, t + 1):
            last12 += out[i, S_OUTPUT, s] if s >= 0 else np.exp(trend * s * dt)
        for s in range(t - 23, t - 11):
            prev12 += out[i, S_OUTPUT, s] if s >= 0 else np.exp(trend * s * dt)
        # output wiped out for a year (a certain, total strike): growth is -1, never inf/NaN
        out[i, S_GROWTH, t] = last12 / prev12 - 1.0 if prev12 > 1e-12 else -1.0


@njit(cache=True, nogil=True)
def solve_all(cr, cp, ph, e0, e1, e_end, dead, hz, reset, divisible, delta, ex, wx, th, wth,
              rc, el, rep, consts, out, iters_out):  # fmt: skip
    """Solve every draw (see :func:`solve_draw`) and write its trajectories into ``out``
    (draws, len(SERIES), reported months). The month grids ``ph``, ``dead``, ``hz`` and
    ``reset`` are per draw (draws, months): candidates of different timings in one call."""
    n = cr.shape[0]
    R = cr.shape[2]
    T = e0.shape[0]
    K = ex.shape[0]
    M = th.shape[0]
    for i in range(n):
        W1 = np.empty((T + 1, R))
        V = np.empty((T + 1, R, K))
        act = np.empty((T, R, K), dtype=np.int8)
        done1 = np.empty((T, R), dtype=np.bool_)
        A1 = np.empty((T + 1, R))
        U = np.empty((T + 1, R, M))
        strike = np.empty((T, R, M), dtype=np.bool_)
        rho = np.empty((T, R), dtype=np.int64)
        path = np.empty(T, dtype=np.int64)
        pi = np.empty((T, K))
        mu = np.empty((T + 1, M))
        surv = np.empty(T + 1)
        iters_out[i] = solve_draw(i, cr, cp, ph[i], e0, e1, e_end, dead[i], hz[i], reset[i],
                                  divisible, delta, ex, wx, th, wth, W1, V, act, done1, A1, U,
                                  strike, rho, path, pi, mu, surv)  # fmt: skip
        _series(i, ph[i], e0, reset[i], act, done1, path, pi, mu, surv, strike, wx, rc, el, cp,
                rep, consts, out)  # fmt: skip


def scratch(T: int, R: int, K: int, M: int) -> dict[str, np.ndarray]:
    """Arrays :func:`solve_draw` fills for one draw (for tests and inspection)."""
    return {
        "W1": np.empty((T + 1, R)),
        "V": np.empty((T + 1, R, K)),
        "act": np.empty((T, R, K), dtype=np.int8),
        "done1": np.empty((T, R), dtype=np.bool_),
        "A1": np.empty((T + 1, R)),
        "U": np.empty((T + 1, R, M)),
        "strike": np.empty((T, R, M), dtype=np.bool_),
        "rho": np.empty((T, R), dtype=np.int64),
        "path": np.empty(T, dtype=np.int64),
        "pi": np.empty((T, K)),
        "mu": np.empty((T + 1, M)),
        "surv": np.empty(T + 1),
    }
