"""Helpers shared by several test files (imported as ``_helpers``: pytest puts tests/ on the path).

Each builds inputs or states a check the same way for every file that uses it; the tests
keep their own numbers (sizes, spreads, seeds) and assertions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from coercive.policy.loader import _is_model, _strip
from coercive.policy.mapping import INPUTS

PARTY_INPUTS = ("party_trade", "party_weight", "party_ties", "party_exposure", "party_stake")
"""The mapping inputs with one column per third party."""


def schema_paths(model: type, list_item: str, prefix: str = "") -> list[str]:
    """Every field path of a pydantic ``model``, nested models and list items included
    (``list_item`` follows a list field's name for its items, e.g. ``.0`` or ``[i]``);
    distributions are leaves."""
    paths = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        core = _strip(info.annotation)
        paths.append(path)
        if _is_model(core) and core.__name__ != "Distribution":
            paths.extend(schema_paths(core, list_item, f"{path}."))
        elif getattr(core, "__origin__", None) is list and _is_model(_strip(core.__args__[0])):
            paths.extend(schema_paths(_strip(core.__args__[0]), list_item, f"{path}{list_item}."))
    return paths


def flat_mapping_inputs(
    draws: int, drawn: dict[str, np.ndarray], fixed: dict[str, float]
) -> dict[str, np.ndarray]:
    """A synthetic scenario as mapping inputs: every input 0 over ``draws`` draws, then the
    ``drawn`` ones, no third parties, then the ``fixed`` values on every draw."""
    inputs = {name: np.zeros(draws) for name in INPUTS}
    inputs.update(drawn)
    for party in PARTY_INPUTS:
        inputs[party] = np.zeros((draws, 0))
    inputs.update({k: np.full(draws, v) for k, v in fixed.items()})
    return inputs


def ultimatum_rows_data(
    rng: np.random.Generator, n: int, at_min: int, at_max: int, payoff_sd: float, scale_sd: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(offer, position, accept, utilities)`` for the ultimatum row functions on offers in
    [0, 15]: the first ``at_min`` offers at 0 and the next ``at_max`` at 15 (the boundary
    rows), random acceptances, and utilities ``(R1, R2, log s1, log s2)`` around (4, 9, 1.2,
    0) with spreads ``payoff_sd`` (reservation values) and ``scale_sd`` (log scales)."""
    offer = rng.uniform(0, 15, n)
    offer[:at_min], offer[at_min : at_min + at_max] = 0.0, 15.0
    position = np.where(offer <= 0, -1, np.where(offer >= 15, 1, 0))
    accept = rng.integers(0, 2, n).astype(float)
    utilities = np.vstack(
        [
            rng.normal(4, payoff_sd, n),
            rng.normal(9, payoff_sd, n),
            rng.normal(1.2, scale_sd, n),
            rng.normal(0, scale_sd, n),
        ]
    )
    return offer, position, accept, utilities


def assert_batch_is_each_alone(evaluator: Any, candidates: np.ndarray) -> None:
    """One batched ``evaluator.evaluate`` gives each candidate (row) exactly what evaluating
    it alone gives: compliance and cost to 1e-12."""
    batched = evaluator.evaluate(candidates)
    for i in range(len(candidates)):
        alone = evaluator.evaluate(candidates[i : i + 1])
        assert alone.compliance[0] == pytest.approx(batched.compliance[i], abs=1e-12)
        assert alone.cost[0] == pytest.approx(batched.cost[i], abs=1e-12)


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``coercive ARGV`` in this process through :func:`coercive.cli.main` (the entry
    point's own error handling: one stderr line, exit status 2); return (status, stdout,
    stderr). Interpreter start-up is left to the few tests that run a real process."""
    from coercive.cli import main
    from coercive.games._warmup import start_solver_warmup

    # Commands that solve games start the solver's warm-up thread; here it is started and
    # joined first, so that no compile runs beside the command while pytest swaps the
    # captured streams between tests (once in four suite runs an in-process assess lost its
    # error line from the captured stderr, never seen in a real process; the real-process
    # tests keep the thread running beside the command).
    start_solver_warmup().join()
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), out, err
