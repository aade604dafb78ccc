"""Numba ufuncs built on first call, so that importing the engine stays cheap.

``numba.vectorize`` with explicit signatures compiles (or loads its cache) when the module
is imported; the CLI would pay for every ufunc of the package at start-up even when it
only solves games. :func:`lazy_vectorize` defers that to the first call.

Importing this module (the engine modules do so before their first ``@njit(cache=True)``)
also makes sure numba has somewhere to write its cache: with a read-only install and a
read-only (or missing) HOME, numba refuses to define any cached function ("cannot cache
function 'ndtr'"), which would kill every engine command. Then a private directory under
the system's temporary directory is used instead, with a one-line warning.
"""

from __future__ import annotations

import functools
import os
import stat
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


class NumbaCacheWarning(UserWarning):
    """numba's usual cache directories are not writable; another one is used."""


def _writable(directory: str | os.PathLike[str]) -> bool:
    """numba's own test for a cache directory: it can be created and written to."""
    try:
        os.makedirs(directory, exist_ok=True)
        tempfile.TemporaryFile(dir=directory).close()
    except OSError:
        return False
    return True


def _private_cache() -> Path | None:
    """A cache directory only this user can write (others could plant compiled code)."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = Path(tempfile.gettempdir()) / f"coercive-numba-cache-{uid}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = path.lstat()
        owned = not hasattr(os, "getuid") or info.st_uid == uid
        if stat.S_ISDIR(info.st_mode) and owned and not info.st_mode & 0o022 and _writable(path):
            return path
        return Path(tempfile.mkdtemp(prefix="coercive-numba-cache-"))
    except OSError:
        return None


def ensure_numba_cache() -> str | None:
    """Point numba at a writable cache when none of its own is; return the directory used.

    numba tries, in order, ``NUMBA_CACHE_DIR``, the package's ``__pycache__`` and the
    user-wide cache (``$XDG_CACHE_HOME/numba`` or ``~/.cache/numba``).
    """
    from numba.core import config
    from numba.misc.appdirs import AppDirs

    candidates = [config.CACHE_DIR] if config.CACHE_DIR else []
    candidates.append(str(Path(__file__).resolve().parent / "__pycache__"))
    try:
        candidates.append(AppDirs(appname="numba", appauthor=False).user_cache_dir)
    except (KeyError, OSError, RuntimeError):  # no home directory to expand
        pass
    if any(_writable(directory) for directory in candidates):
        return None
    fallback = _private_cache()
    if fallback is None:
        warnings.warn(
            "numba cannot write a cache anywhere (package, home and temporary directories "
            "are read-only); set NUMBA_CACHE_DIR to a writable directory",
            NumbaCacheWarning,
            stacklevel=2,
        )
        return None
    config.CACHE_DIR = str(fallback)
    warnings.warn(
        f"numba's cache directories are read-only; compiled kernels are cached in {fallback} "
        "(set NUMBA_CACHE_DIR to choose another)",
        NumbaCacheWarning,
        stacklevel=2,
    )
    return str(fallback)


ensure_numba_cache()


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
