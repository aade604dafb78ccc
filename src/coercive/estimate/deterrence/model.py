"""Strategic probit/logit estimation of the 3-outcome deterrence game (Signorino 2003).

Maximum likelihood for the game of :mod:`coercive.games.deterrence` (Signorino 2003,
*Political Analysis* 11:316–344), with each utility ``u11, u13, u14, u24`` a linear index of
regressors, as in R's games 1.1.2 ``egame12`` (Kenkel & Signorino 2014, *Journal of
Statistical Software* 56(8)); same likelihood, normalization, labels and identification rule.

Likelihood. With ``y`` the observed outcome (status quo, back down, war), the escalation index
``x2 = (p u14 + (1 - p) u13 - u11) / s2`` and the war index ``x4 = u24 / s4``::

    log L = sum_{sq} log F(-x2) + sum_{bd} [log F(x2) + log F(-x4)]
                                + sum_{war} [log F(x2) + log F(x4)],   p = F(x4)

In the code ``x2`` is ``escalation_index``, ``x4`` ``war_index``, ``s2`` ``escalation_scale``,
``s4`` ``_WAR_SCALE``, and ``g2``/``g4`` (``d log L / d x2``, ``d log L / d x4``) are
``escalation_score``/``war_score``.

Agent error: ``s2 = s4 = sqrt(2)`` (games' unit-variance shock on each action; probit and logit
alike). Private information: ``s4 = sqrt(2)`` and ``s2 = sqrt(1 + p^2 + (1 - p)^2)`` (a
unit-variance shock on each of the five outcome payoffs, player 2's back-down payoff included,
as games does since version 1.0-0; see :mod:`coercive.games.deterrence`); ``s2`` depends on the
parameters of ``u24`` through ``p``. The gradient is analytic (chain rule through ``p`` and,
for private information, through ``s2``), and so is the Hessian in the four utilities; the
fits evaluate both in a compiled row kernel (:mod:`coercive.estimate.deterrence.kernel`, which
derives the second derivatives; the numpy ``pieces_from_utilities`` here stays the readable
reference and the tests compare the two). :mod:`coercive.estimate.strategic` does the
maximization (Newton-Raphson; a trust-region Newton where the log-likelihood is not concave
at the start), and the inverse negative Hessian gives the standard errors (NaN with a note
when it is singular or not negative definite).

Identification (Lewis & Schultz 2003): a regressor, the constant included, that enters all of
player 1's utilities ``u11, u13, u14`` is not identified; such a model is refused.

Labels follow games: equations ``u1(<outcome 1>)``, ``u1(<outcome 2>)``, ``u1(<outcome 3>)``,
``u2(<outcome 3>)``, where outcome names are the levels of a categorical outcome (e.g.
``u1(sq):(Intercept)``) or, for two indicators ``esc + war``, ``~esc``, ``esc,~war`` and
``esc,war`` (e.g. ``u1(~esc):s_wt_re1``, ``u2(esc,war):regime2dem``).

Starting values: statistical backwards induction (Bas, Signorino & Walker 2008, *Political
Analysis* 16:21–40): a binary probit/logit for player 2 on escalated cases, then one for
player 1 with regressors ``(-X11, (1 - p) X13, p X14)``, rescaled to the model's normalization.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from coercive._errors import InputError, InputTypeError
from coercive.estimate.covariance import hessian_covariance
from coercive.estimate.formula import DesignParts, parse_formula
from coercive.estimate.results import EstimationResults
from coercive.estimate.strategic import (
    IndexLikelihood,
    binary_fit,
    compiled_rows,
    compiled_second,
    fit_single_threaded,
    log_cdf_and_score,
    maximize,
)
from coercive.games.deterrence import ERRORS, LinkFunctions, link_functions

__all__ = ["DeterrenceModel", "fit_deterrence"]

UTILITIES: tuple[str, ...] = ("u11", "u13", "u14", "u24")
_SQRT2 = math.sqrt(2.0)
# Player 2's war comparison has two unit shocks (on fighting and on backing down) under both
# agent error and private information, as in games' egame12.
_WAR_SCALE = _SQRT2
STATUS_QUO, BACK_DOWN, WAR = 0, 1, 2


def _outcome_codes(design: DesignParts) -> tuple[np.ndarray, tuple[str, str, str]]:
    """Outcome as codes 0 (status quo), 1 (back down), 2 (war) plus games' level names."""
    if design.outcome_kind == "categorical":
        levels = design.outcome_levels or ()
        if len(levels) != 3:
            raise InputError(
                f"formula: categorical outcome {design.outcome_names[0]!r} must have 3 levels "
                f"(status quo, back down, war in that order), got {len(levels)}"
            )
        return design.outcome.astype(np.int64), (levels[0], levels[1], levels[2])
    outcome = design.outcome
    if outcome.shape[1] == 2:
        first, second = design.outcome_names
        for j, name in enumerate((first, second)):
            if not np.all((outcome[:, j] == 0) | (outcome[:, j] == 1)):
                raise InputError(f"formula: outcome indicator {name!r} must be 0 or 1")
        impossible = np.flatnonzero((outcome[:, 0] == 0) & (outcome[:, 1] == 1))
        if impossible.size:  # war without escalation is no outcome of the game
            rows = ", ".join(str(label) for label in design.index[impossible[:5]])
            more = f" and {impossible.size - 5} more" if impossible.size > 5 else ""
            raise InputError(
                f"data: {impossible.size} row(s) have {first}=0 and {second}=1 (rows {rows}"
                f"{more}); {second}=1 requires {first}=1"
            )
        escalated = outcome[:, 0] == 1
        codes = np.where(escalated, np.where(outcome[:, 1] == 1, WAR, BACK_DOWN), STATUS_QUO)
        return codes.astype(np.int64), (f"~{first}", f"{first},~{second}", f"{first},{second}")
    if outcome.shape[1] == 1:
        values = np.unique(outcome[:, 0])
        if values.size != 3:
            raise InputError(
                f"formula: numeric outcome {design.outcome_names[0]!r} must take exactly 3 values "
                f"(lowest = status quo, middle = back down, highest = war), got {values.size}"
            )
        codes = np.searchsorted(values, outcome[:, 0]).astype(np.int64)
        names = tuple(f"{value:g}" for value in values)
        return codes, (names[0], names[1], names[2])
    raise InputError(
        "formula: the deterrence game needs two 0/1 indicators on the left (escalate + war), "
        f"one 3-level categorical or one 3-valued numeric column; got {design.outcome.shape[1]}"
    )


