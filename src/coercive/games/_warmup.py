"""Compile the equilibrium solver on a background thread while a command does other work.

The first ``coercive assess`` after install spends most of its time compiling the solver
(numba, cached for every later run). A command that will solve crisis games calls
:func:`start_solver_warmup` before it reads its input: the thread solves one game, which
compiles :func:`coercive.games._solve.solve_many`'s kernel for exactly the argument types
every caller uses (``solve_many`` normalizes them), or loads it from the cache. Meanwhile the
main thread imports pandas and SALib, reads and validates the scenario and draws its
samples. numba's front end holds the GIL, but LLVM's optimization and code generation, about
half of the compile, do not, so the two overlap; on a warm cache the thread loads the
kernel while the scenario is read.

The thread is a daemon: a command that fails on its input exits at once, without waiting
for a compile it no longer needs (numba writes each cache file by an atomic rename, so a
compile cut short leaves no partial file). An error in the thread is not reported there:
the main thread's own call to the solver makes the same compile and raises it with its
context.
"""

from __future__ import annotations

import threading

_thread: threading.Thread | None = None
_lock = threading.Lock()


def start_solver_warmup() -> threading.Thread:
    """Start compiling (or loading) the solver on a daemon thread, once per process."""
    global _thread
    # Imported here, on the caller's thread, so that the background thread imports
    # nothing: two threads importing at once could each wait for a module the other holds.
    from coercive.games import _solve

    with _lock:
        if _thread is None:
            _thread = threading.Thread(
                target=_solve_one_game, args=(_solve,), name="coercive-solver-warmup", daemon=True
            )
            _thread.start()
        return _thread


def _solve_one_game(solve) -> None:  # noqa: ANN001
    import numpy as np

    one = np.ones(1)
    try:
        # Any game compiles the whole kernel; this one (SA = 0, VA = 1, …) has one root.
        solve.solve_many(0.0 * one, one, 0.0 * one, -one, -one, -one, one, one)
    except Exception:  # noqa: BLE001 - the main thread's own call raises it, with context
        pass
