"""Strategic probit/logit of the 3-outcome deterrence game (Signorino 2003; games' egame12).

See :mod:`coercive.estimate.deterrence.model` for the likelihood and conventions.
"""

from __future__ import annotations

from coercive.estimate.deterrence.model import DeterrenceModel, fit_deterrence

__all__ = ["DeterrenceModel", "fit_deterrence"]
