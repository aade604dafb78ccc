"""The statistical ultimatum game (Ramsay & Signorino; games' ``ultimatum``); see :mod:`.model`."""

from __future__ import annotations

from coercive.estimate.ultimatum.model import fit_ultimatum, row_loglik

__all__ = ["fit_ultimatum", "row_loglik"]
