"""Errors for bad user input.

Library calls raise these (they *are* ``ValueError`` / ``TypeError``, so callers can
catch the builtin types); the CLI catches exactly these and prints their one-line
message with exit status 2, so a bug elsewhere still shows its traceback.

Every message is one line of at most :data:`MAX_MESSAGE` characters: user text can hold
newlines, and an echoed value can be arbitrarily large (a YAML alias bomb expands a 1.6 KB
file to gigabytes), so values are shown through :func:`shown` and the message itself is
collapsed and capped when the error is made.
"""

from __future__ import annotations

import reprlib

import numpy as np

#: The longest message an input error carries (a terminal line or two).
MAX_MESSAGE = 300
#: The longest echo of a user's value inside a message.
MAX_SHOWN = 80

_REPR = reprlib.Repr()
# reprlib bounds the work as well as the text: a container is cut after a few items, so a
# value with 10^9 nested references is never walked to be shown.
_REPR.maxlevel = 3
_REPR.maxdict = _REPR.maxlist = _REPR.maxtuple = _REPR.maxset = 4
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = MAX_SHOWN


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """``repr(value)`` on one line and at most ``limit`` characters (cut with '...')."""
    try:
        if isinstance(value, np.ndarray) and value.size > 8:
            text = f"array(shape={value.shape}, dtype={value.dtype})"
        else:
            text = _REPR.repr(value)
    except Exception:  # a hostile __repr__ must not replace the message being built
        text = f"<{type(value).__name__}>"
    return one_line(text, limit)


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """Collapse whitespace (newlines included) and cut to ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _OneLine:
    """Mixin: the message is collapsed to one line and capped at MAX_MESSAGE characters."""

    def __init__(self, message: object = "", *args: object) -> None:
        super().__init__(one_line(str(message)), *args)  # type: ignore[call-arg]


class InputError(_OneLine, ValueError):
    """A value given by the user is invalid; the message names it and what is allowed."""


class InputTypeError(_OneLine, TypeError):
    """A value given by the user has the wrong type; the message names it."""


def finite_array(name: str, value: object) -> np.ndarray:
    """Return ``value`` as a float array, refusing non-numbers, NaN and inf by name."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InputTypeError(
            f"{name}: expected a number or array of numbers, got {shown(value)}"
        ) from None
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name}: must be finite (got NaN or inf)")
    return arr


def warn_caller(message: str, category: type[Warning] = RuntimeWarning) -> None:
    """``warnings.warn`` attributed to the first frame outside this package: the user's
    line that called the library, however deep inside the package the warning arose
    (a fixed ``stacklevel`` names a library line as soon as a helper is added between)."""
    import sys
    import warnings
    from pathlib import Path

    package = str(Path(__file__).resolve().parent)
    # stacklevel 1 is this function's own frame, 2 its caller's: the walk starts there.
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
