"""Estimating coercion games from data.

``fit_deterrence`` — strategic probit/logit of the 3-outcome deterrence game (Signorino 2003,
*Political Analysis* 11:316–344; R package games' ``egame12``).
``fit_signaling`` — the Lewis–Schultz crisis signaling game by PL/NPL (Crisman-Cox &
Gibilisco 2021; R package sigInt), in :mod:`coercive.estimate.signaling`.
``fit_egame122``, ``fit_egame123``, ``fit_ultimatum`` — the rest of R's games 1.1.2 (Kenkel &
Signorino 2014), each in its folder; ``vuong``/``clarke`` non-nested tests
(:mod:`~coercive.estimate.compare`); ``profile_likelihood`` (``profile`` in
:mod:`~coercive.estimate.profile`; the package attribute ``profile`` is that submodule);
the shared engine of these models is
:mod:`~coercive.estimate.strategic`.

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
    "clarke",
    "fit_deterrence",
    "fit_egame122",
    "fit_egame123",
    "fit_signaling",
    "fit_ultimatum",
    "parse_formula",
    "profile_likelihood",
    "vuong",
]

_LAZY = {
    "fit_deterrence": "coercive.estimate.deterrence",
    "fit_signaling": "coercive.estimate.signaling",
    "fit_egame122": "coercive.estimate.egame122",
    "fit_egame123": "coercive.estimate.egame123",
    "fit_ultimatum": "coercive.estimate.ultimatum",
    "vuong": "coercive.estimate.compare",
    "clarke": "coercive.estimate.compare",
    "profile_likelihood": "coercive.estimate.profile",
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
        return getattr(module, "profile" if name == "profile_likelihood" else name)
    raise AttributeError(f"module 'coercive.estimate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
