"""Nonparametric bootstrap of any estimator: resample rows, refit, collect the estimates.

Efron, B. and Tibshirani, R. (1993), *An Introduction to the Bootstrap*, ch. 6 and 13 (the
row bootstrap and percentile intervals).

API
---
``bootstrap_fit(refit, data, B, seed, n_jobs=2, progress=False) -> BootstrapResult``
    ``refit(resampled_frame) -> EstimationResults`` (or any object with ``params``, a
    Series, ``converged`` and ``notes``) is called on ``B`` data sets drawn from
    the rows of ``data`` with replacement (index reset to ``0..n-1``). The draws come from
    ``numpy.random.default_rng(seed)`` in the calling process, so the replicates do not
    depend on ``n_jobs``. Replicates run in ``n_jobs`` worker processes (joblib's loky
    backend, which pickles closures); ``n_jobs=1`` runs them here.
``BootstrapResult``: ``params`` (``B x k`` DataFrame; a failed replicate is a row of NaN),
    ``failed`` (how many), ``reasons`` (``{replicate: reason}``), ``n_ok``, ``cov()``,
    ``bse``, ``percentile_interval(alpha=0.05)``.

A replicate fails when ``refit`` raises or returns results with ``converged=False``; it is
counted and its reason kept, never dropped silently, and every statistic says how many
replicates it uses.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from coercive._errors import InputError, InputTypeError

__all__ = ["BootstrapResult", "bootstrap_fit", "resample_indices"]


class BootstrapResult:
    """Estimates of ``B`` bootstrap replicates (immutable: accessors return copies)."""

    __slots__ = ("_params", "_reasons", "seed")

    def __init__(
        self, params: pd.DataFrame, reasons: dict[int, str] | None = None, seed: int | None = None
    ) -> None:
        object.__setattr__(self, "_params", params.copy())
        object.__setattr__(self, "_reasons", dict(reasons or {}))
        object.__setattr__(self, "seed", seed)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"BootstrapResult is immutable; cannot set {name!r}")

    def __deepcopy__(self, memo: dict[int, Any]) -> BootstrapResult:
        return self  # immutable: every accessor returns a copy

    def __reduce__(self) -> tuple[type[BootstrapResult], tuple[Any, ...]]:
        return (type(self), (self._params, self._reasons, self.seed))

    @property
    def params(self) -> pd.DataFrame:
        """``B x k`` replicate estimates; a failed replicate is a row of NaN (a copy)."""
        return self._params.copy()

    @property
    def reasons(self) -> dict[int, str]:
        """``{replicate: why it failed}`` (a copy)."""
        return dict(self._reasons)

    @property
    def B(self) -> int:  # noqa: N802 - the bootstrap's conventional name
        return int(self._params.shape[0])

    @property
    def failed(self) -> int:
        return len(self._reasons)

    @property
    def n_ok(self) -> int:
        return self.B - self.failed

    def successful(self) -> pd.DataFrame:
        """The replicates that succeeded (a copy)."""
        return self._params.drop(index=list(self._reasons))

    def cov(self) -> pd.DataFrame:
        """Sample covariance of the successful replicates (NaN with fewer than 2)."""
        ok = self.successful()
        if len(ok) < 2:
            return pd.DataFrame(np.nan, index=ok.columns, columns=ok.columns)
        return ok.cov()

    @property
    def bse(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.cov().to_numpy())), index=self.params.columns)

    def percentile_interval(self, alpha: float = 0.05) -> pd.DataFrame:
        """Percentile interval ``[q(alpha/2), q(1 - alpha/2)]`` of the successful replicates."""
        if not (isinstance(alpha, (int, float)) and 0.0 < alpha < 1.0):
            raise InputError(f"alpha: expected a number in (0, 1), got {alpha!r}")
        ok = self.successful()
        if ok.empty:
            lower = upper = np.full(ok.shape[1], np.nan)
        else:
            lower, upper = np.quantile(ok.to_numpy(), [alpha / 2.0, 1.0 - alpha / 2.0], axis=0)
        return pd.DataFrame({"lower": lower, "upper": upper}, index=self.params.columns)

    def summary_line(self) -> str:
        text = f"bootstrap: {self.B} replicates (seed {self.seed}), {self.n_ok} used"
        if self.failed:
            # Group reasons by their wording, numbers masked ("last change 1e-06" etc.).
            kinds = [re.sub(r"-?\d[\d.]*(e[-+]?\d+)?", "#", r) for r in self.reasons.values()]
            counts = pd.Series(kinds).value_counts()
            parts = [f"{number} x {reason}" for reason, number in counts.items()]
            text += f", {self.failed} failed ({'; '.join(parts)})"
        return text

    def __repr__(self) -> str:
        return f"BootstrapResult({self.summary_line()})"


def record_bootstrap(
    replicates: BootstrapResult, extra: dict[str, object], notes: list[str]
) -> None:
    """Put a fit's replicates where its results are read from: ``extra["bootstrap"]`` (for
    the intervals and ``bse``) with their counts, and their summary line last in ``notes``."""
    extra["bootstrap"] = replicates
    extra["bootstrap replicates"] = replicates.B
    extra["bootstrap failed"] = replicates.failed
    notes.append(replicates.summary_line())


def resample_indices(n: int, B: int, seed: int | None) -> np.ndarray:
    """``B x n`` row positions drawn with replacement (the replicates' data sets)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, size=(B, n))


def _one_replicate(
    refit: Callable[[pd.DataFrame], Any], data: pd.DataFrame, rows: np.ndarray
) -> tuple[np.ndarray | None, list[str] | None, str | None]:
    """(params, names, None) or (None, None, reason); never raises."""
    sample = data.iloc[rows].reset_index(drop=True)
    try:
        with warnings.catch_warnings():
            # Each failure is recorded with its reason below; warnings would repeat it B times.
            warnings.simplefilter("ignore")
            results = refit(sample)
    except Exception as error:  # noqa: BLE001 - any failure of a replicate is counted
        message = str(error).splitlines()[0] if str(error) else ""
        return None, None, f"{type(error).__name__}: {message}"[:200]
    params = results.params
    if not results.converged:
        note = results.notes[0] if getattr(results, "notes", ()) else "converged=False"
        return None, None, f"not converged: {note}"[:200]
    values = params.to_numpy(dtype=float)
    if not np.all(np.isfinite(values)):
        return None, None, "non-finite estimates"
    return values, list(params.index), None


def _batches(rows: np.ndarray, size: int) -> Iterator[tuple[int, np.ndarray]]:
    for start in range(0, rows.shape[0], size):
        yield start, rows[start : start + size]


def _run_batch(
    refit: Callable[[pd.DataFrame], Any], data: pd.DataFrame, rows: np.ndarray
) -> list[tuple[np.ndarray | None, list[str] | None, str | None]]:
    return [_one_replicate(refit, data, r) for r in rows]


def bootstrap_fit(
    refit: Callable[[pd.DataFrame], Any],
    data: pd.DataFrame,
    B: int,  # noqa: N803 - the bootstrap's conventional name
    seed: int | None,
    n_jobs: int = 2,
    progress: bool = False,
    names: list[str] | None = None,
) -> BootstrapResult:
    """Refit ``refit`` on ``B`` row-resampled copies of ``data`` (see module docstring).

    ``names`` labels the columns of ``params`` (default: the first successful replicate's
    parameter names; all-failed runs then have no columns unless ``names`` is given).
    """
    if not callable(refit):
        raise InputTypeError("refit: expected a callable data -> results")
    if not isinstance(data, pd.DataFrame):
        raise InputTypeError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    if isinstance(B, bool) or not isinstance(B, (int, np.integer)) or B < 1:
        raise InputError(f"bootstrap: expected a positive number of replicates, got {B!r}")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1:
        raise InputError(f"n_jobs: expected a positive integer, got {n_jobs!r}")
    if len(data) < 2:
        raise InputError("data: the bootstrap needs at least 2 rows")
    rows = resample_indices(len(data), int(B), seed)
    # Batches amortize the cost of sending work to a process; small enough for a live bar.
    size = max(1, min(25, int(B) // (4 * int(n_jobs)) or 1))
    outputs: list[tuple[np.ndarray | None, list[str] | None, str | None]] = []
    progress_bar = _progress(progress, int(B))
    with progress_bar as bar:
        task = bar.add_task("bootstrap", total=int(B)) if bar is not None else None
        if n_jobs == 1:
            stream: Iterator[list[Any]] = (
                _run_batch(refit, data, batch) for _, batch in _batches(rows, size)
            )
        else:
            from joblib import Parallel, delayed

            parallel = Parallel(n_jobs=int(n_jobs), backend="loky", return_as="generator")
            stream = parallel(
                delayed(_run_batch)(refit, data, batch) for _, batch in _batches(rows, size)
            )
        for chunk in stream:
            outputs.extend(chunk)
            if bar is not None:
                bar.update(task, advance=len(chunk))
    if names is None:
        names = next((n for _, n, _ in outputs if n is not None), [])
    k = len(names)
    matrix = np.full((int(B), k), np.nan)
    reasons: dict[int, str] = {}
    for b, (values, replicate_names, reason) in enumerate(outputs):
        if reason is not None:
            reasons[b] = reason
        elif replicate_names != list(names):
            reasons[b] = "parameters differ from the full-sample fit (a factor level missing?)"
        else:
            matrix[b] = values
    params = pd.DataFrame(matrix, columns=list(names))
    params.index.name = "replicate"
    return BootstrapResult(params=params, reasons=reasons, seed=seed)


class _NoBar:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def _progress(enabled: bool, total: int) -> Any:
    if not enabled:
        return _NoBar()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    )
