"""Out-of-sample validation of the structural TIES model against its baselines (issue 7 §2).

``validate(train=..., test=...)`` takes two frames of TIES rows (or coded cases), codes them
(:mod:`coercive.policy.ties`; the coding is fixed on ``train``), estimates the structural
model on ``train`` (:func:`coercive.policy.estimation.fit_ties`) and scores every model's
P(target acquiesces to the threat) on ``test``:

* **structural** (the headline model): the TIES cases run through the policy mapping
  (:mod:`coercive.policy.structural`), its resolve spreads and the TIES coding effects
  estimated on ``train``; P(CD | challenge) at the estimates;
* **structural_features**: the Lewis–Schultz game with free payoff indices of the coded
  features (:mod:`coercive.policy.estimation`);
* **base rate**: the training share of acquiescence (codes 1–2);
* **logistic**: a logistic regression of acquiescence on the same coded features
  (scikit-learn, one-hot categories; L2 penalty with ``C = PRIOR_SD**2``, the same normal
  prior of sd 2.5 on each coefficient as the structural model; no penalty on the intercept
  is not available in scikit-learn's lbfgs, so the intercept shares it);
* **signaling** (only where the dyad covariates exist): sigInt's sanctions model
  (``PUBLISHED_MODELS["sanctions"]``) fit by NPL with :func:`coercive.estimate.fit_signaling`
  on the dyad-decades that end before the first test year, predicting ``1 − pR`` for the
  test cases whose dyad-decade is in the table (stable equilibrium with most resistance).

Scores, per case and averaged: **log score** ``mean(y log p + (1 − y) log(1 − p))`` (higher
is better), **Brier** ``mean((p − y)²)`` (lower is better) and **AUC**. The differences
structural − baseline are given with **bootstrap 90% intervals** (percentile, paired:
:data:`BOOTSTRAP` resamples of the test cases with replacement, the same resamples for every
model; a fixed seed). The **reliability diagram** bins the structural predictions into
:data:`RELIABILITY_BINS` equal-width bins: mean prediction against observed rate, with counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from coercive._errors import InputError
from coercive.policy.ties import CATEGORICAL, NUMERIC, CodedCases, Coding, code_cases

BOOTSTRAP = 2000
"""Bootstrap resamples of the test cases for the intervals of the differences."""
LEVEL = 0.9
RELIABILITY_BINS = 10
_CLIP = 1e-6  # keeps a log score finite when a model says 0 or 1


def log_scores(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-case log score ``y log p + (1 − y) log(1 − p)`` (p clipped to [1e-6, 1 − 1e-6])."""
    p = np.clip(np.asarray(p, dtype=float), _CLIP, 1.0 - _CLIP)
    y = np.asarray(y, dtype=float)
    return y * np.log(p) + (1.0 - y) * np.log1p(-p)


