"""The agent-error games with a logit link are agent logit QRE: check them against Gambit.

Gambit (pygambit 16.7) builds the same extensive-form trees and traces the logit QRE
correspondence of the agent form with ``pygambit.qre.logit_solve_lambda``; its ``lambda`` multiplies
the raw payoffs, so our ``scale`` is ``1 / lambda``. A returned profile is indexed by position
over the game's actions in ``game.actions`` order (player by player, information set by
information set); the test looks each action up by its label, so the mapping is explicit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from coercive.games.agent_error import AgentErrorDeterrenceGame, AgentErrorGame

pygambit = pytest.importorskip("pygambit")

LAMBDAS: list[float] = [0.05, 0.3, 1.0, 2.5, 7.0]
TOLERANCE = 1e-6


def _action_probabilities(game: pygambit.Game, lam: Sequence[float]) -> list[dict[str, float]]:
    """Gambit's agent logit QRE at each lambda, as {action label: probability}."""
    profiles = pygambit.qre.logit_solve_lambda(game, list(lam))
    labels = [action.label for action in game.actions]
    result = []
    for requested, profile in zip(lam, profiles, strict=True):
        # Gambit follows the branch numerically and stops within its tolerance of lambda.
        assert profile.lam == pytest.approx(requested, rel=1e-6)
        assert len(profile) == len(labels)
        result.append({label: float(profile[index]) for index, label in enumerate(labels)})
    return result


def _lewis_schultz_tree(payoffs: dict[str, float]) -> pygambit.Game:
    game = pygambit.Game.new_tree(players=["A", "B"], title="Lewis-Schultz crisis")
    game.append_move(game.root, "A", ["status_quo", "challenge"])
    challenged = game.root.children["challenge"]
    game.append_move(challenged, "B", ["concede", "resist"])
    resisted = challenged.children["resist"]
    game.append_move(resisted, "A", ["firm", "back_down"])
    outcomes = {
        "SQ": (game.root.children["status_quo"], [payoffs["SA"], 0]),
        "CD": (challenged.children["concede"], [payoffs["VA"], payoffs["CB"]]),
        "SF": (resisted.children["firm"], [payoffs["WA"], payoffs["WB"]]),
        "BD": (resisted.children["back_down"], [payoffs["a"], payoffs["VB"]]),
    }
    for label, (node, values) in outcomes.items():
        game.set_outcome(node, game.add_outcome(label, values))
    return game


def _deterrence_tree(utilities: dict[str, float]) -> pygambit.Game:
    game = pygambit.Game.new_tree(players=["1", "2"], title="deterrence")
    game.append_move(game.root, "1", ["status_quo", "escalate"])
    escalated = game.root.children["escalate"]
    game.append_move(escalated, "2", ["back_down", "fight"])
    outcomes = {
        "SQ": (game.root.children["status_quo"], [utilities["u11"], 0]),
        "BD": (escalated.children["back_down"], [utilities["u13"], 0]),
        "WAR": (escalated.children["fight"], [utilities["u14"], utilities["u24"]]),
    }
    for label, (node, values) in outcomes.items():
        game.set_outcome(node, game.add_outcome(label, values))
    return game


def _random_lewis_schultz(rng: np.random.Generator) -> dict[str, float]:
    # Rounded so the decimal payoffs Gambit stores are exactly the floats we solve with.
    draws = {
        "SA": rng.uniform(-1, 1),
        "VA": rng.uniform(0, 2),
        "CB": rng.uniform(-2, 1),
        "WA": rng.uniform(-3, 0),
        "WB": rng.uniform(-3, 0),
        "a": rng.uniform(-3, 0),
        "VB": rng.uniform(0, 2),
    }
    return {name: round(float(value), 6) for name, value in draws.items()}


