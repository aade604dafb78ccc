"""Estimating coercion games from data.

``fit_deterrence`` — strategic probit/logit of the 3-outcome deterrence game (Signorino 2003,
*Political Analysis* 11:316–344; R package games' ``egame12``).
``fit_signaling`` — the Lewis–Schultz crisis signaling game by PL/NPL (Crisman-Cox &
Gibilisco 2021; R package sigInt), in :mod:`coercive.estimate.signaling`.

Shared infrastructure: :mod:`~coercive.estimate.formula` (multi-part formulas),
:mod:`~coercive.estimate.results` (``EstimationResults``),
:mod:`~coercive.estimate.covariance` (Hessian/OPG/sandwich covariances),
:mod:`~coercive.estimate.bootstrap` (``bootstrap_fit``: the row bootstrap of any estimator).
Estimators are imported lazily so that each module works on its own.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "EstimationResults",
    "bootstrap_fit",
    "fit_deterrence",
    "fit_signaling",
    "parse_formula",
]

_LAZY = {
    "fit_deterrence": "coercive.estimate.deterrence",
    "fit_signaling": "coercive.estimate.signaling",
    "EstimationResults": "coercive.estimate.results",
    "parse_formula": "coercive.estimate.formula",
    "bootstrap_fit": "coercive.estimate.bootstrap",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        try:
            module = importlib.import_module(_LAZY[name])
        except ModuleNotFoundError as error:
            if error.name != _LAZY[name]:
                raise  # a real missing dependency inside the module: show it
            raise AttributeError(f"coercive.estimate.{name} is not available ({error})") from None
        return getattr(module, name)
    raise AttributeError(f"module 'coercive.estimate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
