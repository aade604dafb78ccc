"""Every equilibrium of many Lewis–Schultz games at once.

An equilibrium is a root of ``g(p) = p − F(p)`` on [0, 1] (see
:mod:`coercive.games.lewis_schultz`). The search exploits a fact that follows from the
model: ``F`` is monotone. ``c*`` is monotone in ``pR`` (direction ``sign(VA − SA)``);
``pF`` is monotone in ``c*`` (direction ``sign(WA − a)``: conditioning on
``max(U, V) >= c`` favours the variable with the larger mean, by the monotone likelihood
ratio of the two normal order statistics); and B's response falls in ``pF`` when
``VB > CB``. Hence

* if ``(SA − VA)(WA − a)(VB − CB) <= 0`` (judged by the factors' signs), ``F`` never
  increases, ``g`` is strictly
  increasing and there is exactly one equilibrium, found by bracketing on [0, 1];
* otherwise ``F`` increases and several equilibria are possible. Every root lies in
  ``[F(0), F(1)]`` (a root is its own image), which brackets one: it is polished, and
  the rest of the bracket, on both sides of that root, becomes the first cells of a
  search. Over a cell ``[lo, hi]`` an increasing ``F`` stays within
  ``[F(lo), F(hi)]``, so a cell whose value range misses the diagonal is certified
  root-free. A cell with ``F`` below the diagonal at both ends can only hold roots at or
  below ``F(hi)``, so it shrinks to ``[lo, F(hi)]``; likewise from below. Cells that can
  be neither certified nor shrunk much are split, down to a resolution of 2.5e-4 (a
  relative 2.5e-3 below p = 0.1). Every sign change is polished and its cell searched
  again on both sides of the root, so a pair of roots that a fixed grid would step over
  is still found unless it lies within the resolution.

Roots are polished by Newton's method on the analytic slope of ``F``
(:func:`coercive.games.lewis_schultz.response_slope`), safeguarded by the bracket: a step
outside it, or no slope (the tails), falls back to the Illinois variant of regula falsi,
or to geometric bisection while a bracket spans orders of magnitude. The tolerance is
``|g| <= 1e-13·min(p, 1 − p)`` (or adjacent floats). Widths beside a root are relative
to its distance to the nearer end of [0, 1] (see :func:`_gap`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from coercive.games.lewis_schultz import (
    challenge,
    response_and_firmness,
    response_slope,
    threshold,
)

MAX_ROOTS = 16
_STACK = 256
# Why a game's search was cut short (bits of the per-game ``truncated`` count): more
# sign changes than the ``MAX_ROOTS`` slots, or a cell left unsearched because the stack
# of ``_STACK`` cells was full. Either way a root may be missing, so the caller refuses
# the game (issue 11: no silent truncation) rather than return a partial list.
TOO_MANY_ROOTS = 1
STACK_FULL = 2
# A third reason to refuse, not a truncation: p = 0 is an equilibrium, yet F already
# exceeds the diagonal at the smallest positive double (5e-324). F is flat to all orders
# at p = 0 (see :func:`_slope`), so g = p − F(p) is positive just above 0 and changes sign
# again below 5e-324: an equilibrium lies between 0 and the first positive double, where no
# floating-point answer can name it (issue 11: SA = 4.5e-262, σ = 1.17e30 gave 2 roots of 3).
BELOW_SMALLEST_DOUBLE = 4
# The same at the other end: F(1) rounds to 1 (p = 1 a root in doubles), yet F is below
# the diagonal at 1 − 2e-15, the width within which the search takes a root for the one
# at 1 (twice the gap beside it). Exactly, 1 − F(1) > 0 too, so (1 − 2e-15, 1] holds an
# even number of roots — none (the root at 1 is spurious) or two (one is missing) — and
# the search cannot tell which. It needs
# F' ≳ 1 where 1 − F < 1e-16, i.e. |VA| beyond ~1e15·σ; seen in random games with
# payoff/σ ratios to 1e150 (benchmarks/bench_extreme_payoffs.py --ratios).
WITHIN_A_FLOAT_OF_ONE = 8
_MIN_WIDTH = 2.5e-4
_TOL = 1e-13
# The certificate every returned root must pass (issue 11): a relative residual, or a
# sign change of p − F(p) within a relative width (see :func:`certified`).
_CERTIFY_RESIDUAL = 1e-10
_CERTIFY_WIDTH = 1e-9
# Above p = 1/2 the widths beside a root are relative to 1 − p, the distance to the other
# end: c* − SA = (SA − VA)(1 − p)/p, so with |VA| ~ 1e8·σ F can jump from 0 to 1 within
# 1e-9 of p = 1, and a width relative to p (1e-9 there) hid such roots beside a root at 1
# (issue 11). Floored at 1e-15, nine spacings of the floats below 1: F near 1 is Φ via
# erfc, good to about two of them, so a narrower gap would let its rounding pose as roots.
_NEAR_ONE_FLOOR = 1e-15
_SMALLEST_DOUBLE = 5e-324

# The search's helpers are only ever called from the compiled search (solve_one, and
# _solve_block around it), whose cache files hold their code: a cache file of their own
# would be written on the first run and never read, so they are not cached.
_part_of_the_search = njit(cache=False, nogil=True, error_model="numpy")


@_part_of_the_search
def _gap(root):  # noqa: ANN001, ANN202
    """Width left out on each side of a root: 1e-9 of its distance to the nearer end of
    [0, 1], at least one float above 0 (roots near 1e-300 count) or 1e-15 below 1."""
    if root > 0.5:
        return max(_CERTIFY_WIDTH * (1.0 - root), _NEAR_ONE_FLOOR)
    return max(_CERTIFY_WIDTH * root, _SMALLEST_DOUBLE)


@_part_of_the_search
def _next_point(lo, hi, glo, ghi, newton, bisect):  # noqa: ANN001, ANN202
    """The next trial point strictly inside (lo, hi), or NaN when none is left.

    ``bisect`` forces a (geometric, while the bracket spans orders of magnitude) bisection
    step: the safeguard that bounds the iteration count whatever Newton and regula falsi do.
    """
    mid = lo + 0.5 * (hi - lo)
    if not (lo < mid < hi):
        return math.nan  # lo and hi are adjacent floats
    if not bisect and lo < newton < hi:
        return newton
    if lo > 0.0 and hi > (4.0 if bisect else 1e3) * lo:
        x = math.sqrt(lo) * math.sqrt(hi)
        return x if lo < x < hi else mid
    if lo == 0.0 and hi < 1e-3:
        # Roots near 0 can be as small as 1e-300: step down by orders of magnitude.
        x = hi * 1e-3
        return x if x > 0.0 else mid
    if bisect:
        return mid
    x = (lo * ghi - hi * glo) / (ghi - glo)
    return x if lo < x < hi else mid


@_part_of_the_search
def _polish(lo, hi, glo, ghi, SA, VA, CB, WA, WB, a, VB, sigma):  # noqa: ANN001, ANN202
    """Root of g = p − F(p) in [lo, hi], where g(lo), g(hi) differ in sign or one is 0.

    Returns (root, F(root), pF(root), 1 − pF(root)); the last three come free from the
    final evaluation.
    The bracket is kept throughout, and the iteration ends only at a point with
    ``|g| <= 1e-13·min(p, 1 − p)`` or at a bracket of adjacent floats (then its end with the smaller
    ``|g|``): it never returns the best of a failed search. Newton (analytic slope) and
    Illinois steps are tried first; whenever two steps in a row failed to halve the
    bracket, the next one bisects, so the iteration count is bounded by about three
    times that of bisection (≈ 60 steps over [0, 1], ≈ 200 from 1e-300).
    """
    args = (SA, VA, CB, WA, WB, a, VB, sigma)
    if glo == 0.0 or ghi == 0.0:
        x = lo if glo == 0.0 else hi
        value, firm, back = response_and_firmness(x, *args)
        return x, value, firm, back
    kept = 0  # which end was kept last time (Illinois halves its g if kept twice)
    # The sign of g at lo, fixed for good: Illinois' halving can underflow glo to 0
    # (g ~ 1e-317 beside a root near 1e-304), and a sign read from it would be lost.
    lo_negative = glo < 0.0
    newton = math.nan  # Newton's proposal from the last point, when it has one
    width_one_ago = math.inf  # bracket widths before the last step and the one before
    width_two_ago = math.inf
    for _ in range(2000):
        width = hi - lo
        bisect = width > 0.5 * width_two_ago
        if bisect:
            width_one_ago = width_two_ago = math.inf  # two free steps after this one
        else:
            width_one_ago, width_two_ago = width, width_one_ago
        x = _next_point(lo, hi, glo, ghi, newton, bisect)
        if math.isnan(x):
            break
        value, firm, back = response_and_firmness(x, *args)
        gx = x - value
        # Relative to the distance to the nearer end: where F is 1 near p = 1, every p
        # within 1e-13 of 1 had |g| <= 1e-13·p and passed as a root of its own.
        if gx == 0.0 or abs(gx) <= _TOL * min(x, 1.0 - x):
            return x, value, firm, back
        if (gx < 0.0) == lo_negative:
            lo, glo = x, gx
            if kept == -1:
                ghi *= 0.5
            kept = -1
        else:
            hi, ghi = x, gx
            if kept == 1:
                glo *= 0.5
            kept = 1
        # Safeguarded Newton: use the analytic slope where there is one and the step
        # stays inside the bracket; otherwise the next step is Illinois (or geometric).
        slope = response_slope(x, firm, back, *args)
        newton = x - gx / (1.0 - slope)
    # Adjacent floats (or, never seen, the iteration cap): a verified sign change; report
    # the end nearer the diagonal, evaluated afresh (Illinois may have halved its g).
    value_lo, firm_lo, back_lo = response_and_firmness(lo, *args)
    value_hi, firm_hi, back_hi = response_and_firmness(hi, *args)
    if abs(lo - value_lo) <= abs(hi - value_hi):
        return lo, value_lo, firm_lo, back_lo
    return hi, value_hi, firm_hi, back_hi


@_part_of_the_search
def _certificate_bounds(root):  # noqa: ANN001, ANN202
    """The interval around ``root`` in which the certificate looks for a sign change of
    ``g = p − F(p)``: ``root·(1 ∓ 5e-10)``, a relative width of 1e-9, widened to ±1e-300
    below 1e-291 where floats are too coarse for it, and above p = 1/2 narrowed to
    ``root ∓ 5e-10·(1 − root)`` (at least ±5e-16) so that it cannot reach a root at 1."""
    half = 0.5 * _gap(root) if root > 0.5 else max(0.5 * _CERTIFY_WIDTH * root, 1e-300)
    return max(root - half, 0.0), min(root + half, 1.0)


@_part_of_the_search
def _analytic_slope(p, firm, back, args):  # noqa: ANN001, ANN202
    """dF/dp at p from pF there (``firm``, ``back`` = 1 − pF); NaN in the tails.

    At p = 0 the slope is exactly 0 for every game: as p -> 0, c* -> ±∞ like 1/p (or
    stays at VA when SA = VA), and pF approaches its limit exponentially in 1/p (a
    normal tail in c*), so F is flat there to all orders. A difference quotient over
    [0, 1e-300] (as before issue 11) crossed any root below 1e-300 and called the stable
    root at 0 unstable, with slope 5e299.
    """
    if p == 0.0:
        return 0.0
    return response_slope(p, firm, back, *args)


@_part_of_the_search
def _difference_point(p):  # noqa: ANN001, ANN202
    """The other point of a one-sided difference quotient for dF/dp at p, where the analytic
    slope is NaN: 1e-7 of the distance to the nearer end away (at least 1e-300)."""
    h = max(1e-7 * min(p, 1.0 - p), 1e-300)
    other = p + h if p + h <= 1.0 else p - h
    if other == p:  # p within an ulp of 1: step back by more than rounding
        other = p - 1e-12
    return other


@_part_of_the_search
def _merge_scale(root):  # noqa: ANN001, ANN202
    # Like _gap, without its one-float floor above 0 (0 and 5e-324 are two roots).
    return _gap(root) if root > 0.5 else _CERTIFY_WIDTH * root


@_part_of_the_search
def _stored(root, roots, count):  # noqa: ANN001, ANN202
    """Whether ``root`` is one of the first ``count`` entries of ``roots`` already."""
    for k in range(count):
        # The same root reached again from a cell beside it (F's rounding noise can flip
        # the sign of p − F(p) just outside the gap left beside it): keep it once. Only
        # relative, to the distance from the nearer end: a root at 2e-300 beside one at 0
        # is another root, and so is one at 1 − 1.7e-9 beside one at 1 (regression tests).
        width = 2.0 * max(_merge_scale(roots[k]), _merge_scale(root))
        if abs(roots[k] - root) <= width:
            return True
    return False


@_part_of_the_search
def _push(cells, top, lo, hi, flo, fhi):  # noqa: ANN001, ANN202
    """Push the cell [lo, hi] with F(lo), F(hi) onto ``cells`` (rows lo, hi, flo, fhi)."""
    cells[0, top] = lo
    cells[1, top] = hi
    cells[2, top] = flo
    cells[3, top] = fhi
    return top + 1


@_part_of_the_search
def _keep(point, cell, split, args, found, cells, count, rejected, top):  # noqa: ANN001, ANN202
    """Store a polished root if it is certified; with ``split``, queue the rest of its cell.

    ``point`` is (root, F, pF, 1 − pF) as :func:`_polish` returns it; ``cell`` is the cell
    (lo, hi, F(lo), F(hi)) it was polished in; ``found`` is (roots, slopes, firms), of which
    the first ``count`` entries are filled. Returns (count, rejected, top).

    **The certificate** (issue 11), a check independent of the search: ``root`` is kept if
    the residual is small, ``|root − F(root)| <= 1e-10·max(root, F(root))`` (0 at
    root = F(root) = 0), or if g = p − F(p) changes sign (or vanishes) over
    :func:`_certificate_bounds`, with both ends evaluated afresh here. A point that fails
    is counted in ``rejected`` and never returned.

    **The split**: the parts of the cell beside the root are pushed, all but
    ``_gap(root)`` on each side. Only 1e-9 of the root's distance to the nearer end of
    [0, 1] is left out (one float next to a root at 0, 1e-15 next to one at 1), so a
    second root close to this one — say one near p = 1 where F jumps from 0 to 1 within
    1e-9 — still shows as a sign change at a cell's end. The cell is split whether or not
    the root was kept.

    The evaluations of F for the certificate, the slope's fallback and the split are all
    made here, not in helpers: numba links a callee's compiled code into every caller and
    optimizes and emits it again there, so each function that evaluates F costs a copy of
    F's code in the first compile (issue 11: the first ``coercive assess``).
    """
    root, value, firm, back = point
    roots, slopes, firms = found
    if not _stored(root, roots, count):
        valid = math.isfinite(root) and math.isfinite(value) and 0.0 <= root <= 1.0
        certified = valid and abs(root - value) <= _CERTIFY_RESIDUAL * max(root, value)
        if valid and not certified:
            lo, hi = _certificate_bounds(root)
            glo = lo - response_and_firmness(lo, *args)[0]
            ghi = hi - response_and_firmness(hi, *args)[0]
            certified = (glo <= 0.0 <= ghi) or (ghi <= 0.0 <= glo)
        if certified:
            slope = _analytic_slope(root, firm, back, args)
            if not math.isfinite(slope):
                other = _difference_point(root)
                slope = (response_and_firmness(other, *args)[0] - value) / (other - root)
            roots[count] = root
            firms[count] = firm
            slopes[count] = slope
            count += 1
        else:
            rejected += 1
    if split:
        lo, hi, flo, fhi = cell
        gap = _gap(root)
        if root + gap < hi:
            upper = root + gap
            top = _push(cells, top, upper, hi, response_and_firmness(upper, *args)[0], fhi)
        if root - gap > lo:
            lower = root - gap
            top = _push(cells, top, lo, lower, flo, response_and_firmness(lower, *args)[0])
    return count, rejected, top


@_part_of_the_search
def _sign_change(glo, ghi, lo):  # noqa: ANN001, ANN202
    # Half-open: a zero at a cell's upper end belongs to that cell, one at its lower
    # end to the cell below (except at p = 0, which has no cell below).
    if glo < 0.0:
        return ghi >= 0.0
    if glo > 0.0:
        return ghi <= 0.0
    return lo == 0.0


@_part_of_the_search
def _sign(x):  # noqa: ANN001, ANN202
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


@njit(cache=True, nogil=True, error_model="numpy")
def solve_one(SA, VA, CB, WA, WB, a, VB, sigma, roots, slopes, firms, cells):  # noqa: ANN001, ANN201
    """All equilibria of one game into ``roots``, ``slopes`` (of F) and ``firms`` (pF).

    ``cells`` is scratch for the search, shape (4, capacity). The capacities are the
    buffers' lengths: ``len(roots)`` roots (``MAX_ROOTS`` from :func:`_solve_block`) and
    ``cells.shape[1]`` pending cells (``_STACK``).

    Returns their number, the number of polished points that failed certification
    (dropped; 0 unless the engine has a bug, which the caller then reports) and
    ``truncated``: 0, or the bits :data:`TOO_MANY_ROOTS` (a sign change of ``p − F(p)``
    away from every stored root found with every slot taken) and :data:`STACK_FULL` (a
    cell wider than the resolution and not certified root-free left unsearched for want
    of stack), :data:`BELOW_SMALLEST_DOUBLE` (an equilibrium between 0 and 5e-324) and
    :data:`WITHIN_A_FLOAT_OF_ONE` (roots within 2e-15 of 1 that it cannot count).
    A game with ``truncated != 0`` may have roots not returned.
    """
    args = (SA, VA, CB, WA, WB, a, VB, sigma)
    # np.int64(0) and np.bool_, not the literals 0, True and False: numba would compile
    # _keep, _push and _stored again for each argument of type Literal[int](0) or
    # Literal[bool](True), and the first compile is what a first ``coercive assess`` waits for.
    zero = np.int64(0)
    split, no_split = np.bool_(True), np.bool_(False)
    found = (roots, slopes, firms)
    capacity = roots.shape[0]
    stack = cells.shape[1]
    # The direction of F from signs, not from the product of the differences: that
    # underflows to 0 for payoffs of order 1e-110 (same game, smaller units) and would
    # send a rising F down the one-root path.
    if _sign(SA - VA) * _sign(WA - a) * _sign(VB - CB) <= 0.0:
        f_zero = response_and_firmness(0.0, *args)[0]
        f_one = response_and_firmness(1.0, *args)[0]
        point = _polish(0.0, 1.0, -f_zero, 1.0 - f_one, *args)
        count, rejected, _ = _keep(
            point, (0.0, 1.0, f_zero, f_one), no_split, args, found, cells, zero, zero, zero
        )
        return count, rejected, 0

    # Cells carry F at their ends (not g = p − F: recovering F from g loses it when
    # F << p, e.g. F ~ 1e-54 at p = 1e-30). The sign of g is exact from p vs F.
    # A root r = F(r) of a rising F with lo <= r <= hi also lies in [F(lo), F(hi)]:
    # tighten [0, 1] once from each end (Tarski's iteration). The result still brackets a
    # root (F(lo) >= lo and F(hi) <= hi hold by construction), which is polished first.
    f_zero = response_and_firmness(0.0, *args)[0]
    f_one = response_and_firmness(1.0, *args)[0]
    truncated = 0
    if f_zero == 0.0 and response_and_firmness(_SMALLEST_DOUBLE, *args)[0] > _SMALLEST_DOUBLE:
        truncated |= BELOW_SMALLEST_DOUBLE
    below_one = 1.0 - 2.0 * _NEAR_ONE_FLOOR
    if f_one == 1.0 and response_and_firmness(below_one, *args)[0] < below_one:
        truncated |= WITHIN_A_FLOAT_OF_ONE
    lo = f_zero
    hi = max(f_one, lo)
    # F(0) = 0 or F(1) = 1 makes an end its own image: no second evaluation (this pays
    # for the checks at 5e-324 and 1 − 2e-15 above, made in just those games).
    flo = f_zero if lo == 0.0 else response_and_firmness(lo, *args)[0]
    fhi = f_one if hi == 1.0 else response_and_firmness(hi, *args)[0]
    if lo - flo > 0.0 or hi - fhi < 0.0:
        # Only rounding (F is monotone to ~1e-12) can break the bracket: use [0, 1].
        lo, hi, flo, fhi = 0.0, 1.0, f_zero, f_one
    point = _polish(lo, hi, lo - flo, hi - fhi, *args)
    count, rejected, top = _keep(
        point, (lo, hi, flo, fhi), split, args, found, cells, zero, zero, zero
    )

    while top > 0:
        top -= 1
        lo, hi, flo, fhi = cells[0, top], cells[1, top], cells[2, top], cells[3, top]
        # F increasing, so F([lo, hi]) ⊂ [F(lo), F(hi)]: no root unless that meets [lo, hi].
        if fhi < lo or flo > hi:
            continue
        width = hi - lo
        # Resolution: 2.5e-4 above p = 0.1, relatively 2.5e-3 below it.
        resolution = _MIN_WIDTH * min(1.0, 10.0 * hi)
        resolved = width <= resolution or hi <= 1e-300
        # Room for the two cells a split or the sides of a root need; without it the cell
        # is not searched further, which is recorded (STACK_FULL), never silent.
        room = top + 2 <= stack
        glo = lo - flo
        ghi = hi - fhi
        if _sign_change(glo, ghi, lo):
            # Search the rest of the cell, even a resolved one: its pieces are only
            # checked for a sign change at their ends (two evaluations), which shows any
            # odd number of roots beside this one (issue 11: a root at p = 1 polished
            # first from a cell 2e-5 wide hid another 2e-6 below it).
            point = _polish(lo, hi, glo, ghi, *args)
            cell, splits = (lo, hi, flo, fhi), room
        elif resolved:
            continue
        elif not room:
            truncated |= STACK_FULL
            continue
        elif glo > 0.0 and ghi > 0.0 and ghi >= 0.25 * width:
            # F below the diagonal at both ends: every root r obeys r = F(r) <= F(hi).
            value, firm, back = response_and_firmness(fhi, *args)
            if fhi - value > 0.0:
                top = _push(cells, top, lo, fhi, flo, value)
                continue
            # F(F(hi)) <= F(hi) holds exactly (F rises), so g(F(hi)) <= 0 is an exact 0 or
            # F's rounding: F(hi) is a root (F flat there), the mirror of the case below.
            # Kept here: the cell [lo, F(hi)] would hold a sign change, but the root can
            # lie an ulp above F(hi), outside it (hypothesis found F flat at 0.2525 with
            # F(1) one ulp below F(0.9): the stable equilibrium was missed and the game
            # returned two equilibria, 0 and 8.2e-22).
            point, cell, splits = (fhi, value, firm, back), (lo, fhi, flo, value), split
        elif glo < 0.0 and ghi < 0.0 and -glo >= 0.25 * width:
            # F above the diagonal at both ends: every root r obeys r = F(r) >= F(lo).
            value, firm, back = response_and_firmness(flo, *args)
            if flo - value < 0.0:
                top = _push(cells, top, flo, hi, value, fhi)
                continue
            # F(F(lo)) >= F(lo) holds exactly (F rises), so g(F(lo)) >= 0 is an exact 0 or
            # F's rounding: F(lo) is a root (F flat there; issue 11, payoffs to 1e9·σ).
            # Kept here, as the half-open cells would leave it to the cell below F(lo),
            # which holds no root and is dropped.
            point, cell, splits = (flo, value, firm, back), (flo, hi, value, fhi), split
        else:
            mid = math.sqrt(lo) * math.sqrt(hi) if lo > 0.0 and hi > 4.0 * lo else 0.5 * (lo + hi)
            fmid = response_and_firmness(mid, *args)[0]
            # Upper half first on the stack so the lower half pops first.
            top = _push(cells, top, mid, hi, fmid, fhi)
            top = _push(cells, top, lo, mid, flo, fmid)
            continue
        # A root in hand (polished from a sign change, or a cell's end where F is flat):
        # store it if certified, and queue the rest of its cell.
        if count == capacity:
            # No slot left: a root not already stored is one the caller would miss.
            if not _stored(point[0], roots, count):
                truncated |= TOO_MANY_ROOTS
            continue
        count, rejected, top = _keep(point, cell, splits, args, found, cells, count, rejected, top)
        if not splits:
            truncated |= STACK_FULL

    # Cells pop roughly in increasing p, but the pieces around a root may not: sort.
    for i in range(1, count):  # insertion sort: count <= MAX_ROOTS
        r, s, f = roots[i], slopes[i], firms[i]
        j = i - 1
        while j >= 0 and roots[j] > r:
            roots[j + 1] = roots[j]
            slopes[j + 1] = slopes[j]
            firms[j + 1] = firms[j]
            j -= 1
        roots[j + 1] = r
        slopes[j + 1] = s
        firms[j + 1] = f
    return count, rejected, truncated


# Games per thread below which one thread solves everything (a thread costs ~0.1 ms).
_BLOCK = 4096


def solve_many(SA, VA, CB, WA, WB, a, VB, sigma):  # noqa: ANN001, ANN201
    """Solve every game (1-d float arrays of equal length, taken as read-only float64).

    Returns ``counts``, ``rejected`` (per game, polished points that failed certification:
    0 unless there is a bug), ``truncated`` (per game, the bits :data:`TOO_MANY_ROOTS` /
    :data:`STACK_FULL` / … of :func:`solve_one`: 0 unless the search was cut short) and, in
    ``MAX_ROOTS`` columns of which the first ``counts[i]`` are defined (the rest is
    scratch), B's resistance ``pR``, the slope of ``F`` there, and A's challenge and
    firmness probabilities.

    The outputs are allocated here, by numpy, and filled in place by the compiled
    :func:`_solve_block`: allocating them in compiled code cost the first compile three
    more numba functions (``np.zeros``/``np.empty`` for each shape), ~0.4 s. Large
    batches are split into blocks solved on threads (the kernel releases the GIL), each
    writing its own rows. This replaces a ``parallel=True`` kernel: numba's parfor lowering
    added ~4 s to the first compile, the biggest single cost of a first ``coercive
    assess`` after install, for the same use of the cores.
    """
    n = SA.shape[0]
    counts = np.zeros(n, dtype=np.int64)
    rejected = np.zeros(n, dtype=np.int64)
    truncated = np.zeros(n, dtype=np.int64)
    roots, slopes, challenges, firms = (np.empty((n, MAX_ROOTS)) for _ in range(4))
    inputs = tuple(_kernel_array(x) for x in (SA, VA, CB, WA, WB, a, VB, sigma))
    outputs = (counts, rejected, truncated, roots, slopes, challenges, firms)

    def solve(lo: int, hi: int) -> None:
        # One scratch stack per block: blocks run on different threads.
        block = tuple(x[lo:hi] for x in inputs), tuple(y[lo:hi] for y in outputs)
        _solve_block(*block, _new_stack())

    workers = min(_threads(), n // _BLOCK)
    if workers <= 1:
        solve(0, n)
        return outputs
    from concurrent.futures import ThreadPoolExecutor

    # More blocks than threads, so that a thread that drew easy games takes another block
    # (games differ in cost: one root or a certified search for three).
    blocks = min(8 * workers, n // _BLOCK)
    bounds = np.linspace(0, n, blocks + 1).astype(np.int64)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # list(): wait for every block and re-raise the first error, if any.
        list(pool.map(lambda k: solve(int(bounds[k]), int(bounds[k + 1])), range(blocks)))
    return outputs


def _kernel_array(x: np.ndarray) -> np.ndarray:
    """``x`` as a read-only C-contiguous float64 array: a view, copied only if the dtype or
    the layout differs.

    One compiled signature for every caller: numba types a read-only array (as
    :class:`~coercive.games.CrisisGame` keeps its payoffs) apart from a writable one, and
    each new type of the inputs would compile the whole solver again. Read-only, not
    writable, so that neither kind is copied: a writable array only needs a view.
    """
    view = np.ascontiguousarray(x, dtype=np.float64).view()
    view.flags.writeable = False
    return view


def _new_stack() -> np.ndarray:
    """Scratch for the search's pending cells (rows lo, hi, F(lo), F(hi))."""
    return np.empty((4, _STACK))


