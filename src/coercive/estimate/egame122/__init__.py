"""Two players, two moves each, four outcomes (games' ``egame122``); see :mod:`.model`."""

from __future__ import annotations

from coercive.estimate.egame122.model import fit_egame122, row_loglik

__all__ = ["fit_egame122", "row_loglik"]
