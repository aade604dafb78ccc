"""Design across a campaign's phases: each phase's instruments and when each phase starts.

:class:`CampaignEvaluator` has the :class:`~coercive.design.frontier.Evaluator` protocol, so
:func:`~coercive.design.frontier.search`, its polish and :class:`DesignResult` take it
unchanged. Its decision vector holds, for every phase ``k``, that phase's instruments
(``k.NAME``: an instrument at its lower bound in a phase is not in force there) and, for every
phase after the first, its start month (``start.k``). The objective is P(complied in full
by month N) against the coercer's expected cumulative cost by month N (``docs/design.md``
§5).

Every candidate is mapped with the policy mapping on the SAME draws of each phase's scenario
(common random numbers, the draws :func:`coercive.campaign.run_campaign` uses) and the whole
batch, whatever its timings and instrument levels, is solved by the campaign model's own
entry point (``coercive.campaign.model.solve_rows``) in one call.
``tests/test_design_campaign.py`` checks that a candidate equal to the file's own policy
reproduces ``run_campaign``'s P(complied by N) and P(struck by N). Compliance is full
compliance; the freeze (a divisible demand's first step) does not count.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from coercive._errors import InputError
from coercive.campaign.model import MONTH, phase_draws, solve_rows
from coercive.campaign.schema import Campaign
from coercive.design.frontier import Evaluation, PhaseEvaluator, map_mixes, today_vector
from coercive.design.space import INSTRUMENTS, Prices, check_bounds, clean
from coercive.policy.constants import MappingConstants
from coercive.policy.mapping import annuity

_K = len(INSTRUMENTS)


def phase_bounds(
    campaign: Campaign, bounds: Mapping[str, tuple[float, float]] | None
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Names and bounds of the campaign's decision vector.

    ``bounds`` keys: ``NAME`` (every phase), ``k.NAME`` (phase k only; applied after NAME),
    ``start.k`` (phase k's start month, within 1 … months − 1).
    """
    phases = len(campaign.phases)
    bounds = dict(bounds or {})
    names: list[str] = []
    lows, highs = [], []
    for k in range(phases):
        own = {n: v for n, v in bounds.items() if "." not in n}
        for key, value in bounds.items():
            head, _, tail = key.partition(".")
            if head.isdigit() and int(head) == k:
                own[tail] = value
        try:
            low, high = check_bounds(own)
        except InputError as exc:
            raise InputError(f"bounds (phase {k}): {exc}") from None
        names += [f"{k}.{i.name}" for i in INSTRUMENTS]
        lows.append(low)
        highs.append(high)
    for k in range(1, phases):
        lo, hi = bounds.get(f"start.{k}", (1, campaign.months - 1))

        def whole(v: object) -> bool:
            return (not isinstance(v, bool) and isinstance(v, (int, float, np.number))
                    and float(v).is_integer())

        if not (whole(lo) and whole(hi)) or not 1 <= lo <= hi <= campaign.months - 1:
            raise InputError(
                f"bounds.start.{k}: ({lo!r}, {hi!r}) is not allowed; need whole months "
                f"1 <= low <= high <= {campaign.months - 1} (the horizon's last month)"
            )
        names.append(f"start.{k}")
        lows.append(np.array([float(lo)]))
        highs.append(np.array([float(hi)]))
    known = {f"{k}.{i.name}" for k in range(phases) for i in INSTRUMENTS}
    known |= {i.name for i in INSTRUMENTS} | {f"start.{k}" for k in range(1, phases)}
    for key in bounds:
        if key not in known:
            raise InputError(
                f"bounds: unknown {key!r}; allowed: NAME, k.NAME (k a phase index "
                f"0-{phases - 1}) or start.k (k 1-{phases - 1})"
            )
    return tuple(names), np.concatenate(lows), np.concatenate(highs)


