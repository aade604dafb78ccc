"""Global (Sobol) sensitivity of compliance, and of the binding condition, to a scenario's
uncertain inputs and coding classes.

Method (Saltelli et al. 2010, *Comput. Phys. Commun.* 181:259; Jansen's estimator of the
total-order index), through SALib (Herman & Usher 2017; Iwanaga et al. 2022):

1. ``N`` base samples of the unit cube, one column per factor
   (:mod:`coercive.sensitivity.factors`), expanded to ``N (D + 2)`` Saltelli rows by
   SALib's scrambled-Sobol sampler (``calc_second_order=False``).
2. Every row becomes one Monte Carlo draw of the scenario; all rows — and, for the binding
   condition, the four 'met' counterfactuals of every row — are mapped
   (``coercive.policy.mapping``) and solved in ONE vectorized engine call
   (``coercive.policy.montecarlo.solve``), at the scenario's equilibrium rule.
3. SALib's ``sobol.analyze`` gives first-order ``S1`` and total-order ``ST`` indices with
   bootstrap confidence intervals (95%) for each output: ``compliance`` = 1 - pR, and for
   each condition its gain ``gain:<condition>`` = compliance with the condition 'met'
   minus compliance. The binding condition is the one with the largest mean gain, so the
   indices of the gains say what decides which condition binds.

The constants are the point values in force (:func:`coercive.policy.mapping.constants`);
their estimation uncertainty is not a factor here (``assess`` draws it).

The tornado chart uses the same rows at no extra cost: for each factor, mean compliance
when it is in the lowest third of its range (a class factor: moved one class down) and in
the highest third (one class up), over the 2N independent base rows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coercive._errors import InputError, InputTypeError
from coercive.policy.mapping import AllConstants, constants, map_scenario
from coercive.policy.montecarlo import solve
from coercive.policy.scenario import Scenario
from coercive.policy.scorecard import CONDITIONS, counterfactual
from coercive.sensitivity.factors import FactorSet, build_factors, class_shift, draws_from_unit
from coercive.sensitivity.recoding import FlipSearch, smallest_flip

CONF_LEVEL = 0.95
MIN_SAMPLES, MAX_SAMPLES = 16, 2**16
DEFAULT_SAMPLES = 2**12
RESAMPLES = 100
"""Bootstrap resamples for the confidence intervals (SALib's default)."""

Progress = Callable[[str, float], None]
"""``progress(stage, fraction_done)``."""


def check_samples(samples: object) -> int:
    """``samples`` must be a power of two in [16, 65536] (Sobol sequences need a power of 2)."""
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)):
        raise InputTypeError(
            f"samples: expected an integer power of two, got {type(samples).__name__}"
        )
    n = int(samples)
    if n < MIN_SAMPLES or n > MAX_SAMPLES or n & (n - 1):
        raise InputError(
            f"samples: {n} is not allowed; allowed: a power of two from {MIN_SAMPLES} "
            f"to {MAX_SAMPLES} (Saltelli base samples)"
        )
    return n


def check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or int(seed) < 0:
        raise InputError(f"seed: {seed!r} is not allowed; allowed: an integer >= 0")
    return int(seed)


def _problem(fs: FactorSet) -> dict[str, Any]:
    d = len(fs.factors)
    return {"num_vars": d, "names": fs.names, "bounds": [[0.0, 1.0]] * d}


def sobol(
    names: list[str],
    model: Callable[[np.ndarray], Mapping[str, np.ndarray]],
    samples: int,
    seed: int,
    progress: Callable[[float], None] | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, pd.DataFrame]]:
    """Sobol indices of every output of a vectorized ``model`` of the unit cube.

    ``model(unit)`` takes all ``samples x (len(names) + 2)`` Saltelli rows at once and returns
    ``{output: values per row}``. Returns the rows, the outputs and, per output, a DataFrame
    of S1, S1_conf, ST, ST_conf indexed by ``names``.
    """
    from SALib.sample import sobol as sobol_sample

    n = check_samples(samples)
    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    unit = sobol_sample.sample(problem, n, calc_second_order=False, seed=check_seed(seed))
    outputs = {name: np.asarray(y, dtype=float) for name, y in model(unit).items()}
    indices = {}
    for i, (name, y) in enumerate(outputs.items()):
        if y.shape != (unit.shape[0],) or not np.all(np.isfinite(y)):
            raise InputError(f"model output {name!r}: need one finite value per Saltelli row")
        indices[name] = _indices(problem, y, seed)
        if progress is not None:
            progress((i + 1) / len(outputs))
    return unit, outputs, indices


