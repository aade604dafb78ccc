"""The coercive-diplomacy model: a campaign's instruments -> Lewis–Schultz game -> assessment.

``load_scenario`` reads and validates a scenario (:mod:`coercive.policy.scenario`),
:mod:`coercive.policy.mapping` turns it into payoffs of :class:`coercive.games.CrisisGame`,
:mod:`coercive.policy.montecarlo` propagates uncertain inputs, and
:func:`coercive.policy.assess.assess` returns the assessment with Jakobsen's four conditions
(:mod:`coercive.policy.scorecard`)::

    from coercive.policy.assess import assess
    result = assess("dprk-2017", ["instruments.assurance.credibility=0.9"])
    result.to_dict()["compliance"]

(``coercive.policy.assess`` is the module; import the function from it.) Submodules are
imported lazily so the CLI starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "load_scenario",
    "Scenario",
    "json_schema",
    "payoffs",
    "scenario_inputs",
    "default_constants",
    "load_constants",
    "AllConstants",
    "validate",
]

_LAZY = {
    "load_scenario": ("coercive.policy.loader", "load_scenario"),
    "Scenario": ("coercive.policy.scenario", "Scenario"),
    "json_schema": ("coercive.policy.scenario", "json_schema"),
    # the mapping's vectorized entry point and its constants (docs/mapping-api.md)
    "payoffs": ("coercive.policy.mapping", "payoffs"),
    "scenario_inputs": ("coercive.policy.mapping", "scenario_inputs"),
    "default_constants": ("coercive.policy.constants", "default_constants"),
    # issue 7 §2: coercive.policy.validate(train=..., test=...) on TIES rows
    "validate": ("coercive.policy.validation", "validate"),
    "load_constants": ("coercive.policy.constants", "load_constants"),
    "AllConstants": ("coercive.policy.constants", "AllConstants"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'coercive.policy' has no attribute {name!r}")
