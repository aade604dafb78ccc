"""The numpy fast path of ``parse_formula`` (plain columns) equals the general formulaic path.

Runs in about 2 s.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coercive.estimate.formula as formula_module
from coercive._errors import InputError
from coercive.datasets import PUBLISHED_MODELS, load


def _general(monkeypatch: pytest.MonkeyPatch, *args, **kwargs):
    with monkeypatch.context() as patch:
        patch.setattr(formula_module, "_parse_plain_columns", lambda *a: None)
        patch.setattr(formula_module, "_simple_part", lambda *a: None)
        return formula_module.parse_formula(*args, **kwargs)


CASES = [
    ("war1800", PUBLISHED_MODELS["war1800"], 4, {}),
    ("war1800", PUBLISHED_MODELS["war1800"], 4, {"subset": "year >= 1850"}),
    ("war1800", "esc + war ~ 0 + balanc | regime1 | -1 + revis1 | balanc + balanc + 1", 4, {}),
    ("data_122", "y ~ x1 + x2 | x3 + f1 | 0 | x4 + x5 | z1 + z2 | z3 + f2", 6, {}),
    ("data_123", "y ~ x1 + x2 | 0 | x3 | x4 + x5 | 0 | x6 | x7 | x8", 8, {}),
    ("leblang2003", "outcome ~ capcont + lreserves - 1 | 1 | 1 | unifgov + capcont", 4, {}),
]


@pytest.mark.parametrize("name, formula, k, options", CASES)
def test_fast_path_equals_general_path(monkeypatch, name, formula, k, options) -> None:
    data = load(name)
    names = [f"p{i}" for i in range(k)]
    fast = formula_module.parse_formula(formula, data, names, **options)
    general = _general(monkeypatch, formula, data, names, **options)
    assert fast.labels() == general.labels()
    for (_, a), (_, b) in zip(fast.parts, general.parts, strict=True):
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    np.testing.assert_array_equal(fast.outcome, general.outcome)
    assert fast.outcome_names == general.outcome_names
    assert fast.outcome_kind == general.outcome_kind
    assert fast.outcome_levels == general.outcome_levels
    assert fast.n_dropped == general.n_dropped
    assert list(fast.index) == list(general.index)
    assert fast._variables == general._variables
    assert fast._levels == general._levels
    newdata = data.iloc[[0, 3, 61, 9]]
    for a, b in zip(fast.regressors(newdata), general.regressors(newdata), strict=True):
        np.testing.assert_array_equal(a, b)


def test_fast_path_errors_match(monkeypatch) -> None:
    data = load("war1800")
    for options, match in [
        ({"na": "raise"}, "31 row"),
        ({"subset": np.zeros(len(data), dtype=bool)}, "no complete rows"),
    ]:
        for parse in (formula_module.parse_formula, lambda *a, **k: _general(monkeypatch, *a, **k)):
            with pytest.raises(InputError, match=match):
                parse(PUBLISHED_MODELS["war1800"], data, list("abcd"), **options)
    infinite = data.assign(balanc=data.balanc.replace(data.balanc.iloc[0], np.inf))
    with pytest.raises(InputError, match="infinite"):
        formula_module.parse_formula(PUBLISHED_MODELS["war1800"], infinite, list("abcd"))
    constant = data.assign(esc=1, war=1)
    with pytest.raises(InputError, match="no variation"):
        formula_module.parse_formula(PUBLISHED_MODELS["war1800"], constant, list("abcd"))
