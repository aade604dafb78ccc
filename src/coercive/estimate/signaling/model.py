"""Fit the Lewis–Schultz crisis signaling game by pseudo-likelihood (PL) or NPL.

Reproduces the estimators of Crisman-Cox, C. and Gibilisco, M. (2021), "Estimating signaling
games in international relations: problems and solutions", *PSRM* 9(3) — R package sigInt
0.2.0 — for the game of Lewis, J. B. and Schultz, K. A. (2003), *Political Analysis*
11:345–367. The NPL iteration is that of Aguirregabiria, V. and Mira, P. (2007),
*Econometrica* 75(1):1–53.

>>> from coercive.datasets import load
>>> from coercive.estimate import fit_signaling
>>> fit = fit_signaling(
...     "sq + cd + sf + bd ~ sqrt(senderecondep) + senderdemocracy + contig + ally - 1"
...     " | anticipatedsendercosts | sqrt(targetecondep) + anticipatedtargetcosts + contig + ally"
...     " | sqrt(senderecondep) + senderdemocracy + lncaprat | targetdemocracy + lncaprat"
...     " | senderdemocracy | 0",
...     load("sanctions"), method="npl")  # doctest: +SKIP
>>> round(fit.llf, 3)  # doctest: +SKIP
-3932.447

Formula: ``sq + cd + sf + bd ~ SA | VA | CB | WA | WB | a | VB`` (sigInt's order). The left
side counts how often each outcome was seen in the row's game; each part is a linear index
of regressors with R's conventions (an intercept unless ``- 1``; ``0`` fixes the payoff at 0,
or at the value given in ``fixed``). The shocks' scale is fixed at ``sigma = 1``. The model
is unidentified when a regressor (the constant included) enters all of A's payoffs (SA, VA,
WA, a) or all of B's (CB, WB, VB); such formulas are refused, as in sigInt.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from coercive._errors import InputError, InputTypeError, warn_caller
from coercive.estimate.bootstrap import bootstrap_fit, record_bootstrap
from coercive.estimate.covariance import Covariance
from coercive.estimate.formula import DesignParts, parse_formula
from coercive.estimate.results import EstimationResults
from coercive.estimate.signaling.covariance import COV_TYPES, npl_covariance, pl_covariance
from coercive.estimate.signaling.likelihood import (
    PARTS,
    NewtonResult,
    PayoffDesign,
    PseudoLikelihood,
    best_responses,
    maximize,
    payoff_values,
)

__all__ = ["fit_signaling", "predict_equilibria"]

MODEL_NAME = "Lewis-Schultz crisis signaling game"
OUTCOMES = ("sq", "cd", "sf", "bd")
_A_PARTS = ("SA", "VA", "WA", "a")
_B_PARTS = ("CB", "WB", "VB")
Method = Literal["npl", "pl", "cmle", "mle"]
METHODS = ("npl", "pl", "cmle", "mle")
METHOD_NAMES = {
    "npl": "NPL (nested pseudo-likelihood)",
    "pl": "PL (pseudo-likelihood)",
    "cmle": "CMLE (constrained maximum likelihood, Su & Judd 2012)",
    "mle": "MLE over all equilibria (each game on its best-fitting equilibrium)",
}
COV_TYPE_NAMES = {
    "opg": "outer product of per-row scores (sigInt's)",
    "opg-implicit": "outer product of per-row scores, implicit equilibrium slope",
    "hessian": "Hessian",
    "robust": "robust sandwich",
}
# Columns carrying the beliefs into bootstrap replicates.
_PHAT_COLUMNS = ("__coercive_PRhat", "__coercive_PFhat")
# Beliefs updated by the NPL are kept in [floor, 1 - floor]: a best response can round to
# exactly 0 or 1 far in the tails, and the next PL divides by pR and pF.
_BELIEF_FLOOR = 1e-12


# --- input checks ---------------------------------------------------------------------------


def _check_counts(design: DesignParts) -> np.ndarray:
    if design.outcome_kind != "columns" or design.outcome.shape[1] != 4:
        raise InputError(
            "formula: the left side must be four outcome counts 'sq + cd + sf + bd' "
            f"(SQ, CD, SF, BD), got {' + '.join(design.outcome_names)}"
        )
    counts = design.outcome
    names = " + ".join(design.outcome_names)
    if np.any(counts < 0):
        raise InputError(f"outcome counts ({names}): must be >= 0, found a negative count")
    if np.any(counts != np.round(counts)):
        raise InputError(f"outcome counts ({names}): must be whole numbers, found a fraction")
    totals = counts.sum(axis=0)
    if np.count_nonzero(totals) < 2:
        seen = [design.outcome_names[j] for j in range(4) if totals[j] > 0]
        raise InputError(
            f"outcome counts ({names}): no variation in the outcome (only {seen} observed)"
        )
    return counts.astype(float)


def _check_fixed(fixed: Mapping[str, float] | None, design: DesignParts) -> tuple[float, ...]:
    values = dict.fromkeys(PARTS, 0.0)
    if fixed is None:
        return tuple(values.values())
    if not isinstance(fixed, Mapping):
        raise InputTypeError(f"fixed: expected a mapping like {{'VB': 1.0}}, got {fixed!r}")
    sizes = {name: matrix.shape[1] for name, matrix in design.parts}
    for name, value in fixed.items():
        if name not in values:
            raise InputError(f"fixed: unknown payoff {name!r}; allowed: {', '.join(PARTS)}")
        if sizes[name]:
            raise InputError(
                f"fixed: payoff {name!r} has regressors in the formula; write its part as 0 "
                "to fix it"
            )
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InputTypeError(f"fixed[{name!r}]: expected a number, got {value!r}") from None
        if not math.isfinite(number):
            raise InputError(f"fixed[{name!r}]: must be finite")
        values[name] = number
    return tuple(values.values())


def _check_identified(design: DesignParts) -> None:
    terms = {name: set(matrix.columns) for name, matrix in design.parts}
    for player, parts in (("A", _A_PARTS), ("B", _B_PARTS)):
        common = set.intersection(*(terms[part] for part in parts))
        if common:
            term = sorted(common)[0]
            raise InputError(
                f"formula: {term!r} enters all of {player}'s payoffs ({', '.join(parts)}), so "
                "the model is unidentified (Lewis & Schultz 2003); drop it from one of them "
                "(e.g. write that part as 0)"
            )


def _row_positions(data: pd.DataFrame, design: DesignParts) -> np.ndarray:
    if not data.index.is_unique:
        raise InputError("data: the index must be unique to align phat with the rows used")
    return data.index.get_indexer(design.index)


def _resolve_phat(
    phat: object, data: pd.DataFrame, design: DesignParts
) -> tuple[np.ndarray, np.ndarray]:
    """phat as (pR, pF) arrays for the rows kept, from arrays or column names."""
    if isinstance(phat, Mapping):
        keys = {str(key).lower(): value for key, value in phat.items()}
        pair = [keys.get("prhat", keys.get("resist")), keys.get("pfhat", keys.get("firm"))]
        if pair[0] is None or pair[1] is None:
            raise InputError("phat: a mapping needs keys 'PRhat' and 'PFhat'")
    elif isinstance(phat, Sequence) and not isinstance(phat, str) and len(phat) == 2:
        pair = list(phat)
    else:
        raise InputTypeError(
            "phat: expected (pR_hat, pF_hat) — two arrays or two column names — "
            "or {'PRhat': ..., 'PFhat': ...}"
        )
    positions = _row_positions(data, design)
    out = []
    for label, value in zip(("phat[0] (pR_hat)", "phat[1] (pF_hat)"), pair, strict=True):
        if isinstance(value, str):
            if value not in data.columns:
                raise InputError(f"{label}: unknown column {value!r} (not in data)")
            value = data[value]
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise InputTypeError(f"{label}: expected numbers, got {type(value).__name__}") from None
        if array.shape != (len(data),):
            raise InputError(f"{label}: expected {len(data)} values (one per data row)")
        array = array[positions]
        if not np.all(np.isfinite(array)) or np.any((array <= 0.0) | (array >= 1.0)):
            raise InputError(f"{label}: must be probabilities strictly between 0 and 1")
        out.append(array)
    return out[0], out[1]


# --- first stage -------------------------------------------------------------------------------


def _first_stage_features(design: DesignParts) -> np.ndarray:
    """The distinct non-constant regressors of all parts (what sigInt's default uses)."""
    columns: dict[str, np.ndarray] = {}
    for _, matrix in design.parts:
        for term in matrix.columns:
            if term != "(Intercept)" and term not in columns:
                columns[term] = matrix[term].to_numpy(dtype=float)
    if not columns:  # constants only: the first stage is the pooled frequency
        return np.zeros((design.nobs, 1))
    return np.column_stack(list(columns.values()))


def first_stage(
    design: DesignParts,
    counts: np.ndarray,
    *,
    random_state: int | None,
    n_estimators: int,
    clip: float,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Random-forest estimates of (pR, pF) from the empirical action frequencies.

    pR is fit to the share of challenges that were resisted, pF to the share of resisted
    challenges where A stood firm; each row is weighted by its number of trials, and the
    forest predicts every row (also those where the action was never reached). ``rows``
    (positions, repeats allowed) fits the forest to a resample and still predicts every row.
    """
    from sklearn.ensemble import RandomForestRegressor

    all_features = _first_stage_features(design)
    features = all_features if rows is None else all_features[rows]
    counts = counts if rows is None else counts[rows]
    challenged = counts[:, 1:].sum(axis=1)
    resisted = counts[:, 2:].sum(axis=1)
    estimates = []
    for name, trials, successes in (
        ("resistance", challenged, resisted),
        ("firmness", resisted, counts[:, 2]),
    ):
        seen = trials > 0
        if not np.any(seen):
            raise InputError(
                f"outcome counts: no row where {name} can be observed, so the first stage "
                "cannot be estimated (give phat)"
            )
        forest = RandomForestRegressor(
            n_estimators=n_estimators, min_samples_leaf=5, random_state=random_state
        )
        forest.fit(features[seen], successes[seen] / trials[seen], sample_weight=trials[seen])
        estimates.append(np.clip(forest.predict(all_features), clip, 1.0 - clip))
    return estimates[0], estimates[1]


# --- estimation ----------------------------------------------------------------------------------


def _equilibrium_violation(
    theta: np.ndarray, payoff_design: PayoffDesign, resist: np.ndarray, firm: np.ndarray
) -> tuple[float, float]:
    """max |P - Ψ(θ, P)| over both beliefs, and max |pR - F(pR)| by the engine."""
    from coercive.games import lewis_schultz

    payoffs = payoff_values(theta, payoff_design)
    _, firm_response, resist_response = best_responses(payoffs, resist, firm)
    psi_gap = max(
        float(np.max(np.abs(resist - resist_response))),
        float(np.max(np.abs(firm - firm_response))),
    )
    composite = lewis_schultz.best_response(resist, *(payoffs[part] for part in PARTS), 1.0)
    return psi_gap, float(np.max(np.abs(resist - composite)))


def _pl_fit(
    payoff_design: PayoffDesign, resist: np.ndarray, firm: np.ndarray, start: np.ndarray
) -> tuple[PseudoLikelihood, NewtonResult]:
    likelihood = PseudoLikelihood(payoff_design, resist, firm)
    return likelihood, maximize(likelihood, start)


def _start_values(start: object, size: int) -> np.ndarray:
    if start is None:
        return np.zeros(size)
    try:
        values = np.asarray(start, dtype=float)
    except (TypeError, ValueError):
        raise InputTypeError("start: expected a sequence of numbers") from None
    if values.shape != (size,):
        raise InputError(f"start: expected {size} values (one per coefficient), got {values.size}")
    if not np.all(np.isfinite(values)):
        raise InputError("start: must be finite")
    return values


def fit_signaling(
    formula: str,
    data: pd.DataFrame,
    method: Method = "npl",
    phat: object = None,
    *,
    fixed: Mapping[str, float] | None = None,
    start: object = None,
    subset: object = None,
    na: Literal["drop", "raise"] = "drop",
    random_state: int | None = 12345,
    n_estimators: int = 50,
    first_stage_clip: float = 1e-3,
    npl_maxit: int = 25,
    npl_tol: float = 1e-7,
    cov_type: str = "opg",
    first_stage_bootstrap: int = 0,
    phat_cov: object = None,
    bootstrap: int = 0,
    bootstrap_seed: int | None = 12345,
    n_jobs: int = 2,
    progress: bool = False,
    mle_starts: int = 5,
    cmle_maxiter: int = 500,
) -> EstimationResults:
    """Estimate the Lewis–Schultz game by PL or NPL (Crisman-Cox & Gibilisco 2021).

    Parameters
    ----------
    formula
        ``"sq + cd + sf + bd ~ SA | VA | CB | WA | WB | a | VB"`` (seven parts).
    data
        One row per game; the outcome columns count how often each outcome occurred.
    method
        ``"pl"``: maximize the pseudo-likelihood at the first-stage beliefs ``phat``.
        ``"npl"``: iterate PL fits and best-response updates of ``phat`` to a fixed point.
    phat
        First-stage ``(pR_hat, pF_hat)``: two arrays (one value per data row) or two column
        names, or ``{"PRhat": ..., "PFhat": ...}``. When ``None``, a scikit-learn random
        forest (``n_estimators`` trees, ``random_state``) fit to the observed action
        frequencies, clipped to ``[first_stage_clip, 1 - first_stage_clip]``. For NPL the
        forest only starts the iteration (the fixed point does not depend on it), hence the
        modest default of 50 trees; raise it for PL fits that use the forest directly.
    fixed
        Values for payoffs whose part is ``0`` (sigInt's ``fixed.par``), e.g. ``{"VB": 1}``.
    start
        Starting coefficients (default zeros).
    subset, na
        Passed to the formula parser: a row mask or query string; ``"drop"`` drops rows with
        missing values (counted in the summary), ``"raise"`` refuses them.
    npl_maxit, npl_tol
        NPL stops when parameters and beliefs move less than ``npl_tol`` (max-abs) or after
        ``npl_maxit`` PL fits (then it warns).
    cov_type
        ``"opg"`` (default; sigInt's: outer products of per-row scores), ``"opg-implicit"``
        (the same with the equilibrium slope ``(I - Ψ_P)^{-1} Ψ_θ``, see
        :func:`~coercive.estimate.signaling.covariance.npl_covariance`), ``"hessian"`` or
        ``"robust"`` (sandwich). For ``"cmle"``/``"mle"``: the covariance of the constrained
        problem (``"opg"``/``"opg-implicit"``: outer products of the equilibrium scores;
        ``"hessian"``: the reduced Hessian; ``"robust"``: sandwich).
    first_stage_bootstrap
        PL only, with the random-forest first stage: refit the forest on this many row
        resamples and correct the PL covariance for the first stage's variance
        (sigInt's ``pl.vcov``). 0 (default) treats phat as known.
    phat_cov
        PL only: a given ``2n x 2n`` covariance of ``(pR_hat_1..n, pF_hat_1..n)`` (the rows
        used) for the same correction (sigInt's ``phat.vcov``).
    bootstrap, bootstrap_seed, n_jobs, progress
        ``bootstrap=B`` > 0 refits the model on ``B`` row resamples
        (:func:`coercive.estimate.bootstrap.bootstrap_fit`, seeded by ``bootstrap_seed``, in
        ``n_jobs`` processes, a progress bar if ``progress``); the result is
        ``extra["bootstrap"]`` (a ``BootstrapResult``: ``params``, ``failed``, ``reasons``,
        ``percentile_interval(alpha)``). NPL replicates start from the full-sample fixed
        point (the fixed point does not depend on the start) and may take ``4 * npl_maxit``
        iterations; PL replicates with the forest refit the forest. Replicates that fail
        (do not converge) are counted, with reasons, in ``extra["bootstrap"]``.
    cmle_maxiter
        Iteration limit of the constrained solver (``"cmle"``, and the polish of ``"mle"``).
    mle_starts
        ``method="mle"``: how many starting points (the NPL/CMLE estimate and random
        perturbations of it) the all-equilibria maximization uses.

    Returns
    -------
    EstimationResults
        ``extra`` holds ``iterations`` (NPL outer iterations), ``npl_change``,
        ``eq_constraint`` (max |P - Ψ(θ, P)|), ``max_abs_pR_minus_F`` and ``phat`` (the
        final beliefs, a DataFrame). ``predict(newdata)`` gives every equilibrium.
    """
    if method not in METHODS:
        raise InputError(f"method: expected one of {', '.join(map(repr, METHODS))}, got {method!r}")
    if cov_type not in COV_TYPES:
        raise InputError(f"cov_type: expected one of {', '.join(COV_TYPES)}, got {cov_type!r}")
    if not isinstance(npl_maxit, (int, np.integer)) or npl_maxit < 1:
        raise InputError(f"npl_maxit: expected a positive integer, got {npl_maxit!r}")
    if not (isinstance(npl_tol, (int, float)) and npl_tol > 0):
        raise InputError(f"npl_tol: expected a positive number, got {npl_tol!r}")
    if not isinstance(n_estimators, (int, np.integer)) or n_estimators < 1:
        raise InputError(f"n_estimators: expected a positive integer, got {n_estimators!r}")
    if not (isinstance(first_stage_clip, (int, float)) and 0 < first_stage_clip < 0.5):
        raise InputError(
            f"first_stage_clip: expected a number in (0, 0.5), got {first_stage_clip!r}"
        )
    for name, value in (("first_stage_bootstrap", first_stage_bootstrap), ("bootstrap", bootstrap)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise InputError(f"{name}: expected a whole number >= 0, got {value!r}")
    for name, value in (("mle_starts", mle_starts), ("cmle_maxiter", cmle_maxiter)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InputError(f"{name}: expected a positive integer, got {value!r}")
    if method != "pl" and (first_stage_bootstrap or phat_cov is not None):
        raise InputError(
            "first_stage_bootstrap/phat_cov: only for method='pl' (the other estimators do "
            "not condition on a first stage)"
        )
    if first_stage_bootstrap and phat is not None:
        raise InputError(
            "first_stage_bootstrap: needs the random-forest first stage (phat=None); "
            "for a given phat pass its covariance as phat_cov"
        )
    design = parse_formula(formula, data, PARTS, subset=subset, na=na)
    counts = _check_counts(design)
    fixed_values = _check_fixed(fixed, design)
    _check_identified(design)
    payoff_design = PayoffDesign(tuple(design.matrices()), fixed_values, counts)
    theta = _start_values(start, payoff_design.n_params)
    first_stage_options = {
        "random_state": random_state,
        "n_estimators": n_estimators,
        "clip": first_stage_clip,
    }

    if phat is None:
        resist, firm = first_stage(design, counts, **first_stage_options)
        source = f"random forest ({n_estimators} trees, random_state={random_state})"
    else:
        resist, firm = _resolve_phat(phat, data, design)
        source = "user phat"

    notes: list[str] = []
    extra: dict[str, Any] = {"first_stage": source}
    method_name = METHOD_NAMES[method]
    if method == "pl":
        likelihood, fit = _pl_fit(payoff_design, resist, firm, theta)
        theta = fit.theta
        converged = fit.converged
        first_stage_cov = _first_stage_covariance(
            phat_cov, first_stage_bootstrap, design, counts, first_stage_options
        )
        covariance = pl_covariance(likelihood, theta, _pl_cov_type(cov_type), first_stage_cov)
        covariance_type = f"PL, {COV_TYPE_NAMES[cov_type]}"
        if first_stage_cov is None:
            covariance_type += " (phat treated as known)"
            notes.append(
                "PL standard errors treat the first-stage phat as known (pass "
                "first_stage_bootstrap=B or phat_cov to correct for it)"
            )
        else:
            how = (
                f"{first_stage_bootstrap} bootstrap refits of the forest"
                if first_stage_bootstrap
                else "the given phat_cov"
            )
            covariance_type += f" + first-stage correction ({how})"
        extra["newton_iterations"] = fit.iterations
        if not fit.converged:
            notes.insert(0, f"Newton-Raphson: {fit.message}")
    else:
        theta, resist, firm, fit, npl_converged, npl_extra, npl_notes = _npl(
            payoff_design, resist, firm, theta, npl_maxit, npl_tol
        )
        extra.update(npl_extra)
        notes.extend(npl_notes)
        converged = npl_converged and fit.converged
        if not fit.converged:
            notes.insert(0, f"Newton-Raphson: {fit.message}")
        likelihood = PseudoLikelihood(payoff_design, resist, firm)
        if method == "npl":
            covariance = npl_covariance(likelihood, theta, cov_type)
            covariance_type = f"NPL (Aguirregabiria & Mira 2007), {COV_TYPE_NAMES[cov_type]}"
        else:
            from coercive.estimate.signaling.equilibrium import fit_cmle, fit_mle

            if not converged:
                notes.append("the NPL start did not converge; the constrained fit starts there")
            solver = fit_cmle if method == "cmle" else fit_mle
            options: dict[str, Any] = {"maxiter": cmle_maxiter}
            if method == "mle":
                options.update(starts=mle_starts, seed=random_state)
            outcome = solver(payoff_design, theta, resist, firm, cov_type=cov_type, **options)
            theta, resist, firm = outcome.theta, outcome.resist, outcome.firm
            converged = outcome.converged
            covariance = outcome.covariance
            covariance_type = outcome.covariance_type
            notes = [note for note in notes if "Newton" not in note]
            if not converged:
                notes.insert(0, f"{method.upper()}: {outcome.message}")
            extra = {**extra, **outcome.extra, "npl_llf": npl_extra.get("npl_llf")}
            likelihood = PseudoLikelihood(payoff_design, resist, firm)
    if not covariance.ok and covariance.note:
        notes.insert(0, covariance.note)  # first: the results' warning quotes notes[0]

    psi_gap, f_gap = _equilibrium_violation(theta, payoff_design, resist, firm)
    llf = likelihood.loglike(theta)
    extra.update(eq_constraint=psi_gap, max_abs_pR_minus_F=f_gap)
    extra["phat"] = pd.DataFrame({"PRhat": resist, "PFhat": firm}, index=design.index)

    labels = design.labels()
    params = pd.Series(theta, index=labels, dtype=float)

    if bootstrap:
        # Replicates resample rows of the parsed design (no formula parsing per replicate);
        # NPL, CMLE and MLE replicates start from the full-sample beliefs and estimate, PL
        # replicates condition on the given phat or refit the forest.
        sample = pd.DataFrame({"position": np.arange(design.nobs)})
        refit = _ArrayReplicate(
            design=design,
            payoff_design=payoff_design,
            resist=resist if method != "pl" or phat is not None else None,
            firm=firm if method != "pl" or phat is not None else None,
            start=theta,
            method=method,
            labels=labels,
            options={
                # The NPL converges linearly: a replicate needing more than 25 iterations is
                # slow, not failing, so replicates get 4 x npl_maxit; any still not converged
                # are counted as failed.
                "npl_maxit": 4 * npl_maxit,
                "npl_tol": npl_tol,
                "mle_starts": mle_starts,
                "random_state": random_state,
                "first_stage": first_stage_options,
            },
        )
        replicates = bootstrap_fit(
            refit,
            sample,
            int(bootstrap),
            bootstrap_seed,
            n_jobs=n_jobs,
            progress=progress,
            names=labels,
        )
        record_bootstrap(replicates, extra, notes)

    predictor = SignalingPredictor(design, params, fixed_values)

    return EstimationResults(
        model=MODEL_NAME,
        method=method_name,
        params=params,
        cov=_covariance_frame(covariance, labels),
        llf=llf,
        nobs=design.nobs,
        n_dropped=design.n_dropped,
        converged=converged,
        notes=tuple(notes),
        predictor=predictor,
        extra=extra,
        covariance_type=covariance_type,
    )


def _npl(
    payoff_design: PayoffDesign,
    resist: np.ndarray,
    firm: np.ndarray,
    theta: np.ndarray,
    npl_maxit: int,
    npl_tol: float,
    warn: bool = True,
    one_step: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, NewtonResult, bool, dict[str, Any], list[str]]:
    """The NPL iteration: PL fits and best-response updates of the beliefs to a fixed point.

    ``one_step=True`` (bootstrap replicates, which start next to their fixed point) replaces
    each PL maximization by one Newton step (no line search; :func:`maximize` where the PL is
    not concave there); the iteration then converges to the same fixed
    point — θ maximizing ``Q(θ, P)`` with ``P = Ψ(θ, P)`` — with one likelihood evaluation per
    iteration instead of about three, and a final full PL fit at the last beliefs certifies
    it (its ``converged`` flag is the one reported).
    """
    npl_converged = False
    change = math.inf
    total_newton = 0
    iterations = 0
    notes: list[str] = []
    fit: NewtonResult | None = None
    for iteration in range(1, npl_maxit + 1):
        iterations = iteration
        if one_step:
            fit = _newton_step(PseudoLikelihood(payoff_design, resist, firm), theta)
        else:
            _, fit = _pl_fit(payoff_design, resist, firm, theta)
        total_newton += fit.iterations
        payoffs = payoff_values(fit.theta, payoff_design)
        # One best-response step: A answers the old pR, B the old pF (Aguirregabiria–Mira).
        _, firm_new, resist_new = best_responses(payoffs, resist, firm)
        # Keep beliefs off 0 and 1 so the next thresholds (divided by pR, pF) stay finite.
        resist_new = np.clip(resist_new, _BELIEF_FLOOR, 1.0 - _BELIEF_FLOOR)
        firm_new = np.clip(firm_new, _BELIEF_FLOOR, 1.0 - _BELIEF_FLOOR)
        change = max(
            float(np.max(np.abs(fit.theta - theta))),
            float(np.max(np.abs(resist_new - resist))),
            float(np.max(np.abs(firm_new - firm))),
        )
        theta, resist, firm = fit.theta, resist_new, firm_new
        if change < npl_tol:
            npl_converged = True
            break
    assert fit is not None
    if one_step:
        # Certify: a full PL fit at the final beliefs (a step or two from the fixed point).
        _, fit = _pl_fit(payoff_design, resist, firm, theta)
        total_newton += fit.iterations
        theta = fit.theta
    if not npl_converged:
        if warn:
            warn_caller(
                f"{MODEL_NAME}: NPL did not converge in {npl_maxit} iterations "
                f"(last max change {change:.3g} > npl_tol {npl_tol:g})"
            )
        notes.append(f"NPL did not converge in {npl_maxit} iterations (last change {change:.3g})")
    extra = {
        "iterations": iterations,
        "npl_change": change,
        "newton_iterations": total_newton,
        "npl_llf": float(PseudoLikelihood(payoff_design, resist, firm).loglike(theta)),
    }
    return theta, resist, firm, fit, npl_converged, extra, notes


def _newton_step(likelihood: PseudoLikelihood, theta: np.ndarray) -> NewtonResult:
    """One Newton step of the PL at ``theta``, without a line search (near a fixed point).

    Falls back to the safeguarded :func:`maximize` when the step is not finite or does not
    improve the pseudo-likelihood.
    """
    value, gradient, hessian = likelihood.derivatives(theta)
    if np.isfinite(value) and np.all(np.isfinite(gradient)) and np.all(np.isfinite(hessian)):
        eigenvalues, eigenvectors = np.linalg.eigh(-hessian)
        scale = max(1.0, float(np.max(np.abs(eigenvalues))))
        if eigenvalues[0] > 1e-12 * scale:  # concave: the plain Newton step
            step = eigenvectors @ ((eigenvectors.T @ gradient) / eigenvalues)
            candidate = theta + step
            if np.all(np.isfinite(candidate)):
                return NewtonResult(candidate, value, gradient, hessian, 1, True, "one step")
    return maximize(likelihood, theta)


def _pl_cov_type(cov_type: str) -> str:
    # PL has no equilibrium slope, so the two OPG forms coincide.
    return "opg" if cov_type == "opg-implicit" else cov_type


def _first_stage_covariance(
    phat_cov: object,
    replicates: int,
    design: DesignParts,
    counts: np.ndarray,
    options: dict[str, Any],
) -> np.ndarray | None:
    """The ``2n x 2n`` covariance of the first stage: given, bootstrapped, or None."""
    n = design.nobs
    if phat_cov is not None:
        try:
            matrix = np.asarray(phat_cov, dtype=float)
        except (TypeError, ValueError):
            raise InputTypeError("phat_cov: expected a 2n x 2n array of numbers") from None
        if matrix.shape != (2 * n, 2 * n):
            raise InputError(
                f"phat_cov: expected shape {(2 * n, 2 * n)} (pR_hat then pF_hat of the "
                f"{n} rows used), got {matrix.shape}"
            )
        if not np.all(np.isfinite(matrix)):
            raise InputError("phat_cov: must be finite")
        return 0.5 * (matrix + matrix.T)
    if not replicates:
        return None
    # Resample rows, refit the forest, predict every original row (sigInt's pl.vcov).
    rng = np.random.default_rng(options["random_state"])
    draws = np.empty((replicates, 2 * n))
    for b in range(replicates):
        rows = rng.integers(0, n, size=n)
        resist, firm = first_stage(design, counts, rows=rows, **options)
        draws[b] = np.concatenate([resist, firm])
    return np.cov(draws, rowvar=False)


@dataclass(frozen=True)
class _ReplicateFit:
    """What a bootstrap replicate reports (the fields ``bootstrap_fit`` reads)."""

    params: pd.Series
    converged: bool
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _ArrayReplicate:
    """One bootstrap replicate on resampled rows of the parsed design (picklable)."""

    design: DesignParts
    payoff_design: PayoffDesign
    resist: np.ndarray | None
    firm: np.ndarray | None
    start: np.ndarray
    method: str
    labels: list[str]
    options: dict[str, Any]

    def __call__(self, sample: pd.DataFrame) -> _ReplicateFit:
        rows = sample["position"].to_numpy(dtype=int)
        full = self.payoff_design
        design = PayoffDesign(
            tuple(matrix[rows] for matrix in full.matrices), full.fixed, full.counts[rows]
        )
        if self.resist is None or self.firm is None:  # PL with the forest: refit it
            resist, firm = first_stage(
                self.design, full.counts, rows=rows, **self.options["first_stage"]
            )
            resist, firm = resist[rows], firm[rows]
        else:
            resist, firm = self.resist[rows], self.firm[rows]
        theta = self.start.copy()
        if self.method == "pl":
            _, fit = _pl_fit(design, resist, firm, theta)
            theta, converged, notes = fit.theta, fit.converged, (fit.message,)
        else:
            theta, resist, firm, fit, npl_ok, _, notes_list = _npl(
                design,
                resist,
                firm,
                theta,
                self.options["npl_maxit"],
                self.options["npl_tol"],
                warn=False,
                one_step=True,
            )
            converged = npl_ok and fit.converged
            notes = tuple(notes_list) or (fit.message,)
            if self.method in ("cmle", "mle") and converged:
                from coercive.estimate.signaling.equilibrium import fit_cmle, fit_mle

                if self.method == "cmle":
                    outcome = fit_cmle(design, theta, resist, firm)
                else:
                    outcome = fit_mle(
                        design,
                        theta,
                        resist,
                        firm,
                        starts=self.options["mle_starts"],
                        seed=self.options["random_state"],
                    )
                theta, converged, notes = outcome.theta, outcome.converged, (outcome.message,)
        return _ReplicateFit(pd.Series(theta, index=self.labels), bool(converged), notes)


def _covariance_frame(covariance: Covariance, labels: list[str]) -> pd.DataFrame:
    return pd.DataFrame(covariance.matrix, index=labels, columns=labels)


# --- prediction ----------------------------------------------------------------------------------

SELECTION_RULES = {
    "all": "all equilibria of each row's game",
    "most_resistance": "per row, the equilibrium with the highest pR",
    "least_resistance": "per row, the equilibrium with the lowest pR",
    "stable": "per row, the stable equilibrium (F'(pR) < 1) with the highest pR",
}


def _predict(
    design: DesignParts,
    params: pd.Series,
    fixed_values: tuple[float, ...],
    newdata: pd.DataFrame | None,
    select: str,
) -> pd.DataFrame:
    from coercive.games import CrisisGame
    from coercive.games.crisis import select_equilibria

    if select not in SELECTION_RULES:
        raise InputError(f"select: expected one of {', '.join(SELECTION_RULES)}, got {select!r}")
    if newdata is None:  # the rows used in fitting
        matrices, index = design.matrices(), design.index
    else:
        matrices, index = design.regressors(newdata), newdata.index
    n_rows = len(index)
    theta = params.to_numpy()
    slices = PayoffDesign(tuple(matrices), fixed_values, np.zeros((n_rows, 4))).slices()
    payoffs = {}
    for j, part in enumerate(PARTS):
        if matrices[j].shape[1]:
            payoffs[part] = matrices[j] @ theta[slices[part]]
        else:
            payoffs[part] = np.full(n_rows, fixed_values[j])
    complete = np.all(np.isfinite(np.column_stack(list(payoffs.values()))), axis=1)
    columns = ["row", "equilibrium", "pC", "pR", "pF", "SQ", "CD", "SF", "BD", "stable"]
    position = np.arange(n_rows)
    n_equilibria = np.zeros(n_rows, dtype=int)
    if np.any(complete):
        game = CrisisGame(**{part: payoffs[part][complete] for part in PARTS}, sigma=1.0)
        every = game.equilibria(select="all")
        every = every.sort_values(["game", "pR"], kind="stable").reset_index(drop=True)
        every["equilibrium"] = every.groupby("game").cumcount()
        rows = np.flatnonzero(complete)
        n_equilibria[rows] = np.bincount(every["game"].to_numpy(), minlength=rows.size)
        table = select_equilibria(every, select) if select != "all" else every
        table = table.assign(position=rows[table["game"].to_numpy()])
    else:
        table = pd.DataFrame(columns=[*columns, "position"])
    # Rows with missing regressors, or no equilibrium passing the selection, get a NaN row.
    absent = np.setdiff1d(position, table["position"].to_numpy(dtype=int))
    if absent.size:
        table = pd.concat([table, pd.DataFrame({"position": absent})], ignore_index=True)
    table = table.sort_values(["position", "equilibrium"], kind="stable", na_position="first")
    positions = table["position"].to_numpy(dtype=int)
    table = table.assign(row=index[positions]).reindex(columns=columns)
    table["n_equilibria"] = n_equilibria[positions]
    table["selection"] = select
    table.attrs["selection"] = SELECTION_RULES[select]
    return table.reset_index(drop=True)


class SignalingPredictor:
    """``newdata -> equilibria`` for a fitted signaling game (attached to the results)."""

    def __init__(
        self, design: DesignParts, params: pd.Series, fixed_values: tuple[float, ...]
    ) -> None:
        self._design = design
        self._params = params.copy()
        self._fixed = fixed_values

    def __call__(self, newdata: pd.DataFrame | None = None, select: str = "all") -> pd.DataFrame:
        return _predict(self._design, self._params, self._fixed, newdata, select)


def predict_equilibria(
    results: EstimationResults, newdata: pd.DataFrame | None = None, select: str = "all"
) -> pd.DataFrame:
    """Action and outcome probabilities at the equilibria of each row of ``newdata``.

    One output row per equilibrium (``row`` = the newdata index label, ``equilibrium`` = its
    number within the row, in increasing ``pR``), with ``pC pR pF SQ CD SF BD``, ``stable``
    and ``n_equilibria``; ``select`` keeps at most one per row (see ``SELECTION_RULES``), and
    the rule used is in the ``selection`` column and ``attrs["selection"]``. Rows with
    missing regressors give one row of NaN. ``newdata=None`` uses the rows of the fit.
    ``results.predict(newdata)`` is ``select="all"``.
    """
    if not isinstance(results.predictor, SignalingPredictor):
        raise InputError("results: expected a fit from fit_signaling")
    return results.predictor(newdata, select=select)
