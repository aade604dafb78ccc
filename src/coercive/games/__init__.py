"""Game-theoretic models of coercion.

- :class:`CrisisGame` — the Lewis–Schultz crisis bargaining game with private
  information: every equilibrium of many games at once (:mod:`.lewis_schultz` holds the
  paper's equations; :mod:`._solve` the root finder).
"""

from __future__ import annotations

from coercive.games.crisis import PAYOFFS, SELECTIONS, CrisisGame

__all__ = ["CrisisGame", "PAYOFFS", "SELECTIONS"]
