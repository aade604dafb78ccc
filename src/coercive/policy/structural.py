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

**Specifications** (:data:`SPECIFICATIONS`; ``docs/validation.md`` §"Specification v2:
protocol"). ``v1`` is the model above. The v2 candidates add an **outcome decided outside
the game** with an estimated probability ε (Signorino's agent error; McKelvey & Palfrey's
quantal logic: no observed outcome has probability 0 or 1)::

    P(k) = (1 − ε) · P_game(k) + ε · π_k,        k ∈ {CD, SF, BD}

with ``π`` uniform (``v2-tremble``) or estimated (``v2-baseline``, ``v2-lean``: a softmax
of two free logits against CD, so ε = 1 is the marginal outcome model and the structural
model nests the base rate). ``v2-lean`` also drops the comprehensive share by sanction type
(one share at its prior centre) and shrinks the remaining coding effects harder
(prior sd :data:`LEAN_PRIOR_SD`). Every P(CD) then lies in ``[ε π_CD, 1 − ε (1 − π_CD)]``.
The mixture's gradient: ``∂ℓ/∂P_game = (1 − ε) P_k / P(k) · ∂ log P_k/∂P_game`` (so the
implicit-function slopes of v1 are reused), ``∂ℓ/∂ε = (π_k − P_k) / P(k)``,
``∂ℓ/∂π_k`` through the softmax.
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
    _maximize_penalized,
    _penalized_covariance,
    _probabilities_at,
    _row_loglike,
    payoff_slopes,
    solve_payoffs,
)
from coercive.policy.ties import GAME_OUTCOMES, CodedCases, Coding

MODEL_NAME = "TIES threat cases through the policy mapping (conditional on the challenge)"
"""The model name of ``v1`` (kept as it was, so the shipped ``ties-v1.json`` still reads)."""

LEAN_PRIOR_SD = 1.0
"""Prior sd of the coding effects in ``v2-lean`` (log scale): one prior sd moves a cost or
a value by a factor e, instead of e^2.5 — the "fewer effects, stronger shrinkage"
candidate of the v2 protocol (``docs/validation.md``); Gelman et al. (2008) discuss scale
1 as the stronger alternative to 2.5."""

TREMBLE_PRIOR_CENTRE = 0.1
"""Prior centre of ε, the probability that the outcome is decided outside the game (logit
scale, sd ``PRIOR_SD``): a weak prior that some outcomes are not the game's, as in
Signorino's agent-error models; sd 2.5 on the logit spans ε from about 0.001 to 0.9."""


@dataclass(frozen=True)
class Specification:
    """One specification of the mapping model (see the module docstring)."""

    id: str
    tremble: str  # "none", "uniform" (π = 1/3 each) or "estimated" (π free)
    comprehensive_by_type: bool
    coding_prior_sd: float
    description: str

    @property
    def model_name(self) -> str:
        if self.id == "v1":
            return MODEL_NAME
        return f"{MODEL_NAME}, specification {self.id}"

    @property
    def family(self) -> str:
        """``v1`` or ``v2``: the calibration file's name is ``ties-<family>``."""
        return self.id.split("-")[0]


SPECIFICATIONS: dict[str, Specification] = {
    "v1": Specification("v1", "none", True, PRIOR_SD, "v1: the game alone, coding effects sd 2.5"),
    "v2-tremble": Specification(
        "v2-tremble",
        "uniform",
        True,
        PRIOR_SD,
        "v1 + outcome decided outside the game with estimated probability, uniform",
    ),
    "v2-baseline": Specification(
        "v2-baseline",
        "estimated",
        True,
        PRIOR_SD,
        "v1 + outcome decided outside the game with estimated probability and distribution "
        "(nests the base rate)",
    ),
    "v2-lean": Specification(
        "v2-lean",
        "estimated",
        False,
        LEAN_PRIOR_SD,
        "v2-baseline without the comprehensive share by sanction type, coding effects sd 1",
    ),
}
"""Every specification by id; the v2 candidates in protocol order (ties go to the first)."""

