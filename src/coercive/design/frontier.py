"""The Pareto frontier of compliance against the coercer's expected cost (pymoo NSGA-II).

Candidates are evaluated in batches: one call of :func:`coercive.policy.mapping.payoffs` and
one engine call per generation for the whole population, every candidate on the SAME Monte
Carlo draws of the scenario's uncertain inputs (common random numbers), so two candidates
differ only by their instruments. ``docs/design.md`` derives the cost.

Campaigns (timing across phases): :func:`search` takes any object with the
:class:`Evaluator` protocol. :class:`PhaseEvaluator` is the one-phase evaluator;
:class:`coercive.design.campaign.CampaignEvaluator` maps each phase's instruments and start
month to the campaign model's P(complied by month N) and the coercer's cost by then. An
evaluator may also define ``clean(x)`` (how its candidates are rounded).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from coercive._errors import InputError
from coercive.design.cost import COST_PARTS, carrot_cost, coercer_cost, executing_cost
from coercive.design.space import BY_NAME, INSTRUMENTS, Prices, check_bounds, clean
from coercive.design.space import clean as clean_mix
from coercive.policy.constants import MappingConstants
from coercive.policy.mapping import payoffs
from coercive.policy.montecarlo import solve


@dataclass(frozen=True)
class Evaluation:
    """Mean compliance and mean cost parts of each candidate (one row per candidate)."""

    compliance: np.ndarray
    parts: dict[str, np.ndarray]
    war: np.ndarray

    @property
    def cost(self) -> np.ndarray:
        return sum(self.parts[name] for name in COST_PARTS)  # type: ignore[return-value]


class Evaluator(Protocol):
    """What :func:`search` needs: decision variables, their bounds, a batched evaluation."""

    names: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray

    def evaluate(self, x: np.ndarray) -> Evaluation: ...  # (candidates, len(names))


class PhaseEvaluator:
    """Compliance and cost of candidate mixes of one phase's instruments.

    ``base`` are the flat inputs of :func:`payoffs` for D draws (``scenario_inputs``); every
    candidate is evaluated on these same D rows. ``bounds`` narrow instruments' ranges.
    ``horizon_years`` truncates the coercer's cost streams (``--months``); ``inf``: whole.
    """

    names = tuple(i.name for i in INSTRUMENTS)

    def __init__(
        self,
        base: Mapping[str, np.ndarray],
        const: MappingConstants,
        prices: Prices | None = None,
        bounds: Mapping[str, tuple[float, float]] | None = None,
        equilibrium: str = "stable",
        horizon_years: float = np.inf,
    ) -> None:
        self.horizon_years = float(horizon_years)
        self.base = {k: np.asarray(v, dtype=float) for k, v in base.items()}
        self.draws = int(np.shape(self.base["value_per_year"])[0])
        self.const = const
        self.prices = prices or Prices()
        self.low, self.high = check_bounds(bounds)
        self.equilibrium = equilibrium

    def evaluate(self, x: np.ndarray) -> Evaluation:
        x = clean(np.atleast_2d(np.asarray(x, dtype=float)))
        p, d = x.shape[0], self.draws
        inputs, strike_cost, mapped = map_mixes(self.base, x, self.prices, self.const)
        solution = solve([mapped], self.equilibrium)[0]
        resist, firm = solution.resist, solution.firm
        comply, war, backdown = 1.0 - resist, resist * firm, resist * (1.0 - firm)
        per_draw = coercer_cost(
            inputs, strike_cost, mapped, comply, war, backdown, self.prices, self.const,
            self.horizon_years,
        )
        return Evaluation(
            compliance=comply.reshape(p, d).mean(axis=1),
            parts={k: v.reshape(p, d).mean(axis=1) for k, v in per_draw.items()},
            war=war.reshape(p, d).mean(axis=1),
        )


def map_mixes(
    base: Mapping[str, np.ndarray], x: np.ndarray, prices: Prices, const: MappingConstants
) -> tuple[dict[str, np.ndarray], np.ndarray, Any]:
    """The flat inputs and payoffs of every candidate mix on the same D base draws.

    Rows are candidate-major (candidate i's draws are rows i·D … i·D + D − 1). Returns the
    inputs, the coded strike cost per row (before :func:`executing_cost`) and the mapping.
    """
    p = x.shape[0]
    d = int(np.shape(base["value_per_year"])[0])
    inputs: dict[str, np.ndarray] = {}
    for name, value in base.items():
        if value.ndim == 2:
            inputs[name] = np.tile(value, (p, 1))
        else:
            inputs[name] = np.tile(np.broadcast_to(value, (d,)), p)
    col = {name: np.repeat(x[:, j], d) for j, name in enumerate(PhaseEvaluator.names)}
    for name, value in col.items():
        if name != "deadline_months":
            inputs[name] = value
    inputs["deadline_years"] = col["deadline_months"] / 12.0
    inputs["sanctions_on"] = np.ones(p * d)  # zero coverage is no sanctions
    # the game's VA carries the whole package's price; the cost by a horizon is coercer_cost's
    inputs["carrot_cost"] = carrot_cost(inputs, prices, const.discount_rate)
    # executing the threat costs the coercer the strike (with the posture's probability of
    # force) and threatened sanctions' own stream; the latter needs the mapped economy loss
    strike_cost = inputs["coercer_war_cost"]
    loss = payoffs(inputs, const).parts["economy_loss"]
    inputs["coercer_war_cost"] = executing_cost(inputs, strike_cost, loss, prices, const)
    return inputs, strike_cost, payoffs(inputs, const)


def nondominated(compliance: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Indices of the points no other point beats (higher compliance, lower cost), by cost."""
    order = np.lexsort((-compliance, cost))
    best = -np.inf
    keep = []
    for index in order:
        if compliance[index] > best + 1e-12:
            keep.append(index)
            best = compliance[index]
    return np.array(keep, dtype=int)


@dataclass
class DesignResult:
    """The frontier, today's policy and the cheapest mix reaching the target compliance."""

    case: str
    names: tuple[str, ...]
    frontier_x: np.ndarray
    frontier: Evaluation
    today_x: np.ndarray
    today: Evaluation
    target: float
    low: np.ndarray
    high: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)

    def _rows(self, x: np.ndarray, ev: Evaluation) -> pd.DataFrame:
        frame = pd.DataFrame(x, columns=list(self.names))
        frame.insert(0, "compliance", ev.compliance)
        frame.insert(1, "cost", ev.cost)
        for name in COST_PARTS:
            frame[f"cost_{name}"] = ev.parts[name]
        frame["war"] = ev.war
        return frame

    def to_frame(self) -> pd.DataFrame:
        """The frontier: one row per mix (cheapest first), its compliance, cost and parts."""
        return self._rows(self.frontier_x, self.frontier)

    @property
    def cheapest(self) -> pd.Series | None:
        """The cheapest frontier mix with compliance >= target (None if none reaches it)."""
        frame = self.to_frame()
        reaching = frame[frame["compliance"] >= self.target]
        return None if reaching.empty else reaching.sort_values("cost").iloc[0]

    def today_row(self) -> pd.Series:
        return self._rows(self.today_x, self.today).iloc[0]

    def used(self, row: pd.Series) -> list[str]:
        """Instruments a mix sets above their lower bound (by more than 1% of the range).

        A deadline's months and publicity count only where the mix sets a deadline.
        """
        out = []
        for j, name in enumerate(self.names):
            prefix, _, base = name.rpartition(".")  # "k.NAME" in a campaign design
            deadline = f"{prefix}.has_deadline" if prefix else "has_deadline"
            if base in ("deadline_months", "deadline_public") and row[deadline] < 0.5:
                continue
            span = self.high[j] - self.low[j]
            if span > 0 and row[name] > self.low[j] + 0.01 * span:
                out.append(name)
        return out

    def on_frontier(self) -> dict[str, dict[str, float]]:
        """Each free instrument's range over the frontier and the share of mixes using it."""
        frame = self.to_frame()
        out = {}
        for j, name in enumerate(self.names):
            span = self.high[j] - self.low[j]
            if span <= 0:
                continue
            values = frame[name].to_numpy()
            out[name] = {
                "min": float(values.min()),
                "max": float(values.max()),
                "share_used": float(np.mean([name in self.used(r) for _, r in frame.iterrows()])),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        cheapest = self.cheapest
        return {
            "case": self.case,
            "target_compliance": self.target,
            "settings": self.settings,
            "today": _row_dict(self.today_row()),
            "cheapest": None if cheapest is None else _row_dict(cheapest),
            "cheapest_uses": None if cheapest is None else self.used(cheapest),
            "instruments_on_frontier": self.on_frontier(),
            "frontier": [_row_dict(row) for _, row in self.to_frame().iterrows()],
        }

    def plot(self, path: str | None = None) -> Any:
        """Frontier (cost against compliance) with today's policy and the cheapest mix marked."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        frame = self.to_frame()
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        ax.step(frame["cost"], frame["compliance"], where="post", color="0.6", lw=1)
        ax.plot(frame["cost"], frame["compliance"], "o", ms=3, label="Pareto frontier")
        today = self.today_row()
        ax.plot(today["cost"], today["compliance"], "r*", ms=12, label="today's policy")
        cheapest = self.cheapest
        if cheapest is not None:
            ax.plot(cheapest["cost"], cheapest["compliance"], "gs", ms=8, mfc="none",
                    label=f"cheapest reaching {self.target:.0%}")
        ax.axhline(self.target, color="g", ls=":", lw=1)
        ax.set_xlabel("coercer's expected cost (stakes)")
        months = self.settings.get("months")
        ax.set_ylabel("P(target complies | campaign)" if "phases" not in self.settings
                      else f"P(complied by month {months})")
        ax.set_title(f"{self.case}: compliance against cost")
        ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
        return fig


def _row_dict(row: pd.Series) -> dict[str, float]:
    return {str(k): float(v) for k, v in row.items()}


def check_target(target: object) -> float:
    if isinstance(target, bool) or not isinstance(target, (int, float, np.floating)):
        raise InputError(f"target_compliance: expected a number in (0, 1), got {target!r}")
    value = float(target)
    if not (0.0 < value < 1.0):
        raise InputError(f"target_compliance: must lie in (0, 1), got {target!r}")
    return value


def search(
    evaluator: Evaluator,
    start: np.ndarray | None = None,
    pop_size: int = 60,
    generations: int = 40,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    target: float | None = None,
) -> tuple[np.ndarray, Evaluation]:
    """NSGA-II over the evaluator's free variables; the frontier of every point evaluated.

    ``start``: candidates put in the first population (e.g. today's policy), clipped to the
    bounds. With ``target``, the cheapest mix reaching it is then polished (:func:`polish`).
    Returns the nondominated mixes (cheapest first) and their evaluation.
    """
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.callback import Callback
    from pymoo.core.problem import Problem
    from pymoo.optimize import minimize

    low, high = np.asarray(evaluator.low, float), np.asarray(evaluator.high, float)
    # an evaluator may say how its candidates are rounded (a campaign's phases and months)
    clean = getattr(evaluator, "clean", clean_mix)
    free = high > low
    archive_x: list[np.ndarray] = []
    archive: list[Evaluation] = []

    def full(z: np.ndarray) -> np.ndarray:
        x = np.tile(low, (z.shape[0], 1))
        x[:, free] = z
        return x

    def run(x: np.ndarray) -> Evaluation:
        x = clean(x)
        ev = evaluator.evaluate(x)
        archive_x.append(x)
        archive.append(ev)
        return ev

    if not np.any(free):  # every instrument fixed: the frontier is that one mix
        run(low[None, :])
    else:
        class _Problem(Problem):
            def __init__(self) -> None:
                super().__init__(n_var=int(free.sum()), n_obj=2, xl=low[free], xu=high[free])

            def _evaluate(self, z: np.ndarray, out: dict, *args: Any, **kwargs: Any) -> None:
                ev = run(full(z))
                out["F"] = np.column_stack([-ev.compliance, ev.cost])

        class _Progress(Callback):
            def notify(self, algorithm: Any) -> None:
                if progress is not None:
                    progress(int(algorithm.n_gen), generations)

        rng = np.random.default_rng(seed)
        initial = low[free] + rng.random((pop_size, int(free.sum()))) * (high - low)[free]
        seeds = [low[None, :], high[None, :]]  # nothing, and everything at its maximum
        if start is not None:
            seeds.insert(0, np.clip(np.atleast_2d(start), low, high))
        seeded = np.vstack(seeds)[:, free][:pop_size]
        initial[: seeded.shape[0]] = seeded
        minimize(
            _Problem(),
            NSGA2(pop_size=pop_size, sampling=initial, eliminate_duplicates=True),
            ("n_gen", generations),
            seed=seed,
            callback=_Progress(),
            verbose=False,
        )
    if target is not None:
        polish(run, np.vstack(archive_x), archive, low, target, clean)
    x = np.vstack(archive_x)
    compliance = np.concatenate([e.compliance for e in archive])
    parts = {k: np.concatenate([e.parts[k] for e in archive]) for k in COST_PARTS}
    war = np.concatenate([e.war for e in archive])
    cost = sum(parts[k] for k in COST_PARTS)
    keep = nondominated(compliance, cost)  # type: ignore[arg-type]
    return x[keep], Evaluation(
        compliance=compliance[keep], parts={k: v[keep] for k, v in parts.items()}, war=war[keep]
    )


def polish(
    run: Callable[[np.ndarray], Evaluation],
    x: np.ndarray,
    archive: list[Evaluation],
    low: np.ndarray,
    target: float,
    tidy: Callable[[np.ndarray], np.ndarray] = clean_mix,
    rounds: int = 20,
) -> None:
    """Greedy descent from the cheapest mix reaching ``target``: drop instruments to zero.

    A genetic search seldom lands exactly on a bound, so an instrument that is not worth its
    cost stays at a small positive level. Each round tries, in ONE batched call, the current
    mix with each instrument in turn set to its lower bound or halved toward it, and keeps
    the cheapest that still reaches the target. Every instrument is treated alike.
    """
    compliance = np.concatenate([e.compliance for e in archive])
    cost = np.concatenate([e.cost for e in archive])
    reaching = np.flatnonzero(compliance >= target)
    if reaching.size == 0:
        return
    best = reaching[np.argmin(cost[reaching])]
    current, current_cost = x[best].copy(), cost[best]
    for _ in range(rounds):
        movable = np.flatnonzero(current > low)
        if movable.size == 0:
            return
        trials = np.tile(current, (2 * movable.size, 1))
        trials[np.arange(movable.size), movable] = low[movable]
        halved = movable.size + np.arange(movable.size)
        trials[halved, movable] = (current[movable] + low[movable]) / 2.0
        ev = run(trials)
        ok = np.flatnonzero((ev.compliance >= target) & (ev.cost < current_cost))
        if ok.size == 0:
            return
        pick = ok[np.argmin(ev.cost[ok])]
        current, current_cost = tidy(trials[pick : pick + 1])[0], ev.cost[pick]


def today_vector(inputs: Mapping[str, np.ndarray]) -> np.ndarray:
    """Today's policy as a decision vector (the means of its draws)."""
    values = []
    for inst in INSTRUMENTS:
        if inst.name == "deadline_months":
            years = float(np.mean(inputs["deadline_years"]))
            values.append(min(max(years * 12.0, inst.low), inst.high))
        else:
            values.append(float(np.mean(inputs[inst.name])))
    return np.array(values)


__all__ = [
    "BY_NAME",
    "COST_PARTS",
    "DesignResult",
    "Evaluation",
    "Evaluator",
    "PhaseEvaluator",
    "check_target",
    "map_mixes",
    "nondominated",
    "polish",
    "search",
    "today_vector",
]
