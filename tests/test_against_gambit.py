"""The agent-error games with a logit link are agent logit QRE: check them against Gambit.

Gambit traces the logit QRE correspondence of the agent form with
``pygambit.qre.logit_solve_lambda``; its ``lambda`` multiplies the raw payoffs, so our
``scale`` is ``1 / lambda``. Its answers for 8 payoff sets x 5 lambdas per game are committed
in ``tests/fixtures/gambit/`` (written by ``tests/fixtures/make_gambit.py``, which records the
pygambit version), so these checks always run; when pygambit is importable, the same trees are
also solved live and compared.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coercive.games.agent_error import AgentErrorDeterrenceGame, AgentErrorGame

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TOLERANCE = 1e-6
LEWIS_SCHULTZ = ("SA", "VA", "CB", "WA", "WB", "a", "VB")
DETERRENCE = ("u11", "u13", "u14", "u24")


def _fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / "gambit" / f"{name}.json").read_text(encoding="utf-8"))


def _generator() -> Any:
    """tests/fixtures/make_gambit.py as a module (it builds the trees for the live check)."""
    spec = importlib.util.spec_from_file_location("make_gambit", FIXTURES / "make_gambit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lewis_schultz_solution(cases: list[dict[str, Any]], scale_factor: float = 1.0) -> Any:
    # All games at once, one row per (payoff set, lambda): the vectorised path is what we test.
    return AgentErrorGame(
        **{name: np.array([case["payoffs"][name] for case in cases]) for name in LEWIS_SCHULTZ},
        link="logit",
        scale=np.array([1.0 / (scale_factor * case["lambda"]) for case in cases]),
    ).solve()


def _assert_lewis_schultz(cases: list[dict[str, Any]]) -> None:
    ours = _lewis_schultz_solution(cases)
    assert len(ours) == len(cases)
    for row, case in zip(ours.itertuples(), cases, strict=True):
        gambit = case["profile"]
        assert row.pC == pytest.approx(gambit["challenge"], abs=TOLERANCE)
        assert 1.0 - row.pC == pytest.approx(gambit["status_quo"], abs=TOLERANCE)
        assert row.pR == pytest.approx(gambit["resist"], abs=TOLERANCE)
        assert 1.0 - row.pR == pytest.approx(gambit["concede"], abs=TOLERANCE)
        assert row.pF == pytest.approx(gambit["firm"], abs=TOLERANCE)
        assert 1.0 - row.pF == pytest.approx(gambit["back_down"], abs=TOLERANCE)


def _assert_deterrence(cases: list[dict[str, Any]]) -> None:
    ours = AgentErrorDeterrenceGame(
        **{name: np.array([case["payoffs"][name] for case in cases]) for name in DETERRENCE},
        link="logit",
        scale=np.array([1.0 / case["lambda"] for case in cases]),
    ).solve()
    assert len(ours) == len(cases)
    for row, case in zip(ours.itertuples(), cases, strict=True):
        gambit = case["profile"]
        assert row.p_escalate == pytest.approx(gambit["escalate"], abs=TOLERANCE)
        assert row.SQ == pytest.approx(gambit["status_quo"], abs=TOLERANCE)
        assert row.p_war == pytest.approx(gambit["fight"], abs=TOLERANCE)
        assert row.BD + row.WAR == pytest.approx(gambit["escalate"], abs=TOLERANCE)


def test_fixtures_cover_the_generator_and_record_gambit() -> None:
    """The committed files hold every (payoff set, lambda) the generator defines."""
    generator = _generator()
    for name, sets in (
        ("lewis_schultz", generator.LEWIS_SCHULTZ_SETS),
        ("deterrence", generator.DETERRENCE_SETS),
    ):
        fixture = _fixture(name)
        assert fixture["pygambit"]
        expected = [(payoffs, lam) for payoffs in sets for lam in generator.LAMBDAS]
        assert [(case["payoffs"], case["lambda"]) for case in fixture["cases"]] == expected
        for case in fixture["cases"]:
            assert sum(case["profile"].values()) == pytest.approx(len(case["profile"]) / 2)


def test_lewis_schultz_matches_gambit_fixtures() -> None:
    _assert_lewis_schultz(_fixture("lewis_schultz")["cases"])


def test_deterrence_matches_gambit_fixtures() -> None:
    _assert_deterrence(_fixture("deterrence")["cases"])


def test_gambit_comparison_is_sensitive() -> None:
    """A wrong precision (lambda off by 10%) must fail the tolerance: the check has teeth."""
    cases = [case for case in _fixture("lewis_schultz")["cases"] if case["lambda"] == 2.5][1:2]
    ours = _lewis_schultz_solution(cases, scale_factor=1.1).iloc[0]
    gambit = cases[0]["profile"]
    worst = max(
        abs(ours.pC - gambit["challenge"]),
        abs(ours.pR - gambit["resist"]),
        abs(ours.pF - gambit["firm"]),
    )
    assert worst > 100 * TOLERANCE


@pytest.mark.parametrize("name", ["lewis_schultz", "deterrence"])
def test_live_gambit_agrees(name: str) -> None:
    """With pygambit installed (the optional ``gambit`` extra), recompute and compare live."""
    pygambit = pytest.importorskip("pygambit")
    generator = _generator()
    sets, tree, players = {
        "lewis_schultz": (generator.LEWIS_SCHULTZ_SETS, generator.lewis_schultz_efg, ("A", "B")),
        "deterrence": (generator.DETERRENCE_SETS, generator.deterrence_efg, ("1", "2")),
    }[name]
    cases = [
        {"payoffs": payoffs, "lambda": lam, "profile": profile}
        for payoffs in sets
        for lam, profile in zip(
            generator.LAMBDAS,
            generator.action_probabilities(pygambit, tree(payoffs), players, generator.LAMBDAS),
            strict=True,
        )
    ]
    (_assert_lewis_schultz if name == "lewis_schultz" else _assert_deterrence)(cases)
