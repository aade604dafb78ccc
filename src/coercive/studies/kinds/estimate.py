"""The ``estimate`` kind: simulate data from a known model, refit it, record every estimate.

The Monte Carlo study of an estimator (bias, RMSE, coverage). ``base``:

* ``model``: ``signaling`` (``coercive.estimate.fit_signaling``, ``method`` ``npl``/``pl``)
  or ``deterrence`` (``coercive.estimate.fit_deterrence``, ``link``, ``error``);
* ``formula``: the estimator's formula (signaling: ``sq + cd + sf + bd ~ SA | VA | ...``;
  deterrence: ``esc + war ~ u11 | u13 | u14 | u24``);
* covariates, either ``covariates: {n: 300, columns: {x: {dist: normal, mean: 0, sd: 1}}}``
  (``normal``, ``uniform`` with low/high, ``bernoulli`` with p; drawn once per grid point
  from the spec seed, then held fixed across replicates, the usual design) or
  ``dataset: NAME`` (``coercive.datasets.load``; its rows are the covariates);
* ``truth``: ``{part:term: value}`` for every coefficient of the formula, keyed by the
  formula's part name and term (``SA:x``, ``u11:(Intercept)``; the estimator's own labels
  are recorded beside them) or ``fitted`` (with ``dataset``: the fit to the real data is
  the truth — "simulate from a fitted model");
* signaling only: ``fixed`` (payoffs whose part is 0, e.g. ``{VB: 1}``), ``trials`` (games
  per row, default 1), ``select`` (the equilibrium that generates the data: ``stable``
  (default; the most resistant one where no equilibrium is stable), ``most_resistance``,
  ``least_resistance``);
* ``level``: confidence level of the coverage check (default 0.95).

Each replicate (a work unit) draws outcomes from its own stream (spec seed, unit number),
refits, and gives one row per coefficient: ``coef`` (``part:term``, the truth's key),
``param`` (the estimator's own label), ``truth estimate se low high covered converged llf
error``. A fit that fails is a row with NaN estimates and the error's type and
message in ``error`` — visible, never silently dropped.
"""

from __future__ import annotations

import math
import warnings
import zlib
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from coercive._errors import InputError
from coercive.games import PAYOFFS
from coercive.studies.kinds import check_keys, unit_axes

FIELDS = (
    "model",
    "formula",
    "covariates",
    "dataset",
    "truth",
    "method",
    "link",
    "error",
    "fixed",
    "trials",
    "select",
    "level",
)
DETERRENCE_PARTS = ("u11", "u13", "u14", "u24")
OUTPUTS = ("estimate", "se", "low", "high", "covered", "converged", "llf", "error")
DEFAULTS: dict[str, Any] = {
    "method": "npl",
    "link": "probit",
    "error": "agent",
    "fixed": {},
    "trials": 1,
    "select": "stable",
    "level": 0.95,
}


def set_path(data: dict[str, Any], path: str, value: Any, where: str) -> dict[str, Any]:
    """A copy of nested ``data`` with ``path`` set; a key may itself contain dots (labels)."""
    out = dict(data)
    if path in FIELDS or (path not in out and "." not in path):
        if path not in FIELDS:
            raise InputError(f"{where}: unknown path {path!r}; allowed: {', '.join(FIELDS)}")
        out[path] = value
        return out
    head, _, rest = path.partition(".")
    if head not in FIELDS:
        raise InputError(f"{where}: unknown path {path!r}; allowed: {', '.join(FIELDS)}.…")
    inner = out.get(head)
    if head == "truth" or (head == "fixed"):
        inner = dict(inner or {})
        inner[rest] = value  # coefficient labels are whole keys
        out[head] = inner
        return out
    if not isinstance(inner, dict):
        raise InputError(f"{where}: {head} is not a mapping, so {path!r} does not exist")
    out[head] = _set_nested(inner, rest, value, f"{where}", head)
    return out


def _set_nested(data: dict[str, Any], path: str, value: Any, where: str, done: str) -> dict:
    out = dict(data)
    head, _, rest = path.partition(".")
    if head not in out:
        allowed = ", ".join(f"{done}.{key}" for key in out) or "none"
        raise InputError(f"{where}: unknown path {done}.{head}; allowed: {allowed}")
    if not rest:
        out[head] = value
        return out
    if not isinstance(out[head], dict):
        raise InputError(f"{where}: {done}.{head} is not a mapping")
    out[head] = _set_nested(out[head], rest, value, where, f"{done}.{head}")
    return out


