"""The workbench's JSON API: request models and the work behind each endpoint.

Every function here is plain Python (no HTTP): :mod:`coercive.web.app` wires them to routes.
Scenarios come only from the bundled case library (by id, checked against the list, so no
request names a path) or from YAML text the user uploaded; the API reads no other file.
Bad input raises :class:`coercive.web.errors.ApiError` (HTTP 422) carrying the field's path
and the same one-line message as the CLI.
"""

from __future__ import annotations

import functools
import io
import math
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from coercive._errors import InputError, InputTypeError
from coercive.web.errors import ApiError, scenario_error

MAX_BODY_BYTES = 1_000_000
"""Request bodies above 1 MB are refused (413): a scenario is a few kB, a data set < 1 MB."""

MAX_SWEEP_POINTS = 401
MAX_PREDICTED_ROWS = 200
"""Rows of predicted probabilities returned by /api/estimate (the means cover every row)."""

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)


# ----------------------------------------------------------------------------------------
# Scenarios
# ----------------------------------------------------------------------------------------


class ScenarioSpec(BaseModel):
    """One scenario: a bundled case or uploaded YAML text, with field overrides."""

    model_config = _STRICT

    case: str | None = Field(None, description="Bundled case id, e.g. dprk-2017.")
    yaml: str | None = Field(None, description="Text of a scenario YAML file (an upload).")
    filename: str = Field(
        "upload.yaml",
        min_length=1,
        max_length=200,
        pattern=r"^[^/\\\n\r:]+$",
        description="Name of the uploaded file, used in messages only (never opened).",
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="Field path -> value (JSON), as the CLI's --set PATH=VALUE.",
    )
    sets: list[str] = Field(
        default_factory=list, description="CLI-style 'PATH=VALUE' strings (VALUE is YAML)."
    )


@functools.cache
def _case_text(case_id: str) -> str:
    from coercive.policy.loader import CASES_DIR

    return (CASES_DIR / f"{case_id}.yaml").read_text(encoding="utf-8")


@functools.cache
def bundled_case_ids() -> tuple[str, ...]:
    from coercive.policy.loader import bundled_cases

    return tuple(bundled_cases())


def _source(spec: ScenarioSpec, where: list[str | int]) -> tuple[str, str]:
    """(YAML text, source name for messages) of a spec; checks it names exactly one scenario."""
    if (spec.case is None) == (spec.yaml is None):
        raise ApiError(
            ["body", *where, "case"],
            "give exactly one of 'case' (a bundled case id) or 'yaml' (a scenario file's text)",
        )
    if spec.case is not None:
        if spec.case not in bundled_case_ids():
            known = ", ".join(bundled_case_ids())
            raise ApiError(
                ["body", *where, "case"],
                f"{spec.case}: no such bundled case; bundled cases: {known}",
                "case",
            )
        return _case_text(spec.case), f"{spec.case}.yaml"
    return str(spec.yaml), spec.filename


def load(spec: ScenarioSpec, where: list[str | int] | None = None) -> Any:
    """The validated :class:`coercive.policy.scenario.Scenario` a spec describes."""
    from coercive.policy.loader import scenario_from_text

    where = where or []
    text, source = _source(spec, where)
    overrides: list[Any] = [*spec.sets, *spec.overrides.items()]
    try:
        return scenario_from_text(text, source=source, overrides=overrides)
    except (InputError, InputTypeError) as exc:
        raise scenario_error(str(exc), source, where) from None


def scenario_document(spec: ScenarioSpec) -> dict[str, Any]:
    """Validate a scenario (an upload, or a case with overrides); return it as JSON and YAML.

    The JSON data is what the Assess page builds its form from.
    """
    import yaml

    scenario = load(spec)
    data = scenario.model_dump(mode="json")
    return {
        "scenario": data,
        "yaml": yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100),
    }


@functools.cache
def _case_index() -> tuple[tuple[str, str, str | None], ...]:
    from coercive.policy.loader import scenario_from_text

    index = []
    for case_id in bundled_case_ids():
        scenario = scenario_from_text(_case_text(case_id), source=f"{case_id}.yaml")
        index.append((case_id, scenario.title, scenario.period))
    return tuple(index)


def list_cases() -> list[dict[str, Any]]:
    """Id, title and period of each bundled case (for the case pickers; read once)."""
    return [{"id": i, "title": title, "period": period} for i, title, period in _case_index()]


