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

from collections.abc import Mapping
from typing import Any

import numpy as np

from coercive._errors import InputError
from coercive.campaign.model import phase_draws, solve_rows
from coercive.campaign.schema import Campaign
from coercive.design.frontier import Evaluation, PhaseEvaluator, map_mixes, today_vector
from coercive.design.space import INSTRUMENTS, Prices, check_bounds, clean
from coercive.policy.constants import MappingConstants

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
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """P(complied in full by month t), P(struck by month t) and the coercer's expected
    cumulative cost by part (``coercive.campaign.cost``), each (p·d, N), of p candidates.

    ``mapped_phases[k]`` = (flat inputs, coded strike cost, mapping) of phase k for all p·d
    rows (candidate-major, d rows each, from :func:`~coercive.design.frontier.map_mixes`);
    ``starts`` (p, phases) their start months. The campaign model solves and prices them in
    one call (``coercive.campaign.model.solve_rows``): the carrots' price is the package's
    (``coercive.design.cost.carrot_cost``, in the flat ``carrot_cost``), the coercer's own
    sanctions cost ``prices.sanctions`` per target-GDP-year of economy loss.
    """
    _, paths = solve_rows(
        campaign, [m[0] for m in mapped_phases], starts, d, seed=seed, mapping=const,
        sanctions_price=prices.sanctions, strike_costs=[m[1] for m in mapped_phases],
    )  # fmt: skip
    return paths.complied, paths.struck, paths.cost_parts


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
        complied, struck, cost = campaign_paths(self.campaign, mapped_phases, starts, d,
                                                self.const, self.prices, self.seed)
        parts_by_draw = {k: v[:, -1] for k, v in cost.items()}
        parts_by_draw["backdown"] = np.zeros(p * d)  # no back-down within the horizon
        for name, values in {"compliance": complied, **parts_by_draw}.items():
            if not np.all(np.isfinite(values)):  # never let NaN/inf into the frontier
                raise ValueError(f"campaign {self.campaign.id}: non-finite {name} in the design")
        return Evaluation(
            compliance=complied[:, -1].reshape(p, d).mean(axis=1),
            parts={k: v.reshape(p, d).mean(axis=1) for k, v in parts_by_draw.items()},
            war=struck[:, -1].reshape(p, d).mean(axis=1),
        )

__all__ = [
    "CampaignEvaluator", "PhaseEvaluator", "campaign_paths", "phase_bounds", "start_months",
]
