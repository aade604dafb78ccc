"""Errors for bad user input.

Library calls raise these (they *are* ``ValueError`` / ``TypeError``, so callers can
catch the builtin types); the CLI catches exactly these and prints their one-line
message with exit status 2, so a bug elsewhere still shows its traceback.
"""

from __future__ import annotations

import numpy as np


class InputError(ValueError):
    """A value given by the user is invalid; the message names it and what is allowed."""


class InputTypeError(TypeError):
    """A value given by the user has the wrong type; the message names it."""


def finite_array(name: str, value: object) -> np.ndarray:
    """Return ``value`` as a float array, refusing non-numbers, NaN and inf by name."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputTypeError(
            f"{name}: expected a number or array of numbers, got {value!r}"
        ) from None
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name}: must be finite (got NaN or inf)")
    return arr
