"""Reproduce sigInt 0.2.0 (Crisman-Cox & Gibilisco 2021, PSRM 9(3)) on its sanctions data.

Reference figures (issue 3, sigInt 0.2.0 run by the issue author): PL with
``phat = (PRnpl, PFnpl)`` and NPL both reach log-likelihood -3932.447, with
``CB:sqrt(targetecondep)`` = 2.335138 and ``WB:lncaprat`` = 0.119932.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from coercive.datasets import PUBLISHED_MODELS, load
from coercive.estimate import fit_signaling
from coercive.estimate.results import EstimationResults

FORMULA = PUBLISHED_MODELS["sanctions"]
FORMULA_PRECOMPUTED = (
    "sq + cd + sf + bd ~ sqrt_senderecondep + senderdemocracy + contig + ally - 1"
    " | anticipatedsendercosts"
    " | sqrt_targetecondep + anticipatedtargetcosts + contig + ally"
    " | sqrt_senderecondep + senderdemocracy + lncaprat"
    " | targetdemocracy + lncaprat"
    " | senderdemocracy"
    " | 0"
)
SIGINT_LLF = -3932.447
SIGINT_CB_SQRT_TARGETECONDEP = 2.335138
SIGINT_WB_LNCAPRAT = 0.119932


@pytest.fixture(scope="module")
def sanctions() -> pd.DataFrame:
    data = load("sanctions")
    data["sqrt_senderecondep"] = np.sqrt(data["senderecondep"])
    data["sqrt_targetecondep"] = np.sqrt(data["targetecondep"])
    return data


@pytest.fixture(scope="module")
def pl_fit(sanctions: pd.DataFrame) -> EstimationResults:
    return fit_signaling(FORMULA, sanctions, method="pl", phat=("PRnpl", "PFnpl"))


@pytest.fixture(scope="module")
def npl_fit(sanctions: pd.DataFrame) -> EstimationResults:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a converged NPL fit warns about nothing
        return fit_signaling(FORMULA, sanctions, method="npl", random_state=12345)


def test_data_are_sigints(sanctions: pd.DataFrame) -> None:
    assert len(sanctions) == 418
    totals = sanctions[["sq", "cd", "sf", "bd"]].sum()
    assert totals.to_dict() == {"sq": 49071, "cd": 144, "sf": 349, "bd": 140}


def test_pl_reproduces_sigint(pl_fit: EstimationResults) -> None:
    assert pl_fit.converged
    assert pl_fit.nobs == 418
    assert pl_fit.llf == pytest.approx(SIGINT_LLF, abs=5e-4)
    assert pl_fit.params["CB:sqrt(targetecondep)"] == pytest.approx(
        SIGINT_CB_SQRT_TARGETECONDEP, abs=2e-6
    )
    assert pl_fit.params["WB:lncaprat"] == pytest.approx(SIGINT_WB_LNCAPRAT, abs=2e-6)
    assert pl_fit.params.size == 20
    assert list(pl_fit.params.index[:5]) == [
        "SA:sqrt(senderecondep)",
        "SA:senderdemocracy",
        "SA:contig",
        "SA:ally",
        "VA:(Intercept)",
    ]


def test_sigint_final_beliefs_are_a_fixed_point_of_our_best_responses(
    pl_fit: EstimationResults,
) -> None:
    # sigInt's PRnpl/PFnpl are its NPL fixed point; at our PL estimate they must be
    # (numerically) their own best responses, which pins down the parameterization
    # (sigma = 1, VB = 0, the threshold and the firmness ratio).
    assert pl_fit.extra["eq_constraint"] < 1e-7
    assert pl_fit.extra["max_abs_pR_minus_F"] < 1e-7


def test_npl_reproduces_sigint(npl_fit: EstimationResults, pl_fit: EstimationResults) -> None:
    assert npl_fit.converged
    assert 1 <= npl_fit.extra["iterations"] <= 25
    assert npl_fit.extra["npl_change"] < 1e-7
    assert npl_fit.extra["eq_constraint"] < 1e-6
    assert npl_fit.llf == pytest.approx(SIGINT_LLF, abs=5e-4)
    assert npl_fit.params["CB:sqrt(targetecondep)"] == pytest.approx(
        SIGINT_CB_SQRT_TARGETECONDEP, abs=1e-5
    )
    assert npl_fit.params["WB:lncaprat"] == pytest.approx(SIGINT_WB_LNCAPRAT, abs=1e-5)
    # NPL from our random forest lands on sigInt's fixed point.
    np.testing.assert_allclose(npl_fit.params, pl_fit.params, atol=1e-5)
    phat = npl_fit.extra["phat"]
    sanctions = load("sanctions")
    np.testing.assert_allclose(phat["PRhat"], sanctions["PRnpl"], atol=1e-5)
    np.testing.assert_allclose(phat["PFhat"], sanctions["PFnpl"], atol=1e-5)


def test_npl_from_sigints_first_stage(sanctions: pd.DataFrame, pl_fit: EstimationResults) -> None:
    fit = fit_signaling(FORMULA, sanctions, method="npl", phat=("PRhat", "PFhat"))
    assert fit.converged
    assert fit.llf == pytest.approx(SIGINT_LLF, abs=5e-4)
    np.testing.assert_allclose(fit.params, pl_fit.params, atol=1e-5)


def test_npl_standard_errors_are_finite_and_exceed_naive_pl(
    npl_fit: EstimationResults, pl_fit: EstimationResults
) -> None:
    bse = npl_fit.bse
    assert np.all(np.isfinite(bse)) and np.all(bse > 0)
    assert npl_fit.covariance_type.startswith("NPL")
    # Accounting for the estimated beliefs cannot make the B-side probit more precise.
    assert bse["WB:lncaprat"] > pl_fit.bse["WB:lncaprat"]


@pytest.mark.parametrize("method", ["pl", "npl"])
def test_precomputed_square_roots_give_the_same_fit(
    sanctions: pd.DataFrame,
    pl_fit: EstimationResults,
    method: str,
) -> None:
    phat = ("PRnpl", "PFnpl") if method == "pl" else None
    fit = fit_signaling(FORMULA_PRECOMPUTED, sanctions, method=method, phat=phat)
    assert fit.llf == pytest.approx(SIGINT_LLF, abs=5e-4)
    assert fit.params["CB:sqrt_targetecondep"] == pytest.approx(
        SIGINT_CB_SQRT_TARGETECONDEP, abs=1e-5
    )
    assert fit.params["WB:lncaprat"] == pytest.approx(SIGINT_WB_LNCAPRAT, abs=1e-5)
    np.testing.assert_allclose(fit.params.to_numpy(), pl_fit.params.to_numpy(), atol=1e-5)


def test_predict_finds_the_npl_beliefs_among_each_games_equilibria(
    npl_fit: EstimationResults,
) -> None:
    table = npl_fit.predict()
    assert set(table["row"]) == set(npl_fit.extra["phat"].index)
    fitted = npl_fit.extra["phat"]["PRhat"]
    gap = (table["pR"] - table["row"].map(fitted)).abs().groupby(table["row"]).min()
    assert gap.max() < 1e-6