def evaluate(
    scenario: Scenario,
    fs: FactorSet,
    unit: np.ndarray,
    const: AllConstants,
    conditions: bool = True,
) -> dict[str, np.ndarray]:
    """Compliance (and each condition's gain) of every row of ``unit``: one engine call."""
    draws = draws_from_unit(fs, unit)
    variants = [(scenario, draws)]
    if conditions:
        variants += [counterfactual(c, scenario, draws, const) for c in CONDITIONS]
    mapped = [map_scenario(sc, dr, const.mapping) for sc, dr in variants]
    solutions = solve(mapped, scenario.model.equilibrium)
    base = solutions[0].compliance
    out = {"compliance": base}
    for condition, solution in zip(CONDITIONS, solutions[1:], strict=False):
        out[f"gain:{condition}"] = solution.compliance - base
    for name, values in out.items():
        if not np.all(np.isfinite(values)):
            raise InputError(f"scenario {scenario.id}: non-finite {name} in the sensitivity rows")
    return out


def _indices(problem: dict[str, Any], y: np.ndarray, seed: int) -> pd.DataFrame:
    from SALib.analyze import sobol as sobol_analyze

    names = problem["names"]
    if float(np.var(y)) <= 1e-24:
        # a constant output: no variance to apportion, every index is exactly 0
        zeros = np.zeros(len(names))
        return pd.DataFrame(
            {"S1": zeros, "S1_conf": zeros, "ST": zeros, "ST_conf": zeros}, index=names
        )
    result = sobol_analyze.analyze(
        problem, y, calc_second_order=False, num_resamples=RESAMPLES,
        conf_level=CONF_LEVEL, print_to_console=False, seed=seed,
    )
    frame = pd.DataFrame(
        {key: np.asarray(result[key], dtype=float) for key in ("S1", "S1_conf", "ST", "ST_conf")},
        index=names,
    )
    if not np.all(np.isfinite(frame.to_numpy())):
        raise RuntimeError("SALib returned non-finite Sobol indices")
    return frame


def _tornado(fs: FactorSet, unit: np.ndarray, y: np.ndarray, d: int) -> pd.DataFrame:
    """Mean output with each factor low vs high, over the independent A and B rows."""
    block = d + 2
    rows = np.r_[np.arange(0, len(y), block), np.arange(block - 1, len(y), block)]
    u, values = unit[rows], y[rows]
    records = []
    for j, factor in enumerate(fs.factors):
        if factor.kind == "input":
            low, high = u[:, j] < 1 / 3, u[:, j] > 2 / 3
            labels = ("lowest third", "highest third")
        else:
            shift = class_shift(factor, u[:, j])
            low, high = shift < 0, shift > 0
            fam, span = factor.family, factor.span
            assert fam is not None and span is not None
            labels = (
                fam.span_label(span[0] - 1, span[1] - 1) if low.any() else "",
                fam.span_label(span[0] + 1, span[1] + 1) if high.any() else "",
            )
        center = float(values.mean())
        records.append(
            {
                "factor": factor.name,
                "low": float(values[low].mean()) if low.any() else center,
                "high": float(values[high].mean()) if high.any() else center,
                "low_label": labels[0],
                "high_label": labels[1],
            }
        )
    return pd.DataFrame.from_records(records).set_index("factor")


