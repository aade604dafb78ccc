"""The Lewis–Schultz crisis signaling game, estimated by PL or NPL.

Crisman-Cox, C. and Gibilisco, M. (2021), *PSRM* 9(3) (R package sigInt 0.2.0); the game of
Lewis, J. B. and Schultz, K. A. (2003), *Political Analysis* 11:345–367. See
:func:`fit_signaling`.
"""

from __future__ import annotations

from coercive.estimate.signaling.intervals import predict_intervals
from coercive.estimate.signaling.model import SELECTION_RULES, fit_signaling, predict_equilibria

__all__ = ["SELECTION_RULES", "fit_signaling", "predict_equilibria", "predict_intervals"]
