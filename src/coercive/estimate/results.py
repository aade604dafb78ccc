"""Results of a maximum-likelihood fit of a coercion game (shared by all estimators).

Modelled on statsmodels/linearmodels results: an immutable object holding the estimates,
their covariance and the fit statistics, with a text summary, a LaTeX table and ``predict``.

API
---
``EstimationResults(model, method, params, cov, llf, nobs, n_dropped=0, converged=True,
notes=(), predictor=None, extra={}, covariance_type="hessian")``
    ``params``: pandas Series labelled ``part:term``; ``cov``: ``k x k`` array or DataFrame
    (NaN when unavailable — then give a ``notes`` entry saying why); ``predictor``: a callable
    ``newdata -> DataFrame`` (model-specific probabilities) used by :meth:`predict`;
    ``extra``: estimator-specific fields (e.g. ``{"iterations": 7}``), shown in the summary.
Properties: ``params``, ``bse``, ``tvalues``, ``pvalues`` (two-sided normal), ``llf``,
``aic`` (``-2 llf + 2k``), ``bic`` (``-2 llf + k log n``), ``nobs``, ``df_model`` (``k``),
``converged``. Methods: ``cov_params()``, ``conf_int(alpha=0.05)``, ``summary()`` (text),
``to_latex()``, ``predict(newdata)``.

When the covariance is not available (singular or not negative-definite Hessian),
``bse``/``tvalues``/``pvalues``/``conf_int`` are NaN, the summary shows the note, and a
:class:`RuntimeWarning` is issued once when the object is made.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["EstimationResults"]

Predictor = Callable[[pd.DataFrame], pd.DataFrame]


@dataclass(frozen=True, eq=False)
class EstimationResults:
    """Immutable results of a fitted game model (see module docstring)."""

    model: str
    method: str
    params: pd.Series
    cov: pd.DataFrame
    llf: float
    nobs: int
    n_dropped: int = 0
    converged: bool = True
    notes: tuple[str, ...] = ()
    predictor: Predictor | None = field(default=None, repr=False)
    extra: Mapping[str, Any] = field(default_factory=dict)
    covariance_type: str = "hessian"

    def __post_init__(self) -> None:
        params = pd.Series(self.params, dtype=float).copy()
        names = list(params.index)
        cov = np.asarray(self.cov, dtype=float)
        if cov.shape != (len(names), len(names)):
            raise ValueError(f"cov: expected shape {(len(names),) * 2}, got {cov.shape}")
        cov_frame = pd.DataFrame(cov.copy(), index=names, columns=names)
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "cov", cov_frame)
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))
        if len(names) and not np.all(np.isfinite(cov)):
            warnings.warn(
                f"{self.model}: "
                + (self.notes[0] if self.notes else "standard errors are not available"),
                RuntimeWarning,
                stacklevel=3,
            )
        if not self.converged:
            warnings.warn(
                f"{self.model}: the optimizer did not report convergence",
                RuntimeWarning,
                stacklevel=3,
            )

    # --- statistics -------------------------------------------------------------------
    @property
    def df_model(self) -> int:
        return int(self.params.size)

    @property
    def bse(self) -> pd.Series:
        variance = np.diag(self.cov.to_numpy())
        with np.errstate(invalid="ignore"):
            se = np.where(variance >= 0, np.sqrt(np.abs(variance)), np.nan)
        return pd.Series(se, index=self.params.index, name="bse")

    @property
    def tvalues(self) -> pd.Series:
        with np.errstate(divide="ignore", invalid="ignore"):
            return pd.Series(
                self.params.to_numpy() / self.bse.to_numpy(),
                index=self.params.index,
                name="tvalues",
            )

    @property
    def pvalues(self) -> pd.Series:
        t = self.tvalues.to_numpy()
        return pd.Series(2.0 * stats.norm.sf(np.abs(t)), index=self.params.index, name="pvalues")

    @property
    def aic(self) -> float:
        return -2.0 * self.llf + 2.0 * self.df_model

    @property
    def bic(self) -> float:
        return -2.0 * self.llf + self.df_model * math.log(max(self.nobs, 1))

    def cov_params(self) -> pd.DataFrame:
        return self.cov.copy()

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        if not 0.0 < alpha < 1.0:
            from coercive._errors import InputError

            raise InputError(f"alpha: expected a number in (0, 1), got {alpha!r}")
        z = stats.norm.ppf(1.0 - alpha / 2.0)
        half = z * self.bse
        return pd.DataFrame(
            {"lower": self.params - half, "upper": self.params + half}, index=self.params.index
        )

    # --- prediction --------------------------------------------------------------------
    def predict(self, newdata: pd.DataFrame | None = None) -> pd.DataFrame:
        """Model-specific predicted probabilities for ``newdata`` (one row per row).

        ``newdata=None`` predicts for the rows used in fitting.
        """
        if self.predictor is None:
            raise NotImplementedError(f"{self.model}: no predictor was attached to these results")
        return self.predictor(newdata)

    # --- presentation ------------------------------------------------------------------
    def coefficient_table(self) -> pd.DataFrame:
        """Estimate, std. error, z and p-value, one row per parameter."""
        return pd.DataFrame(
            {
                "coef": self.params,
                "std err": self.bse,
                "z": self.tvalues,
                "P>|z|": self.pvalues,
            }
        )

    def _header(self) -> list[tuple[str, str]]:
        rows = [
            ("Model", self.model),
            ("Method", self.method),
            ("Observations", str(self.nobs)),
            ("Rows dropped (missing)", str(self.n_dropped)),
            ("Parameters", str(self.df_model)),
            ("Log-likelihood", f"{self.llf:.4f}"),
            ("AIC", f"{self.aic:.4f}"),
            ("BIC", f"{self.bic:.4f}"),
            ("Covariance", self.covariance_type),
            ("Converged", "yes" if self.converged else "NO"),
        ]
        for key, value in self.extra.items():
            if isinstance(value, (str, int, float, bool, np.integer, np.floating)):
                text = f"{value:.4g}" if isinstance(value, (float, np.floating)) else str(value)
                rows.append((str(key), text))
        return rows

    def summary(self) -> str:
        """A readable text table of the fit."""
        header = self._header()
        width = max(len(key) for key, _ in header)
        lines = [f"{key:<{width}}  {value}" for key, value in header]
        table = self.coefficient_table()
        label_width = max([len(label) for label in table.index] + [9])
        rule = "=" * (label_width + 48)
        out = [rule, *lines, "-" * len(rule)]
        out.append(f"{'':<{label_width}}  {'coef':>10} {'std err':>10} {'z':>8} {'P>|z|':>8}")
        for label, row in table.iterrows():
            out.append(
                f"{label:<{label_width}}  {_num(row['coef'], 10, 6)} {_num(row['std err'], 10, 6)}"
                f" {_num(row['z'], 8, 3)} {_num(row['P>|z|'], 8, 3)}"
            )
        out.append(rule)
        for note in self.notes:
            out.append(f"Note: {note}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.summary()

    def to_latex(self, caption: str | None = None, digits: int = 3) -> str:
        """A LaTeX ``table`` with estimates and (standard errors), plus fit statistics."""
        lines = [r"\begin{table}[ht]", r"\centering"]
        if caption:
            lines.append(rf"\caption{{{_latex_escape(caption)}}}")
        lines += [r"\begin{tabular}{lrr}", r"\hline", r"Parameter & Estimate & Std. error \\"]
        lines.append(r"\hline")
        for label, value in self.params.items():
            se = self.bse[label]
            se_text = f"({se:.{digits}f})" if np.isfinite(se) else "--"
            lines.append(rf"{_latex_escape(str(label))} & {value:.{digits}f} & {se_text} \\")
        lines += [
            r"\hline",
            rf"Observations & \multicolumn{{2}}{{r}}{{{self.nobs}}} \\",
            rf"Log-likelihood & \multicolumn{{2}}{{r}}{{{self.llf:.{digits}f}}} \\",
            rf"AIC & \multicolumn{{2}}{{r}}{{{self.aic:.{digits}f}}} \\",
            r"\hline",
            r"\end{tabular}",
            r"\end{table}",
        ]
        return "\n".join(lines)


def _num(value: float, width: int, digits: int) -> str:
    if not np.isfinite(value):
        return f"{'NaN':>{width}}"
    return f"{value:>{width}.{digits}f}"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(char, char) for char in text)