@dataclass(frozen=True)
class SensitivityResult:
    """Sobol indices per output, the tornado data and the smallest flipping recoding."""

    case: str
    factors: FactorSet
    indices: Mapping[str, pd.DataFrame]
    """output -> DataFrame indexed by factor: S1, S1_conf, ST, ST_conf (half-widths)."""
    tornado: pd.DataFrame
    means: Mapping[str, float]
    binding_share: Mapping[str, float]
    """Share of rows in which each condition's 'met' gain is the largest (None: all <= 0)."""
    samples: int
    seed: int
    rows: int
    seconds: float
    flip: FlipSearch | None = None

    def ranking(self, output: str = "compliance", k: int | None = None) -> list[dict[str, Any]]:
        """Factors by total-order index of ``output``, largest first."""
        if output not in self.indices:
            raise InputError(f"output: {output!r}; allowed: {', '.join(self.indices)}")
        frame = self.indices[output].sort_values("ST", ascending=False)
        labels = {f.name: (f.label, f.kind) for f in self.factors.factors}
        out = []
        for name, row in frame.iloc[: k if k is not None else len(frame)].iterrows():
            label, kind = labels[str(name)]
            out.append(
                {
                    "factor": str(name), "label": label, "kind": kind,
                    "first_order": float(row["S1"]), "first_order_conf": float(row["S1_conf"]),
                    "total_order": float(row["ST"]), "total_order_conf": float(row["ST_conf"]),
                }
            )
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per (output, factor): S1 and ST with their confidence bounds."""
        labels = {f.name: (f.label, f.kind) for f in self.factors.factors}
        parts = []
        for output, frame in self.indices.items():
            part = frame.copy()
            part.insert(0, "output", output)
            part.insert(1, "kind", [labels[name][1] for name in part.index])
            part.insert(2, "label", [labels[name][0] for name in part.index])
            for key in ("S1", "ST"):
                part[f"{key}_low"] = part[key] - part[f"{key}_conf"]
                part[f"{key}_high"] = part[key] + part[f"{key}_conf"]
            parts.append(part.rename_axis("factor").reset_index())
        return pd.concat(parts, ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "method": "Sobol indices (Saltelli sampling, SALib), first and total order, "
            f"{int(100 * CONF_LEVEL)}% bootstrap intervals (+/- conf)",
            "samples": self.samples,
            "seed": self.seed,
            "rows": self.rows,
            "seconds": self.seconds,
            "means": dict(self.means),
            "binding_share": dict(self.binding_share),
            "indices": {output: self.ranking(output) for output in self.indices},
            "tornado": self.tornado.reset_index().to_dict(orient="records"),
            "skipped": list(self.factors.skipped),
            "recoding": None if self.flip is None else self.flip.to_dict(),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def plot(self, ax: Any = None, top: int = 15) -> Any:
        """Tornado chart of compliance (the ``top`` factors by total-order index)."""
        import matplotlib.pyplot as plt

        order = [row["factor"] for row in self.ranking("compliance", top)][::-1]
        labels = {f.name: f.label for f in self.factors.factors}
        data = self.tornado.loc[order]
        center = self.means["compliance"]
        if ax is None:
            _, ax = plt.subplots(figsize=(11, 0.45 * len(order) + 1.5), layout="constrained")
        y = np.arange(len(order))
        # low and high side by side, so neither hides the other when both move one way
        ax.barh(y - 0.2, data["low"] - center, left=center, height=0.4, color="#c0504d",
                label="factor low (lowest third / one class down)")
        ax.barh(y + 0.2, data["high"] - center, left=center, height=0.4, color="#4f81bd",
                label="factor high (highest third / one class up)")
        ax.axvline(center, color="black", lw=0.8)
        st = self.indices["compliance"].loc[order, "ST"]
        ax.set_yticks(y, [f"{labels[n]}  (ST {st[n]:.2f})" for n in order], fontsize=8)
        ax.set_xlabel("mean compliance (conditional on the challenge)")
        ax.set_title(f"{self.case}: what decides compliance (Sobol, N={self.samples})")
        ax.legend(loc="lower right", fontsize=8)
        return ax.figure


def _scenario(
    case: str | Path | Scenario, overrides: Iterable[str] | Mapping[str, Any] | None
) -> Scenario:
    if isinstance(case, Scenario):
        if overrides:
            from coercive.sensitivity.recoding import recoded

            return recoded(case, overrides)
        return case
    if not isinstance(case, (str, Path)):
        raise InputTypeError(
            f"case: expected a case id, a scenario path or a Scenario, got {type(case).__name__}"
        )
    from coercive.policy.loader import load_scenario

    return load_scenario(case, overrides)


def sensitivity(
    case: str | Path | Scenario,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int | None = None,
    const: AllConstants | None = None,
    conditions: bool = True,
    classes: bool = True,
    recode: bool = True,
    progress: Progress | None = None,
) -> SensitivityResult:
    """Sobol sensitivity of a case (id, path or :class:`Scenario`, with ``--set`` overrides).

    ``samples``: Saltelli base samples N (a power of two; rows = N (D + 2)); ``seed``:
    default the scenario's ``model.seed``; ``conditions``: also the indices of each
    condition's gain (five times the rows); ``classes``: coding classes as factors;
    ``recode``: search the smallest single recoding that flips the binding condition.
    """
    n = check_samples(samples)
    if const is not None and not isinstance(const, AllConstants):
        raise InputTypeError(f"const: expected AllConstants, got {type(const).__name__}")
    scenario = _scenario(case, overrides)
    seed = check_seed(scenario.model.seed if seed is None else seed)
    const = const or constants()
    report = progress or (lambda stage, done: None)
    start = time.perf_counter()
    fs = build_factors(scenario, classes=classes)
    d = len(fs.factors)
    if d < 2:
        raise InputError(
            f"scenario {scenario.id}: {d} uncertain input(s) or movable coding class(es); "
            "a sensitivity analysis needs at least 2 (give ranges as {low, high})"
        )
    report("sampling", 0.0)
    problem = _problem(fs)

    def model(unit: np.ndarray) -> dict[str, np.ndarray]:
        report("solving", 0.05)
        return evaluate(scenario, fs, unit, const, conditions=conditions)

    unit, outputs, indices = sobol(
        problem["names"], model, n, seed,
        progress=lambda done: report("indices", 0.6 + 0.2 * done),
    )
    share: dict[str, float] = {}
    if conditions:
        gains = np.stack([outputs[f"gain:{c}"] for c in CONDITIONS], axis=1)
        best = np.argmax(gains, axis=1)
        positive = gains.max(axis=1) > 0
        for i, c in enumerate(CONDITIONS):
            share[c] = float(np.mean(positive & (best == i)))
        share["none"] = float(np.mean(~positive))
    flip = None
    if recode and classes:
        report("recoding", 0.8)
        flip = smallest_flip(scenario, fs.families, const)
    report("done", 1.0)
    return SensitivityResult(
        case=scenario.id,
        factors=fs,
        indices=indices,
        tornado=_tornado(fs, unit, outputs["compliance"], d),
        means={name: float(np.mean(y)) for name, y in outputs.items()},
        binding_share=share,
        samples=n,
        seed=seed,
        rows=int(unit.shape[0]) * (1 + (len(CONDITIONS) if conditions else 0)),
        seconds=time.perf_counter() - start,
        flip=flip,
    )


def top_inputs(
    scenario: str | Path | Scenario,
    k: int = 3,
    samples: int = 256,
    seed: int | None = None,
    const: AllConstants | None = None,
) -> list[dict[str, Any]]:
    """The ``k`` inputs (uncertain inputs and coding classes) that matter most to compliance.

    By total-order Sobol index, from a quick analysis (``samples`` base samples, compliance
    only, no recoding search) — for the terminal view of ``assess``.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or int(k) < 1:
        raise InputError(f"k: {k!r} is not allowed; allowed: an integer >= 1")
    result = sensitivity(
        scenario, samples=samples, seed=seed, const=const, conditions=False, recode=False
    )
    return result.ranking("compliance", int(k))


__all__ = [
    "SensitivityResult",
    "sensitivity",
    "top_inputs",
    "evaluate",
    "sobol",
    "check_samples",
    "DEFAULT_SAMPLES",
]
