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
    # scipy's shape c must lie in [0, 1]; (mode − low)/(high − low) can round to 1 + 2e-16
    # when the mode is the upper end (scipy then returns NaN everywhere).
    scale = high - low
    shape = min(max((mode - low) / scale, 0.0), 1.0)
    reference = stats.triang.ppf(quantiles, shape, loc=low, scale=scale)
    np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-12 * (abs(low) + width))


def test_triangular_ppf_with_the_mode_at_an_end() -> None:
    # The hypothesis example that found the rounding above (low 1, width 63.78, mode = high).
    low, high = 1.0, 1.0 + 63.77797054321132
    for mode in (low, high):
        value = Distribution(dist="triangular", low=low, mode=mode, high=high)
        ours = _ppf(value, (-1e9, 1e9), quantiles)
        shape = 0.0 if mode == low else 1.0
        reference = stats.triang.ppf(quantiles, shape, loc=low, scale=high - low)
        np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-12 * high)


def test_normal_ppf_matches_scipy_and_is_clipped() -> None:
    value = Distribution(dist="normal", mean=0.5, sd=0.1)
    ours = _ppf(value, (0.0, 1.0), quantiles)
    inner = np.clip(quantiles, 1e-12, 1 - 1e-12)
    np.testing.assert_allclose(ours, np.clip(stats.norm.ppf(inner, 0.5, 0.1), 0.0, 1.0), atol=1e-14)
    assert np.isfinite(ours).all()
