"""The policy mapping's own constants, estimated by maximum likelihood on TIES threat cases.

Issue 7 §2. Where :mod:`coercive.policy.estimation` fits free payoff indices of the coded
features, this model runs each TIES case **through the policy mapping itself**
(:func:`coercive.policy.mapping.payoffs`, ``docs/mapping-api.md``), so the global constants
it estimates are the ones ``coercive assess`` uses:

* **mapping constants estimated** (:data:`MAPPING_ESTIMATED`): ``target_resolve_spread``
  and ``coercer_resolve_spread``, the scales of the two players' private resolve (Lewis &
  Schultz 2003). Every other mapping constant keeps its documented default
  (``constants/defaults-v1.json``): with the TIES inputs below they are not separately
  identified from the spreads and the coding effects.
* **coding effects estimated** (the links from TIES codes whose meaning is not in the data
  to the mapping's inputs; they apply to TIES-coded cases only): the sender's cost of
  imposing (``coercer_war_cost``, stakes) by ``anticipatedsendercosts`` class; the sender's
  cost of backing down (``backdown_cost``) by ``scommit`` class; the value of what the target
  is asked to give up (``value_per_year``, share of GDP a year) by issue; the probability that
  the threatened sanctions are comprehensive (``comprehensive``) by threatened sanction type;
  the value of carrots where the row codes any (``other_carrots``). The first level of each
  cost and of the value (class 1; the most frequent training issue) is fixed at its prior
  centre (:data:`PRIOR_CENTRES`): it anchors the scale against which the spread is
  estimated (with every level free, a spread and its costs scale together, unidentified).

**The TIES case as mapping inputs** (:func:`base_inputs`; every number not listed is a
stated prior, not a fact about the case):

* a threat of sanctions: ``sanctions_on = 1``, ``threatened = 1`` (imposed only if the threat
  is executed), ``force = 0``, no third parties, no deadline (TIES does not record one);
* trade at stake: the dyad's trade dependence from the sigInt dyad-decade
  (``targetecondep``), split evenly into ``export_share`` and ``import_share`` (prior), fully
  covered and enforced by the sender (``export_coverage = import_coverage =
  coalition_enforcement = 1``: the threat names the sender's own trade); where the dyad-decade
  is not in the table, the training mean;
* ``value_to_coercer = 1`` (the unit of the coercer's stakes), ``escalation_dominance = 0``
  (imposing sanctions does not itself take what was demanded), ``assurance = delivery = 0.5``,
  ``power_given_up = exploited_regime_loss = 0``, no compensation, ``carrot_cost = 0``.

**Estimation** as in :mod:`coercive.policy.estimation`: the likelihood of the outcome given
the challenge at the engine's stable equilibrium with most resistance; log (logit for the
comprehensive share) parameters with a normal prior of sd :data:`PRIOR_SD` around the stated
centres (:data:`PRIOR_CENTRES`); the gradient by the implicit function theorem at the
equilibrium times central differences of :func:`~coercive.policy.mapping.payoffs` in each
parameter; BFGS; covariance from the Hessian of the log posterior, or the OPG when that is
not definite. Standard errors of the mapping constants come by the delta method
(``se(x) = x · se(log x)``).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from coercive._errors import InputError
from coercive.policy.estimation import (
    PRIOR_SD,
    _probabilities_at,
    _row_loglike,
    payoff_slopes,
    solve_payoffs,
)
from coercive.policy.ties import GAME_OUTCOMES, CodedCases, Coding

MODEL_NAME = "TIES threat cases through the policy mapping (conditional on the challenge)"
MAPPING_ESTIMATED: tuple[str, ...] = ("target_resolve_spread", "coercer_resolve_spread")
ORDINAL_LEVELS: tuple[str, ...] = ("1", "2", "3", "none_coded")

PRIOR_CENTRES: dict[str, float] = {
    "war_cost": 1.0,  # stakes: imposing costs the sender about what it is after
    "backdown_cost": 0.5,  # stakes: the default public-deadline commitment
    "value_per_year": 0.02,  # share of GDP a year
    "comprehensive": 0.5,
    "carrots": 0.02,  # share of one year's GDP
}
"""Centres of the prior on the coding effects (log scale; logit for ``comprehensive``); the
mapping constants' priors centre on their documented defaults."""