PAYOFF_SETS: list[dict[str, float]] = [
    # The sigInt documentation example at x = 0, then random games, then one far from the origin
    # so a hidden payoff normalisation in either implementation would show.
    {"SA": 0.0, "VA": 1.0, "CB": 0.0, "WA": -1.9, "WB": -2.9, "a": -1.2, "VB": 1.0},
    *[_random_lewis_schultz(np.random.default_rng(seed)) for seed in range(6)],
    {"SA": 12.5, "VA": 20.0, "CB": -7.0, "WA": -30.0, "WB": -4.0, "a": 3.0, "VB": 9.0},
]


def test_lewis_schultz_matches_gambit_agent_qre() -> None:
    expected = [
        (payoffs, lam, profile)
        for payoffs in PAYOFF_SETS
        for lam, profile in zip(
            LAMBDAS, _action_probabilities(_lewis_schultz_tree(payoffs), LAMBDAS), strict=True
        )
    ]
    # All games at once, one row per (payoff set, lambda): the vectorised path is what we test.
    ours = AgentErrorGame(
        **{name: np.array([p[name] for p, _, _ in expected]) for name in PAYOFF_SETS[0]},
        link="logit",
        scale=np.array([1.0 / lam for _, lam, _ in expected]),
    ).solve()
    assert len(ours) == len(expected)
    for row, (_, _, gambit) in zip(ours.itertuples(), expected, strict=True):
        assert row.pC == pytest.approx(gambit["challenge"], abs=TOLERANCE)
        assert 1.0 - row.pC == pytest.approx(gambit["status_quo"], abs=TOLERANCE)
        assert row.pR == pytest.approx(gambit["resist"], abs=TOLERANCE)
        assert 1.0 - row.pR == pytest.approx(gambit["concede"], abs=TOLERANCE)
        assert row.pF == pytest.approx(gambit["firm"], abs=TOLERANCE)
        assert 1.0 - row.pF == pytest.approx(gambit["back_down"], abs=TOLERANCE)


def test_gambit_comparison_is_sensitive() -> None:
    """A wrong precision (lambda off by 10%) must fail the tolerance: the check has teeth."""
    payoffs = PAYOFF_SETS[1]
    (gambit,) = _action_probabilities(_lewis_schultz_tree(payoffs), [2.5])
    ours = AgentErrorGame(**payoffs, link="logit", scale=1.0 / 2.75).solve().iloc[0]
    worst = max(
        abs(ours.pC - gambit["challenge"]),
        abs(ours.pR - gambit["resist"]),
        abs(ours.pF - gambit["firm"]),
    )
    assert worst > 100 * TOLERANCE


DETERRENCE_SETS: list[dict[str, float]] = [
    {"u11": 0.0, "u13": 1.0, "u14": -1.0, "u24": 0.5},
    *[
        {
            name: round(float(value), 6)
            for name, value in zip(
                ("u11", "u13", "u14", "u24"),
                np.random.default_rng(100 + seed).uniform(-3, 3, size=4),
                strict=True,
            )
        }
        for seed in range(6)
    ],
    {"u11": -8.0, "u13": 15.0, "u14": -25.0, "u24": -6.0},
]


def test_deterrence_matches_gambit_agent_qre() -> None:
    expected = [
        (utilities, lam, profile)
        for utilities in DETERRENCE_SETS
        for lam, profile in zip(
            LAMBDAS, _action_probabilities(_deterrence_tree(utilities), LAMBDAS), strict=True
        )
    ]
    ours = AgentErrorDeterrenceGame(
        **{name: np.array([u[name] for u, _, _ in expected]) for name in DETERRENCE_SETS[0]},
        link="logit",
        scale=np.array([1.0 / lam for _, lam, _ in expected]),
    ).solve()
    assert len(ours) == len(expected)
    for row, (_, _, gambit) in zip(ours.itertuples(), expected, strict=True):
        assert row.p_escalate == pytest.approx(gambit["escalate"], abs=TOLERANCE)
        assert row.SQ == pytest.approx(gambit["status_quo"], abs=TOLERANCE)
        assert row.p_war == pytest.approx(gambit["fight"], abs=TOLERANCE)
        assert row.BD + row.WAR == pytest.approx(gambit["escalate"], abs=TOLERANCE)