def _draw_column(name: str, spec: Any, n: int, rng: np.random.Generator, where: str):
    if not isinstance(spec, dict) or "dist" not in spec:
        raise InputError(f"{where}.{name}: expected {{dist: normal|uniform|bernoulli, ...}}")
    dist = spec["dist"]
    try:
        if dist == "normal":
            return rng.normal(float(spec.get("mean", 0.0)), float(spec.get("sd", 1.0)), n)
        if dist == "uniform":
            return rng.uniform(float(spec.get("low", 0.0)), float(spec.get("high", 1.0)), n)
        if dist == "bernoulli":
            p = float(spec["p"])
            if not 0 <= p <= 1:
                raise ValueError("p must be in [0, 1]")
            return (rng.random(n) < p).astype(float)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{where}.{name}: {exc}") from None
    raise InputError(f"{where}.{name}.dist: {dist!r}; allowed: normal, uniform, bernoulli")


def _covariates(task: dict[str, Any], seed: int, where: str) -> pd.DataFrame:
    if task.get("dataset") is not None:
        from coercive.datasets import load

        return load(str(task["dataset"]))
    covariates = task.get("covariates")
    if not isinstance(covariates, dict):
        raise InputError(f"{where}: base.covariates or base.dataset: one is required")
    check_keys(covariates, ("n", "columns"), f"{where}: base.covariates")
    n = covariates.get("n")
    if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= 10**7:
        raise InputError(f"{where}: base.covariates.n: {n!r}; allowed: an integer 2..1e7")
    columns = covariates.get("columns") or {}
    if not isinstance(columns, dict) or not columns:
        raise InputError(f"{where}: base.covariates.columns: expected {{name: distribution}}")
    frame = {}
    for name, spec in columns.items():
        # each column its own stream (spec seed, column name): adding one changes no other
        rng = np.random.default_rng([seed, zlib.crc32(f"covariates.{name}".encode())])
        frame[name] = _draw_column(name, spec, n, rng, f"{where}: base.covariates.columns")
    return pd.DataFrame(frame)


def _fit(task: dict[str, Any], data: pd.DataFrame, random_state: int) -> Any:
    from coercive.estimate import fit_deterrence, fit_signaling

    if task["model"] == "signaling":
        return fit_signaling(
            task["formula"],
            data,
            method=task["method"],
            fixed=task["fixed"] or None,
            random_state=random_state,
        )
    return fit_deterrence(task["formula"], data, link=task["link"], error=task["error"])


def _parts(task: dict[str, Any]) -> tuple[str, ...]:
    return PAYOFFS if task["model"] == "signaling" else DETERRENCE_PARTS


def _design(task: dict[str, Any], covariates: pd.DataFrame, where: str) -> Any:
    from coercive.estimate import parse_formula
    from coercive.estimate.formula import split_formula

    lhs, _ = split_formula(task["formula"])
    expected = 4 if task["model"] == "signaling" else 2
    if len(lhs) != expected or not all(name.isidentifier() for name in lhs):
        what = "sq + cd + sf + bd" if expected == 4 else "esc + war"
        raise InputError(f"{where}: base.formula: the left side must be {expected} names ({what})")
    data = covariates.copy()
    for j, name in enumerate(lhs):
        # placeholders that pass the parser's checks: only the right side is used to simulate
        data[name] = ((np.arange(len(data)) + j) % 2).astype(float)
    return parse_formula(task["formula"], data, list(_parts(task)), na="drop"), tuple(lhs)


def _check_task(task: dict[str, Any], where: str) -> dict[str, Any]:
    check_keys(task, FIELDS, f"{where}: base")
    task = {**DEFAULTS, **task}
    if task.get("model") not in ("signaling", "deterrence"):
        raise InputError(
            f"{where}: base.model: {task.get('model')!r}; allowed: signaling, deterrence"
        )
    if not isinstance(task.get("formula"), str):
        raise InputError(f"{where}: base.formula: missing; allowed: the estimator's formula")
    allowed = {
        "method": ("npl", "pl"),
        "link": ("probit", "logit"),
        "error": ("agent", "private"),
        "select": ("stable", "most_resistance", "least_resistance"),
    }
    for name, values in allowed.items():
        if task[name] not in values:
            raise InputError(f"{where}: base.{name}: {task[name]!r}; allowed: {', '.join(values)}")
    trials = task["trials"]
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
        raise InputError(f"{where}: base.trials: {trials!r}; allowed: a positive integer")
    level = task["level"]
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise InputError(f"{where}: base.level: {level!r}; allowed: a number in (0, 1)")
    return task


