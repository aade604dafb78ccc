"""coercive: coercive diplomacy, computable.

The core object is the Lewis–Schultz crisis game (:class:`coercive.games.CrisisGame`);
estimation lives in :mod:`coercive.estimate`, the coercive-diplomacy model in
:mod:`coercive.policy`. Submodules are imported lazily so the CLI starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
__all__ = ["CrisisGame", "games", "estimate", "policy", "datasets", "__version__"]

_SUBMODULES = {"games", "estimate", "policy", "datasets"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"coercive.{name}")
    if name == "CrisisGame":
        from coercive.games import CrisisGame

        return CrisisGame
    raise AttributeError(f"module 'coercive' has no attribute {name!r}")