def _ordinal(values: pd.Series) -> list[str]:
    out = []
    for value in values:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            out.append("none_coded")
        else:
            text = str(int(value)) if float(value).is_integer() else str(value)
            out.append(text if text in ORDINAL_LEVELS else "none_coded")
    return out


@dataclass(frozen=True)
class Parameters:
    """Names, transforms and prior centres of the parameter vector."""

    names: tuple[str, ...]
    kinds: tuple[str, ...]  # "log" or "logit"
    centres: np.ndarray

    @classmethod
    def build(cls, coding: Coding) -> Parameters:
        from coercive.policy.constants import MappingConstants

        defaults = MappingConstants()
        names: list[str] = []
        kinds: list[str] = []
        centres: list[float] = []

        def add(name: str, kind: str, centre: float) -> None:
            names.append(name)
            kinds.append(kind)
            centres.append(math.log(centre) if kind == "log" else math.log(centre / (1 - centre)))

        for constant in MAPPING_ESTIMATED:
            add(constant, "log", float(getattr(defaults, constant)))
        # the first level of each cost and value is the anchor of its scale (fixed at the
        # prior centre): with all levels free, a spread and its costs scale together
        for level in ORDINAL_LEVELS[1:]:
            add(f"war_cost[sender_costs={level}]", "log", PRIOR_CENTRES["war_cost"])
        for level in ORDINAL_LEVELS[1:]:
            add(f"backdown_cost[commitment={level}]", "log", PRIOR_CENTRES["backdown_cost"])
        for level in coding.levels["issue"][1:]:
            add(f"value_per_year[issue={level}]", "log", PRIOR_CENTRES["value_per_year"])
        for level in coding.levels["sanction_type"]:
            add(f"comprehensive[sanction_type={level}]", "logit", PRIOR_CENTRES["comprehensive"])
        add("other_carrots[carrots]", "log", PRIOR_CENTRES["carrots"])
        return cls(tuple(names), tuple(kinds), np.asarray(centres))

    def natural(self, theta: np.ndarray) -> np.ndarray:
        logit = np.array([k == "logit" for k in self.kinds])
        return np.where(logit, 1.0 / (1.0 + np.exp(-theta)), np.exp(theta))


@dataclass(frozen=True)
class CaseDesign:
    """What :func:`payoffs` needs per case besides the parameters."""

    inputs: dict[str, np.ndarray]
    sender_level: np.ndarray  # index into ORDINAL_LEVELS
    commitment_level: np.ndarray
    issue: np.ndarray  # index into coding.levels["issue"]
    sanction_type: np.ndarray
    carrots: np.ndarray


def base_inputs(cases: CodedCases, coding: Coding, trade_prior: float) -> CaseDesign:
    """The mapping inputs of each TIES case (see the module docstring)."""
    frame = cases.frame
    n = len(frame)
    econdep = frame["sqrt_target_econdep"].to_numpy(dtype=float) ** 2
    trade = np.where(np.isfinite(econdep), econdep, trade_prior)
    zeros, ones = np.zeros(n), np.ones(n)
    inputs = {
        "export_share": trade / 2.0,
        "import_share": trade / 2.0,
        "strategic_dependence": zeros,
        "sanctions_on": ones,
        "comprehensive": np.full(n, 0.5),
        "threatened": ones,
        "pass_through_given": zeros,
        "pass_through": zeros,
        "export_coverage": ones,
        "import_coverage": ones,
        "strategic_cut": zeros,
        "secondary": zeros,
        "coalition_enforcement": ones,
        "party_trade": np.zeros((n, 0)),
        "party_weight": np.zeros((n, 0)),
        "party_ties": np.zeros((n, 0)),
        "party_exposure": np.zeros((n, 0)),
        "party_stake": np.zeros((n, 0)),
        "value_per_year": np.full(n, PRIOR_CENTRES["value_per_year"]),
        "power_given_up": zeros,
        "exploited_regime_loss": zeros,
        "value_to_coercer": ones,
        "force": zeros,
        "escalation_dominance": zeros,
        "coercer_war_cost": ones,
        "backdown_cost": ones,
        "strike_regime_loss": zeros,
        "strike_damage": zeros,
        "limited_force": zeros,
        "has_deadline": zeros,
        "deadline_years": zeros,
        "deadline_public": zeros,
        "assurance": np.full(n, 0.5),
        "relief_offered": ones,
        "delivery": np.full(n, 0.5),
        "compensation": zeros,
        "compensation_years": zeros,
        "other_carrots": zeros,
        "carrot_cost": zeros,
    }
    features = coding.features(cases)
    return CaseDesign(
        inputs=inputs,
        sender_level=np.array([ORDINAL_LEVELS.index(v) for v in _ordinal(frame["sender_costs"])]),
        commitment_level=np.array([ORDINAL_LEVELS.index(v) for v in _ordinal(frame["commitment"])]),
        issue=np.asarray(features["issue"].cat.codes, dtype=int),
        sanction_type=np.asarray(features["sanction_type"].cat.codes, dtype=int),
        carrots=frame["carrots"].to_numpy(dtype=float),
    )


