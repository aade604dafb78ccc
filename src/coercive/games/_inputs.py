"""Strict numeric input for the crisis-game engine: real numbers only, said in one line.

``np.asarray(value, dtype=float)`` accepts far too much: ``"0.5"`` and ``b"1"`` parse,
``True`` is 1, a complex number loses its imaginary part (with only a warning), a masked
array drops its mask, a datetime64 becomes its tick count, and ``10**400`` raises a bare
``OverflowError``. The engine takes none of these: it wants real numbers, and says which
argument was wrong and what is allowed, quoting at most a short prefix of the value.
"""

from __future__ import annotations

import numbers

import numpy as np

from coercive._errors import InputError, InputTypeError

# Longest excerpt of a user's value quoted in a message (a 200,001-element array would
# otherwise be echoed in full).
_QUOTE = 80

# The engine's documented range: every payoff at most this many σ in absolute value.
# Beyond about 1e154 σ the squares of standardized payoffs overflow in the normal
# tails; 1e150 keeps a margin (certification runs: docs/engine.md).
MAX_PAYOFF_SIGMA_RATIO = 1e150
PAYOFFS = ("SA", "VA", "CB", "WA", "WB", "a", "VB")


def quote(value: object) -> str:
    """``repr(value)``, cut to a short prefix for messages."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"<{type(value).__name__}>"
    return text if len(text) <= _QUOTE else text[: _QUOTE - 1] + "…"


def _describe(value: object) -> str:
    shape = getattr(value, "shape", None)
    if shape is not None and np.ndim(value) > 0:
        return f"an array of shape {tuple(shape)}"
    return quote(value)


def real_array(name: str, value: object) -> np.ndarray:
    """``value`` as a float array of finite real numbers, or one clear error naming ``name``.

    Accepted: Python ints and floats (not bools), numpy integer and float scalars/arrays,
    and sequences or pandas objects of them. Refused with :class:`InputTypeError`:
    strings, bytes, bools, complex numbers, datetimes, masked arrays with masked
    entries, and anything else; with :class:`InputError`: NaN, ±inf and integers
    too large for a float.
    """
    if isinstance(value, np.ma.MaskedArray):
        if np.ma.getmaskarray(value).any():
            raise InputTypeError(f"{name}: masked entries are not allowed (fill or drop them)")
        value = np.ma.getdata(value)
    if isinstance(value, (str, bytes, bytearray, bool, np.bool_)):
        raise InputTypeError(f"{name}: expected a real number or array of them, got {quote(value)}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        arr = None
    if arr is not None and arr.dtype.kind == "O":
        converted = _from_objects(name, arr)
        if converted is None:
            raise InputTypeError(
                f"{name}: expected a real number or array of them, got {_describe(value)} "
                "(not a real number)"
            )
        arr = converted
    if arr is None or arr.dtype.kind not in "iuf":
        kind = "no array" if arr is None else f"dtype {arr.dtype}"
        raise InputTypeError(
            f"{name}: expected a real number or array of them, got {_describe(value)} ({kind})"
        )
    arr = arr.astype(float)  # numpy integers always fit
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name}: must be finite (got NaN or inf)")
    return arr


def check_range(*arrays: np.ndarray) -> None:
    """Refuse games outside the engine's documented range, |payoff| <= 1e150·σ.

    ``arrays`` are the seven payoffs and σ (broadcastable). The engine works in
    units of σ; past this ratio squares of standardized payoffs overflow, and no answer
    it could give would be certified.
    """
    *payoffs, sigma = np.broadcast_arrays(*arrays)
    sigma = sigma.reshape(-1)
    if sigma.size == 0:
        return
    with np.errstate(over="ignore"):  # σ > 1.8e158: the limit is +inf, rightly
        limit = MAX_PAYOFF_SIGMA_RATIO * sigma
    for name, values in zip(PAYOFFS, payoffs, strict=True):
        values = values.reshape(-1)
        outside = np.abs(values) > limit
        if outside.any():
            i = int(np.flatnonzero(outside)[0])
            raise InputError(
                f"{name}: |{name}|/sigma must be at most {MAX_PAYOFF_SIGMA_RATIO:.0e} "
                f"(the engine's range); game {i} has {name} = {quote(float(values[i]))} "
                f"with sigma = {quote(float(sigma[i]))}"
                + (f" ({int(outside.sum())} games outside)" if outside.sum() > 1 else "")
            )


def _from_objects(name: str, arr: np.ndarray) -> np.ndarray | None:
    # An object array (Python ints beyond int64, Fractions, Decimals, mixed lists):
    # take only real, non-boolean numbers, one by one.
    out = np.empty(arr.shape, dtype=float)
    flat = out.reshape(-1)
    for i, item in enumerate(arr.reshape(-1)):
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Real):
            return None
        try:
            flat[i] = float(item)
        except OverflowError:
            raise InputError(
                f"{name}: {quote(item)} is too large for a floating-point number "
                "(at most about 1.8e308)"
            ) from None
    return out