@functools.cache
def _schema_text() -> str:
    import json

    from coercive.policy.scenario import json_schema

    return json.dumps(json_schema())


def scenario_schema() -> dict[str, Any]:
    """The scenario JSON Schema (built once; a fresh copy each call)."""
    import json

    return json.loads(_schema_text())


def assessment_of(scenario: Any) -> dict[str, Any]:
    """The assessment's JSON (as ``coercive assess --json``) plus its compliance histogram."""
    from coercive.policy.assess import assess_scenario
    from coercive.report.data import compliance_draws, histogram, model_facts

    assessment = assess_scenario(scenario)
    return {
        "assessment": assessment.to_dict(),
        # the same draws under the same constants: the histogram's mean is the compliance
        "distribution": {
            "compliance": histogram(compliance_draws(scenario, assessment.constants))
        },
        "facts": model_facts(assessment.constants),
    }


def assess(spec: ScenarioSpec) -> dict[str, Any]:
    return assessment_of(load(spec))


class CompareSpec(BaseModel):
    model_config = _STRICT

    a: ScenarioSpec
    b: ScenarioSpec


def flatten(value: Any, prefix: str = "") -> dict[str, float]:
    """Every numeric leaf of a JSON value by dotted path (booleans are not numbers here)."""
    leaves: dict[str, float] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            leaves.update(flatten(item, f"{prefix}{key}."))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            leaves.update(flatten(item, f"{prefix}{index}."))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if math.isfinite(value):
            leaves[prefix[:-1]] = float(value)
    return leaves


def compare(spec: CompareSpec) -> dict[str, Any]:
    """Both assessments and, for every figure either reports, the difference B - A."""
    first = assessment_of(load(spec.a, ["a"]))
    second = assessment_of(load(spec.b, ["b"]))
    left, right = flatten(first["assessment"]), flatten(second["assessment"])
    rows = []
    for path in dict.fromkeys([*left, *right]):
        a, b = left.get(path), right.get(path)
        rows.append(
            {"path": path, "a": a, "b": b, "diff": None if a is None or b is None else b - a}
        )
    return {"a": first, "b": second, "differences": rows}


# ----------------------------------------------------------------------------------------
# The crisis game
# ----------------------------------------------------------------------------------------

PAYOFF_NAMES = ("SA", "VA", "CB", "WA", "WB", "a", "VB")


class GameSpec(BaseModel):
    """The seven Lewis–Schultz payoffs and the shocks' scale (defaults: the docs' example)."""

    model_config = _STRICT

    SA: float = Field(0.0, description="A's payoff at the status quo.")
    VA: float = Field(1.0, description="A's payoff when B concedes.")
    CB: float = Field(0.0, description="B's payoff when it concedes.")
    WA: float = Field(-1.9, description="A's payoff from war.")
    WB: float = Field(-2.85, description="B's payoff from war.")
    a: float = Field(-1.2, description="A's payoff from backing down (audience cost).")
    VB: float = Field(1.0, description="B's payoff when A backs down.")
    sigma: float = Field(1.0, gt=0, description="Standard deviation of the private shocks.")


_EQUILIBRIUM_FIELDS = ("pC", "pR", "pF", "SQ", "CD", "SF", "BD", "slope")


