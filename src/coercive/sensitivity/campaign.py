"""Sobol sensitivity of a campaign's P(complied by month N) (``coercive sensitivity CAMPAIGN``).

The factors are the union of the phases' factors (:func:`build_factors` of each phase's
scenario, joined by name): a field uncertain in both phases — the target's economy, the war
cost, the coercer's dominance — is ONE factor, whose unit column drives it in every phase at
the same quantile (the campaign model's common random numbers across phases do the same); a
field uncertain in one phase only moves that phase. Every Saltelli row is one draw of the
whole campaign: each phase is mapped (``coercive.policy.mapping``) and the campaign is solved
by the campaign model's own entry point (``coercive.campaign.model.solve_rows``, the solver
``run_campaign`` uses), in chunks of rows. Output: ``compliance`` = P(complied in full by
month N); the freeze (the first step of a divisible demand) is not compliance. The binding
condition and the recoding search are per snapshot (``coercive sensitivity CASE``), so they
are not repeated here.

Layering: this module imports ``coercive.campaign`` (downward); nothing in
``coercive.campaign`` imports ``coercive.sensitivity``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from coercive._errors import InputError
from coercive.policy.mapping import AllConstants, constants, scenario_inputs
from coercive.sensitivity.analysis import (
    DEFAULT_SAMPLES,
    Progress,
    SensitivityResult,
    _tornado,
    check_samples,
    check_seed,
    sobol,
)
from coercive.sensitivity.factors import FactorSet, build_factors, draws_from_unit

CHUNK = 8192
"""Rows solved at once: bounds memory (rows x months x type nodes) on a 24 GiB machine."""


def campaign_sensitivity(
    case: str | Path,
    settings: list[str] | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int | None = None,
    months: int | None = None,
    const: AllConstants | None = None,
    classes: bool = True,
    progress: Progress | None = None,
) -> SensitivityResult:
    """Sobol indices of P(complied by month ``months``) of a campaign file.

    ``settings``: ``--set`` items as for ``coercive campaign`` (``phases.N.PATH=VALUE``).
    """
    from coercive.campaign.model import solve_rows
    from coercive.campaign.schema import load_campaign

    n = check_samples(samples)
    campaign = load_campaign(case, settings, months)
    seed = check_seed(campaign.base.model.seed if seed is None else seed)
    const = const or constants()
    report = progress or (lambda stage, done: None)
    start = time.perf_counter()
    sets = [build_factors(phase.scenario, classes=classes) for phase in campaign.phases]
    factors, skipped = [], []
    for fs in sets:
        for factor in fs.factors:
            if factor.name not in {f.name for f in factors}:
                factors.append(factor)
        skipped += [s for s in fs.skipped if s not in skipped]
    names = [f.name for f in factors]
    if len(names) < 2:
        raise InputError(f"campaign {campaign.id}: fewer than 2 uncertain inputs or classes")
    columns = [[names.index(name) for name in fs.names] for fs in sets]
    starts = np.array([[phase.start_month for phase in campaign.phases]])

    def solve_chunk(unit: np.ndarray) -> np.ndarray:
        mapped = [
            scenario_inputs(phase.scenario, draws_from_unit(fs, unit[:, cols]))
            for phase, fs, cols in zip(campaign.phases, sets, columns, strict=True)
        ]
        _, paths = solve_rows(campaign, mapped, starts, unit.shape[0], seed=seed,
                              mapping=const.mapping)  # fmt: skip
        return paths.complied[:, -1]

    def model(unit: np.ndarray) -> dict[str, np.ndarray]:
        out = np.empty(unit.shape[0])
        for lo in range(0, unit.shape[0], CHUNK):
            out[lo : lo + CHUNK] = solve_chunk(unit[lo : lo + CHUNK])
            report("solving", 0.05 + 0.55 * min(1.0, (lo + CHUNK) / unit.shape[0]))
        return {"compliance": out}

    report("sampling", 0.0)
    unit, outputs, indices = sobol(names, model, n, seed,
                                   progress=lambda done: report("indices", 0.6 + 0.4 * done))
    fs_all = FactorSet(factors=tuple(factors), leaves=(), families=(), skipped=tuple(skipped))
    report("done", 1.0)
    return SensitivityResult(
        case=campaign.id,
        factors=fs_all,
        indices=indices,
        tornado=_tornado(fs_all, unit, outputs["compliance"], len(names)),
        means={"compliance": float(np.mean(outputs["compliance"]))},
        binding_share={},
        samples=n,
        seed=seed,
        rows=int(unit.shape[0]),
        seconds=time.perf_counter() - start,
        flip=None,
    )


__all__ = ["CHUNK", "campaign_sensitivity"]
