"""A cheap screening of what matters most: Morris elementary effects (for ``assess``).

The terminal view of ``assess`` names the three inputs that matter most. A Sobol analysis
(:func:`coercive.sensitivity.top_inputs`) needs ``N (D + 2)`` rows for stable total-order
indices; Morris's method (Morris 1991, *Technometrics* 33:161; the ``mu*`` measure of
Campolongo, Cariboni & Saltelli 2007, *Environ. Model. Softw.* 22:1509) ranks factors with
``r (D + 1)`` rows: ``r`` one-at-a-time trajectories through a ``p``-level grid of the unit
cube. ``mu*`` — the mean absolute elementary effect — is a good proxy of the total-order
index for screening (Campolongo et al. 2007), which is all the terminal view needs.

The factors are the same as the Sobol analysis's (uncertain inputs and coding classes,
:mod:`coercive.sensitivity.factors`); every row is one deterministic draw of the scenario
(its unit point mapped to the factors' distributions), so the rows are common random
numbers: each elementary effect is the change of one factor alone. All rows are mapped and
solved in ONE engine call. SALib (Herman & Usher 2017) samples and analyses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from coercive._errors import InputError
from coercive.policy.mapping import AllConstants, constants
from coercive.policy.scenario import Scenario
from coercive.sensitivity.analysis import _scenario, check_seed, evaluate
from coercive.sensitivity.factors import build_factors

TRAJECTORIES = 100
"""Morris trajectories r. Campolongo et al. (2007) find 10-20 enough for screening smooth
models; compliance here is strongly non-additive (the Sobol total-order indices of dprk-2017
sum to well over 1), and on the bundled DPRK cases 12 trajectories ranked the top factors
differently from seed to seed. 100 trajectories (3,500 rows for 34 factors) still cost about
0.1 s, inside the 0.3 s budget the terminal view allows (benchmarks/bench_sensitivity.py)."""
LEVELS = 4
"""Grid levels p (even, with the step p / (2 (p - 1)): Morris 1991's recommendation)."""
RESAMPLES = 200
"""Bootstrap resamples for mu*'s 95% interval."""


@dataclass(frozen=True)
class Screened:
    """One factor's Morris measures for compliance."""

    factor: str
    label: str
    kind: str
    mu_star: float
    mu_star_conf: float
    sigma: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "factor": self.factor, "label": self.label, "kind": self.kind,
            "mu_star": self.mu_star, "mu_star_conf": self.mu_star_conf, "sigma": self.sigma,
        }


def screen_inputs(
    scenario: str | Path | Scenario,
    k: int | None = 3,
    trajectories: int = TRAJECTORIES,
    seed: int | None = None,
    const: AllConstants | None = None,
    classes: bool = True,
) -> list[Screened]:
    """The ``k`` factors with the largest ``mu*`` for compliance (all of them if k is None)."""
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    if k is not None and (isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1):
        raise InputError(f"k: {k!r} is not allowed; allowed: an integer >= 1")
    if isinstance(trajectories, bool) or not isinstance(trajectories, (int, np.integer)) or (
        trajectories < 2
    ):
        raise InputError(f"trajectories: {trajectories!r} is not allowed; allowed: an integer >= 2")
    case = _scenario(scenario, None)
    seed = check_seed(case.model.seed if seed is None else seed)
    const = const or constants()
    fs = build_factors(case, classes=classes)
    d = len(fs.factors)
    if d == 0:
        return []
    problem = {"num_vars": d, "names": fs.names, "bounds": [[0.0, 1.0]] * d}
    unit = morris_sample.sample(problem, int(trajectories), num_levels=LEVELS, seed=seed)
    y = evaluate(case, fs, unit, const, conditions=False)["compliance"]
    result = morris_analyze.analyze(
        problem, unit, y, num_resamples=RESAMPLES, conf_level=0.95, num_levels=LEVELS,
        seed=seed,
    )
    mu_star = np.asarray(result["mu_star"], dtype=float)
    if not np.all(np.isfinite(mu_star)):
        raise RuntimeError("SALib returned non-finite Morris measures")
    order = np.argsort(-mu_star, kind="stable")
    factors = fs.factors
    out = [
        Screened(
            factor=factors[j].name, label=factors[j].label, kind=factors[j].kind,
            mu_star=float(mu_star[j]), mu_star_conf=float(result["mu_star_conf"][j]),
            sigma=float(result["sigma"][j]),
        )
        for j in order
    ]
    return out if k is None else out[: int(k)]


__all__ = ["LEVELS", "Screened", "TRAJECTORIES", "screen_inputs"]