class MappingLikelihood:
    """Log-likelihood of the TIES outcomes given the challenge, through the mapping."""

    def __init__(self, design: CaseDesign, parameters: Parameters, outcome: np.ndarray):
        from coercive.policy.constants import MappingConstants

        self.design = design
        self.parameters = parameters
        self.outcome = outcome
        self.defaults = MappingConstants()
        names = parameters.names
        self._slices = {
            "war": [names.index(f"war_cost[sender_costs={v}]") for v in ORDINAL_LEVELS[1:]],
            "backdown": [names.index(f"backdown_cost[commitment={v}]") for v in ORDINAL_LEVELS[1:]],
            "issue": [i for i, n in enumerate(names) if n.startswith("value_per_year[")],
            "type": [i for i, n in enumerate(names) if n.startswith("comprehensive[")],
            "carrots": [names.index("other_carrots[carrots]")],
        }

    def constants(self, theta: np.ndarray) -> Any:
        values = self.parameters.natural(theta)
        return dataclasses.replace(
            self.defaults, **{name: float(values[i]) for i, name in enumerate(MAPPING_ESTIMATED)}
        )

    def _inputs(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        d = self.design
        values = self.parameters.natural(theta)
        s = self._slices
        inputs = dict(d.inputs)
        war = np.r_[PRIOR_CENTRES["war_cost"], values[s["war"]]]
        backdown = np.r_[PRIOR_CENTRES["backdown_cost"], values[s["backdown"]]]
        value = np.r_[PRIOR_CENTRES["value_per_year"], values[s["issue"]]]
        inputs["coercer_war_cost"] = war[d.sender_level]
        inputs["backdown_cost"] = backdown[d.commitment_level]
        inputs["value_per_year"] = value[d.issue]
        inputs["comprehensive"] = values[s["type"]][d.sanction_type]
        inputs["other_carrots"] = values[s["carrots"][0]] * d.carrots
        return inputs

    def _map(self, inputs: dict[str, np.ndarray], theta: np.ndarray) -> np.ndarray:
        from coercive.policy.estimation import GAME_PARTS
        from coercive.policy.mapping import payoffs

        mapped = payoffs(inputs, self.constants(theta))
        return np.vstack([np.asarray(getattr(mapped, name), dtype=float) for name in GAME_PARTS])

    def payoffs(self, theta: np.ndarray) -> np.ndarray:
        """``(7, n)`` payoffs of each case (engine order) at the parameters ``theta``."""
        return self._map(self._inputs(theta), theta)

    def loglike(self, theta: np.ndarray) -> float:
        base = self.payoffs(theta)
        resist, _, _ = solve_payoffs(base)
        return float(np.sum(_row_loglike(_probabilities_at(base, resist), self.outcome)))

    def _jacobian(self, theta: np.ndarray) -> np.ndarray:
        """``(k, 7, n)`` derivatives of the payoffs in each parameter.

        The mapping divides the target's payoffs by ``target_resolve_spread`` and the
        coercer's by ``coercer_resolve_spread``, so their log-derivatives are ``−P`` of that
        side, exactly. Each coding effect moves one input in the rows of its level.
        """
        from coercive.policy.estimation import GAME_PARTS

        h = 1e-6
        base = self.payoffs(theta)
        n = base.shape[1]
        k = theta.size
        jac = np.zeros((k, 7, n))
        target = [GAME_PARTS.index(p) for p in ("CB", "WB", "VB")]
        coercer = [GAME_PARTS.index(p) for p in ("SA", "VA", "WA", "a")]
        jac[0, target] = -base[target]
        jac[1, coercer] = -base[coercer]
        # each coding effect moves one input, in the rows of its level: dP/dθ_j =
        # dP/d(input) · d(input)/dθ_j; the five inputs' derivatives come from ONE
        # vectorized call of payoffs() on stacked rows (central differences)
        inputs = self._inputs(theta)
        moved_inputs = ("coercer_war_cost", "backdown_cost", "value_per_year", "comprehensive")
        moved_inputs = (*moved_inputs, "other_carrots")
        stacked: dict[str, list[np.ndarray]] = {name: [] for name in inputs}
        for target_name in moved_inputs:
            step = h * np.maximum(np.abs(inputs[target_name]), 1.0)
            for sign in (1.0, -1.0):
                for name, value in inputs.items():
                    stacked[name].append(value + sign * step if name == target_name else value)
        joined = {name: np.concatenate(parts, axis=0) for name, parts in stacked.items()}
        out = self._map(joined, theta).reshape(7, len(moved_inputs), 2, n)
        by_input = {}
        for m, target_name in enumerate(moved_inputs):
            step = h * np.maximum(np.abs(inputs[target_name]), 1.0)
            by_input[target_name] = (out[:, m, 0] - out[:, m, 1]) / (2 * step)
        d = self.design
        values = self.parameters.natural(theta)
        s = self._slices
        links = (
            ("coercer_war_cost", s["war"], d.sender_level, 1),
            ("backdown_cost", s["backdown"], d.commitment_level, 1),
            ("value_per_year", s["issue"], d.issue, 1),
        )
        for name, indices, level, offset in links:
            for position, j in enumerate(indices):
                rows = level == position + offset  # level 0 is the fixed anchor
                # log parameter: d(input)/dθ = input value
                jac[j][:, rows] = by_input[name][:, rows] * values[j]
        for position, j in enumerate(s["type"]):
            rows = d.sanction_type == position
            jac[j][:, rows] = by_input["comprehensive"][:, rows] * values[j] * (1.0 - values[j])
        j = s["carrots"][0]
        jac[j] = by_input["other_carrots"] * values[j] * d.carrots
        return jac

    def row_scores(self, theta: np.ndarray) -> np.ndarray:
        base = self.payoffs(theta)
        resist, _, _ = solve_payoffs(base)
        slopes = payoff_slopes(base, resist, self.outcome)
        return np.einsum("kn,jkn->nj", slopes, self._jacobian(theta))

    def value_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        base = self.payoffs(theta)
        resist, _, _ = solve_payoffs(base)
        value = float(np.sum(_row_loglike(_probabilities_at(base, resist), self.outcome)))
        slopes = payoff_slopes(base, resist, self.outcome)
        return value, np.einsum("kn,jkn->j", slopes, self._jacobian(theta))


@dataclass(frozen=True)
class MappingFit:
    """The fitted mapping model: estimates, covariance, the coding and the trade prior."""

    results: Any  # EstimationResults (transformed scale: log / logit)
    parameters: Parameters
    coding: Coding
    trade_prior: float

    def mapping_constants(self) -> dict[str, dict[str, float | None]]:
        """Estimated mapping constants on their natural scale with delta-method SEs."""
        theta = self.results.params.to_numpy()
        se = self.results.bse.to_numpy()
        out = {}
        for i, name in enumerate(MAPPING_ESTIMATED):
            value = math.exp(theta[i])
            out[name] = {
                "value": value,
                "se": None if not math.isfinite(se[i]) else value * float(se[i]),
                "log_se": None if not math.isfinite(se[i]) else float(se[i]),
            }
        return out

    def _likelihood(self, cases: CodedCases) -> MappingLikelihood:
        design = base_inputs(cases, self.coding, self.trade_prior)
        return MappingLikelihood(design, self.parameters, np.zeros(len(cases.frame), dtype=int))

    def acquiescence(self, cases: CodedCases, params: np.ndarray | None = None) -> np.ndarray:
        theta = self.results.params.to_numpy() if params is None else np.asarray(params)
        base = self._likelihood(cases).payoffs(theta)
        resist, _, _ = solve_payoffs(base)
        return 1.0 - resist


def fit_mapping(train: CodedCases, progress: Callable[[int], None] | None = None) -> MappingFit:
    """Estimate :data:`MAPPING_ESTIMATED` and the coding effects on ``train``."""
    from scipy.optimize import minimize

    from coercive.estimate.covariance import (
        hessian_covariance,
        numerical_hessian,
        opg_covariance,
    )
    from coercive.estimate.results import EstimationResults

    started = time.perf_counter()
    coding = Coding.fit(train)
    frame = train.frame
    outcome = pd.Categorical(frame["outcome"], categories=list(GAME_OUTCOMES)).codes
    outcome = np.asarray(outcome, dtype=int)
    if len(np.unique(outcome)) < 3:
        raise InputError(
            "train: the outcomes CD, SF and BD must all occur among the training cases"
        )
    econdep = frame["sqrt_target_econdep"].to_numpy(dtype=float) ** 2
    observed = econdep[np.isfinite(econdep)]
    trade_prior = float(observed.mean()) if observed.size else 0.0
    parameters = Parameters.build(coding)
    likelihood = MappingLikelihood(base_inputs(train, coding, trade_prior), parameters, outcome)
    precision = 1.0 / PRIOR_SD**2

    def penalized(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = likelihood.value_and_gradient(theta)
        delta = theta - parameters.centres
        return value - 0.5 * precision * float(delta @ delta), gradient - precision * delta

    iterations = [0]

    def callback(_: np.ndarray) -> None:
        iterations[0] += 1
        if progress is not None:
            progress(iterations[0])

    result = minimize(
        lambda t: tuple(-x for x in penalized(t)),
        parameters.centres.copy(),
        jac=True,
        method="BFGS",
        callback=callback,
        options={"maxiter": 300, "gtol": 1e-4},
    )
    theta = np.asarray(result.x)
    hessian = numerical_hessian(lambda t: penalized(t)[1], theta, relative_step=1e-4)
    covariance = hessian_covariance(hessian)
    covariance_type = "hessian"
    if not covariance.ok:
        covariance = opg_covariance(likelihood.row_scores(theta))
        covariance_type = "opg (the Hessian is not definite at the optimum)"
    _, _, counts = solve_payoffs(likelihood.payoffs(theta))
    results = EstimationResults(
        model=MODEL_NAME,
        method=f"penalized ML (normal prior sd {PRIOR_SD:g} on log/logit scale)",
        params=pd.Series(theta, index=list(parameters.names)),
        cov=covariance.matrix,
        llf=likelihood.loglike(theta),
        nobs=len(frame),
        converged=bool(result.success),
        notes=() if covariance.ok else (covariance.note or "no standard errors",),
        covariance_type=covariance_type,
        extra={
            "optimizer": str(result.message),
            "iterations": int(result.nit),
            "gradient_max": float(np.max(np.abs(result.jac))),
            "multiple_equilibria": float(np.mean(counts > 1)),
            "selection": "stable",
            "seconds": time.perf_counter() - started,
        },
    )
    return MappingFit(
        results=results, parameters=parameters, coding=coding, trade_prior=trade_prior
    )


__all__ = [
    "MAPPING_ESTIMATED",
    "MODEL_NAME",
    "PRIOR_CENTRES",
    "MappingFit",
    "MappingLikelihood",
    "Parameters",
    "base_inputs",
    "fit_mapping",
]
