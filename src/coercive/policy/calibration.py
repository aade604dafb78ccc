"""Calibration files: the mapping constants estimated on TIES, versioned, used by ``assess``.

``coercive calibrate`` fits :func:`coercive.policy.structural.fit_mapping` on the TIES
threat cases starting by ``--train-until`` (default 1989) and writes a calibration file in
the format of :mod:`coercive.policy.constants` (``docs/mapping-api.md``) plus the record
of the whole fit::

    {"name": "ties-v1", "version": 1, "format": "coercive-calibration",
     "constants": {"target_resolve_spread": {"group": "mapping", "value": 0.05, "se": 0.009,
                   "log_se": 0.18, "unit": "...", "source": "ML on TIES v4.1 ..."}, ...},
     "log_covariance": [[...]],           # of the logs of the constants above
     "data": {"train_until": 1989, "n_cases": 383, "skipped": {...}},
     "ties_model": {"model": ..., "selection": "stable", "prior_sd": 2.5,
                    "parameters": [...], "estimates": [...], "covariance": [[...]],
                    "coding": {...}, "trade_prior": ..., "llf": ..., "converged": ...}}

**In force by default.** :func:`in_force` (read by :func:`coercive.policy.mapping.constants`)
applies the shipped file :data:`DEFAULT_CALIBRATION` on top of the documented defaults,
so ``assess`` uses the TIES-estimated constants and names them in ``constants_source``
(``defaults-v1 + ties-v2``).

**Refused**, with one line naming the file and the constant: a version other than the
code's ``CONSTANTS_VERSION``, an unknown constant or one in the wrong group, a non-finite
value (all by :func:`coercive.policy.constants.read_constants_file`); in the ``ties_model``
block (:func:`read_fit`), a parameter the code's model does not have or lacks, a selection
rule, prior or model name that is not the code's.

**Parameter uncertainty.** :func:`parameter_draws` turns the calibrated constants into one
value per Monte Carlo draw, drawn from the estimated (log-normal) sampling distribution,
so the intervals of an assessment carry the estimation error of the constants too.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from coercive._errors import InputError

DEFAULT_CALIBRATION = "ties-v2.json"
"""The calibration in force, shipped in ``coercive/policy/calibrations``. Chosen by the rule
the v2 protocol fixed before any v2 fit (``docs/validation.md`` §"Specification v2:
protocol"): ``ties-v2`` is the default because the chosen v2 specification's
inner-validation log score (fit by 1979, scored 1980–1989; recorded in the file's
``ties_model.specification_selection``) is higher than v1's. Written by ``coercive
calibrate --spec v2 --output src/coercive/policy/calibrations/ties-v2.json``; ``ties-v1.json``
(``--spec v1``) is kept and still reads."""

CALIBRATED: dict[str, float] = {}
"""Kept for older readers; the calibration in force comes from :func:`in_force`."""

_UNITS = {
    "target_resolve_spread": "value of office (1 = losing power for certain)",
    "coercer_resolve_spread": "stakes (1 = value of compliance to the coercer)",
}


def default_path() -> Path:
    return Path(str(resources.files("coercive.policy") / "calibrations" / DEFAULT_CALIBRATION))


def in_force() -> Any:
    """Defaults overridden by the shipped TIES calibration (defaults only if it is absent)."""
    from coercive.policy.constants import default_constants, load_constants

    path = default_path()
    return load_constants(path) if path.is_file() else default_constants()


def calibration_path(family: str) -> Path:
    """The shipped calibration file of a specification family (``v1``, ``v2``)."""
    if family not in ("v1", "v2"):
        raise InputError(f"spec: no shipped calibration for {family!r} (allowed: v1, v2)")
    return Path(str(resources.files("coercive.policy") / "calibrations" / f"ties-{family}.json"))


def shipped_specification(family: str) -> str:
    """The specification id the shipped ``ties-<family>.json`` records (``v1`` files
    written before specifications existed record none: ``v1``)."""
    path = calibration_path(family)
    if not path.is_file():
        raise InputError(
            f"{path}: not found; run `coercive calibrate --spec {family} --output {path}`"
        )
    block = _read(path).get("ties_model") or {}
    return str(block.get("specification", "v1"))


def calibration_dict(
    fit: Any,
    train_until: int | None,
    skipped: dict[str, Any],
    selection: dict[str, Any] | None = None,
) -> dict:
    """The JSON content of a calibration file for a :class:`~structural.MappingFit`.

    ``selection`` is the record of the inner-validation selection that chose the
    specification (v2, ``validation.select_specification``), kept in the file."""
    from coercive.policy.constants import CONSTANTS_VERSION
    from coercive.policy.estimation import PRIOR_SD, SELECTION
    from coercive.policy.structural import MAPPING_ESTIMATED

    results = fit.results
    cov = results.cov_params().to_numpy()
    n_cases = int(results.nobs)
    constants = {}
    for name, entry in fit.mapping_constants().items():
        se = entry["se"]
        constants[name] = {
            "group": "mapping",
            "value": entry["value"],
            "se": se,
            "log_se": entry["log_se"],
            "unit": _UNITS.get(name, ""),
            "source": f"ML on TIES v4.1 threat cases starting by {train_until} (n = {n_cases}), "
            "through the policy mapping and the engine"
            + ("" if fit.spec.id == "v1" else f", specification {fit.spec.id}")
            + ("" if se is None else f"; se {se:.3g}"),
        }
    k = len(MAPPING_ESTIMATED)
    extra: dict[str, Any] = {}
    if fit.spec.id != "v1":  # v1's files stay byte-compatible with the shipped one
        extra = {
            "specification": fit.spec.id,
            "specification_description": fit.spec.description,
            "mixture": fit.mixture(),
        }
        if selection is not None:
            extra["specification_selection"] = selection
    return {
        "name": f"ties-{fit.spec.family}",
        "version": CONSTANTS_VERSION,
        "format": "coercive-calibration",
        "constants": constants,
        "log_covariance": [[float(x) for x in row[:k]] for row in cov[:k]],
        "data": {
            "source": "TIES v4.1 (Morgan, Bapat & Kobayashi 2014) + sigInt dyad-decades",
            "train_until": train_until,
            "n_cases": n_cases,
            "skipped": skipped,
        },
        "ties_model": {
            **extra,
            "model": fit.spec.model_name,
            "selection": SELECTION,
            "prior_sd": PRIOR_SD,
            "parameters": list(fit.parameters.names),
            "estimates": [float(x) for x in results.params],
            "covariance": [[float(x) for x in row] for row in cov],
            "covariance_type": results.covariance_type,
            "coding": fit.coding.to_dict(),
            "trade_prior": fit.trade_prior,
            "llf": float(results.llf),
            "converged": bool(results.converged),
            "optimizer": dict(results.extra.items()),
        },
    }


def write_calibration(payload: dict, path: str | Path) -> Path:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write the calibration file ({exc.strerror})") from None
    return path


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the calibration file ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a calibration object")
    return data


def read_fit(path: str | Path | None = None) -> Any:
    """The :class:`~coercive.policy.structural.MappingFit` a calibration file records,
    checked against the code (see the module docstring)."""
    import numpy as np
    import pandas as pd

    from coercive.estimate.results import EstimationResults
    from coercive.policy.constants import read_constants_file
    from coercive.policy.estimation import PRIOR_SD, SELECTION
    from coercive.policy.structural import SPECIFICATIONS, MappingFit, Parameters
    from coercive.policy.ties import Coding

    path = default_path() if path is None else Path(path)
    read_constants_file(path)  # version, names, groups and values of the constants
    data = _read(path)
    block = data.get("ties_model")
    if not isinstance(block, dict):
        raise InputError(f"{path}: no 'ties_model' block (not written by coercive calibrate)")
    spec_id = block.get("specification", "v1")
    if spec_id not in SPECIFICATIONS:
        raise InputError(
            f"{path}: ties_model.specification {spec_id!r} is not one of the code's "
            f"({', '.join(SPECIFICATIONS)})"
        )
    spec = SPECIFICATIONS[str(spec_id)]
    checks = (("model", spec.model_name), ("selection", SELECTION), ("prior_sd", PRIOR_SD))
    for key, expected in checks:
        if block.get(key) != expected:
            raise InputError(
                f"{path}: ties_model.{key} {block.get(key)!r} does not match the code's "
                f"{expected!r}"
            )
    coding = Coding.from_dict(block.get("coding") or {}, where=f"{path}: ties_model.coding")
    parameters = Parameters.build(coding, spec)
    names = [str(x) for x in block.get("parameters") or []]
    for name in names:
        if name not in parameters.names:
            raise InputError(f"{path}: constant {name!r} is not a parameter of the code's model")
    for name in parameters.names:
        if name not in names:
            raise InputError(f"{path}: constant {name!r} of the code's model is missing")
    estimates = np.asarray(block.get("estimates") or [], dtype=float)
    cov = np.asarray(block.get("covariance") or [], dtype=float)
    k = len(names)
    if estimates.shape != (k,) or not np.all(np.isfinite(estimates)):
        raise InputError(f"{path}: ties_model.estimates must be {k} finite numbers")
    if cov.shape != (k, k):
        raise InputError(f"{path}: ties_model.covariance must be {k} x {k}")
    order = [names.index(name) for name in parameters.names]
    results = EstimationResults(
        model=spec.model_name,
        method=f"read from {path.name}",
        params=pd.Series(estimates[order], index=list(parameters.names)),
        cov=cov[np.ix_(order, order)],
        llf=float(block.get("llf", float("nan"))),
        nobs=int((data.get("data") or {}).get("n_cases", 0)),
        covariance_type=str(block.get("covariance_type", "hessian")),
        extra={"calibration": str(data.get("name", path.stem))},
    )
    return MappingFit(
        results=results,
        parameters=parameters,
        coding=coding,
        trade_prior=float(block.get("trade_prior", 0.0)),
    )


def parameter_draws(mapping: Any, n: int, seed: int, path: str | Path | None = None) -> Any:
    """``mapping`` with each calibrated constant replaced by ``n`` draws from its estimated
    sampling distribution (log-normal: normal in the log, with the file's covariance).

    Only when ``mapping`` holds exactly the values of ``path`` or (``path=None``) of a
    shipped calibration (the one in force first, then the other ``ties-v*.json``); a
    constant set by hand (``--set`` of constants, an unshipped file) is left alone.
    """
    import dataclasses

    import numpy as np

    if path is None:  # the calibration in force, or another shipped one the mapping holds
        shipped = sorted(default_path().parent.glob("ties-v*.json"))
        paths = [default_path(), *(p for p in shipped if p != default_path())]
    else:
        paths = [Path(path)]
    for candidate in paths:
        if not candidate.is_file():
            continue
        data = _read(candidate)
        constants = data.get("constants") or {}
        names = list(constants)
        cov = np.asarray(data.get("log_covariance") or [], dtype=float)
        if cov.shape != (len(names), len(names)) or not np.all(np.isfinite(cov)):
            continue
        values = np.array([float(constants[name]["value"]) for name in names])
        current = np.array([float(getattr(mapping, name)) for name in names])
        if np.allclose(current, values, rtol=1e-12, atol=0.0):
            break
    else:
        return mapping
    rng = np.random.default_rng([int(seed), 0x7E5])
    logs = rng.multivariate_normal(np.log(values), cov, size=int(n), method="cholesky")
    drawn = np.exp(logs)
    return dataclasses.replace(mapping, **{name: drawn[:, i] for i, name in enumerate(names)})


__all__ = [
    "CALIBRATED",
    "DEFAULT_CALIBRATION",
    "calibration_dict",
    "calibration_path",
    "default_path",
    "in_force",
    "parameter_draws",
    "read_fit",
    "shipped_specification",
    "write_calibration",
]
