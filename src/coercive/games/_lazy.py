"""Numba ufuncs built on first call, so that importing the engine stays cheap.

``numba.vectorize`` with explicit signatures compiles (or loads its cache) when the module
is imported; the CLI would pay for every ufunc of the package at start-up even when it
only solves games. :func:`lazy_vectorize` defers that to the first call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np


class LazyUfunc:
    """Callable stand-in for ``numba.vectorize(signatures, cache=True)(function)``."""

    def __init__(self, signatures: list[str], function: Callable[..., float]) -> None:
        self._signatures = signatures
        self._function = function
        self._ufunc: np.ufunc | None = None
        functools.update_wrapper(self, function)

    @property
    def ufunc(self) -> np.ufunc:
        if self._ufunc is None:
            from numba import vectorize

            self._ufunc = vectorize(self._signatures, cache=True)(self._function)
        return self._ufunc

    def __call__(self, *args: Any) -> Any:
        return self.ufunc(*args)


def lazy_vectorize(signatures: list[str]) -> Callable[[Callable[..., float]], LazyUfunc]:
    """Decorator: like ``numba.vectorize(signatures, cache=True)``, compiled on first call."""

    def wrap(function: Callable[..., float]) -> LazyUfunc:
        return LazyUfunc(signatures, function)

    return wrap
