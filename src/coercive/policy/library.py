"""The historical case library, scored out of sample with the TIES-estimated constants.

The library is every scenario bundled in ``coercive/cases`` that records an outcome
(``outcome.result``): cases of coercive diplomacy coded from the literature — George (1991,
*Forceful Persuasion*), George & Simons (eds., 1994, *The Limits of Coercive Diplomacy*),
Jakobsen (1998, *Western Use of Coercive Diplomacy after the Cold War*), Art & Cronin (eds.,
2003, *The United States and Coercive Diplomacy*), Hufbauer, Schott, Elliott & Oegg (2007,
*Economic Sanctions Reconsidered*) and case histories cited in each file — plus the DPRK
cases. ``docs/cases.md`` lists them.

**Evaluation** (:func:`evaluate`, issue 7 §3) is out of sample by construction: the model's
global constants come from the TIES calibration in force
(:mod:`coercive.policy.calibration`: the resolve spreads estimated by maximum likelihood on
TIES threat cases that start by 1989), and **nothing is calibrated on these cases**. Each
case is assessed as ``coercive assess`` does (its own seed and draws, the calibrated
constants varying across draws with their estimation error) and its mean compliance ``p``
is scored against the recorded outcome ``y`` (success 1, failure 0; ``partial`` is listed
but not scored):

* log score ``y log p + (1 − y) log(1 − p)`` (p clipped to [1e-6, 1 − 1e-6]), Brier
  ``(p − y)²``, accuracy (``p ≥ 0.5`` on a success or ``p < 0.5`` on a failure), AUC;
* baselines: the **base rate** of the other cases (leave-one-out: the rate the case itself
  cannot inform), the whole library's rate (``base_rate_brier``, issue 4's definition, which
  has seen every outcome), and the model with the **documented default constants**;
* the differences model − baseline with **bootstrap 90% intervals** (paired percentile
  intervals over :data:`BOOTSTRAP` resamples of the cases, a fixed seed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import numpy as np

from coercive._errors import InputError
from coercive.policy.scenario import Scenario

OUTCOME_VALUE = {"success": 1.0, "failure": 0.0}
"""Outcome coding for scoring; ``partial`` outcomes are not scored."""

BOOTSTRAP = 2000
"""Bootstrap resamples of the cases for the intervals of the differences."""

_CLIP = 1e-6  # keeps log scores finite when a prediction is 0 or 1


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
# Scores
# ----------------------------------------------------------------------------------------


def brier(probabilities: np.ndarray, outcomes: np.ndarray) -> float:
    """Mean squared error of probabilities against 0/1 outcomes."""
    return float(np.mean((np.asarray(probabilities) - np.asarray(outcomes)) ** 2))


def log_score(probabilities: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
    """Per-case log score (higher is better)."""
    p = np.clip(np.asarray(probabilities, dtype=float), _CLIP, 1.0 - _CLIP)
    y = np.asarray(outcomes, dtype=float)
    return y * np.log(p) + (1.0 - y) * np.log1p(-p)


def auc(probabilities: np.ndarray, outcomes: np.ndarray) -> float | None:
    """Area under the ROC curve: the share of (success, failure) pairs ranked right.

    Ties count one half; ``None`` when there are not both successes and failures.
    """
    p = np.asarray(probabilities, dtype=float)
    y = np.asarray(outcomes, dtype=float)
    successes, failures = p[y == 1.0], p[y == 0.0]
    if successes.size == 0 or failures.size == 0:
        return None
    above = np.sum(successes[:, None] > failures[None, :])
    ties = np.sum(successes[:, None] == failures[None, :])
    return float((above + 0.5 * ties) / (successes.size * failures.size))


def _accuracy(probabilities: np.ndarray, outcomes: np.ndarray) -> float:
    return float(np.mean((np.asarray(probabilities) >= 0.5) == (np.asarray(outcomes) == 1.0)))


def _summary(p: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    return {
        "log_score": float(np.mean(log_score(p, y))),
        "brier": brier(p, y),
        "accuracy": _accuracy(p, y),
        "auc": auc(p, y),
        "mean_predicted": float(np.mean(p)),
    }


def _difference(
    model: np.ndarray, baseline: np.ndarray, y: np.ndarray, resamples: np.ndarray
) -> dict[str, Any]:
    out = {}
    for name, per_case in (
        ("log_score", log_score),
        ("brier", lambda p, o: (np.asarray(p) - np.asarray(o)) ** 2),
    ):
        diff = per_case(model, y) - per_case(baseline, y)
        low, high = np.quantile(diff[resamples].mean(axis=1), [0.05, 0.95])
        out[name] = {"difference": float(diff.mean()), "interval": [float(low), float(high)]}
    return out


# ----------------------------------------------------------------------------------------
# Evaluation
# ----------------------------------------------------------------------------------------


def _scored(scenarios: Sequence[Scenario]) -> tuple[list[Scenario], np.ndarray]:
    kept = [s for s in scenarios if s.outcome is not None and s.outcome.result in OUTCOME_VALUE]
    if len(kept) < 3:
        raise InputError(
            f"case library: need at least 3 cases with success/failure, got {len(kept)}"
        )
    outcomes = np.array([OUTCOME_VALUE[s.outcome.result] for s in kept])  # type: ignore[union-attr]
    return kept, outcomes


def predict(scenarios: Sequence[Scenario], const: Any, draws: int | None = None) -> np.ndarray:
    """Mean compliance of each case under ``const`` (as ``assess`` computes it)."""
    from coercive.policy.assess import assess_scenario

    out = np.empty(len(scenarios))
    for i, scenario in enumerate(scenarios):
        if draws is not None:
            model = scenario.model.model_copy(update={"draws": int(draws)})
            scenario = scenario.model_copy(update={"model": model})
        out[i] = float(assess_scenario(scenario, const).compliance["mean"])
    if not np.all(np.isfinite(out)):
        raise RuntimeError("non-finite compliance probability in the case library evaluation")
    return out


@dataclass(frozen=True)
class Evaluation:
    """Out-of-sample scores of the case library; :meth:`to_dict` is the CLI's JSON."""

    payload: dict[str, Any]

    @property
    def cases(self) -> list[dict[str, Any]]:
        return self.payload["cases"]

    def to_dict(self) -> dict[str, Any]:
        return self.payload


