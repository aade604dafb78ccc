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
* search: the log-spaced grid :data:`coercive.policy.library.DEFAULT_GRID`; the best grid
  point is stored, unrounded, **only if it is interior** (an optimum at a grid edge says
  only "further out": the data do not identify that constant).

Result on the current library: the optimum is (5.66 GDP-years, 64 stakes units), the
coercer spread at the grid's upper edge, with the likelihood nearly flat above 8. Applying
it would drown every coded threat in noise (credibility ≈ 50% in every case), and the
target spread alone, with the coercer's at its default, runs to its own upper edge (32).
Neither is an identified calibration, so nothing is applied: :data:`CALIBRATED` is empty
and every assessment uses the documented defaults of ``docs/model.md``.
``tests/test_cases.py`` re-runs the procedure and checks that it reproduces
:data:`CALIBRATED`; after recoding a case or changing the mapping, re-run
:func:`recalibrate` and paste its result here.

The module is imported whenever constants are read, so it imports nothing heavy.
"""

from __future__ import annotations

DRAWS = 400
"""Monte Carlo draws per case used by the calibration."""

CALIBRATED: dict[str, float] = {}
"""Calibrated values, read by :func:`coercive.policy.mapping.constants`."""


def recalibrate() -> dict[str, float]:
    """Re-run the calibration procedure above and return its result (takes a few seconds)."""
    from coercive.policy.library import calibrate

    return calibrate(draws=DRAWS)


__all__ = ["CALIBRATED", "DRAWS", "recalibrate"]
