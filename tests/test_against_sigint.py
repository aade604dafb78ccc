"""Reproduce sigInt 0.2.0 (Crisman-Cox & Gibilisco 2021, PSRM 9(3)) on its sanctions data.

Reference figures (issue 3, sigInt 0.2.0 run by the issue author): PL with
``phat = (PRnpl, PFnpl)`` and NPL both reach log-likelihood -3932.447, with
``CB:sqrt(targetecondep)`` = 2.335138 and ``WB:lncaprat`` = 0.119932.

``fixtures/sigint/`` holds sigInt 0.2.0's own output, made by ``make_sigint.R`` there (run
with Rscript; no test needs R): the NPL estimates with the standard errors of its summary,
and a PL fit at its random-forest first stage. The CMLE figure -3927.91 is the one Crisman-Cox
& Gibilisco (2021) publish for the sanctions model (issue 10).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coercive.datasets import PUBLISHED_MODELS, load
from coercive.estimate import fit_signaling
from coercive.estimate.results import EstimationResults
from coercive.estimate.signaling.model import COV_TYPE_NAMES

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
PUBLISHED_CMLE_LLF = -3927.91
FIXTURES = Path(__file__).parent / "fixtures" / "sigint"


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


# --- sigInt's own output (fixtures/sigint, made by make_sigint.R) -----------------------------


def test_npl_standard_errors_reproduce_sigints_summary(npl_fit: EstimationResults) -> None:
    reference = pd.read_csv(FIXTURES / "npl_coef.csv")
    assert len(reference) == npl_fit.params.size
    # sigInt labels A's and B's war payoffs barWA, barWB, bara; the order is the same.
    ours = [label.split(":", 1)[1] for label in npl_fit.params.index]
    theirs = [term.split(":", 1)[1] for term in reference["term"]]
    assert ours == theirs
    assert npl_fit.covariance_type.endswith("(sigInt's)")
    np.testing.assert_allclose(npl_fit.params, reference["estimate"], atol=1e-5)
    np.testing.assert_allclose(npl_fit.bse, reference["se"], rtol=1e-3)
    assert npl_fit.llf == pytest.approx(reference["loglik"].iloc[0], abs=1e-4)
    vcov = pd.read_csv(FIXTURES / "npl_vcov.csv", index_col=0).to_numpy()
    np.testing.assert_allclose(npl_fit.cov_params().to_numpy(), vcov, rtol=1e-3, atol=1e-9)


def test_other_covariances_differ_from_sigints_and_are_named(sanctions: pd.DataFrame) -> None:
    reference = pd.read_csv(FIXTURES / "npl_coef.csv")["se"].to_numpy()
    for cov_type in ("opg-implicit", "hessian", "robust"):
        fit = fit_signaling(
            FORMULA, sanctions, method="npl", phat=("PRnpl", "PFnpl"), cov_type=cov_type
        )
        bse = fit.bse.to_numpy()
        assert np.all(np.isfinite(bse)) and np.all(bse > 0)
        assert np.max(np.abs(bse / reference - 1)) > 0.1  # not silently the same formula
        assert fit.covariance_type.endswith(COV_TYPE_NAMES[cov_type])


def test_pl_at_sigints_random_forest_reproduces_its_estimates(sanctions: pd.DataFrame) -> None:
    first_stage = pd.read_csv(FIXTURES / "pl_first_stage.csv")
    reference = pd.read_csv(FIXTURES / "pl_boot_coef.csv")
    fit = fit_signaling(
        FORMULA,
        sanctions,
        method="pl",
        phat=(first_stage["PRhat"].to_numpy(), first_stage["PFhat"].to_numpy()),
    )
    assert fit.converged
    np.testing.assert_allclose(fit.params, reference["estimate"], atol=1e-6)
    assert fit.llf == pytest.approx(reference["loglik"].iloc[0], abs=1e-6)


@pytest.fixture(scope="module")
def cmle_fit(sanctions: pd.DataFrame) -> EstimationResults:
    return fit_signaling(FORMULA, sanctions, method="cmle", phat=("PRnpl", "PFnpl"))


def test_cmle_reproduces_the_published_log_likelihood(
    cmle_fit: EstimationResults, npl_fit: EstimationResults
) -> None:
    assert cmle_fit.converged
    assert cmle_fit.llf == pytest.approx(PUBLISHED_CMLE_LLF, abs=0.01)
    assert cmle_fit.llf > npl_fit.llf + 4.0  # the CMLE beats the NPL's -3932.45
    # A feasible point: every row's beliefs are an equilibrium of its estimated game.
    assert cmle_fit.extra["max_abs_pR_minus_F"] < 1e-8
    assert cmle_fit.extra["eq_constraint"] < 1e-8
    bse = cmle_fit.bse
    assert np.all(np.isfinite(bse)) and np.all(bse > 0)
    assert "constrained problem" in cmle_fit.covariance_type
    # The CMLE beliefs are among the equilibria the engine finds for each row.
    table = cmle_fit.predict()
    fitted = cmle_fit.extra["phat"]["PRhat"]
    gap = (table["pR"] - table["row"].map(fitted)).abs().groupby(table["row"]).min()
    assert gap.max() < 1e-6


def test_cmle_reduced_hessian_matches_differences_of_the_equilibrium_likelihood(
    sanctions: pd.DataFrame, cmle_fit: EstimationResults
) -> None:
    # The reduced Hessian of the Lagrangian must be the Hessian of the log-likelihood with
    # every row's equilibrium re-solved along its branch (checked on three coefficients).
    from coercive.estimate.formula import parse_formula
    from coercive.estimate.signaling.equilibrium import _evaluate
    from coercive.estimate.signaling.likelihood import PARTS, PayoffDesign

    hessian_fit = fit_signaling(
        FORMULA, sanctions, method="cmle", phat=("PRnpl", "PFnpl"), cov_type="hessian"
    )
    parsed = parse_formula(FORMULA, sanctions, PARTS)
    design = PayoffDesign(tuple(parsed.matrices()), (0.0,) * 7, parsed.outcome.astype(float))
    theta = hessian_fit.params.to_numpy()
    start = hessian_fit.extra["phat"]["PRhat"].to_numpy()

    def equilibrium_loglike(t: np.ndarray) -> float:
        resist = start.copy()
        for _ in range(40):  # Newton on pR - F(pR) = 0, row by row, on the same branch
            point = _evaluate(design, t, resist)
            step = point.constraint / point.c_resist
            resist = np.clip(resist - step, 1e-12, 1 - 1e-12)
            if np.max(np.abs(step)) < 1e-14:
                break
        return _evaluate(design, t, resist).value

    picks = [7, 12, 17]  # CB:sqrt(targetecondep), WA:sqrt(senderecondep), WB:lncaprat
    h = 1e-4 * np.maximum(np.abs(theta), 1.0)
    hessian = np.empty((len(picks), len(picks)))
    for a, i in enumerate(picks):
        for b, j in enumerate(picks):
            e_i = np.zeros_like(theta)
            e_j = np.zeros_like(theta)
            e_i[i], e_j[j] = h[i], h[j]
            hessian[a, b] = (
                equilibrium_loglike(theta + e_i + e_j)
                - equilibrium_loglike(theta + e_i - e_j)
                - equilibrium_loglike(theta - e_i + e_j)
                + equilibrium_loglike(theta - e_i - e_j)
            ) / (4 * h[i] * h[j])
    precision = np.linalg.inv(hessian_fit.cov_params().to_numpy())[np.ix_(picks, picks)]
    np.testing.assert_allclose(-hessian, precision, rtol=5e-3)