def brier_scores(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (np.asarray(p, dtype=float) - np.asarray(y, dtype=float)) ** 2


def auc(p: np.ndarray, y: np.ndarray) -> float | None:
    """Share of (acquiesced, not) pairs ranked right, ties one half; None without both."""
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
    pos, neg = p[y == 1], p[y == 0]
    if pos.size == 0 or neg.size == 0:
        return None
    from scipy.stats import rankdata

    ranks = rankdata(np.concatenate([pos, neg]))
    return float((ranks[: pos.size].sum() - pos.size * (pos.size + 1) / 2) / (pos.size * neg.size))


def _check_probabilities(name: str, p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    if not np.all(np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise RuntimeError(f"{name}: a prediction is not a probability (NaN, inf or outside 0-1)")
    return p


def scores(p: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    return {
        "log_score": float(np.mean(log_scores(p, y))),
        "brier": float(np.mean(brier_scores(p, y))),
        "auc": auc(p, y),
        "mean_prediction": float(np.mean(p)),
        "n": int(len(y)),
    }


def bootstrap_difference(
    model: np.ndarray, baseline: np.ndarray, y: np.ndarray, resamples: np.ndarray
) -> dict[str, Any]:
    """Model − baseline in mean log score and Brier, with percentile intervals."""
    out: dict[str, Any] = {}
    tail = (1.0 - LEVEL) / 2.0
    for name, per_case in (("log_score", log_scores), ("brier", brier_scores)):
        difference = per_case(model, y) - per_case(baseline, y)
        draws = difference[resamples].mean(axis=1)
        low, high = np.quantile(draws, [tail, 1.0 - tail])
        out[name] = {
            "difference": float(difference.mean()),
            "interval": [float(low), float(high)],
            "excludes_zero": bool(low > 0 or high < 0),
        }
    # the sign that means "model better": log score higher, Brier lower
    out["model_better"] = {
        "log_score": out["log_score"]["interval"][0] > 0,
        "brier": out["brier"]["interval"][1] < 0,
    }
    return out


def reliability(p: np.ndarray, y: np.ndarray, bins: int = RELIABILITY_BINS) -> list[dict]:
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = which == b
        table.append(
            {
                "bin": [float(edges[b]), float(edges[b + 1])],
                "n": int(mask.sum()),
                "mean_prediction": float(p[mask].mean()) if mask.any() else None,
                "observed_rate": float(y[mask].mean()) if mask.any() else None,
            }
        )
    return table


def _one_hot(coding: Coding, cases: CodedCases) -> np.ndarray:
    frame = coding.features(cases)
    columns = [frame[name].to_numpy(dtype=float) for name in NUMERIC]
    for name in CATEGORICAL:
        for level in coding.levels[name][1:]:  # the reference level is left out
            columns.append((frame[name] == level).to_numpy(dtype=float))
    return np.column_stack(columns)


def logistic_predictions(train: CodedCases, test: CodedCases, coding: Coding) -> np.ndarray:
    """Logistic regression on the same coded features (see the module docstring)."""
    from sklearn.linear_model import LogisticRegression

    from coercive.policy.estimation import PRIOR_SD

    y = train.frame["acquiesced"].to_numpy()
    if len(np.unique(y)) < 2:
        raise InputError("train: acquiescence must both occur and not occur in the training cases")
    model = LogisticRegression(C=PRIOR_SD**2, max_iter=5000)
    model.fit(_one_hot(coding, train), y)
    return model.predict_proba(_one_hot(coding, test))[:, 1]


def signaling_predictions(
    dyads: pd.DataFrame, until: int, test: CodedCases
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """``(mask, p)``: sigInt's model fit on dyad-decades ending by ``until``, predicting the
    test cases whose dyad-decade is in the table. ``mask`` marks those cases."""
    import warnings

    from coercive.datasets import PUBLISHED_MODELS
    from coercive.estimate import fit_signaling
    from coercive.estimate.signaling.model import predict_equilibria

    training = dyads[dyads["tenyear"] + 9 <= until].reset_index(drop=True)
    info: dict[str, Any] = {"training_dyad_decades": int(len(training))}
    frame = test.frame
    keys = pd.MultiIndex.from_arrays(
        [dyads["ccode1"].astype(float), dyads["ccode2"].astype(float), dyads["tenyear"]]
    )
    position = pd.Series(np.arange(len(dyads)), index=keys)
    position = position[~position.index.duplicated()]
    wanted = pd.MultiIndex.from_arrays(
        [frame["sender"].astype(float), frame["target"].astype(float), frame["decade"]]
    )
    rows = position.reindex(wanted).to_numpy()
    mask = np.isfinite(rows)
    if len(training) < 20 or not mask.any():
        info["note"] = "too few training dyad-decades or no test case with dyad covariates"
        return mask & False, np.full(len(frame), np.nan), info
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = fit_signaling(PUBLISHED_MODELS["sanctions"], training, method="npl")
    newdata = dyads.iloc[rows[mask].astype(int)].reset_index(drop=True)
    table = predict_equilibria(fit, newdata, select="stable")
    resist = table.groupby("row")["pR"].first().reindex(range(len(newdata))).to_numpy()
    p = np.full(len(frame), np.nan)
    p[mask] = 1.0 - resist
    ok = np.isfinite(p)
    info.update({"llf": float(fit.llf), "converged": bool(fit.converged)})
    return ok, p, info


@dataclass(frozen=True)
class Validation:
    """The figures of one train/test validation; :meth:`to_dict` is the CLI's ``--json``."""

    payload: dict[str, Any]
    structural: np.ndarray = field(repr=False)
    outcomes: np.ndarray = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return self.payload

    def plot(self, path: str) -> None:
        """Write the reliability diagram of the structural model (PNG/SVG/PDF by suffix)."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        table = self.payload["reliability"]
        x = [row["mean_prediction"] for row in table if row["n"]]
        y = [row["observed_rate"] for row in table if row["n"]]
        n = [row["n"] for row in table if row["n"]]
        fig, ax = plt.subplots(figsize=(5, 5))
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect calibration")
        ax.scatter(x, y, s=[10 + 3 * k for k in n], label="structural model (area: cases)")
        ax.plot(x, y)
        base = self.payload["models"]["base_rate"]["mean_prediction"]
        ax.axvline(base, color="tab:orange", linestyle=":", label="training base rate")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("predicted P(target acquiesces to the threat)")
        ax.set_ylabel("observed share acquiescing")
        ax.set_title(f"TIES reliability, test cases (n = {len(self.outcomes)})")
        ax.legend(loc="upper left", fontsize=8)
        fig.tight_layout()
        try:
            fig.savefig(path)
        except (OSError, ValueError) as exc:
            raise InputError(f"--plot {path}: cannot write the figure ({exc})") from None
        finally:
            plt.close(fig)


def _coded(cases: pd.DataFrame | CodedCases, dyads: pd.DataFrame | None, name: str) -> CodedCases:
    if isinstance(cases, CodedCases):
        return cases
    if not isinstance(cases, pd.DataFrame):
        raise InputError(f"{name}: expected a DataFrame of TIES rows, got {type(cases).__name__}")
    return code_cases(cases, dyads)


def validate(
    train: pd.DataFrame | CodedCases,
    test: pd.DataFrame | CodedCases,
    *,
    dyads: pd.DataFrame | None = None,
    signaling: bool = True,
    features: bool = False,
    resamples: int = BOOTSTRAP,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    spec: str = "v1",
) -> Validation:
    """Fit on ``train``, score on ``test`` (see the module docstring); ``spec`` is the
    structural model's specification (:data:`coercive.policy.structural.SPECIFICATIONS`)."""
    from coercive.policy.estimation import fit_ties
    from coercive.policy.structural import fit_mapping, specification

    spec = specification(spec).id

    started = time.perf_counter()
    say = progress or (lambda _: None)
    train_cases = _coded(train, dyads, "train")
    test_cases = _coded(test, dyads, "test")
    if len(test_cases.frame) < 2:
        raise InputError("test: need at least 2 usable TIES threat cases to score")
    say("estimating the structural model (through the policy mapping)")
    mapping_fit = fit_mapping(train_cases, spec=spec)
    y = test_cases.frame["acquiesced"].to_numpy()
    structural = _check_probabilities("structural", mapping_fit.acquiescence(test_cases))
    rate = float(train_cases.frame["acquiesced"].mean())
    base = np.full(len(y), rate)
    say("fitting the logistic regression")
    logistic = _check_probabilities(
        "logistic", logistic_predictions(train_cases, test_cases, mapping_fit.coding)
    )
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(y), size=(int(resamples), len(y)))
    models: dict[str, Any] = {
        "structural": scores(structural, y),
        "base_rate": scores(base, y),
        "logistic": scores(logistic, y),
    }
    comparisons: dict[str, Any] = {
        "base_rate": bootstrap_difference(structural, base, y, draws),
        "logistic": bootstrap_difference(structural, logistic, y, draws),
    }
    estimation_features: dict[str, Any] | None = None
    if features:
        say("estimating the structural model (free payoff indices)")
        model = fit_ties(train_cases)
        results = model.results
        free = _check_probabilities("structural_features", model.acquiescence(test_cases))
        models["structural_features"] = scores(free, y)
        comparisons["structural_features"] = bootstrap_difference(structural, free, y, draws)
        comparisons["features_vs_base_rate"] = bootstrap_difference(free, base, y, draws)
        estimation_features = {
            "formula": model.formula,
            "llf": float(results.llf),
            "converged": bool(results.converged),
            "covariance": results.covariance_type,
            "extra": dict(results.extra.items()),
            "coefficients": {
                str(k): {"coef": float(v), "se": None if not np.isfinite(e) else float(e)}
                for k, v, e in zip(results.params.index, results.params, results.bse, strict=True)
            },
        }
    signaling_info: dict[str, Any] = {"used": False}
    if signaling and dyads is not None:
        say("fitting fit_signaling on the training dyad-decades")
        until = int(train_cases.frame["year"].max())
        mask, p_sig, info = signaling_predictions(dyads, until, test_cases)
        signaling_info = {"used": bool(mask.any()), **info, "n_test_with_dyad": int(mask.sum())}
        if mask.sum() >= 2:
            sub_y = y[mask]
            sub_draws = rng.integers(0, sub_y.size, size=(int(resamples), sub_y.size))
            p_sig = _check_probabilities("signaling", p_sig[mask])
            models["signaling"] = scores(p_sig, sub_y)
            models["structural_on_dyad_subset"] = scores(structural[mask], sub_y)
            comparisons["signaling"] = bootstrap_difference(
                structural[mask], p_sig, sub_y, sub_draws
            )
    mapping_results = mapping_fit.results
    payload = {
        "split": {
            "n_train": int(len(train_cases.frame)),
            "n_test": int(len(y)),
            "train_years": [
                int(train_cases.frame["year"].min()),
                int(train_cases.frame["year"].max()),
            ],
            "test_years": [
                int(test_cases.frame["year"].min()),
                int(test_cases.frame["year"].max()),
            ],
            "train_rate": rate,
            "test_rate": float(y.mean()),
        },
        "skipped": {
            "train": _skip_report(train_cases),
            "test": _skip_report(test_cases),
        },
        "models": models,
        "comparisons": comparisons,
        "reliability": reliability(structural, y),
        "signaling": signaling_info,
        "specification": spec,
        "estimation_mapping": {
            "specification": spec,
            "mixture": mapping_fit.mixture(),
            "mapping_constants": mapping_fit.mapping_constants(),
            "llf": float(mapping_results.llf),
            "converged": bool(mapping_results.converged),
            "covariance": mapping_results.covariance_type,
            "extra": dict(mapping_results.extra.items()),
            "parameters": {
                str(k): {"coef": float(v), "se": None if not np.isfinite(e) else float(e)}
                for k, v, e in zip(
                    mapping_results.params.index,
                    mapping_results.params,
                    mapping_results.bse,
                    strict=True,
                )
            },
        },
        "estimation_features": estimation_features,
        "method": {
            "event": "target acquiesces to the threat (TIES final outcome 1 or 2)",
            "bootstrap": f"{resamples} paired resamples of the test cases, percentile "
            f"{int(LEVEL * 100)}% intervals, seed {seed}",
            "difference": "structural minus baseline; log score: > 0 is better, "
            "Brier: < 0 is better",
        },
        "seconds": time.perf_counter() - started,
    }
    return Validation(payload=payload, structural=structural, outcomes=y)


def cross_validate(
    cases: CodedCases,
    folds: int = 5,
    *,
    seed: int = 0,
    resamples: int = BOOTSTRAP,
    progress: Callable[[str], None] | None = None,
    spec: str = "v1",
) -> dict[str, Any]:
    """Random ``folds``-fold cross-validation: each fold is predicted by the structural
    model (specification ``spec``), the base rate and the logistic regression fit on the
    other folds (coding fixed on those folds too); the pooled out-of-fold predictions are
    scored as in :func:`validate`."""
    from coercive.policy.structural import fit_mapping, specification

    spec = specification(spec).id

    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise InputError(f"folds: must be an integer >= 2, got {folds!r}")
    frame = cases.frame
    n = len(frame)
    if n < 2 * folds:
        raise InputError(f"cases: {n} usable cases are too few for {folds} folds")
    rng = np.random.default_rng(seed)
    assignment = rng.permutation(np.arange(n) % folds)
    predictions = {name: np.empty(n) for name in ("structural", "base_rate", "logistic")}
    for k in range(folds):
        if progress:
            progress(f"fold {k + 1} of {folds}")
        held = assignment == k
        train = CodedCases(frame[~held].reset_index(drop=True), {})
        test = CodedCases(frame[held].reset_index(drop=True), {})
        fit = fit_mapping(train, spec=spec)
        predictions["structural"][held] = fit.acquiescence(test)
        predictions["base_rate"][held] = float(train.frame["acquiesced"].mean())
        predictions["logistic"][held] = logistic_predictions(train, test, fit.coding)
    y = frame["acquiesced"].to_numpy()
    draws = rng.integers(0, n, size=(int(resamples), n))
    structural = _check_probabilities("structural", predictions["structural"])
    return {
        "specification": spec,
        "folds": folds,
        "seed": seed,
        "n": n,
        "models": {name: scores(p, y) for name, p in predictions.items()},
        "comparisons": {
            name: bootstrap_difference(structural, predictions[name], y, draws)
            for name in ("base_rate", "logistic")
        },
        "skipped": cases.skipped_report(),
    }


INNER_FIT_UNTIL = 1979
INNER_VALIDATE_UNTIL = 1989
"""The v2 protocol's inner split (``docs/validation.md``): fit on cases starting by 1979,
score those starting 1980–1989; the test period (1990 on) never enters the selection."""


def select_specification(
    cases: CodedCases,
    candidates: tuple[str, ...] | None = None,
    *,
    fit_until: int = INNER_FIT_UNTIL,
    validate_until: int = INNER_VALIDATE_UNTIL,
    reference: str = "v1",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The v2 protocol's selection: fit each candidate (and ``reference``) on the cases
    starting by ``fit_until``, score P(acquiescence) on those starting after it and by
    ``validate_until``; the chosen candidate has the highest mean log score (ties: the
    first listed). Cases after ``validate_until`` are dropped before anything is fitted."""
    from coercive.policy.structural import V2_CANDIDATES, fit_mapping, specification

    candidates = V2_CANDIDATES if candidates is None else tuple(candidates)
    if not candidates:
        raise InputError("candidates: need at least one specification to select from")
    for spec in (*candidates, reference):
        specification(spec)
    if not fit_until < validate_until:
        raise InputError(
            f"fit_until: must be before validate_until ({fit_until} >= {validate_until})"
        )
    frame = cases.frame[cases.frame["year"] <= validate_until].reset_index(drop=True)
    inner = CodedCases(frame, dict(cases.skipped))
    fit_cases, score_cases = inner.split(fit_until)
    if len(score_cases.frame) < 2:
        raise InputError(
            f"cases: fewer than 2 cases start in {fit_until + 1}–{validate_until} to select on"
        )
    y = score_cases.frame["acquiesced"].to_numpy()
    rate = float(fit_cases.frame["acquiesced"].mean())
    table: dict[str, Any] = {"base_rate": scores(np.full(y.size, rate), y)}
    for spec in (reference, *candidates):
        if progress:
            progress(f"inner validation: fitting {spec} on cases by {fit_until}")
        fit = fit_mapping(fit_cases, spec=spec)
        p = _check_probabilities(spec, fit.acquiescence(score_cases))
        table[spec] = {
            **scores(p, y),
            "train_llf": float(fit.results.llf),
            "converged": bool(fit.results.converged),
            "mixture": fit.mixture(),
        }
    best = max(candidates, key=lambda c: (table[c]["log_score"], -candidates.index(c)))
    return {
        "rule": "the candidate with the highest mean log score per case on the inner "
        "validation cases (ties: the first listed); the reference is scored beside it",
        "fit_years": [int(fit_cases.frame["year"].min()), fit_until],
        "validate_years": [fit_until + 1, validate_until],
        "n_fit": int(len(fit_cases.frame)),
        "n_validate": int(y.size),
        "candidates": list(candidates),
        "reference": reference,
        "scores": table,
        "chosen": best,
        "chosen_beats_reference": bool(table[best]["log_score"] > table[reference]["log_score"]),
    }


def _skip_report(cases: CodedCases) -> dict[str, Any]:
    return cases.skipped_report()


def validate_ties(train_until: int = 1989, **kwargs: Any) -> Validation:
    """The time split on the bundled TIES file: train on cases starting by ``train_until``."""
    from coercive.datasets import load

    ties = load("ties")
    dyads = load("sanctions")
    year = pd.to_numeric(ties["startyear"], errors="coerce")
    train = ties[year <= train_until]
    test = ties[~(year <= train_until)]
    return validate(train, test, dyads=dyads, **kwargs)


def resolve_spec(spec: str) -> str:
    """A ``--spec`` value as a specification id: ``v2`` is the specification the shipped
    ``ties-v2.json`` records (chosen by the protocol's inner validation); ``v1`` and every
    candidate id stand for themselves."""
    from coercive.policy.calibration import shipped_specification
    from coercive.policy.structural import specification

    if spec == "v2":
        return shipped_specification("v2")
    return specification(spec).id


__all__ = [
    "BOOTSTRAP",
    "LEVEL",
    "Validation",
    "auc",
    "bootstrap_difference",
    "cross_validate",
    "brier_scores",
    "log_scores",
    "logistic_predictions",
    "reliability",
    "resolve_spec",
    "scores",
    "select_specification",
    "validate",
    "validate_ties",
]
