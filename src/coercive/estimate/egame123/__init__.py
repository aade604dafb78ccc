"""Three players, four outcomes (games' ``egame123``); see :mod:`.model`."""

from __future__ import annotations

from coercive.estimate.egame123.model import fit_egame123, row_loglik

__all__ = ["fit_egame123", "row_loglik"]
