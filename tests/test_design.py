"""coercive.design: frontier search, its accounting, and that it is not wired to a balance.

The property tests build scenarios directly as flat mapping inputs (never the bundled
cases) where one kind of instrument is plainly the cheap one, and check the design finds it.
"""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import assert_batch_is_each_alone, flat_mapping_inputs, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coercive._errors import InputError
from coercive.design import PhaseEvaluator, Prices, search
from coercive.design.frontier import DesignResult, check_target, nondominated, today_vector
from coercive.design.space import CARROTS, INSTRUMENTS, STICKS, check_bounds
from coercive.policy.constants import default_constants
from coercive.policy.mapping import INPUTS

CONST = default_constants().mapping
PAID_CARROTS = ("compensation", "other_carrots")
SANCTIONS = tuple(name for name in STICKS if name != "force")
D = 30


def base_inputs(rng: np.random.Generator, **fixed: float) -> dict[str, np.ndarray]:
    """A synthetic scenario: D draws of every mapping input, instruments set later."""
    def u(low: float, high: float) -> np.ndarray:
        return rng.uniform(low, high, D)

    drawn = dict(
        export_share=u(0.2, 0.4), import_share=u(0.2, 0.4), strategic_dependence=u(0.1, 0.3),
        coalition_enforcement=u(0.6, 0.9), value_per_year=u(0.01, 0.03),
        exploited_regime_loss=u(0.1, 0.3), value_to_coercer=np.ones(D),
        escalation_dominance=u(0.4, 0.6), coercer_war_cost=u(0.3, 0.6),
        backdown_cost=u(0.2, 0.4), strike_regime_loss=u(0.3, 0.6), strike_damage=u(0.2, 0.5),
        delivery=u(0.6, 0.9), compensation_years=np.full(D, 5.0),
    )
    return flat_mapping_inputs(D, drawn, fixed)


def run(inputs, prices, target, bounds=None, pop=20, gens=10, seed=0):
    ev = PhaseEvaluator(inputs, CONST, prices, bounds)
    today = today_vector(inputs)
    x, frontier = search(ev, start=today, pop_size=pop, generations=gens, seed=seed,
                         target=target)
    return DesignResult("synthetic", ev.names, x, frontier, today[None, :],
                        ev.evaluate(today[None, :]), target, ev.low, ev.high), ev


def without(ev: PhaseEvaluator, row, names) -> tuple[float, float]:
    """Compliance and cost of a mix with the named instruments at their lower bounds."""
    x = np.array([row[name] for name in ev.names])
    for name in names:
        x[ev.names.index(name)] = ev.low[ev.names.index(name)]
    out = ev.evaluate(x[None, :])
    return float(out.compliance[0]), float(out.cost[0])


FAST = settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(seed=st.integers(0, 10_000), carrot_price=st.floats(20.0, 100.0))
def test_sticks_alone_cheapest(seed: int, carrot_price: float) -> None:
    """A strike that is quick, cheap and ends the regime; carrots priced far above it."""
    rng = np.random.default_rng(seed)
    inputs = base_inputs(rng, escalation_dominance=1.0, coercer_war_cost=0.0,
                         strike_regime_loss=1.0, backdown_cost=1.0)
    result, ev = run(inputs, Prices(carrots=carrot_price, sanctions=0.0), target=0.6, seed=seed)
    best = result.cheapest
    assert best is not None
    assert best["cost_carrots"] < 0.01  # no money spent on carrots
    # sticks alone reach the target: removing every paid carrot leaves it reached, no dearer
    # (relief is free to a coercer whose sanctions cost nothing, so it may stay)
    compliance, cost = without(ev, best, PAID_CARROTS)
    assert compliance >= 0.6 and cost <= best["cost"] + 1e-9
    # and the sticks are needed: without them the target is missed
    assert without(ev, best, STICKS)[0] < 0.6


@FAST
@given(seed=st.integers(0, 10_000), sanctions_price=st.floats(20.0, 100.0))
def test_carrots_alone_cheapest(seed: int, sanctions_price: float) -> None:
    """Sanctions the regime passes on entirely (pass-through 0) and priced far above
    carrots; a strike that cannot win and costs a war dearer than any sanctions.

    The strike's cost must exceed what executing the threatened sanctions costs (their
    stream at this price, up to ~100 × 3 here): below that, switching the posture to force
    makes the threat cheaper to carry out, hence more credible, and the cheapest mix uses
    it (hypothesis found seed 10000 at sanctions price 20 with a strike costing 5).
    """
    rng = np.random.default_rng(seed)
    inputs = base_inputs(rng, escalation_dominance=0.0, coercer_war_cost=1e3,
                         strike_regime_loss=0.0, strike_damage=0.0, backdown_cost=0.0,
                         pass_through_given=1.0, pass_through=0.0)
    result, ev = run(inputs, Prices(carrots=0.05, sanctions=sanctions_price), target=0.6,
                     seed=seed)
    best = result.cheapest
    assert best is not None
    assert best["cost_sanctions"] < 0.01 and best["cost_war"] < 0.01
    # carrots alone reach the target: removing every sanctions instrument leaves it reached,
    # no dearer. The threat posture is not removed: its lower bound is not "no threat" but a
    # sanctions-only threat, which since war cost is charged only with force (docs/design.md
    # §2) costs the coercer nothing to execute here, so it is a firmer, not a smaller, threat.
    compliance, cost = without(ev, best, SANCTIONS)
    assert compliance >= 0.6 - 1e-9 and cost <= best["cost"] + 1e-6
    assert without(ev, best, CARROTS)[0] < 0.6  # and the carrots are needed
    assert without(ev, best, PAID_CARROTS)[0] < 0.6