def _check_identified(design: DesignParts) -> None:
    player1 = [set(terms) for terms in design.part_columns()[:3]]
    shared = player1[0] & player1[1] & player1[2]
    if shared:
        term = sorted(shared)[0]
        what = "the constant" if term == "(Intercept)" else f"regressor {term!r}"
        raise InputError(
            f"formula: {what} enters all of player 1's utilities (u11, u13, u14), so the model "
            "is unidentified; drop it from one of them (e.g. fix u13 at 0)"
        )


@dataclass(frozen=True)
class DeterrenceModel:
    """Likelihood of the deterrence game for fixed data (see module docstring)."""

    matrices: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    outcome: np.ndarray
    link: str
    error: str
    functions: LinkFunctions = field(init=False, repr=False)
    slices: tuple[slice, ...] = field(init=False, repr=False)
    # (sign of the escalation index, sign of the war index, escalated): they depend only on
    # the outcome, so they are computed once per model, not at every evaluation
    _signs: tuple[np.ndarray, np.ndarray, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "functions", link_functions(self.link))
        escalated = self.outcome != STATUS_QUO
        signs = (
            np.where(escalated, 1.0, -1.0),
            np.where(self.outcome == WAR, 1.0, -1.0),
            escalated,
        )
        object.__setattr__(self, "_signs", signs)
        bounds = np.cumsum([0] + [matrix.shape[1] for matrix in self.matrices])
        object.__setattr__(
            self,
            "slices",
            tuple(slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)),
        )

    @property
    def n_params(self) -> int:
        return self.slices[-1].stop

    def utilities(
        self, theta: np.ndarray, matrices: tuple[np.ndarray, ...] | None = None
    ) -> list[np.ndarray]:
        matrices = self.matrices if matrices is None else matrices
        return [matrix @ theta[part] for matrix, part in zip(matrices, self.slices, strict=True)]

    def probabilities(
        self, theta: np.ndarray, matrices: tuple[np.ndarray, ...] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(P(escalate), P(war | escalate)) at ``theta`` for the given (or fitted) regressors."""
        u11, u13, u14, u24 = self.utilities(theta, matrices)
        functions = self.functions
        war = functions.cdf(u24 / _WAR_SCALE)
        back_down = functions.cdf(-u24 / _WAR_SCALE)
        escalation_scale = _SQRT2 if self.error == "agent" else np.sqrt(1.0 + war**2 + back_down**2)
        escalate = functions.cdf((back_down * u13 + war * u14 - u11) / escalation_scale)
        return escalate, war

    def _pieces(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        return self.pieces_from_utilities(self.utilities(theta))

    def row_loglik_and_gradient(self, utilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row log-likelihoods and their derivatives in ``(u11, u13, u14, u24)``.

        ``utilities`` has shape ``(4, *batch)`` (the interface of
        :class:`coercive.estimate.strategic.IndexLikelihood`).
        """
        pieces = self.pieces_from_utilities(utilities)
        gradient = np.stack([pieces[f"d_{name}"] for name in UTILITIES])
        return pieces["loglik"], gradient

    def pieces_from_utilities(self, utilities: np.ndarray) -> dict[str, np.ndarray]:
        u11, u13, u14, u24 = utilities
        functions = self.functions
        war_index = u24 / _WAR_SCALE
        war, back_down = functions.cdf(war_index), functions.cdf(-war_index)
        war_minus_back_down = u14 - u13
        escalation_gain = back_down * u13 + war * u14 - u11
        if self.error == "agent":
            escalation_scale = np.full_like(escalation_gain, _SQRT2)
            d_escalation_index_d_war = war_minus_back_down / escalation_scale
        else:
            escalation_scale = np.sqrt(1.0 + war**2 + back_down**2)
            dscale_dwar = (war - back_down) / escalation_scale
            d_escalation_index_d_war = (
                war_minus_back_down / escalation_scale
                - escalation_gain * dscale_dwar / escalation_scale**2
            )
        escalation_index = escalation_gain / escalation_scale
        # Both choices in one call on the signed indices (+ for the move taken, - for the
        # other): log F(+-x) and d log F(+-x) / dx, instead of both branches of np.where.
        sign1, sign2, escalated = self._signs
        (log1, log2), (score1, score2) = log_cdf_and_score(
            functions,
            np.stack(np.broadcast_arrays(sign1 * escalation_index, sign2 * war_index)),
        )
        loglik = log1 + np.where(escalated, log2, 0.0)
        # d loglik / d escalation_index and the direct d loglik / d war_index (player 2's
        # own choice; player 1's choice depends on war_index only through p).
        escalation_score = sign1 * score1
        war_score = np.where(escalated, sign2 * score2, 0.0)
        dwar_du24 = functions.pdf(war_index) / _WAR_SCALE
        return {
            "loglik": loglik,
            "d_u11": -escalation_score / escalation_scale,
            "d_u13": escalation_score * back_down / escalation_scale,
            "d_u14": escalation_score * war / escalation_scale,
            "d_u24": war_score / _WAR_SCALE
            + escalation_score * d_escalation_index_d_war * dwar_du24,
        }

    def loglik(self, theta: np.ndarray) -> float:
        return float(np.sum(self._pieces(theta)["loglik"]))

    def loglik_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        pieces = self._pieces(theta)
        gradient = np.concatenate(
            [
                matrix.T @ pieces[f"d_{name}"]
                for matrix, name in zip(self.matrices, UTILITIES, strict=True)
            ]
        )
        return float(np.sum(pieces["loglik"])), gradient

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self.loglik_and_gradient(theta)[1]

    def scores(self, theta: np.ndarray) -> np.ndarray:
        """Per-observation gradients ``(n, k)`` (for OPG/sandwich covariances)."""
        pieces = self._pieces(theta)
        return np.hstack(
            [
                matrix * pieces[f"d_{name}"][:, None]
                for matrix, name in zip(self.matrices, UTILITIES, strict=True)
            ]
        )

    def negative(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Negative log-likelihood and its gradient (what the optimizer minimizes)."""
        value, gradient = self.loglik_and_gradient(theta)
        if not np.isfinite(value):
            return math.inf, np.zeros_like(theta)
        return -value, -gradient

    def index_likelihood(self) -> IndexLikelihood:
        """The likelihood for :mod:`coercive.estimate.strategic`, with the compiled row kernel
        (:mod:`coercive.estimate.deterrence.kernel`; same formulas as
        :meth:`pieces_from_utilities`, which stays the readable reference)."""
        from coercive.estimate.deterrence.kernel import deterrence_rows

        data = (*self._signs, self.link == "logit", self.error == "private")
        return IndexLikelihood(
            self.matrices,
            lambda utilities: self.pieces_from_utilities(utilities)["loglik"],
            compiled_rows(deterrence_rows, *data),
            compiled_second(deterrence_rows, *data),
        )

    # --- starting values ----------------------------------------------------------------
    def backwards_induction_start(self) -> np.ndarray:
        """Statistical backwards induction starting values (see module docstring)."""
        x11, x13, x14, z = self.matrices
        escalated = self.outcome != STATUS_QUO
        gamma = binary_fit(z[escalated], self.outcome[escalated] == WAR, self.functions)
        war = self.functions.cdf(z @ gamma) if z.shape[1] else np.full(len(z), 0.5)
        back_down = 1.0 - war
        stacked = np.hstack([-x11, back_down[:, None] * x13, war[:, None] * x14])
        delta = binary_fit(stacked, escalated, self.functions)
        if self.error == "agent":
            escalation_scale = _SQRT2
        else:
            escalation_scale = float(np.mean(np.sqrt(1.0 + war**2 + back_down**2)))
        start = np.concatenate([delta * escalation_scale, gamma * _WAR_SCALE])
        return np.where(np.isfinite(start), start, 0.0)


@fit_single_threaded
def fit_deterrence(
    formula: str,
    data: pd.DataFrame,
    link: Literal["probit", "logit"] = "probit",
    error: Literal["agent", "private"] = "agent",
    subset: object = None,
    na: Literal["drop", "raise"] = "drop",
    start: np.ndarray | None = None,
    maxiter: int = 1000,
    bootstrap: int = 0,
    bootstrap_seed: int | None = 12345,
    n_jobs: int = 2,
    progress: bool = False,
) -> EstimationResults:
    """Fit the deterrence game by maximum likelihood (games' ``egame12``).

    Parameters
    ----------
    formula
        ``"y ~ u11 | u13 | u14 | u24"``; ``y`` is two 0/1 indicators (``esc + war``), one
        3-level categorical (status quo, back down, war) or one 3-valued numeric column. A part
        ``0`` fixes that utility at 0, ``1`` is a constant only.
    data
        A pandas DataFrame holding every column the formula uses.
    link, error
        ``"probit"``/``"logit"`` and ``"agent"``/``"private"`` (see module docstring).
    subset
        Boolean mask over ``data`` rows, or a string for :meth:`pandas.DataFrame.eval`
        (``"year >= 1850"``).
    na
        ``"drop"`` rows with missing values (counted in the summary) or ``"raise"``.
    start
        Optional starting values (default: statistical backwards induction).
    maxiter
        Iteration limit of the BFGS optimizer.
    bootstrap, bootstrap_seed, n_jobs, progress
        ``bootstrap=B`` > 0 refits on ``B`` row resamples of the rows used
        (:func:`coercive.estimate.bootstrap.bootstrap_fit`, each replicate started at the
        estimate); ``extra["bootstrap"]`` holds the replicates (``percentile_interval()``).
    """
    functions = link_functions(link)  # validates link
    if not isinstance(error, str) or error not in ERRORS:
        raise InputError(f"error: must be one of {', '.join(ERRORS)}; got {error!r}")
    if not isinstance(maxiter, int) or maxiter < 1:
        raise InputError(f"maxiter: expected a positive integer, got {maxiter!r}")
    started = time.perf_counter()
    design = parse_formula(formula, data, list(UTILITIES), subset=subset, na=na)
    codes, levels = _outcome_codes(design)
    _check_identified(design)
    matrices = tuple(design.matrices())
    model = DeterrenceModel(matrices=matrices, outcome=codes, link=functions.name, error=error)

    equations = (f"u1({levels[0]})", f"u1({levels[1]})", f"u1({levels[2]})", f"u2({levels[2]})")
    labels = [
        f"{equation}:{term}"
        for equation, terms in zip(equations, design.part_columns(), strict=True)
        for term in terms
    ]
    if model.n_params == 0:
        raise InputError("formula: every utility is fixed at 0; there is nothing to estimate")

    likelihood = model.index_likelihood()
    if start is None:
        theta0 = model.backwards_induction_start()
        if not np.isfinite(likelihood.loglik(theta0)):
            theta0 = np.zeros(model.n_params)
    else:
        try:
            theta0 = np.asarray(start, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise InputTypeError(f"start: expected {model.n_params} numbers") from None
        if theta0.size != model.n_params or not np.all(np.isfinite(theta0)):
            raise InputError(f"start: expected {model.n_params} finite numbers ({labels})")

    maximum = maximize(likelihood, theta0, maxiter)
    theta, hessian = maximum.theta, maximum.hessian
    llf, max_gradient, converged = maximum.llf, maximum.max_gradient, maximum.converged

    covariance = hessian_covariance(hessian)
    notes = []
    if covariance.note:
        notes.append(covariance.note)
    if not converged:
        notes.append(maximum.reason or "the optimizer did not converge")
    converged_reason = notes[-1] if not converged else "converged"
    elapsed = time.perf_counter() - started

    def predictor(newdata: pd.DataFrame | None = None) -> pd.DataFrame:
        regressors, index = design.prediction_rows(matrices, newdata)
        escalate, war = model.probabilities(theta, regressors)
        return pd.DataFrame(
            {
                "status_quo": 1.0 - escalate,
                "back_down": escalate * (1.0 - war),
                "war": escalate * war,
                "escalate": escalate,
                "war_given_escalate": war,
            },
            index=index,
        )

    extra: dict[str, object] = {}
    if bootstrap:
        from coercive.estimate.bootstrap import bootstrap_fit, record_bootstrap

        replicates = bootstrap_fit(
            functools.partial(
                fit_deterrence, formula, link=link, error=error, start=theta, maxiter=maxiter
            ),
            data.loc[design.index],  # the rows used (after subset and missing values)
            bootstrap,
            bootstrap_seed,
            n_jobs=n_jobs,
            progress=progress,
            names=labels,
        )
        record_bootstrap(replicates, extra, notes)

    return EstimationResults(
        model=f"Strategic deterrence game (egame12), {link}, {error} error",
        method="Maximum likelihood (Newton-Raphson, BFGS where not concave)",
        params=pd.Series(theta, index=labels),
        cov=covariance.matrix,
        llf=llf,
        nobs=design.nobs,
        n_dropped=design.n_dropped,
        converged=converged,
        notes=tuple(notes),
        predictor=predictor,
        extra={
            "link": link,
            "error": error,
            "iterations": maximum.iterations,
            "max |gradient|": max_gradient,
            "outcomes": ", ".join(levels),
            "fit time (s)": elapsed,
            "hessian": hessian,
            "formula": formula,
            "loglik_obs": likelihood.loglik_obs(theta),
            # a plain function (a bound method would be deep-copied with its model on access)
            "objective": lambda point: likelihood.loglik_and_gradient(point),
            "converged_reason": converged_reason,
            **extra,
        },
        covariance_type="inverse negative Hessian (exact second derivatives)",
    )