def start_months(z: np.ndarray, months: int) -> np.ndarray:
    """Integer, strictly increasing start months (phase 0 at 0) from the decision columns."""
    starts = np.rint(np.sort(np.atleast_2d(z), axis=1)).astype(np.int64)
    out = np.zeros((starts.shape[0], starts.shape[1] + 1), dtype=np.int64)
    for k in range(starts.shape[1]):
        out[:, k + 1] = np.maximum(starts[:, k], out[:, k] + 1)
    return np.minimum(out, months - 1)


def campaign_paths(
    campaign: Campaign,
    mapped_phases: list[tuple[dict[str, np.ndarray], np.ndarray, Any]],
    starts: np.ndarray,
    d: int,
    const: MappingConstants,
    prices: Prices,
    seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray, Callable[[str], np.ndarray]]:
    """P(complied in full by month t) and P(struck by month t), (p·d, N), of p candidates.

    ``mapped_phases[k]`` = (flat inputs, coded strike cost, mapping) of phase k for all p·d
    rows (candidate-major, d rows each); ``starts`` (p, phases) their start months. The
    campaign model solves them in one call (``coercive.campaign.model.solve_rows``). Also
    returns ``grid(name)``: a per-phase quantity on each row's month grid (for the cost).
    """
    flats = [m[0] for m in mapped_phases]
    inputs, paths = solve_rows(campaign, flats, starts, d, seed=seed, mapping=const,
                               sanctions_price=prices.sanctions)  # fmt: skip
    rows = inputs.phase[:, : campaign.months]  # (p*d, N): the phase of each row's month
    stage: dict[str, list[np.ndarray]] = {
        k: [] for k in ("loss", "threatened", "relief", "force", "strike_cost", "forgone",
                        "compensation", "comp_years", "other")
    }
    for inputs_k, strike_cost, mapped in mapped_phases:
        parts = mapped.parts
        stage["loss"].append(prices.sanctions * parts["economy_loss"])
        stage["threatened"].append(inputs_k["threatened"])
        stage["relief"].append(inputs_k["relief_offered"])
        stage["force"].append(inputs_k["force"])
        stage["strike_cost"].append(strike_cost)
        stage["forgone"].append(parts["forgone_demands"])
        stage["compensation"].append(inputs_k["compensation"])
        stage["comp_years"].append(inputs_k["compensation_years"])
        stage["other"].append(inputs_k["other_carrots"])
    by_phase = {k: np.stack(v, axis=1) for k, v in stage.items()}  # (p*d, phases)
    cache: dict[str, np.ndarray] = {}

    def grid(name: str) -> np.ndarray:  # (p*d, N): the value of the phase in force
        if name not in cache:
            cache[name] = np.take_along_axis(by_phase[name], rows, axis=1)
        return cache[name]

    return paths.complied, paths.struck, grid


