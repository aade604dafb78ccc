"""Game-theoretic models of coercion.

- :class:`CrisisGame` — the Lewis–Schultz crisis bargaining game with private
  information: every equilibrium of many games at once (:mod:`.lewis_schultz` holds the
  paper's equations, :mod:`._solve` the root finder).
- :class:`AgentErrorGame`, :class:`AgentErrorDeterrenceGame` — the same trees with
  per-action errors (agent quantal response equilibria), in :mod:`.agent_error`.
- :func:`sweep`, :func:`plot_branches` — comparative statics, in :mod:`.statics`.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "PAYOFFS",
    "SELECTIONS",
    "AgentErrorDeterrenceGame",
    "AgentErrorGame",
    "CrisisGame",
    "plot_branches",
    "sweep",
]

# Imported on first use (PEP 562): ``coercive.games._solve`` is imported by commands that
# start compiling the solver at once (coercive.games._warmup), and importing this package
# must not first cost them pandas, which coercive.games.crisis needs.
_LAZY = {
    "PAYOFFS": "coercive.games.crisis",
    "SELECTIONS": "coercive.games.crisis",
    "CrisisGame": "coercive.games.crisis",
    "AgentErrorGame": "coercive.games.agent_error",
    "AgentErrorDeterrenceGame": "coercive.games.agent_error",
    "sweep": "coercive.games.statics",
    "plot_branches": "coercive.games.statics",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'coercive.games' has no attribute {name!r}")
