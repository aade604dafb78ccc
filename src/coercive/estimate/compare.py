"""Non-nested model comparison: Vuong's (1989) and Clarke's (2007) tests, as in R's games.

Both compare two models of the *same* outcome on the *same* rows through their per-row
log-likelihoods ``l1_i``, ``l2_i`` (``d_i = l1_i - l2_i``), with the Schwarz (BIC) correction
for the numbers of parameters ``k1``, ``k2`` that Clarke (2007, *Political Analysis*
15:347–363) recommends and games applies::

    correction = (k1 - k2) log(n) / 2
    Vuong:  z = (sum d_i - correction) / (sqrt(n) sd(d)),  sd with divisor n;
            two-sided p = 2 Phi(-|z|)  (Vuong 1989, *Econometrica* 57:307–333).
    Clarke: B = #{i : d_i > correction / n}  ~ Binomial(n, 1/2) under the null;
            two-sided p = 2 min(P(B' <= B), P(B' >= B)), capped at 1.

A positive ``z`` (or ``B > n/2``) favours model 1. Each argument is an
:class:`~coercive.estimate.results.EstimationResults` carrying ``extra["loglik_obs"]`` (every
estimator of this package stores it) or a pair ``(loglik_obs, n_params)``.

API
---
``vuong(model1, model2, level=0.05) -> NonNestedTest``
``clarke(model1, model2, level=0.05) -> NonNestedTest``
``NonNestedTest``: ``test``, ``statistic``, ``pvalue``, ``nobs``, ``nparams``, ``loglik1``,
``loglik2``, ``preferred`` (1, 2 or ``None`` at ``level``), ``summary()``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from coercive._errors import InputError, InputTypeError

__all__ = ["NonNestedTest", "clarke", "vuong"]


@dataclass(frozen=True)
class NonNestedTest:
    test: str
    statistic: float
    pvalue: float
    nobs: int
    nparams: tuple[int, int]
    loglik1: np.ndarray
    loglik2: np.ndarray
    level: float

    @property
    def preferred(self) -> int | None:
        """1 or 2 if that model is preferred at ``level``, else ``None``."""
        if self.pvalue >= self.level:
            return None
        if self.test == "vuong":
            return 1 if self.statistic > 0 else 2
        return 1 if self.statistic > self.nobs / 2 else 2

    def summary(self) -> str:
        name = "Vuong" if self.test == "vuong" else "Clarke"
        if self.test == "clarke":
            stat = f"{self.statistic:.0f} ({100 * self.statistic / self.nobs:.0f}%)"
        else:
            stat = f"{self.statistic:.2f}"
        verdict = (
            "Neither model is significantly preferred"
            if self.preferred is None
            else f"Model {self.preferred} is preferred"
        )
        return "\n".join(
            [
                f"{name} test for non-nested models",
                f"Model 1 log-likelihood: {self.loglik1.sum():.4f}",
                f"Model 2 log-likelihood: {self.loglik2.sum():.4f}",
                f"Observations: {self.nobs}",
                f"Test statistic: {stat}",
                f"{verdict} (p = {self.pvalue:.3g})",
            ]
        )

    def __str__(self) -> str:
        return self.summary()


def _pieces(model: Any, which: str) -> tuple[np.ndarray, int]:
    if isinstance(model, tuple) and len(model) == 2:
        values, k = model
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
            raise InputError(f"{which}: the number of parameters must be a non-negative integer")
        values = np.asarray(values, dtype=float).reshape(-1)
        return values, int(k)
    extra = getattr(model, "extra", None)
    if extra is None or "loglik_obs" not in extra:
        raise InputTypeError(
            f"{which}: expected fitted results with per-row log-likelihoods "
            "(extra['loglik_obs']) or a pair (loglik_obs, n_params)"
        )
    return np.asarray(extra["loglik_obs"], dtype=float).reshape(-1), int(model.df_model)


def _prepare(model1: Any, model2: Any, level: float) -> tuple[np.ndarray, np.ndarray, int, int]:
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise InputError(f"level: expected a number in (0, 1), got {level!r}")
    l1, k1 = _pieces(model1, "model1")
    l2, k2 = _pieces(model2, "model2")
    if l1.size != l2.size:
        raise InputError(
            f"model2: the models use different rows ({l1.size} vs {l2.size}); both must model "
            "the same outcome on the same observations"
        )
    if l1.size < 2:
        raise InputError("model1: at least 2 observations are needed")
    if not (np.all(np.isfinite(l1)) and np.all(np.isfinite(l2))):
        raise InputError("model1/model2: per-row log-likelihoods must be finite")
    return l1, l2, k1, k2


def vuong(model1: Any, model2: Any, level: float = 0.05) -> NonNestedTest:
    """Vuong's test with the BIC correction (see module docstring)."""
    l1, l2, k1, k2 = _prepare(model1, model2, level)
    n = l1.size
    difference = l1 - l2
    spread = float(np.std(difference))
    if spread == 0.0:
        raise InputError("model1/model2: the models fit every row identically; nothing to test")
    correction = (k1 - k2) * math.log(n) / 2.0
    statistic = (float(difference.sum()) - correction) / (math.sqrt(n) * spread)
    pvalue = float(2.0 * stats.norm.sf(abs(statistic)))
    return NonNestedTest("vuong", statistic, pvalue, n, (k1, k2), l1, l2, float(level))


def clarke(model1: Any, model2: Any, level: float = 0.05) -> NonNestedTest:
    """Clarke's distribution-free sign test with the BIC correction (see module docstring)."""
    l1, l2, k1, k2 = _prepare(model1, model2, level)
    n = l1.size
    correction = (k1 - k2) * math.log(n) / (2.0 * n)
    wins = int(np.sum(l1 - l2 > correction))
    below = stats.binom.cdf(wins, n, 0.5)
    above = stats.binom.sf(wins - 1, n, 0.5)
    pvalue = float(min(1.0, 2.0 * min(below, above)))
    return NonNestedTest("clarke", float(wins), pvalue, n, (k1, k2), l1, l2, float(level))
