"""Global mapping constants calibrated on the historical case library.

:func:`coercive.policy.mapping.constants` applies :data:`CALIBRATED` on top of the documented
defaults of :class:`coercive.policy.mapping.MappingConstants`; every case is assessed with
the same values (they are model constants, not case facts).

**Procedure** (:func:`recalibrate`, implemented in :func:`coercive.policy.library.calibrate`):

* constants calibrated: the resolve spreads of the two players
  (``target_resolve_spread``, GDP-years; ``coercer_resolve_spread``, stakes units), the
  scales of the probit-like choice rules of the Lewis–Schultz game (Lewis & Schultz 2003);
  all other constants keep their documented defaults;
* data: every bundled case with a success/failure outcome (``coercive cases list``), each
  solved with its own seed and :data:`DRAWS` Monte Carlo draws (common random numbers);
* criterion: the Bernoulli log-likelihood of the recorded outcomes under the model's mean
  compliance probability, ``sum_i y_i log p_i + (1 - y_i) log(1 - p_i)``;
* search: the log-spaced grid :data:`coercive.policy.library.DEFAULT_GRID` (spreads are
  scales); the best grid point is stored, unrounded.

The log-likelihood is nearly flat in ``coercer_resolve_spread`` above about 8, so that value
sits at the grid's upper end and is weakly identified: on the library, the coercer's
firmness barely responds to its coded payoffs. ``tests/test_cases.py`` re-runs the procedure
and checks that it reproduces these numbers; after recoding a case or changing the mapping,
re-run :func:`recalibrate` and paste its result here.

The module is imported whenever constants are read, so it imports nothing heavy.
"""

from __future__ import annotations

DRAWS = 400
"""Monte Carlo draws per case used by the calibration."""

CALIBRATED: dict[str, float] = {
    "target_resolve_spread": 5.656854249492381,  # 2 ** 2.5 GDP-years
    "coercer_resolve_spread": 64.0,  # 2 ** 6 stakes units: the grid's upper end (see above)
}
"""Calibrated values, read by :func:`coercive.policy.mapping.constants`."""


def recalibrate() -> dict[str, float]:
    """Re-run the calibration procedure above and return its result (takes a few seconds)."""
    from coercive.policy.library import calibrate

    return calibrate(draws=DRAWS)


__all__ = ["CALIBRATED", "DRAWS", "recalibrate"]
