"""The coercer's cumulative cost of a campaign (coercive.campaign.cost) against a direct
month-by-month double sum, and the accounting's rules. Under a second."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from coercive.campaign.cost import COST_PARTS, cumulative_cost
from coercive.policy.mapping import annuity

R, E, M = 0.05, 0.2, 1.0 / 12.0


def _behaviour(rng: np.random.Generator, rows: int, months: int):
    """Cumulative P(complied) and P(struck) that never fall and never sum above 1."""
    steps = rng.dirichlet(np.ones(2 * months + 1), size=rows)
    complied = np.cumsum(steps[:, :months], axis=1)
    struck = np.cumsum(steps[:, months : 2 * months], axis=1)
    return complied, struck


def _grids(rng: np.random.Generator, rows: int, months: int, force=None):
    g = {k: rng.random((rows, months)) for k in ("package", "forgone", "strike_cost", "loss",
                                                 "relief")}  # fmt: skip
    g["force"] = rng.random((rows, months)) if force is None else np.full((rows, months), force)
    g["threatened"] = (rng.random((rows, months)) < 0.5).astype(float)
    return g


def _direct(complied, struck, g, t_end):
    """The same charges as a plain double loop over months, to the end of month t_end."""
    rows, _ = complied.shape
    out = {k: np.zeros(rows) for k in COST_PARTS}
    piece = annuity(R + E, M)
    for i in range(rows):
        for s in range(t_end + 1):
            disc = np.exp(-R * s * M)
            new_c = complied[i, s] - (complied[i, s - 1] if s else 0.0)
            new_s = struck[i, s] - (struck[i, s - 1] if s else 0.0)
            running = 1.0 - complied[i, s] - (struck[i, s - 1] if s else 0.0)
            in_force = g["loss"][i, s] * (1.0 - g["threatened"][i, s])
            out["carrots"][i] += new_c * disc * g["package"][i, s]
            out["assurance"][i] += new_c * disc * g["forgone"][i, s]
            out["war"][i] += new_s * disc * g["force"][i, s] * g["strike_cost"][i, s]
            out["sanctions"][i] += running * in_force * np.exp(-(R + E) * s * M) * piece
            for u in range(s, t_end + 1):  # streams started in s, running to t_end
                slice_pv = np.exp(-(R + E) * u * M) * piece
                kept = new_c * in_force * (1.0 - g["relief"][i, s])
                out["sanctions"][i] += kept * slice_pv
                if u > s:
                    out["sanctions"][i] += new_s * g["loss"][i, s] * slice_pv
    return out


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), months=st.integers(1, 14))
def test_cumulative_cost_is_the_direct_double_sum_and_never_falls(seed, months):
    rng = np.random.default_rng(seed)
    complied, struck = _behaviour(rng, 3, months)
    g = _grids(rng, 3, months)
    got = cumulative_cost(complied, struck, M, R, E, **g)
    for t_end in (0, months - 1):
        want = _direct(complied, struck, g, t_end)
        for part in COST_PARTS:
            np.testing.assert_allclose(got[part][:, t_end], want[part], rtol=1e-10, atol=1e-12)
    for part in COST_PARTS:
        assert np.all(np.diff(got[part], axis=1) >= -1e-12)


def test_a_sanctions_only_threat_costs_no_war_and_nothing_is_paid_without_compliance():
    rng = np.random.default_rng(1)
    complied, struck = _behaviour(rng, 4, 12)
    got = cumulative_cost(complied, struck, M, R, E, **_grids(rng, 4, 12, force=0.0))
    assert np.all(got["war"] == 0.0) and np.any(struck > 0)
    none = cumulative_cost(np.zeros_like(complied), struck, M, R, E, **_grids(rng, 4, 12))
    assert np.all(none["carrots"] == 0.0) and np.all(none["assurance"] == 0.0)