def _rows(table: Any, extra: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    rows = []
    for record in table.to_dict("records"):
        row: dict[str, Any] = {name: record[name] for name in extra}
        row.update({name: float(record[name]) for name in _EQUILIBRIUM_FIELDS})
        row["stable"] = bool(record["stable"])
        rows.append(row)
    return rows


def game_solve(spec: GameSpec) -> dict[str, Any]:
    """Every equilibrium of one game, in increasing resistance ``pR``."""
    from coercive.games import CrisisGame

    try:
        table = CrisisGame(**spec.model_dump()).equilibria("all")
    except (InputError, InputTypeError) as exc:
        raise ApiError(["body"], str(exc)) from None
    table = table.sort_values("pR", kind="stable")
    return {"game": spec.model_dump(), "equilibria": _rows(table)}


class SweepSpec(BaseModel):
    model_config = _STRICT

    game: GameSpec = Field(default_factory=GameSpec)
    parameter: Literal["SA", "VA", "CB", "WA", "WB", "a", "VB", "sigma"] = "WB"
    low: float
    high: float
    points: int = Field(121, ge=2, le=MAX_SWEEP_POINTS)


def game_sweep(spec: SweepSpec) -> dict[str, Any]:
    """Every equilibrium branch over a grid of one payoff (:func:`coercive.games.sweep`)."""
    from coercive.games import sweep

    if not spec.low < spec.high:
        raise ApiError(["body", "high"], f"high: must be above low ({spec.low:g})", "high")
    if spec.parameter == "sigma" and spec.low <= 0:
        raise ApiError(["body", "low"], "low: sigma must stay > 0", "low")
    fixed = {k: v for k, v in spec.game.model_dump().items() if k != spec.parameter}
    grid = np.linspace(spec.low, spec.high, spec.points)
    try:
        table = sweep(fixed, spec.parameter, grid)
    except (InputError, InputTypeError) as exc:
        raise ApiError(["body"], str(exc)) from None
    return {
        "parameter": spec.parameter,
        "rows": _rows(table, ("value", "branch", "branch_id")),
    }


# ----------------------------------------------------------------------------------------
# Estimation
# ----------------------------------------------------------------------------------------


class EstimateSpec(BaseModel):
    model_config = _STRICT

    csv: str = Field(..., min_length=1, description="The data set, CSV text with a header.")
    formula: str = Field(..., min_length=1, max_length=4000)
    model: Literal["deterrence", "signaling"] = "deterrence"
    link: Literal["probit", "logit"] = "probit"
    error: Literal["agent", "private"] = "agent"
    method: Literal["npl", "pl"] = "npl"


def published_models() -> dict[str, dict[str, str]]:
    """``coercive.datasets.PUBLISHED_MODELS`` with the estimator each formula is for."""
    from coercive.datasets import PUBLISHED_MODELS

    return {
        name: {
            "formula": formula,
            # seven payoff parts (SA | ... | VB) are the signaling game, four the deterrence game
            "model": "signaling" if formula.count("|") == 6 else "deterrence",
        }
        for name, formula in PUBLISHED_MODELS.items()
    }


def _read_csv(text: str) -> Any:
    import pandas as pd

    try:
        frame = pd.read_csv(io.StringIO(text))
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        reason = " ".join(str(exc).split())
        raise ApiError(["body", "csv"], f"csv: cannot read ({reason})", "csv") from None
    if frame.empty:
        raise ApiError(["body", "csv"], "csv: no data rows below the header", "csv")
    return frame


def _finite_or_none(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def estimate(spec: EstimateSpec) -> dict[str, Any]:
    """Fit the chosen model; the summary table, coefficients and predicted probabilities."""
    from coercive.estimate import fit_deterrence, fit_signaling

    frame = _read_csv(spec.csv)
    try:
        if spec.model == "deterrence":
            fit = fit_deterrence(spec.formula, frame, link=spec.link, error=spec.error)
        else:
            fit = fit_signaling(spec.formula, frame, method=spec.method)
        predicted = fit.predict()
    except (InputError, InputTypeError, ValueError, KeyError) as exc:
        message = " ".join(str(exc).split()).strip("'\"")
        raise ApiError(["body", "formula"], message, "formula") from None
    table = fit.coefficient_table()
    coefficients = [
        {
            "name": str(name),
            **{column: _finite_or_none(row[column]) for column in table.columns},
        }
        for name, row in table.iterrows()
    ]
    numeric = predicted.select_dtypes("number")
    head = numeric.head(MAX_PREDICTED_ROWS)
    return {
        "summary": fit.summary(),
        "llf": _finite_or_none(fit.llf),
        "nobs": int(fit.nobs),
        "converged": bool(fit.converged),
        "coefficients": coefficients,
        "predicted": {
            "columns": [str(column) for column in numeric.columns],
            "rows": [[_finite_or_none(v) for v in row] for row in head.to_numpy()],
            "mean": {str(c): _finite_or_none(numeric[c].mean()) for c in numeric.columns},
            "shown": int(len(head)),
            "total": int(len(numeric)),
        },
    }


__all__ = [
    "MAX_BODY_BYTES",
    "CompareSpec",
    "EstimateSpec",
    "GameSpec",
    "ScenarioSpec",
    "SweepSpec",
    "assess",
    "compare",
    "estimate",
    "flatten",
    "game_solve",
    "game_sweep",
    "list_cases",
    "load",
    "scenario_document",
]
