"""Profile likelihood of a fitted model, one parameter at a time (as games' ``profile.game``).

For parameter ``j`` the value is fixed on a grid ``theta_j + t * se_j`` (``t`` from ``-dist`` to
``dist`` in ``steps`` steps each way; absolute distances when ``use_se=False`` or the standard
error is not available) and the log-likelihood is maximized over the other parameters
(BFGS from the fitted values, analytic gradient). A profile value above the fit's
log-likelihood means the fit missed the maximum: :attr:`ProfileResult.better_fit` then holds
the best parameters found, to refit from (``start=``), as games advises.

The fitted results must carry ``extra["objective"]``, a function ``theta -> (loglik,
gradient)``; every estimator in this package stores it.

API
---
``profile(results, which=None, steps=5, dist=3.0, use_se=True) -> ProfileResult``
``ProfileResult``: ``table`` (DataFrame: parameter, value, offset, loglik), ``llf`` (the
fit's), ``better_fit`` (``None`` or a ``pandas.Series`` of parameters), ``plot(ax=None)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from coercive._errors import InputError, InputTypeError
from coercive.estimate.results import EstimationResults

__all__ = ["ProfileResult", "profile"]

# A profile point counts as better than the fit only beyond optimizer noise.
_BETTER_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ProfileResult:
    table: pd.DataFrame
    llf: float
    better_fit: pd.Series | None

    def plot(self, ax: Any = None, columns: int = 3) -> Any:
        """One panel per parameter: profile log-likelihood against the fixed value.

        The fitted value is marked with a vertical line and the fit's log-likelihood with a
        horizontal one. Returns the matplotlib Figure.
        """
        import matplotlib.pyplot as plt

        names = list(dict.fromkeys(self.table["parameter"]))
        if ax is not None and len(names) != 1:
            raise InputError("ax: a single axis can hold one parameter's profile only")
        if ax is None:
            rows = math.ceil(len(names) / columns)
            figure, axes = plt.subplots(
                rows, min(columns, len(names)), figsize=(4 * min(columns, len(names)), 3 * rows),
                squeeze=False,
            )  # fmt: skip
            flat = list(axes.ravel())
            for extra_axis in flat[len(names) :]:
                extra_axis.set_visible(False)
        else:
            figure, flat = ax.figure, [ax]
        for axis, name in zip(flat, names, strict=False):
            rows_of = self.table[self.table["parameter"] == name]
            axis.plot(rows_of["value"], rows_of["loglik"], marker="o")
            centre = rows_of.loc[rows_of["offset"] == 0, "value"]
            if len(centre):
                axis.axvline(float(centre.iloc[0]), color="grey", linestyle=":")
            axis.axhline(self.llf, color="grey", linestyle="--")
            axis.set_title(name, fontsize=9)
            axis.set_xlabel("fixed value")
            axis.set_ylabel("profile log-likelihood")
        figure.tight_layout()
        return figure


def _which(which: object, names: Sequence[str]) -> list[int]:
    if which is None:
        return list(range(len(names)))
    items = [which] if isinstance(which, (str, int, np.integer)) else list(which)  # type: ignore[call-overload]
    out = []
    for item in items:
        if isinstance(item, str):
            if item not in names:
                raise InputError(f"which: unknown parameter {item!r}; allowed: {', '.join(names)}")
            out.append(names.index(item))
        elif isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if not 0 <= int(item) < len(names):
                raise InputError(f"which: index {item} out of range 0..{len(names) - 1}")
            out.append(int(item))
        else:
            raise InputTypeError(f"which: expected parameter names or indices, got {item!r}")
    return out


def profile(
    results: EstimationResults,
    which: str | int | Sequence[str | int] | None = None,
    steps: int = 5,
    dist: float = 3.0,
    use_se: bool = True,
) -> ProfileResult:
    """Profile log-likelihood of ``results`` in each parameter of ``which`` (default all)."""
    if not isinstance(results, EstimationResults):
        raise InputTypeError(f"results: expected EstimationResults, got {type(results).__name__}")
    objective = results.extra.get("objective")
    if objective is None:
        raise InputError("results: this fit carries no objective function to profile")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise InputError(f"steps: expected a positive integer, got {steps!r}")
    if isinstance(dist, bool) or not isinstance(dist, (int, float)) or not dist > 0:
        raise InputError(f"dist: expected a positive number, got {dist!r}")
    names = list(results.params.index)
    theta_hat = results.params.to_numpy()
    se = results.bse.to_numpy()
    fixed = np.asarray(results.extra.get("fixed", np.zeros(len(names), dtype=bool)))
    rows = []
    best_llf, best_theta = results.llf, None
    for j in _which(which, names):
        if fixed[j]:
            continue
        width = dist * (se[j] if use_se and np.isfinite(se[j]) and se[j] > 0 else 1.0)
        free = np.arange(len(names)) != j
        for offset in np.linspace(-1.0, 1.0, 2 * steps + 1):
            value = theta_hat[j] + offset * width

            def negative(
                rest: np.ndarray, value: float = value, j: int = j, free: np.ndarray = free
            ) -> tuple[float, np.ndarray]:
                theta = theta_hat.copy()
                theta[free] = rest
                theta[j] = value
                llf, gradient = objective(theta)
                if not np.isfinite(llf) or not np.all(np.isfinite(gradient)):
                    return math.inf, np.zeros(int(free.sum()))
                return -llf, -np.asarray(gradient)[free]

            if offset == 0:
                llf = results.llf
            else:
                found = optimize.minimize(
                    negative, theta_hat[free], jac=True, method="BFGS",
                    options={"gtol": 1e-6, "maxiter": 500},
                )  # fmt: skip
                llf = -float(found.fun)
                if llf > best_llf + _BETTER_TOLERANCE:
                    best_llf = llf
                    best_theta = theta_hat.copy()
                    best_theta[free] = found.x
                    best_theta[j] = value
            rows.append(
                {"parameter": names[j], "value": value, "offset": offset * dist, "loglik": llf}
            )
    table = pd.DataFrame(rows, columns=["parameter", "value", "offset", "loglik"])
    better = None if best_theta is None else pd.Series(best_theta, index=names)
    return ProfileResult(table=table, llf=results.llf, better_fit=better)