def _threads() -> int:
    """Threads to use: numba's current setting (``numba.set_num_threads``; by default
    NUMBA_NUM_THREADS, itself all cores), as a ``parallel=True`` kernel would."""
    import numba

    return max(1, int(numba.get_num_threads()))


@njit(cache=True, nogil=True, error_model="numpy")
def _solve_block(games, outputs, cells):  # noqa: ANN001, ANN202
    """Solve every game of a block into the outputs of :func:`solve_many` (row i, game i).

    ``games`` is the tuple of the eight payoff arrays (SA … sigma), ``outputs`` that of
    :func:`solve_many`'s results; ``cells`` is the search's scratch, reused game after game.
    """
    SA, VA, CB, WA, WB, a, VB, sigma = games
    counts, rejected, truncated, roots, slopes, challenges, firms = outputs
    for i in range(SA.shape[0]):
        count, rejected[i], truncated[i] = solve_one(
            SA[i],
            VA[i],
            CB[i],
            WA[i],
            WB[i],
            a[i],
            VB[i],
            sigma[i],
            roots[i],
            slopes[i],
            firms[i],
            cells,
        )
        counts[i] = count
        for k in range(count):
            c = threshold(roots[i, k], SA[i], VA[i])
            challenges[i, k] = challenge(c, WA[i], a[i], sigma[i])


def compact(counts, roots, slopes, challenges, firms):  # noqa: ANN001, ANN201
    """Flatten :func:`solve_many`'s padded output: one entry per equilibrium, game order.

    Returns the game index of each equilibrium and a (4, total) array of its pC, pR, pF
    and slope of F. A boolean mask selects row by row, so each game's equilibria keep
    their order (increasing pR).
    """
    defined = np.arange(roots.shape[1]) < counts[:, None]
    game = np.repeat(np.arange(counts.shape[0], dtype=np.int64), counts)
    return game, np.stack([challenges[defined], roots[defined], firms[defined], slopes[defined]])
