"""What decides the answer: Sobol sensitivity of a campaign's compliance and binding condition.

``sensitivity("dprk-2017")`` -> :class:`SensitivityResult` (``to_frame()``, ``plot()``,
``to_json()``); ``top_inputs(scenario, k=3)`` names the inputs that matter most. Builds on
:mod:`coercive.policy` only (nothing there imports this package).
"""

from coercive.sensitivity.analysis import (
    DEFAULT_SAMPLES,
    SensitivityResult,
    sensitivity,
    top_inputs,
)
from coercive.sensitivity.factors import Factor, FactorSet, build_factors
from coercive.sensitivity.recoding import FlipSearch, Recoding, smallest_flip

__all__ = [
    "DEFAULT_SAMPLES",
    "SensitivityResult",
    "sensitivity",
    "top_inputs",
    "Factor",
    "FactorSet",
    "build_factors",
    "FlipSearch",
    "Recoding",
    "smallest_flip",
]