def test_batched_equals_one_by_one_on_common_draws() -> None:
    """One batched call gives each candidate exactly what evaluating it alone gives."""
    rng = np.random.default_rng(1)
    ev = PhaseEvaluator(base_inputs(rng), CONST, Prices())
    x = ev.low + rng.random((7, len(ev.names))) * (ev.high - ev.low)
    assert_batch_is_each_alone(ev, x)


def test_cost_accounting_parts() -> None:
    """No instrument, nothing paid; compensation is paid only on compliance, at its price."""
    rng = np.random.default_rng(2)
    ev = PhaseEvaluator(base_inputs(rng), CONST, Prices(carrots=2.0, sanctions=0.5))
    nothing = ev.evaluate(ev.low[None, :])
    assert nothing.parts["carrots"][0] == 0 and nothing.parts["sanctions"][0] == 0
    x = ev.low.copy()
    x[ev.names.index("other_carrots")] = 1.0
    paid = ev.evaluate(x[None, :])
    assert paid.parts["carrots"][0] == pytest.approx(2.0 * paid.compliance[0], rel=1e-9)


def test_nondominated_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    comp, cost = rng.random(200), rng.random(200)
    keep = set(nondominated(comp, cost).tolist())
    for i in range(200):
        better = (comp >= comp[i]) & (cost <= cost[i])
        dominated = np.any(better & ((comp > comp[i]) | (cost < cost[i])))
        assert (i in keep) == (not dominated)


def test_frontier_not_dominated_by_today() -> None:
    rng = np.random.default_rng(4)
    inputs = base_inputs(rng, export_coverage=0.5, force=1.0, assurance=0.3)
    result, _ = run(inputs, Prices(), target=0.3, pop=16, gens=5)
    frame, today = result.to_frame(), result.today_row()
    better_or_equal = (frame["compliance"] >= today["compliance"] - 1e-12) & (
        frame["cost"] <= today["cost"] + 1e-12)
    assert better_or_equal.any()  # today was in the first population: something matches it


@pytest.mark.parametrize(
    "bounds, message",
    [
        ({"export_coverage": (0.0, 1.5)}, "bounds.export_coverage"),
        ({"compensation": (0.3, 0.1)}, "bounds.compensation"),
        ({"deadline_months": (0.0, 12.0)}, "bounds.deadline_months"),
        ({"nukes": (0.0, 1.0)}, "unknown instrument"),
        ({"has_deadline": (0.5, 1.0)}, "bounds.has_deadline"),
        ({"secondary": (float("nan"), 1.0)}, "must be finite"),
    ],
)
def test_bad_bounds(bounds, message) -> None:
    with pytest.raises(InputError, match=message):
        check_bounds(bounds)


@pytest.mark.parametrize("target", [0.0, 1.0, -0.2, 1.5, float("nan"), "half", True])
def test_bad_target(target) -> None:
    with pytest.raises(InputError, match="target_compliance"):
        check_target(target)


def test_every_instrument_is_a_mapping_input() -> None:
    for inst in INSTRUMENTS:
        assert inst.name in INPUTS or inst.name == "deadline_months"


def test_cli_bad_input_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--target-compliance", "1.2"], ["--bound", "secondary=0:2"]):
        code, _, err = run_cli(["design", "dprk-2017", *args], capsys)
        assert code == 2
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "coercive: error:" in lines[0], err


def test_cli_json_runs(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    plot = tmp_path / "frontier.png"
    code, out, err = run_cli(
        ["design", "dprk-2017", "--json", "--draws", "20", "--pop-size", "8",
         "--generations", "2", "--plot", str(plot)],
        capsys,
    )
    assert code == 0, err
    data = json.loads(out)
    assert {"today", "cheapest", "frontier", "instruments_on_frontier"} <= set(data)
    costs = [row["cost"] for row in data["frontier"]]
    assert costs == sorted(costs)
    assert plot.stat().st_size > 0