class CampaignEvaluator:
    """P(complied by month N) and the coercer's expected cost by month N of candidate timings.

    ``prices`` price every phase alike; ``equilibrium`` is unused (the campaign model has its
    own solution concept) and kept for the protocol's users.
    """

    def __init__(
        self,
        campaign: Campaign,
        const: MappingConstants,
        prices: Prices | None = None,
        bounds: Mapping[str, tuple[float, float]] | None = None,
        draws: int | None = None,
        seed: int | None = None,
    ) -> None:
        self.campaign = campaign
        self.const = const
        self.prices = prices or Prices()
        self.months = campaign.months
        self.names, self.low, self.high = phase_bounds(campaign, bounds)
        base = campaign.base
        n = base.model.draws if draws is None else int(draws)
        seed = base.model.seed if seed is None else int(seed)
        self.draws, self.seed = n, seed
        # the draws run_campaign uses: common random numbers
        self.base = phase_draws(campaign, n, seed)

    @property
    def phases(self) -> int:
        return len(self.campaign.phases)

    def today(self) -> np.ndarray:
        """The file's own policy: each phase's instruments (means of draws), its start months."""
        parts = [today_vector(b) for b in self.base]
        starts = [float(p.start_month) for p in self.campaign.phases[1:]]
        return np.concatenate(parts + [np.array(starts)])

    def clean(self, x: np.ndarray) -> np.ndarray:
        """Candidates as evaluated: each phase's 0/1 instruments rounded, start months the
        integer, strictly increasing months the campaign runs with."""
        x = np.array(np.atleast_2d(x), dtype=float, copy=True)
        phases = self.phases
        for k in range(phases):
            x[:, k * _K : (k + 1) * _K] = clean(x[:, k * _K : (k + 1) * _K])
        if phases > 1:
            x[:, phases * _K :] = start_months(x[:, phases * _K :], self.months)[:, 1:]
        return x

    def evaluate(self, x: np.ndarray) -> Evaluation:
        x = self.clean(x)
        p, d, phases = x.shape[0], self.draws, self.phases
        starts = start_months(x[:, phases * _K :], self.months)  # (p, phases)
        mapped_phases = [
            map_mixes(self.base[k], x[:, k * _K : (k + 1) * _K], self.prices, self.const)
            for k in range(phases)
        ]
        complied, struck, grid = campaign_paths(self.campaign, mapped_phases, starts, d,
                                                self.const, self.prices, self.seed)
        parts_by_draw = self._cost(complied, struck, grid)
        for name, values in {"compliance": complied, **parts_by_draw}.items():
            if not np.all(np.isfinite(values)):  # never let NaN/inf into the frontier
                raise ValueError(f"campaign {self.campaign.id}: non-finite {name} in the design")
        return Evaluation(
            compliance=complied[:, -1].reshape(p, d).mean(axis=1),
            parts={k: v.reshape(p, d).mean(axis=1) for k, v in parts_by_draw.items()},
            war=struck[:, -1].reshape(p, d).mean(axis=1),
        )

    def _cost(self, complied, struck, grid) -> dict[str, np.ndarray]:
        """The coercer's expected cost by month N, discounted to the campaign's start.

        Compliance at the start of month t pays that phase's carrots (compensation over what
        is left of the horizon) and gives up what its assurance forgoes; a strike in month t
        costs the strike's coded cost with the posture's probability of force; sanctions in
        force cost their own stream while the campaign runs, after compliance unless relief
        lifts them, and (in force or threatened) after a strike, to month N.
        """
        horizon = self.months
        r, erosion = self.const.discount_rate, self.const.sanctions_erosion
        prices = self.prices
        t = np.arange(horizon)
        disc = np.exp(-r * t * MONTH)
        # present value of month t's slice of a unit stream eroding from the campaign's start
        slice_pv = np.exp(-(r + erosion) * t * MONTH) * annuity(r + erosion, MONTH)
        tail = np.concatenate([np.cumsum(slice_pv[::-1])[::-1], [0.0]])  # months t … N-1
        zero = np.zeros((complied.shape[0], 1))
        new_comply = np.diff(np.concatenate([zero, complied], 1), axis=1)
        new_strike = np.diff(np.concatenate([zero, struck], 1), axis=1)
        running = 1.0 - complied - np.concatenate([zero, struck[:, :-1]], 1)

        def g(name: str) -> np.ndarray:
            return grid(name)

        left = (horizon - t) * MONTH  # years of the horizon left at month t
        years = np.minimum(g("comp_years"), left[None, :])
        package = prices.carrots * (g("compensation") * annuity(r, years) + g("other"))
        package = package + prices.relief * g("relief")
        loss_in_force = g("loss") * (1.0 - g("threatened"))
        after_compliance = loss_in_force * (1.0 - g("relief")) * tail[None, t]
        after_strike = g("loss") * tail[None, t + 1]
        return {
            "carrots": (new_comply * disc * package).sum(1),
            "assurance": (new_comply * disc * g("forgone")).sum(1),
            "sanctions": (running * loss_in_force * slice_pv
                          + new_comply * after_compliance + new_strike * after_strike).sum(1),
            "war": (new_strike * disc * g("force") * g("strike_cost")).sum(1),
            "backdown": np.zeros(complied.shape[0]),  # no back-down within the horizon
        }


__all__ = [
    "CampaignEvaluator", "PhaseEvaluator", "campaign_paths", "phase_bounds", "start_months",
]
