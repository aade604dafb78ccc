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


def compliance_draws(scenario: Any) -> np.ndarray:
    """Per-draw compliance (1 - pR at the selected equilibrium) of a validated scenario."""
    from coercive.policy.mapping import constants, map_scenario
    from coercive.policy.montecarlo import sample_inputs, solve

    mapped = map_scenario(scenario, sample_inputs(scenario), constants().mapping)
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


def model_facts() -> dict[str, Any]:
    """The package version and the calibration in force (shown with every assessment)."""
    from coercive import __version__
    from coercive.policy.calibration import CALIBRATED

    calibration = (
        {name: float(value) for name, value in CALIBRATED.items()}
        if CALIBRATED
        else "none applied: every constant is its documented default (docs/model.md)"
    )
    return {"version": __version__, "calibration": calibration}


__all__ = ["HISTOGRAM_BINS", "compliance_draws", "histogram", "model_facts"]