V2_CANDIDATES: tuple[str, ...] = ("v2-tremble", "v2-baseline", "v2-lean")


def specification(spec: str | Specification) -> Specification:
    """The :class:`Specification` of an id (``v1`` or a v2 candidate), refused otherwise."""
    if isinstance(spec, Specification):
        return spec
    if spec not in SPECIFICATIONS:
        allowed = ", ".join(SPECIFICATIONS)
        raise InputError(f"spec: {spec!r} is not a specification (allowed: {allowed})")
    return SPECIFICATIONS[spec]


MAPPING_ESTIMATED: tuple[str, ...] = ("target_resolve_spread", "coercer_resolve_spread")
ORDINAL_LEVELS: tuple[str, ...] = ("1", "2", "3", "none_coded")
_LOG_CLIP = 1e-12  # as estimation._row_loglike: a probability below this counts as 1e-12

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
    kinds: tuple[str, ...]  # "log", "logit" or "free" (a softmax logit)
    centres: np.ndarray
    prior_sd: np.ndarray
    spec: Specification = dataclasses.field(default_factory=lambda: SPECIFICATIONS["v1"])

    @classmethod
    def build(cls, coding: Coding, spec: str | Specification = "v1") -> Parameters:
        from coercive.policy.constants import MappingConstants

        spec = specification(spec)
        defaults = MappingConstants()
        names: list[str] = []
        kinds: list[str] = []
        centres: list[float] = []
        sds: list[float] = []

        def add(name: str, kind: str, centre: float, sd: float) -> None:
            names.append(name)
            kinds.append(kind)
            sds.append(sd)
            if kind == "log":
                centres.append(math.log(centre))
            elif kind == "logit":
                centres.append(math.log(centre / (1 - centre)))
            else:
                centres.append(centre)

        coding_sd = spec.coding_prior_sd
        for constant in MAPPING_ESTIMATED:
            add(constant, "log", float(getattr(defaults, constant)), PRIOR_SD)
        # the first level of each cost and value is the anchor of its scale (fixed at the
        # prior centre): with all levels free, a spread and its costs scale together
        for level in ORDINAL_LEVELS[1:]:
            add(f"war_cost[sender_costs={level}]", "log", PRIOR_CENTRES["war_cost"], coding_sd)
        for level in ORDINAL_LEVELS[1:]:
            centre = PRIOR_CENTRES["backdown_cost"]
            add(f"backdown_cost[commitment={level}]", "log", centre, coding_sd)
        for level in coding.levels["issue"][1:]:
            centre = PRIOR_CENTRES["value_per_year"]
            add(f"value_per_year[issue={level}]", "log", centre, coding_sd)
        if spec.comprehensive_by_type:
            for level in coding.levels["sanction_type"]:
                centre = PRIOR_CENTRES["comprehensive"]
                add(f"comprehensive[sanction_type={level}]", "logit", centre, coding_sd)
        add("other_carrots[carrots]", "log", PRIOR_CENTRES["carrots"], coding_sd)
        if spec.tremble != "none":
            add("outside_game", "logit", TREMBLE_PRIOR_CENTRE, PRIOR_SD)
        if spec.tremble == "estimated":
            # logits of SF and BD against CD; centre 0 = uniform
            add("outside_outcome[SF]", "free", 0.0, PRIOR_SD)
            add("outside_outcome[BD]", "free", 0.0, PRIOR_SD)
        return cls(tuple(names), tuple(kinds), np.asarray(centres), np.asarray(sds), spec)

    def natural(self, theta: np.ndarray) -> np.ndarray:
        kinds = np.array(self.kinds)
        return np.where(
            kinds == "logit",
            1.0 / (1.0 + np.exp(-theta)),
            np.where(kinds == "log", np.exp(np.where(kinds == "log", theta, 0.0)), theta),
        )

    def mixture(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """``(ε, π)``: the probability that the outcome is decided outside the game and the
        distribution over (CD, SF, BD) it then has (``ε = 0`` without a tremble)."""
        if self.spec.tremble == "none":
            return 0.0, np.full(3, 1.0 / 3.0)
        i = self.names.index("outside_game")
        epsilon = float(1.0 / (1.0 + math.exp(-float(theta[i]))))
        if self.spec.tremble == "uniform":
            return epsilon, np.full(3, 1.0 / 3.0)
        logits = np.array(
            [
                0.0,
                float(theta[self.names.index("outside_outcome[SF]")]),
                float(theta[self.names.index("outside_outcome[BD]")]),
            ]
        )
        weights = np.exp(logits - logits.max())
        return epsilon, weights / weights.sum()


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
        if s["type"]:
            inputs["comprehensive"] = values[s["type"]][d.sanction_type]
        else:  # one comprehensive share for every case: the prior centre
            inputs["comprehensive"] = np.full(d.sanction_type.size, PRIOR_CENTRES["comprehensive"])
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

    def probabilities(self, theta: np.ndarray) -> np.ndarray:
        """``(n, 3)`` P(CD), P(SF), P(BD) given the challenge, the mixture included."""
        base = self.payoffs(theta)
        resist, _, _ = solve_payoffs(base)
        epsilon, pi = self.parameters.mixture(theta)
        return (1.0 - epsilon) * _probabilities_at(base, resist) + epsilon * pi[None, :]

    def loglike(self, theta: np.ndarray) -> float:
        chosen = self.probabilities(theta)[np.arange(self.outcome.size), self.outcome]
        return float(np.sum(np.log(np.clip(chosen, _LOG_CLIP, 1.0))))

    def _rows(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-case log-likelihood ``(n,)`` and its gradient ``(n, k)``."""
        base = self.payoffs(theta)
        resist, _, _ = solve_payoffs(base)
        n = self.outcome.size
        rows = np.arange(n)
        game = _probabilities_at(base, resist)[rows, self.outcome]
        # d log P_game(k) / d payoffs, by the implicit function theorem at the equilibrium
        slopes = payoff_slopes(base, resist, self.outcome)
        epsilon, pi = self.parameters.mixture(theta)
        if self.parameters.spec.tremble == "none":
            value = _row_loglike(_probabilities_at(base, resist), self.outcome)
            return value, np.einsum("kn,jkn->nj", slopes, self._jacobian(theta))
        mixed = np.clip((1.0 - epsilon) * game + epsilon * pi[self.outcome], _LOG_CLIP, 1.0)
        weight = (1.0 - epsilon) * game / mixed  # d log P(k) = weight · d log P_game(k)
        gradient = np.einsum("kn,jkn->nj", slopes * weight, self._jacobian(theta))
        names = self.parameters.names
        # ε = logistic(θ): dε/dθ = ε (1 − ε)
        gradient[:, names.index("outside_game")] = (
            (pi[self.outcome] - game) / mixed * epsilon * (1.0 - epsilon)
        )
        if self.parameters.spec.tremble == "estimated":
            for j, label in ((1, "SF"), (2, "BD")):
                # softmax: dπ_k/dφ_j = π_k (1[k = j] − π_j)
                d_pi = pi[self.outcome] * ((self.outcome == j) - pi[j])
                gradient[:, names.index(f"outside_outcome[{label}]")] = epsilon * d_pi / mixed
        return np.log(mixed), gradient

    def row_scores(self, theta: np.ndarray) -> np.ndarray:
        return self._rows(theta)[1]

    def value_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = self._rows(theta)
        return float(np.sum(value)), gradient.sum(axis=0)

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
        moved_inputs: tuple[str, ...] = ("coercer_war_cost", "backdown_cost", "value_per_year")
        if s_type := self._slices["type"]:
            moved_inputs = (*moved_inputs, "comprehensive")
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
        for position, j in enumerate(s_type):
            rows = d.sanction_type == position
            jac[j][:, rows] = by_input["comprehensive"][:, rows] * values[j] * (1.0 - values[j])
        j = s["carrots"][0]
        jac[j] = by_input["other_carrots"] * values[j] * d.carrots
        return jac


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

    @property
    def spec(self) -> Specification:
        return self.parameters.spec

    def mixture(self) -> dict[str, Any]:
        """The estimated outcome-outside-the-game mixture (ε, π) with the bounds it puts on
        every P(CD); ``None`` entries for ``v1``."""
        theta = self.results.params.to_numpy()
        if self.spec.tremble == "none":
            return {"outside_game": None, "outside_outcome": None, "acquiescence_bounds": None}
        epsilon, pi = self.parameters.mixture(theta)
        i = self.parameters.names.index("outside_game")
        log_se = float(self.results.bse.iloc[i])
        return {
            "outside_game": epsilon,
            # delta method on the logit: se(ε) = ε (1 − ε) se(logit ε)
            "outside_game_se": None
            if not math.isfinite(log_se)
            else epsilon * (1.0 - epsilon) * log_se,
            "outside_outcome": dict(zip(GAME_OUTCOMES, (float(x) for x in pi), strict=True)),
            "acquiescence_bounds": [epsilon * float(pi[0]), 1.0 - epsilon * (1.0 - float(pi[0]))],
        }

    def acquiescence(self, cases: CodedCases, params: np.ndarray | None = None) -> np.ndarray:
        """P(the target acquiesces | the challenge) of each case, the mixture included."""
        theta = self.results.params.to_numpy() if params is None else np.asarray(params)
        return self._likelihood(cases).probabilities(theta)[:, 0]


def fit_mapping(
    train: CodedCases,
    progress: Callable[[int], None] | None = None,
    spec: str | Specification = "v1",
) -> MappingFit:
    """Estimate :data:`MAPPING_ESTIMATED`, the coding effects and (v2) the mixture on
    ``train`` under the specification ``spec`` (:data:`SPECIFICATIONS`)."""
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
    spec = specification(spec)
    parameters = Parameters.build(coding, spec)
    likelihood = MappingLikelihood(base_inputs(train, coding, trade_prior), parameters, outcome)
    precision = 1.0 / parameters.prior_sd**2

    def penalized(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = likelihood.value_and_gradient(theta)
        delta = theta - parameters.centres
        return (
            value - 0.5 * float(np.sum(precision * delta**2)),
            gradient - precision * delta,
        )

    result = _maximize_penalized(penalized, parameters.centres.copy(), 300, progress)
    theta = np.asarray(result.x)
    covariance, covariance_type = _penalized_covariance(penalized, likelihood.row_scores, theta)
    _, _, counts = solve_payoffs(likelihood.payoffs(theta))
    results = EstimationResults(
        model=spec.model_name,
        method=_method(spec),
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
            "specification": spec.id,
            "seconds": time.perf_counter() - started,
        },
    )
    return MappingFit(
        results=results, parameters=parameters, coding=coding, trade_prior=trade_prior
    )


def _method(spec: Specification) -> str:
    if spec.coding_prior_sd == PRIOR_SD:
        return f"penalized ML (normal prior sd {PRIOR_SD:g} on log/logit scale)"
    return (
        f"penalized ML (normal prior sd {PRIOR_SD:g} on log/logit scale; coding effects "
        f"sd {spec.coding_prior_sd:g})"
    )


__all__ = [
    "LEAN_PRIOR_SD",
    "MAPPING_ESTIMATED",
    "MODEL_NAME",
    "SPECIFICATIONS",
    "Specification",
    "V2_CANDIDATES",
    "specification",
    "PRIOR_CENTRES",
    "MappingFit",
    "MappingLikelihood",
    "Parameters",
    "base_inputs",
    "fit_mapping",
]