def _truth(task: dict[str, Any], design: Any, data: pd.DataFrame, where: str) -> dict[str, float]:
    labels = design.labels()
    truth = task.get("truth")
    if truth == "fitted":
        if task.get("dataset") is None:
            raise InputError(f"{where}: base.truth: 'fitted' needs base.dataset (real outcomes)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = _fit(task, data, 12345)
        values = fitted.params.to_numpy(dtype=float)  # in the design's order (see run)
        return {label: float(value) for label, value in zip(labels, values, strict=True)}
    if not isinstance(truth, dict):
        raise InputError(f"{where}: base.truth: expected {{label: value}} or 'fitted'")
    for label in truth:
        if label not in labels:
            raise InputError(
                f"{where}: base.truth: unknown coefficient {label!r}; the formula's: "
                f"{', '.join(labels)}"
            )
    missing = [label for label in labels if label not in truth]
    if missing:
        raise InputError(f"{where}: base.truth: missing coefficient(s) {', '.join(missing)}")
    out = {}
    for label in labels:
        value = truth[label]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InputError(f"{where}: base.truth.{label}: expected a finite number")
        out[label] = float(value)
    return out


@lru_cache(maxsize=16)
def _point(task_json: str, seed: int) -> tuple[dict[str, Any], pd.DataFrame, Any, tuple, dict]:
    """A grid point's task, covariates, design, outcome names and truth (cached per worker)."""
    import json

    task = json.loads(task_json)
    where = "spec"
    covariates = _covariates(task, seed, where)
    design, lhs = _design(task, covariates, where)
    data = covariates.loc[design.index].reset_index(drop=True)
    truth = _truth(task, design, covariates, where)
    return task, data, design, lhs, truth


def _utilities(task: dict[str, Any], design: Any, truth: dict[str, float]) -> dict[str, np.ndarray]:
    fixed = task["fixed"] or {}
    out = {}
    for (name, frame), matrix in zip(design.parts, design.matrices(), strict=True):
        if matrix.shape[1]:
            beta = np.array([truth[f"{name}:{term}"] for term in frame.columns])
            out[name] = matrix @ beta
        else:
            out[name] = np.full(design.nobs, float(fixed.get(name, 0.0)))
    return out


def _signaling_probabilities(utilities: dict[str, np.ndarray], select: str) -> np.ndarray:
    from coercive.games import CrisisGame

    table = CrisisGame(**utilities).equilibria("all")
    game = table["game"].to_numpy()
    resist = table["pR"].to_numpy()
    stable = table["stable"].to_numpy(dtype=bool)
    preference = {
        "most_resistance": resist,
        "least_resistance": -resist,
        "stable": resist + 2.0 * stable,
    }[select]
    order = np.lexsort((preference, game))
    last = np.r_[game[order][1:] != game[order][:-1], True]
    chosen = table.iloc[order[last]]
    return chosen[["SQ", "CD", "SF", "BD"]].to_numpy()


def simulate(
    task: dict[str, Any],
    data: pd.DataFrame,
    design: Any,
    lhs: tuple,
    truth: dict[str, float],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """One simulated data set: the covariates with outcomes drawn from the true model."""
    utilities = _utilities(task, design, truth)
    out = data.copy()
    if task["model"] == "signaling":
        probabilities = np.clip(_signaling_probabilities(utilities, task["select"]), 0.0, 1.0)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        counts = rng.multinomial(task["trials"], probabilities)
        for j, name in enumerate(lhs):
            out[name] = counts[:, j].astype(float)
        return out
    from coercive.games.deterrence import outcome_probabilities

    probs = outcome_probabilities(
        *(utilities[p] for p in DETERRENCE_PARTS), link=task["link"], error=task["error"]
    )
    cumulative = np.cumsum(np.column_stack([probs["status_quo"], probs["back_down"]]), axis=1)
    u = rng.random(len(out))
    outcome = (u >= cumulative[:, 0]).astype(int) + (u >= cumulative[:, 1]).astype(int)
    out[lhs[0]] = (outcome >= 1).astype(float)
    out[lhs[1]] = (outcome == 2).astype(float)
    return out


def seed_of(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


class EstimateKind:
    name = "estimate"
    replicated = True
    default_chunk = 10

    def prepare(
        self, base: dict[str, Any], axes: dict[str, tuple[Any, ...]], draws: int, source: str
    ) -> dict[str, Any]:
        import json

        task = _check_task(base, source)
        tasks = [task]
        for path, values in axes.items():
            for index in sorted({0, len(values) - 1}):
                tasks.append(set_path(task, path, values[index], f"{source}: axes.{path}"))
        for variant in tasks:
            variant = _check_task(variant, source)
            covariates = _covariates(variant, 0, source)
            design, _ = _design(variant, covariates, source)
            truth = _truth(variant, design, covariates, source)
        # one trial replicate: a spec the estimator refuses (e.g. an unidentified formula)
        # is the user's error, reported now, not once per replicate in the results
        data = covariates.loc[design.index].reset_index(drop=True)
        _, lhs = _design(variant, covariates, source)
        trial = simulate(variant, data, design, lhs, truth, np.random.default_rng(seed_of(source)))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _fit(variant, trial, 0)
        except InputError as exc:
            raise InputError(f"{source}: base: the estimator refuses this model: {exc}") from None
        return {"task": json.loads(json.dumps(task))}

    def outputs(self, prepared: dict[str, Any]) -> tuple[str, ...]:
        return OUTPUTS

    def default_outputs(self, prepared: dict[str, Any]) -> tuple[str, ...]:
        return OUTPUTS

    def calibration(self, prepared: dict[str, Any]) -> dict[str, Any]:
        return {"note": "estimators use no calibrated constants; the truth is in the spec"}

    def run(
        self,
        prepared: dict[str, Any],
        points: dict[str, list[Any]],
        units: np.ndarray,
        seed: int,
        draws: int,
        outputs: tuple[str, ...],
    ) -> pd.DataFrame:
        import json

        from coercive.studies.spec import unit_seed

        rows: list[dict[str, Any]] = []
        for position, unit in enumerate(units):
            task = prepared["task"]
            for path, value in unit_axes(points, position).items():
                task = set_path(task, path, value, "axes")
            # covariates: one draw per grid point, shared by its replicates
            point_seed = int(
                np.random.SeedSequence([seed, int(unit) // draws, 1]).generate_state(1)[0]
            )
            task, data, design, lhs, truth = _point(json.dumps(task, sort_keys=True), point_seed)
            stream = unit_seed(seed, int(unit))
            rng = np.random.default_rng(stream)
            simulated = simulate(task, data, design, lhs, truth, rng)
            error = ""
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fit = _fit(task, simulated, int(stream.generate_state(1)[0] % 2**31))
                # the estimator names coefficients its own way (e.g. games' outcome labels);
                # its params follow the formula's parts and terms, in the design's order
                if len(fit.params) != len(truth):
                    raise ValueError(f"{len(fit.params)} estimates for {len(truth)} coefficients")
                params = fit.params.to_numpy(dtype=float)
                bse = fit.bse.to_numpy(dtype=float)
                bounds = fit.conf_int(alpha=1.0 - task["level"]).to_numpy(dtype=float)
                names = list(fit.params.index)
                converged, llf = bool(fit.converged), float(fit.llf)
            except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
                error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
                params = bse = bounds = None
                names = []
                converged, llf = False, math.nan
            for at, (label, true) in enumerate(truth.items()):
                if params is None:
                    estimate = se = low = high = math.nan
                    name = ""
                else:
                    estimate, se = float(params[at]), float(bse[at])
                    low, high = float(bounds[at, 0]), float(bounds[at, 1])
                    name = str(names[at])
                row = {
                    "unit": int(unit),
                    "coef": label,
                    "param": name,
                    "truth": true,
                    "estimate": estimate,
                    "se": se,
                    "low": low,
                    "high": high,
                    "covered": bool(low <= true <= high),
                    "converged": converged,
                    "llf": llf,
                    "error": error,
                }
                keep = ("unit", "coef", "param", "truth", *outputs)
                rows.append({key: value for key, value in row.items() if key in keep})
        return pd.DataFrame(rows)


KIND = EstimateKind()
