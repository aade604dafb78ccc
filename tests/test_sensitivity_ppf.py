"""The sensitivity factors' closed-form inverse CDFs against scipy.stats' (a reference that
the package no longer imports on the `assess` path)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from coercive.policy.scenario import Distribution
from coercive.sensitivity.factors import _ppf

quantiles = np.linspace(0.0, 1.0, 2001)


@settings(max_examples=60, deadline=None)
@given(
    low=st.floats(-100, 100),
    width=st.floats(1e-3, 100),
    share=st.floats(0.0, 1.0),
)
def test_triangular_ppf_matches_scipy(low: float, width: float, share: float) -> None:
    high, mode = low + width, low + share * width
    mode = min(max(mode, low), high)
    value = Distribution(dist="triangular", low=low, mode=mode, high=high)
    ours = _ppf(value, (-1e9, 1e9), quantiles)
    reference = stats.triang.ppf(quantiles, (mode - low) / width, loc=low, scale=width)
    np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-12 * (abs(low) + width))


def test_normal_ppf_matches_scipy_and_is_clipped() -> None:
    value = Distribution(dist="normal", mean=0.5, sd=0.1)
    ours = _ppf(value, (0.0, 1.0), quantiles)
    inner = np.clip(quantiles, 1e-12, 1 - 1e-12)
    np.testing.assert_allclose(ours, np.clip(stats.norm.ppf(inner, 0.5, 0.1), 0.0, 1.0), atol=1e-14)
    assert np.isfinite(ours).all()
