"""What the report and the workbench add to an assessment: its distribution and model facts.

``Assessment.to_dict()`` carries the Monte Carlo *summary* (mean and 90% interval) of each
probability; the distribution chart needs the draws themselves. :func:`compliance_draws`
re-solves the baseline scenario only (same seed, same draws: the assessment's own numbers,
about a fifth of its work) through the policy layer's public steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

HISTOGRAM_BINS = 20
"""Bins of the compliance histogram over [0, 1] (5-point bins: finer than the interval)."""


def compliance_draws(scenario: Any, const: Any | None = None) -> np.ndarray:
    """Per-draw compliance (1 - pR at the selected equilibrium) of a validated scenario.

    The same steps as :func:`coercive.policy.assess.assess_scenario` for its baseline:
    the scenario's draws, the constants in force (``const``, default the calibration in
    force) with the calibrated ones drawn per Monte Carlo draw from their sampling
    distribution, then the engine - so the mean of these draws is the assessment's
    ``compliance``.
    """
    from coercive.policy.calibration import parameter_draws
    from coercive.policy.mapping import constants, map_scenario
    from coercive.policy.montecarlo import sample_inputs, solve

    const = const or constants()
    drawn = parameter_draws(const.mapping, scenario.model.draws, scenario.model.seed)
    mapped = map_scenario(scenario, sample_inputs(scenario), drawn)
    return solve([mapped], scenario.model.equilibrium)[0].compliance


def histogram(values: np.ndarray, bins: int = HISTOGRAM_BINS) -> dict[str, Any]:
    """Counts of ``values`` in ``bins`` equal bins over [0, 1], as plain lists (JSON-ready)."""
    values = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(values)):
        raise ValueError("compliance draws: NaN or inf among the draws")
    counts, edges = np.histogram(np.clip(values, 0.0, 1.0), bins=bins, range=(0.0, 1.0))
    return {
        "edges": [float(edge) for edge in edges],
        "counts": [int(count) for count in counts],
        "draws": int(values.size),
    }


def _calibration_in_force(const: Any) -> dict[str, Any] | None:
    """The shipped calibration's estimated constants, if ``const`` holds exactly them."""
    import json

    from coercive.policy.calibration import default_path

    path = default_path()
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    estimated = data.get("constants") or {}
    for name, entry in estimated.items():
        group = getattr(const, str(entry.get("group", "mapping")), None)
        held = getattr(group, name, None)
        if held is None or not np.isclose(float(held), float(entry["value"]), rtol=1e-12):
            return None  # a constants file or --set replaced it: not this calibration
    return {
        "name": data.get("name", path.stem),
        "data": (data.get("data") or {}).get("source"),
        "train_until": (data.get("data") or {}).get("train_until"),
        "n_cases": (data.get("data") or {}).get("n_cases"),
        "constants": {
            name: {
                "value": float(entry["value"]),
                "se": None if entry.get("se") is None else float(entry["se"]),
                "unit": entry.get("unit"),
                "source": entry.get("source"),
            }
            for name, entry in estimated.items()
        },
    }


def model_facts(const: Any | None = None) -> dict[str, Any]:
    """The package version, the constants in force and the calibration behind them.

    ``constants_source`` names the constants files applied (e.g. ``defaults-v1 + ties-v1``);
    ``calibration`` gives the estimated constants with their standard errors when the
    shipped calibration is in force, else a sentence saying every constant is a default.
    """
    from coercive import __version__
    from coercive.policy.mapping import constants

    const = const or constants()
    calibration: dict[str, Any] | str | None = _calibration_in_force(const)
    if calibration is None:
        calibration = (
            "none applied: every constant is its documented default (docs/model.md)"
            if const.source == "defaults-v1"
            else f"constants from {const.source} (no shipped calibration in force)"
        )
    return {
        "version": __version__,
        "constants_source": const.source,
        "calibration": calibration,
    }


__all__ = ["HISTOGRAM_BINS", "compliance_draws", "histogram", "model_facts"]
