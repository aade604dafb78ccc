"""Sobol sensitivity of a campaign's P(complied by month N): one factor per field across
phases, no-effect inputs get exactly zero, the CLI takes a campaign. About 3 s."""

from __future__ import annotations

import json

import numpy as np
import pytest

from coercive.campaign import load_campaign
from coercive.sensitivity import build_factors
from coercive.sensitivity.campaign import campaign_sensitivity

CASE = "dprk-2017-2018"
# a coercer with no escalation dominance in either phase: a strike does nothing to the
# target, so how much damage it would do (uncertain in both phases) cannot matter; an
# engagement that pays, so that compliance happens and the analysis is not flat
NO_DOMINANCE = [
    "phases.0.threat.escalation_dominance=0", "phases.1.threat.escalation_dominance=0",
    "phases.1.inducements.compensation=0.5", "phases.1.inducements.other=2.0",
    "phases.1.assurance.credibility=0.95",
]
NO_EFFECT = "instruments.threat.strike_damage"


@pytest.fixture(scope="module")
def result():
    return campaign_sensitivity(CASE, NO_DOMINANCE, samples=32, months=36, classes=False)


def test_one_factor_per_field_across_phases(result):
    campaign = load_campaign(CASE, NO_DOMINANCE, 36)
    per_phase = [set(build_factors(p.scenario, classes=False).names) for p in campaign.phases]
    names = [f.name for f in result.factors.factors]
    assert len(names) == len(set(names))
    assert set(names) == per_phase[0] | per_phase[1]
    assert per_phase[0] & per_phase[1]  # some fields are shared, and counted once


def test_no_effect_input_has_zero_indices(result):
    frame = result.indices["compliance"]
    row = frame.loc[NO_EFFECT]
    assert row["ST"] == pytest.approx(0.0, abs=1e-12) and row["S1"] == pytest.approx(0, abs=1e-12)
    assert frame["ST"].max() > 0.05  # and the analysis is not flat
    assert 0.0 <= result.means["compliance"] <= 1.0 and np.isfinite(frame.to_numpy()).all()


def test_cli_sensitivity_of_a_campaign(capsys):
    from coercive.cli import main

    try:
        main(["sensitivity", CASE, "--samples", "16", "--months", "18", "--json"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    data = json.loads(capsys.readouterr().out)
    assert data["case"] == CASE and data["indices"]["compliance"]
    with pytest.raises(SystemExit) as bad:
        main(["sensitivity", "dprk-2017", "--months", "3"])
    err = capsys.readouterr().err
    assert bad.value.code == 2 and len(err.strip().splitlines()) == 1 and "--months" in err
