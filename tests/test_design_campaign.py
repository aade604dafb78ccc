"""Design across a campaign's phases (coercive.design.campaign): the evaluator agrees with
the campaign model, evaluates a batch as it evaluates each candidate alone, searches the
timing, prices it and refuses bad input in one line. About 12 s (two CLI processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from _helpers import assert_batch_is_each_alone

from coercive._errors import InputError
from coercive.campaign import load_campaign, run_campaign
from coercive.design import Prices, design
from coercive.design.campaign import (
    CampaignEvaluator,
    campaign_paths,
    phase_bounds,
    start_months,
)
from coercive.design.frontier import map_mixes
from coercive.policy.mapping import constants

CASE = "dprk-2017-2018"
# every uncertain instrument of both phases pinned to a number, so the file's own policy
# is one decision vector; the rest of the scenario (war cost, dominance, ...) stays uncertain
PINS = [
    "phases.0.sanctions.export_coverage=0.86", "phases.0.sanctions.import_coverage=0.2",
    "phases.0.sanctions.strategic_import_cut=0.4", "phases.0.assurance.credibility=0.4",
    "phases.1.sanctions.export_coverage=0.92", "phases.1.sanctions.import_coverage=0.3",
    "phases.1.sanctions.secondary=0.5", "phases.1.inducements.cost_to_coercer=0.3",
    # an engagement that pays enough for compliance to happen, with a deadline
    "phases.1.assurance.credibility=0.95", "phases.1.inducements.compensation=0.5",
    "phases.1.inducements.other=2.0", "phases.1.deadline.months=6",
]
CONST = constants().mapping


@pytest.mark.parametrize("months", [13, 36])
def test_file_policy_reproduces_run_campaign(months: int) -> None:
    # phase 0's secondary strength pinned too, so today's policy is every draw's own mix
    campaign = load_campaign(CASE, [*PINS, "phases.0.sanctions.secondary=0.6"], months)
    model = run_campaign(campaign, draws=60, seed=5)
    # the whole coded cost (0.3) put on relief, so the game's VA is the campaign's
    ev = CampaignEvaluator(campaign, CONST, Prices(carrots=0.0, relief=0.3), draws=60, seed=5)
    out = ev.evaluate(ev.today()[None, :])
    assert model.paths.complied[:, -1].mean() > 0.01  # a case where compliance happens
    assert out.compliance[0] == pytest.approx(model.paths.complied[:, -1].mean(), abs=1e-12)
    assert out.war[0] == pytest.approx(model.paths.struck[:, -1].mean(), abs=1e-12)
    # one accounting (coercive.campaign.cost): the design's cost is the campaign's series
    for part in ("carrots", "assurance", "sanctions", "war"):
        got, want = out.parts[part][0], model.paths.cost_parts[part][:, -1].mean()
        assert got == pytest.approx(want, abs=1e-12)


def test_batched_equals_one_by_one_with_different_timings() -> None:
    campaign = load_campaign(CASE, None, 24)
    ev = CampaignEvaluator(campaign, CONST, Prices(relief=0.2), draws=20, seed=1)
    rng = np.random.default_rng(0)
    x = ev.low + rng.random((6, len(ev.names))) * (ev.high - ev.low)
    x[:3, -1] = 5.0  # two candidates share a timing, the rest differ
    assert_batch_is_each_alone(ev, x)


def test_timing_is_a_decision_and_carrots_paid_only_on_compliance() -> None:
    """An engagement phase that pays well: starting it sooner brings full compliance sooner
    (the target, forward-looking, waits for the carrots, so by month N a late start can catch
    up), and the carrots' cost is their price times the probability of compliance."""
    campaign = load_campaign(CASE, None, 24)
    ev = CampaignEvaluator(campaign, CONST, Prices(carrots=1.0, sanctions=0.0), draws=30)
    x = ev.today()
    names = list(ev.names)
    for name, level in (("1.other_carrots", 2.0), ("1.compensation", 0.5), ("1.assurance", 1.0)):
        x[names.index(name)] = level
    soon, late = x.copy(), x.copy()
    soon[-1], late[-1] = 2.0, 20.0
    both = ev.clean(np.vstack([soon, late]))
    k = len(names) // 2
    mapped = [map_mixes(ev.base[j], both[:, j * k : (j + 1) * k], ev.prices, CONST)
              for j in range(2)]  # fmt: skip
    complied, _, _ = campaign_paths(campaign, mapped, start_months(both[:, -1:], 24), 30,
                                    CONST, ev.prices, ev.seed)  # fmt: skip
    by_month = complied.reshape(2, 30, 24).mean(axis=1)
    assert by_month[0, 19] > by_month[1, 19] + 0.02  # before the late start
    out = ev.evaluate(np.vstack([soon, late]))
    assert out.compliance[0] == pytest.approx(by_month[0, -1], abs=1e-12)
    # at most the package's price (compensation 0.5 a year for <= 10 years, plus 2) per
    # unit of compliance: nothing is paid without it
    package = 0.5 * (1 - np.exp(-CONST.discount_rate * 10)) / CONST.discount_rate + 2.0
    assert np.all(out.parts["carrots"] <= package * out.compliance + 1e-12)
    assert np.all(out.parts["carrots"] > 0)


def test_start_months_are_whole_increasing_and_below_the_horizon() -> None:
    got = start_months(np.array([[3.4, 3.6, 40.0], [0.2, 1.0, 1.0]]), 12)
    assert got.tolist() == [[0, 3, 4, 11], [0, 1, 2, 3]]


def test_design_searches_the_timing_and_marks_today() -> None:
    result = design(CASE, target_compliance=0.2, months=18, draws=20, pop_size=8,
                    generations=2)
    frame = result.to_frame()
    assert "start.1" in frame and np.all(frame["start.1"] == np.round(frame["start.1"]))
    assert frame["start.1"].between(1, 17).all()
    assert result.today_row()["start.1"] == 12
    assert result.settings["months"] == 18
    json.dumps(result.to_dict())  # serializable


def test_bad_bounds_and_months_are_one_line_errors() -> None:
    campaign = load_campaign(CASE)
    with pytest.raises(InputError, match=r"bounds.start.1: .*1 <= low <= high <= 35"):
        phase_bounds(campaign, {"start.1": (0, 5)})
    with pytest.raises(InputError, match=r"bounds: unknown '2.force'"):
        phase_bounds(campaign, {"2.force": (0, 1)})
    with pytest.raises(InputError, match=r"phase 1.*bounds.assurance"):
        phase_bounds(campaign, {"1.assurance": (0.5, 2.0)})
    with pytest.raises(InputError, match="months"):
        design(CASE, months=0)
    with pytest.raises(InputError, match="horizon"):
        design(CASE, months=12)  # phase 1 starts at month 12: after the horizon


def test_cli_months_json_and_bad_input() -> None:
    env = {**os.environ, "PYTHONPATH": "src"}
    cmd = [sys.executable, "-m", "coercive", "design", CASE, "--months", "14", "--draws",
           "10", "--pop-size", "6", "--generations", "1", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["settings"]["months"] == 14
    bad = subprocess.run(cmd[:5] + ["--bound", "start.1=0:3"], capture_output=True,
                         text=True, env=env, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "start.1" in bad.stderr
