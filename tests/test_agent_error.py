"""Properties of the agent-error crisis games (coercive.games.agent_error)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from coercive._errors import InputError, InputTypeError
from coercive.games.agent_error import (
    AgentErrorDeterrenceGame,
    AgentErrorGame,
    choice_probability,
)

PAYOFF_NAMES = ("SA", "VA", "CB", "WA", "WB", "a", "VB")
ACTIONS = ("pC", "pR", "pF")
OUTCOMES = ("SQ", "CD", "SF", "BD")

payoff = st.floats(min_value=-50.0, max_value=50.0, allow_nan=False)
payoffs = st.fixed_dictionaries({name: payoff for name in PAYOFF_NAMES})
links = st.sampled_from(["logit", "probit"])
scales = st.floats(min_value=1e-3, max_value=1e3)


def _solve(values: dict[str, float], link: str, scale: float) -> dict[str, float]:
    row = AgentErrorGame(**values, link=link, scale=scale).solve().iloc[0]
    return {name: float(row[name]) for name in (*ACTIONS, *OUTCOMES)}


@settings(max_examples=300, deadline=None)
@given(values=payoffs, link=links, scale=scales)
def test_probabilities_are_probabilities(values: dict[str, float], link: str, scale: float) -> None:
    solution = _solve(values, link, scale)
    for name, probability in solution.items():
        assert math.isfinite(probability), name
        assert 0.0 <= probability <= 1.0, name
    assert sum(solution[name] for name in OUTCOMES) == pytest.approx(1.0, abs=1e-12)
    # The outcome shares factor into the action probabilities.
    assert solution["SQ"] == pytest.approx(1.0 - solution["pC"], abs=1e-12)
    assert solution["SF"] == pytest.approx(
        solution["pC"] * solution["pR"] * solution["pF"], abs=1e-12
    )


# (payoff, action probability it raises (+1) or lowers (-1)): a player's own payoff of an action.
OWN_PAYOFF_EFFECTS = [
    ("WA", "pF", +1),
    ("a", "pF", -1),
    ("WB", "pR", +1),
    ("VB", "pR", +1),
    ("CB", "pR", -1),
    ("VA", "pC", +1),
    ("SA", "pC", -1),
]


@settings(max_examples=200, deadline=None)
@given(
    values=payoffs,
    link=links,
    scale=st.floats(min_value=0.05, max_value=20.0),
    effect=st.sampled_from(OWN_PAYOFF_EFFECTS),
    raise_by=st.floats(min_value=1e-3, max_value=10.0),
)
def test_monotone_in_own_payoffs(
    values: dict[str, float],
    link: str,
    scale: float,
    effect: tuple[str, str, int],
    raise_by: float,
) -> None:
    name, action, sign = effect
    before = _solve(values, link, scale)[action]
    after = _solve({**values, name: values[name] + raise_by}, link, scale)[action]
    assert sign * (after - before) >= -1e-15


def test_monotone_strictly_on_an_interior_game() -> None:
    """Away from saturation the effects above are strict, not merely weak."""
    base = {"SA": 0.0, "VA": 1.0, "CB": 0.0, "WA": -1.9, "WB": -2.9, "a": -1.2, "VB": 1.0}
    for link in ("logit", "probit"):
        for name, action, sign in OWN_PAYOFF_EFFECTS:
            before = _solve(base, link, 1.0)[action]
            after = _solve({**base, name: base[name] + 0.1}, link, 1.0)[action]
            assert sign * (after - before) > 1e-4, (link, name)


@settings(max_examples=100, deadline=None)
@given(values=payoffs, link=links)
def test_large_scale_is_uniform_choice(values: dict[str, float], link: str) -> None:
    solution = _solve(values, link, 1e9)
    for action in ACTIONS:
        assert solution[action] == pytest.approx(0.5, abs=1e-6)


def _subgame_perfect(values: dict[str, float]) -> dict[str, float]:
    """Pure best responses by backward induction (ties excluded by the caller)."""
    firm = 1.0 if values["WA"] > values["a"] else 0.0
    resist_value = firm * values["WB"] + (1 - firm) * values["VB"]
    resist = 1.0 if resist_value > values["CB"] else 0.0
    challenge_value = (1 - resist) * values["VA"] + resist * (
        firm * values["WA"] + (1 - firm) * values["a"]
    )
    challenge = 1.0 if challenge_value > values["SA"] else 0.0
    return {"pC": challenge, "pR": resist, "pF": firm}


@settings(max_examples=200, deadline=None)
@given(values=payoffs, link=links)
def test_small_scale_is_best_response(values: dict[str, float], link: str) -> None:
    # Keep every decision at least 0.05 from indifference, so the limit is a pure choice.
    firm = values["WA"] > values["a"]
    assume(abs(values["WA"] - values["a"]) > 0.05)
    resist_value = values["WB"] if firm else values["VB"]
    assume(abs(resist_value - values["CB"]) > 0.05)
    resisted_value = values["WA"] if firm else values["a"]
    challenge_value = resisted_value if resist_value > values["CB"] else values["VA"]
    assume(abs(challenge_value - values["SA"]) > 0.05)

    solution = _solve(values, link, 1e-4)
    for action, best in _subgame_perfect(values).items():
        assert solution[action] == pytest.approx(best, abs=1e-9), action


@pytest.mark.parametrize("link", ["logit", "probit"])
@pytest.mark.parametrize("scale", [0.5, 2.0])
def test_choice_probability_matches_simulated_action_errors(link: str, scale: float) -> None:
    """The documented error model, simulated: one independent error on each of two actions."""
    rng = np.random.default_rng(20261126)
    draws = 400_000
    margin = 0.7
    if link == "probit":
        errors = rng.normal(0.0, scale, size=(2, draws))  # N(0, scale^2) on each action
    else:
        errors = rng.gumbel(0.0, scale, size=(2, draws))  # type-I extreme value, scale `scale`
    chosen = np.mean(margin + errors[0] > errors[1])
    expected = float(choice_probability(margin, link, scale))
    standard_error = math.sqrt(expected * (1 - expected) / draws)
    assert abs(chosen - expected) < 5 * standard_error


def test_logit_is_exponential_weights_with_lambda() -> None:
    """Logit: Pr = exp(lambda u) / sum exp(lambda u'), lambda = 1/scale."""
    lam = 2.5
    game = AgentErrorGame(SA=0.2, VA=1.0, CB=-0.5, WA=-1.0, WB=-2.0, a=-1.5, VB=0.5, scale=1 / lam)
    firm = math.exp(lam * -1.0) / (math.exp(lam * -1.0) + math.exp(lam * -1.5))
    resist_value = firm * -2.0 + (1 - firm) * 0.5
    resist = math.exp(lam * resist_value) / (math.exp(lam * resist_value) + math.exp(lam * -0.5))
    challenge_value = (1 - resist) * 1.0 + resist * (firm * -1.0 + (1 - firm) * -1.5)
    challenge = 1 / (1 + math.exp(lam * (0.2 - challenge_value)))
    row = game.solve().iloc[0]
    assert row.pF == pytest.approx(firm, abs=1e-14)
    assert row.pR == pytest.approx(resist, abs=1e-14)
    assert row.pC == pytest.approx(challenge, abs=1e-14)
    assert game.precision[0] == pytest.approx(lam)


def test_broadcasting_rows_are_the_games() -> None:
    SA = np.array([[0.0], [0.5]])  # shape (2, 1)
    WB = np.array([-3.0, -2.0, -1.0])  # shape (3,)
    game = AgentErrorGame(SA=SA, VA=1.0, CB=0.0, WA=-1.9, WB=WB, a=-1.2, VB=1.0, link="probit")
    table = game.solve()
    assert game.n_games == 6
    assert list(table["game"]) == list(range(6))
    for row in table.itertuples():
        single = _solve(
            {
                "SA": float(SA[row.game // 3, 0]),
                "VA": 1.0,
                "CB": 0.0,
                "WA": -1.9,
                "WB": float(WB[row.game % 3]),
                "a": -1.2,
                "VB": 1.0,
            },
            "probit",
            1.0,
        )
        assert row.pC == single["pC"]
        assert row.pR == single["pR"]


def test_extreme_payoffs_stay_finite() -> None:
    table = AgentErrorGame(
        SA=[1e300, -1e300], VA=1e300, CB=-1e300, WA=-1e300, WB=1e300, a=0.0, VB=1e300, scale=1e-300
    ).solve()
    values = table[[*ACTIONS, *OUTCOMES]].to_numpy()
    assert np.all(np.isfinite(values))
    assert np.all((values >= 0) & (values <= 1))


def test_payoffs_at_the_float_limit_stay_finite() -> None:
    largest = np.finfo(float).max
    table = AgentErrorGame(
        SA=[0.0, -largest, largest],
        VA=[1.0, largest, -largest],
        CB=largest,  # B concedes for sure: pR is exactly 0
        WA=-largest,
        WB=largest,
        a=-largest,
        VB=-largest,
        scale=[1.0, 1e-300, 1e300],
    ).solve()
    values = table[[*ACTIONS, *OUTCOMES]].to_numpy()
    assert np.all(np.isfinite(values))
    assert table["pR"].tolist() == [0.0, 0.0, 0.0]
    assert table["pF"].tolist() == [0.5, 0.5, 0.5]
    # Challenge margins VA - SA overflow to +inf and -inf: the choice saturates, no NaN.
    assert table["pC"].tolist() == [pytest.approx(1 / (1 + math.exp(-1.0))), 1.0, 0.0]


@pytest.mark.parametrize(
    ("change", "error", "names"),
    [
        ({"WA": float("nan")}, InputError, "WA"),
        ({"VB": [1.0, float("inf")]}, InputError, "VB"),
        ({"scale": 0.0}, InputError, "scale"),
        ({"scale": [1.0, -2.0]}, InputError, "scale"),
        ({"link": "cauchit"}, InputError, "link"),
        ({"SA": [0.0, 1.0], "VA": [1.0, 2.0, 3.0]}, InputError, "SA"),
        ({"CB": "high"}, InputTypeError, "CB"),
    ],
)
def test_bad_input_is_refused_by_name(change: dict, error: type, names: str) -> None:
    values: dict = {"SA": 0, "VA": 1, "CB": 0, "WA": -1.9, "WB": -2.9, "a": -1.2, "VB": 1}
    with pytest.raises(error, match=names) as raised:
        AgentErrorGame(**{**values, **change})
    assert "\n" not in str(raised.value)


# ---- the 3-outcome deterrence game (probabilities from coercive.games.deterrence) ----

utility = st.floats(min_value=-20.0, max_value=20.0, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(
    u11=utility,
    u13=utility,
    u14=utility,
    u24=utility,
    link=links,
    scale=st.floats(min_value=0.05, max_value=20.0),
)
def test_deterrence_uses_the_same_error_convention(
    u11: float, u13: float, u14: float, u24: float, link: str, scale: float
) -> None:
    """Backward induction with this module's node choice rule reproduces the deterrence game."""
    row = (
        AgentErrorDeterrenceGame(u11=u11, u13=u13, u14=u14, u24=u24, link=link, scale=scale)
        .solve()
        .iloc[0]
    )
    war = float(choice_probability(u24, link, scale))  # player 2: fight (u24) vs back down (0)
    escalate = float(choice_probability((1 - war) * u13 + war * u14 - u11, link, scale))
    assert row.p_war == pytest.approx(war, abs=1e-9)
    assert row.p_escalate == pytest.approx(escalate, abs=1e-9)
    assert row.SQ + row.BD + row.WAR == pytest.approx(1.0, abs=1e-12)
    for name in ("p_escalate", "p_war", "SQ", "BD", "WAR"):
        assert 0.0 <= row[name] <= 1.0


def test_deterrence_refuses_bad_input() -> None:
    with pytest.raises(InputError, match="u24"):
        AgentErrorDeterrenceGame(u11=0, u13=1, u14=-1, u24=float("nan"))
    with pytest.raises(InputError, match="scale"):
        AgentErrorDeterrenceGame(u11=0, u13=1, u14=-1, u24=0.5, scale=-1)
