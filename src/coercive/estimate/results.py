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

Immutability: the estimates and covariance are stored as private read-only arrays and every
accessor (``params``, ``bse``, ``cov_params()``, ...) returns a fresh pandas object; ``extra`` is a
read-only mapping whose arrays are read-only and whose pandas values are copies, so mutating
anything obtained from the object never changes the stored results.

When the covariance is not available (singular or not negative-definite Hessian),
``bse``/``tvalues``/``pvalues``/``conf_int`` are NaN, the summary shows the note, and a
:class:`RuntimeWarning` is issued once when the object is made.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import FrozenInstanceError
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from coercive._errors import warn_caller

__all__ = ["EstimationResults"]

Predictor = Callable[[pd.DataFrame], pd.DataFrame]


class _ReadOnlyExtra(Mapping[str, Any]):
    """Read-only view of estimator-specific fields.

    Arrays are stored as read-only copies (``setflags(write=False)``); pandas objects and
    other mutable containers are copied when stored and again on every access, so nothing a
    caller gets back can change the results.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        stored = {}
        for key, value in values.items():
            if isinstance(value, np.ndarray):
                value = value.copy()
                value.setflags(write=False)
            elif not _is_immutable(value):
                value = copy.deepcopy(value)
            stored[key] = value
        self._values = MappingProxyType(stored)

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        if isinstance(value, np.ndarray) or _is_immutable(value):
            return value
        return copy.deepcopy(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self._values)!r})"

    def __reduce__(self) -> tuple[type[_ReadOnlyExtra], tuple[dict[str, Any]]]:
        # rebuilt through __init__, so copies and unpickled objects are read-only too
        return (type(self), (dict(self._values),))


def _is_immutable(value: object) -> bool:
    return (
        value is None
        or isinstance(value, (str, bytes, int, float, complex, bool, np.generic, range, frozenset))
        or (isinstance(value, tuple) and all(_is_immutable(item) for item in value))
    )


def _read_only(values: np.ndarray) -> np.ndarray:
    values = np.array(values, dtype=float, copy=True)
    values.setflags(write=False)
    return values


class EstimationResults:
    """Immutable results of a fitted game model (see module docstring).

    Estimates and covariance are kept as private read-only arrays; ``params``, ``bse``,
    ``cov_params()``, ``tvalues``, ``pvalues`` and ``conf_int()`` build fresh pandas objects on
    every call, so mutating what they return leaves the results unchanged.
    """

    __slots__ = (
        "_cov",
        "_index_cache",
        "_names",
        "_params",
        "converged",
        "covariance_type",
        "extra",
        "llf",
        "method",
        "model",
        "n_dropped",
        "nobs",
        "notes",
        "predictor",
    )

    def __init__(
        self,
        model: str,
        method: str,
        params: pd.Series,
        cov: pd.DataFrame | np.ndarray,
        llf: float,
        nobs: int,
        n_dropped: int = 0,
        converged: bool = True,
        notes: tuple[str, ...] = (),
        predictor: Predictor | None = None,
        extra: Mapping[str, Any] | None = None,
        covariance_type: str = "hessian",
        fixed: np.ndarray | None = None,
    ) -> None:
        if not isinstance(params, pd.Series):
            params = pd.Series(params, dtype=float)
        names = tuple(params.index.tolist())
        cov_values = np.asarray(cov, dtype=float)
        if cov_values.shape != (len(names), len(names)):
            raise ValueError(f"cov: expected shape {(len(names),) * 2}, got {cov_values.shape}")
        # parameters held fixed by the user have no variance by design (NaN rows/columns)
        free = np.ones(len(names), dtype=bool) if fixed is None else ~np.asarray(fixed, bool)
        fields = {
            "model": model,
            "method": method,
            "_names": names,
            "_params": _read_only(params.to_numpy(dtype=float)),
            # one immutable Index shared by every Series/DataFrame built here (building it
            # from the labels costs more than a small fit's whole optimization)
            "_index_cache": params.index,
            "_cov": _read_only(cov_values),
            "llf": float(llf),
            "nobs": int(nobs),
            "n_dropped": int(n_dropped),
            # Converged means a certified maximum: an optimizer that stops with a singular or
            # indefinite Hessian (e.g. perfectly separated data, estimates running off to
            # infinity) has not found one, whatever its stopping rule says.
            "converged": bool(converged)
            and bool(np.all(np.isfinite(cov_values[np.ix_(free, free)]))),
            "notes": tuple(notes),
            "predictor": predictor,
            "extra": _ReadOnlyExtra(extra or {}),
            "covariance_type": covariance_type,
        }
        for name, value in fields.items():
            object.__setattr__(self, name, value)
        if len(names) and not np.all(np.isfinite(cov_values)):
            warn_caller(
                f"{self.model}: "
                + (self.notes[0] if self.notes else "standard errors are not available")
            )
        if not converged:  # (a singular Hessian is reported by the warning above)
            warn_caller(f"{self.model}: the optimizer did not report convergence")

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"EstimationResults is immutable; cannot set {name!r}")

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        # copy/pickle restore through here; assignment is otherwise refused
        for name, value in state.items():
            if isinstance(value, np.ndarray):
                value = _read_only(value)
            object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"EstimationResults is immutable; cannot delete {name!r}")

    def __repr__(self) -> str:
        return (
            f"EstimationResults(model={self.model!r}, nobs={self.nobs}, llf={self.llf:.6g}, "
            f"params={self.df_model}, converged={self.converged})"
        )

    # --- statistics -------------------------------------------------------------------
    def _index(self) -> pd.Index:
        return self._index_cache

    @property
    def params(self) -> pd.Series:
        """Estimates labelled ``part:term`` (a fresh copy on every access)."""
        return pd.Series(self._params.copy(), index=self._index(), dtype=float)

    @property
    def cov(self) -> pd.DataFrame:
        """Covariance of the estimates (a fresh copy on every access)."""
        return self.cov_params()

    @property
    def df_model(self) -> int:
        return int(self._params.size)

    def _standard_errors(self) -> np.ndarray:
        variance = np.diag(self._cov)
        with np.errstate(invalid="ignore"):
            return np.where(variance >= 0, np.sqrt(np.abs(variance)), np.nan)

    @property
    def bse(self) -> pd.Series:
        return pd.Series(self._standard_errors(), index=self._index(), name="bse")

    @property
    def tvalues(self) -> pd.Series:
        with np.errstate(divide="ignore", invalid="ignore"):
            return pd.Series(
                self._params / self._standard_errors(), index=self._index(), name="tvalues"
            )

    @property
    def pvalues(self) -> pd.Series:
        t = self.tvalues.to_numpy()
        return pd.Series(2.0 * stats.norm.sf(np.abs(t)), index=self._index(), name="pvalues")

    @property
    def aic(self) -> float:
        return -2.0 * self.llf + 2.0 * self.df_model

    @property
    def bic(self) -> float:
        return -2.0 * self.llf + self.df_model * math.log(max(self.nobs, 1))

    def cov_params(self) -> pd.DataFrame:
        return pd.DataFrame(self._cov.copy(), index=self._index(), columns=self._index())

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        if not 0.0 < alpha < 1.0:
            from coercive._errors import InputError

            raise InputError(f"alpha: expected a number in (0, 1), got {alpha!r}")
        z = stats.norm.ppf(1.0 - alpha / 2.0)
        half = z * self._standard_errors()
        return pd.DataFrame(
            {"lower": self._params - half, "upper": self._params + half}, index=self._index()
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

    def plot(self, ax: Any = None) -> Any:  # matplotlib Axes: mean predicted probabilities
        return __import__("coercive.report.plots", fromlist=["_"]).plot_fit(self, ax)

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