def _mixture_of(path: Any) -> tuple[float, float] | None:
    """``(ε, π_CD)`` a calibration file records for its TIES outcome model, if any."""
    import json
    from pathlib import Path

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    mixture = (data.get("ties_model") or {}).get("mixture") or {}
    if mixture.get("outside_game") is None:
        return None
    return float(mixture["outside_game"]), float(mixture["outside_outcome"]["CD"])


def evaluate(
    draws: int | None = None,
    scenarios: Sequence[Scenario] | None = None,
    resamples: int = BOOTSTRAP,
    seed: int = 0,
    calibration: Any = None,
) -> Evaluation:
    """Score the library out of sample with the constants in force (see the module doc).

    ``draws`` overrides each case's Monte Carlo draws (``None``: the case's own).
    ``calibration`` (a calibration file) replaces the one in force. When the calibration
    records an outcome-outside-the-game mixture (v2), the model is also scored with it
    applied to each case's mean compliance, ``(1 − ε) p + ε π_CD`` (``calibrated_mixture``),
    as the TIES model predicts acquiescence.
    """
    from coercive.policy.calibration import default_path
    from coercive.policy.constants import default_constants, load_constants
    from coercive.policy.mapping import constants

    if draws is not None and (isinstance(draws, bool) or not isinstance(draws, int) or draws < 1):
        raise InputError(f"draws: must be a positive integer, got {draws!r}")
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 100:
        raise InputError(f"resamples: must be an integer >= 100, got {resamples!r}")
    kept, y = _scored(load_library() if scenarios is None else scenarios)
    in_force = constants() if calibration is None else load_constants(calibration)
    mixture = _mixture_of(default_path() if calibration is None else calibration)
    calibrated = predict(kept, in_force, draws)
    defaults = predict(kept, default_constants(), draws)
    n = len(kept)
    loo = np.array([np.mean(np.delete(y, i)) for i in range(n)])
    whole = np.full(n, y.mean())
    rng = np.random.default_rng(seed)
    sample = rng.integers(0, n, size=(resamples, n))
    rows = []
    for i, scenario in enumerate(kept):
        outcome = scenario.outcome
        assert outcome is not None
        rows.append(
            {
                "id": scenario.id,
                "name": scenario.title,
                "year": case_year(scenario),
                "outcome": outcome.result,
                "predicted": float(calibrated[i]),
                "hit": bool((calibrated[i] >= 0.5) == (y[i] == 1.0)),
                "brier": float((calibrated[i] - y[i]) ** 2),
                "log_score": float(log_score(calibrated[i : i + 1], y[i : i + 1])[0]),
                "base_rate": float(loo[i]),
                "default_constants_predicted": float(defaults[i]),
            }
        )
    model = _summary(calibrated, y)
    mixed_models: dict[str, Any] = {}
    mixed_differences: dict[str, Any] = {}
    if mixture is not None:
        epsilon, pi_cd = mixture
        mixed = (1.0 - epsilon) * calibrated + epsilon * pi_cd
        mixed_models = {"calibrated_mixture": _summary(mixed, y)}
        mixed_differences = {"mixture_vs_base_rate_loo": _difference(mixed, loo, y, sample)}
        for row, value in zip(rows, mixed, strict=True):
            row["predicted_with_mixture"] = float(value)
    payload = {
        "cases": rows,
        "n_cases": n,
        "constants_source": in_force.source,
        "success_rate": float(y.mean()),
        **model,
        "models": {
            "calibrated": model,
            "base_rate_loo": _summary(loo, y),
            "base_rate_whole_library": _summary(whole, y),
            "default_constants": _summary(defaults, y),
            **mixed_models,
        },
        "mixture": None if mixture is None else {"outside_game": mixture[0], "pi_CD": mixture[1]},
        "base_rate_brier": brier(whole, y),
        "base_rate_brier_loo": brier(loo, y),
        "default_constants_brier": brier(defaults, y),
        "differences": {
            "base_rate_loo": _difference(calibrated, loo, y, sample),
            "base_rate_whole_library": _difference(calibrated, whole, y, sample),
            "default_constants": _difference(calibrated, defaults, y, sample),
            **mixed_differences,
        },
        "method": {
            "validation": "out of sample: constants estimated on TIES threat cases (nothing "
            "fitted on these cases), each case assessed with its own seed",
            "constants": in_force.source,
            "draws_per_case": draws,
            "hit": "predicted compliance >= 0.5 and success, or < 0.5 and failure",
            "base_rate_loo": "each case predicted by the success rate of the other cases",
            "base_rate_whole_library": "always the whole library's success rate (has seen "
            "every outcome; issue 4's base_rate_brier)",
            "bootstrap": f"{resamples} paired resamples of the cases, percentile 90% "
            f"intervals, seed {seed}; log score difference > 0 and Brier < 0 favour the model",
        },
    }
    return Evaluation(payload=payload)


__all__ = [
    "BOOTSTRAP",
    "OUTCOME_VALUE",
    "Evaluation",
    "auc",
    "brier",
    "case_year",
    "evaluate",
    "list_cases",
    "load_library",
    "log_score",
    "predict",
]
