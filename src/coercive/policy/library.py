"""The historical case library and its leave-one-out retrodiction.

The library is every scenario bundled in ``coercive/cases`` that records an outcome
(``outcome.result``): cases of coercive diplomacy coded from the literature — George (1991,
*Forceful Persuasion*), George & Simons (eds., 1994, *The Limits of Coercive Diplomacy*),
Jakobsen (1998, *Western Use of Coercive Diplomacy after the Cold War*), Art & Cronin (eds.,
2003, *The United States and Coercive Diplomacy*), Hufbauer, Schott, Elliott & Oegg (2007,
*Economic Sanctions Reconsidered*) and case histories cited in each file — plus the DPRK
cases. ``docs/cases.md`` lists them with the coding rubric.

**Evaluation** (:func:`evaluate`) is leave-one-out retrodiction. The model's only free
parts are a few *global* constants of the mapping (:data:`CALIBRATED_CONSTANTS`, the spreads
of the two players' private resolve, i.e. the scales of the probit-like choice rules of
Lewis & Schultz 2003). For each case in turn:

1. the constants are calibrated on the *other* cases: the grid point of
   :data:`DEFAULT_GRID` with the highest Bernoulli log-likelihood of the other cases'
   recorded outcomes, ``sum_i y_i log p_i + (1 - y_i) log(1 - p_i)``, where ``p_i`` is the
   model's mean compliance probability over the Monte Carlo draws of case ``i``; an
   optimum at the edge of the grid does not identify the constant (:func:`identified`),
   and then the documented defaults are kept;
2. the held-out case's compliance probability is predicted with those constants;
3. it is scored: a *hit* when ``p >= 0.5`` and the case succeeded or ``p < 0.5`` and it
   failed; its Brier term is ``(p - y)^2``.

The benchmark is the **base rate**, as issue 4 defines it: ``base_rate_brier`` is the Brier
score of always predicting the library's success rate (the whole library's rate, every case
included), ``mean((rate - y_i)^2)``, and ``base_rate_accuracy`` the accuracy of that constant
prediction. A stricter out-of-sample benchmark is reported beside it: for each held-out case,
the success rate of the *other* cases (the same information the model's calibration sees),
scored as ``base_rate_brier_loo`` and ``base_rate_accuracy_loo``; that held-out-excluded rate
is pushed away from each held-out outcome, so it always scores worse than the whole-library
rate. The model with its documented default
constants (no calibration at all) is scored too. Cases whose outcome is ``partial`` are
listed but not scored (a binary score needs a binary outcome).

Every prediction is computed once per case and grid point with common random numbers (each
case's own seed), so the folds differ only in which grid point the other cases select.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import numpy as np

from coercive._errors import InputError
from coercive.policy.scenario import Scenario

CALIBRATED_CONSTANTS: tuple[str, ...] = ("target_resolve_spread", "coercer_resolve_spread")
"""The global constants of :class:`coercive.policy.mapping.MappingConstants` that the
library calibrates: the target's and the coercer's resolve spreads (GDP-years and stakes
units). All other constants keep their documented defaults."""

DEFAULT_GRID: dict[str, tuple[float, ...]] = {
    # half-octave steps from 0.5 to 32 GDP-years
    "target_resolve_spread": tuple(2.0 ** (k / 2) for k in range(-2, 11)),
    # octave steps from 0.5 to 64 stakes units
    "coercer_resolve_spread": tuple(2.0**k for k in range(-1, 7)),
}
"""Grid searched by the calibration (log-spaced: the spreads are scales). On the current
library the likelihood keeps rising, ever more slowly, toward the coercer spread's upper
edge (flat above ~8), so the optimum is not :func:`identified` and nothing is applied."""

DEFAULT_DRAWS = 400
"""Monte Carlo draws per case in the evaluation (each case's own seed)."""

OUTCOME_VALUE = {"success": 1.0, "failure": 0.0}
"""Outcome coding for scoring; ``partial`` outcomes are not scored."""

_CLIP = 1e-6  # keeps log-likelihoods finite when a prediction is 0 or 1


# ----------------------------------------------------------------------------------------
# Loading and listing
# ----------------------------------------------------------------------------------------


def _case_texts() -> list[tuple[str, str]]:
    """(case id, YAML text) of every bundled case, read through importlib.resources."""
    root = files("coercive") / "cases"
    entries = sorted(
        (entry for entry in root.iterdir() if entry.name.endswith(".yaml")),
        key=lambda entry: entry.name,
    )
    return [(entry.name[: -len(".yaml")], entry.read_text(encoding="utf-8")) for entry in entries]


def load_library(include_unscored: bool = True) -> list[Scenario]:
    """Every bundled case that records an outcome, sorted by id.

    ``include_unscored=False`` drops cases whose outcome is ``partial``.
    """
    from coercive.policy.loader import scenario_from_text

    scenarios = []
    for case_id, text in _case_texts():
        scenario = scenario_from_text(text, source=f"{case_id}.yaml")
        if scenario.outcome is None:
            continue
        if not include_unscored and scenario.outcome.result not in OUTCOME_VALUE:
            continue
        scenarios.append(scenario)
    return scenarios


def case_year(scenario: Scenario) -> int | None:
    """The first year named in the case's period (or id)."""
    for text in (scenario.period or "", scenario.id):
        match = re.search(r"(1[89]\d\d|20\d\d)", text)
        if match:
            return int(match.group(1))
    return None


def list_cases() -> list[dict[str, Any]]:
    """One record per library case: id, name, period, year, actors, demand, outcome, sources."""
    records = []
    for scenario in load_library():
        outcome = scenario.outcome
        assert outcome is not None  # load_library keeps only cases with an outcome
        records.append(
            {
                "id": scenario.id,
                "name": scenario.title,
                "period": scenario.period,
                "year": case_year(scenario),
                "coercer": scenario.actors.coercer.name,
                "target": scenario.actors.target.name,
                "demand": scenario.demand.description,
                "outcome": outcome.result,
                "outcome_summary": " ".join((outcome.summary or "").split()),
                "sources": list(scenario.sources),
            }
        )
    return records


# ----------------------------------------------------------------------------------------
# Predictions on the calibration grid
# ----------------------------------------------------------------------------------------


def _grid_points(grid: Mapping[str, Sequence[float]]) -> list[dict[str, float]]:
    from coercive.policy.mapping import MappingConstants

    known = set(MappingConstants.names())
    for name, values in grid.items():
        if name not in known:
            raise InputError(f"grid: unknown mapping constant {name!r}; allowed: {sorted(known)}")
        if len(values) == 0:
            raise InputError(f"grid.{name}: needs at least one value")
        for value in values:
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise InputError(f"grid.{name}: values must be finite and > 0, got {value!r}")
    names = list(grid)
    mesh = np.meshgrid(*[np.asarray(grid[name], dtype=float) for name in names], indexing="ij")
    return [
        {name: float(axis.flat[index]) for name, axis in zip(names, mesh, strict=True)}
        for index in range(mesh[0].size)
    ]


def predict_grid(
    scenarios: Sequence[Scenario],
    grid: Mapping[str, Sequence[float]] | None = None,
    draws: int = DEFAULT_DRAWS,
) -> tuple[np.ndarray, list[dict[str, float]]]:
    """Mean compliance probability of each case at each grid point of the constants.

    Returns ``(predictions, points)`` with ``predictions[i, j]`` the mean over ``draws``
    Monte Carlo draws of case ``i``'s compliance under the constants ``points[j]`` (the
    documented defaults for every constant not in the grid). All grid points of one case
    share its draws and are solved in one engine call.
    """
    from coercive.policy.mapping import MappingConstants, map_scenario
    from coercive.policy.montecarlo import sample_inputs, solve

    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise InputError(f"draws: must be a positive integer, got {draws!r}")
    points = _grid_points(DEFAULT_GRID if grid is None else grid)
    defaults = MappingConstants()
    constants = [dataclasses.replace(defaults, **point) for point in points]
    predictions = np.empty((len(scenarios), len(points)))
    for row, scenario in enumerate(scenarios):
        sampled = sample_inputs(scenario, n=draws)
        mapped = [map_scenario(scenario, sampled, const) for const in constants]
        solutions = solve(mapped, equilibrium=scenario.model.equilibrium)
        predictions[row] = [float(np.mean(solution.compliance)) for solution in solutions]
    if not np.all(np.isfinite(predictions)):
        raise RuntimeError("non-finite compliance probability in the case library evaluation")
    return predictions, points


def log_likelihood(predictions: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
    """Bernoulli log-likelihood of ``outcomes`` (rows) under each column of ``predictions``."""
    clipped = np.clip(predictions, _CLIP, 1.0 - _CLIP)
    outcomes = np.asarray(outcomes, dtype=float)[:, None]
    return np.sum(outcomes * np.log(clipped) + (1.0 - outcomes) * np.log1p(-clipped), axis=0)


def best_point(predictions: np.ndarray, outcomes: np.ndarray) -> int:
    """Index of the grid column with the highest log-likelihood (the first, on a tie)."""
    return int(np.argmax(log_likelihood(predictions, outcomes)))


def identified(point: Mapping[str, float], grid: Mapping[str, Sequence[float]]) -> bool:
    """Whether a grid optimum pins its constants down: none sits at an edge of its range.

    An optimum at the edge of a searched range says only "further out", i.e. the data do
    not identify the constant; such a fit is not used and the documented defaults stand.
    (A constant given a single value is a choice, not a search, and always counts.)
    """
    for name, value in point.items():
        values = grid[name]
        if len(values) > 1 and value in (min(values), max(values)):
            return False
    return True


# ----------------------------------------------------------------------------------------
# Calibration and evaluation
# ----------------------------------------------------------------------------------------


def _scored(scenarios: Sequence[Scenario]) -> tuple[list[Scenario], np.ndarray]:
    kept = [s for s in scenarios if s.outcome is not None and s.outcome.result in OUTCOME_VALUE]
    if len(kept) < 3:
        raise InputError(
            f"case library: need at least 3 cases with success/failure, got {len(kept)}"
        )
    outcomes = np.array([OUTCOME_VALUE[s.outcome.result] for s in kept])  # type: ignore[union-attr]
    return kept, outcomes


def calibrate(
    grid: Mapping[str, Sequence[float]] | None = None,
    draws: int = DEFAULT_DRAWS,
    scenarios: Sequence[Scenario] | None = None,
) -> dict[str, float]:
    """Calibrate the global constants on the whole library (maximum log-likelihood on the grid).

    This is the procedure whose result is stored in ``coercive.policy.calibration``. An
    optimum that is not :func:`identified` gives ``{}``: the documented defaults stand.
    """
    grid = DEFAULT_GRID if grid is None else grid
    kept, outcomes = _scored(load_library() if scenarios is None else scenarios)
    predictions, points = predict_grid(kept, grid, draws)
    best = points[best_point(predictions, outcomes)]
    return best if identified(best, grid) else {}


def brier(probabilities: np.ndarray, outcomes: np.ndarray) -> float:
    """Mean squared error of probabilities against 0/1 outcomes."""
    return float(np.mean((np.asarray(probabilities) - np.asarray(outcomes)) ** 2))


def auc(probabilities: np.ndarray, outcomes: np.ndarray) -> float | None:
    """Area under the ROC curve: the share of (success, failure) pairs ranked right.

    Ties count one half (Mann–Whitney); ``None`` when there are no pairs.
    """
    probabilities = np.asarray(probabilities, dtype=float)
    outcomes = np.asarray(outcomes, dtype=float)
    successes = probabilities[outcomes == 1.0]
    failures = probabilities[outcomes == 0.0]
    if successes.size == 0 or failures.size == 0:
        return None
    above = (successes[:, None] > failures[None, :]).sum()
    ties = (successes[:, None] == failures[None, :]).sum()
    return float((above + 0.5 * ties) / (successes.size * failures.size))


def _accuracy(probabilities: np.ndarray, outcomes: np.ndarray) -> float:
    return float(np.mean((np.asarray(probabilities) >= 0.5) == (np.asarray(outcomes) == 1.0)))


@dataclass(frozen=True)
class Evaluation:
    """Leave-one-out retrodiction of the case library; :meth:`to_dict` is the CLI's JSON."""

    cases: list[dict[str, Any]]
    accuracy: float
    brier: float
    auc: float | None
    mean_predicted: float
    base_rate_brier: float
    """Brier score of always predicting the whole library's success rate (issue 4)."""
    base_rate_accuracy: float
    """Accuracy of always predicting the whole library's success rate."""
    base_rate_brier_loo: float
    """Brier score of predicting each held-out case by the success rate of the others."""
    base_rate_accuracy_loo: float
    """Accuracy of predicting each held-out case by the success rate of the others."""
    default_constants_brier: float
    default_constants_accuracy: float
    success_rate: float
    calibrated: dict[str, float]
    grid: dict[str, list[float]]
    draws: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "n_cases": len(self.cases),
            "accuracy": self.accuracy,
            "brier": self.brier,
            "auc": self.auc,
            "mean_predicted": self.mean_predicted,
            "base_rate_brier": self.base_rate_brier,
            "base_rate_accuracy": self.base_rate_accuracy,
            "base_rate_brier_loo": self.base_rate_brier_loo,
            "base_rate_accuracy_loo": self.base_rate_accuracy_loo,
            "default_constants_brier": self.default_constants_brier,
            "default_constants_accuracy": self.default_constants_accuracy,
            "success_rate": self.success_rate,
            "calibrated_on_all_cases": self.calibrated,
            "method": {
                "validation": "leave-one-out: constants calibrated on the other cases, "
                "then the held-out case is predicted",
                "calibrated_constants": list(CALIBRATED_CONSTANTS),
                "calibration": "grid point maximizing the Bernoulli log-likelihood of the "
                "other cases' outcomes",
                "grid": self.grid,
                "draws_per_case": self.draws,
                "hit": "predicted compliance >= 0.5 and success, or < 0.5 and failure",
                "auc": "share of (success, failure) pairs whose leave-one-out predictions "
                "are ranked right (ties count one half)",
                "base_rate": "base_rate_brier / base_rate_accuracy: always predicting the "
                "success rate of the whole library (success_rate); base_rate_brier_loo / "
                "base_rate_accuracy_loo: predicting each held-out case by the success rate "
                "of the other cases (the per-case base_rate column)",
                "default_constants": "the model with the documented default constants, "
                "no calibration",
            },
        }


def evaluate(
    draws: int = DEFAULT_DRAWS,
    grid: Mapping[str, Sequence[float]] | None = None,
    scenarios: Sequence[Scenario] | None = None,
) -> Evaluation:
    """Leave-one-out retrodiction of the library (see the module docstring)."""
    from coercive.policy.mapping import MappingConstants

    grid = DEFAULT_GRID if grid is None else grid
    kept, outcomes = _scored(load_library() if scenarios is None else scenarios)
    predictions, points = predict_grid(kept, grid, draws)
    defaults = MappingConstants()
    default_point = {name: float(getattr(defaults, name)) for name in grid}
    default_predictions, _ = predict_grid(kept, {k: [v] for k, v in default_point.items()}, draws)
    default_predictions = default_predictions[:, 0]

    n = len(kept)
    held_out = np.empty(n)
    base_rates = np.empty(n)
    records = []
    for i, scenario in enumerate(kept):
        others = np.arange(n) != i
        column = best_point(predictions[others], outcomes[others])
        fitted = points[column] if identified(points[column], grid) else {}
        held_out[i] = predictions[i, column] if fitted else default_predictions[i]
        base_rates[i] = float(np.mean(outcomes[others]))
        outcome = scenario.outcome
        assert outcome is not None
        records.append(
            {
                "id": scenario.id,
                "name": scenario.title,
                "year": case_year(scenario),
                "outcome": outcome.result,
                "predicted": float(held_out[i]),
                "hit": bool((held_out[i] >= 0.5) == (outcomes[i] == 1.0)),
                "brier": float((held_out[i] - outcomes[i]) ** 2),
                "base_rate": base_rates[i],
                "default_constants_predicted": float(default_predictions[i]),
                "calibrated": fitted,
            }
        )
    return Evaluation(
        cases=records,
        accuracy=_accuracy(held_out, outcomes),
        brier=brier(held_out, outcomes),
        auc=auc(held_out, outcomes),
        mean_predicted=float(np.mean(held_out)),
        base_rate_brier=brier(np.full(n, np.mean(outcomes)), outcomes),
        base_rate_accuracy=_accuracy(np.full(n, np.mean(outcomes)), outcomes),
        base_rate_brier_loo=brier(base_rates, outcomes),
        base_rate_accuracy_loo=_accuracy(base_rates, outcomes),
        default_constants_brier=brier(default_predictions, outcomes),
        default_constants_accuracy=_accuracy(default_predictions, outcomes),
        success_rate=float(np.mean(outcomes)),
        calibrated=calibrate(grid, draws, kept),
        grid={name: [float(v) for v in values] for name, values in grid.items()},
        draws=draws,
    )


__all__ = [
    "CALIBRATED_CONSTANTS",
    "DEFAULT_GRID",
    "DEFAULT_DRAWS",
    "OUTCOME_VALUE",
    "Evaluation",
    "load_library",
    "list_cases",
    "case_year",
    "predict_grid",
    "log_likelihood",
    "best_point",
    "identified",
    "calibrate",
    "brier",
    "auc",
    "evaluate",
]
