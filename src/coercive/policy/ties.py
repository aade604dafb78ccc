"""The automatic coder: a TIES v4.1 case (plus sigInt dyad-decade covariates) -> a game case.

Issue 7 §2. Every rule below is mechanical: the same code runs on every row, there are no
case-specific exceptions, and what the data do not say is a stated prior, never a guess.

**Which rows** (:func:`code_cases`): threat cases only (``threat == 1``) with a final outcome
in 1–10 and a start year. Every other row is skipped with a counted reason
(:data:`SKIP_REASONS`), never silently.

**Outcome onto the Lewis–Schultz tree** (the threat stage; TIES codebook v4 codes as listed
in the data README):

====  ===============================================  =====================================
code  TIES meaning                                     game outcome
====  ===============================================  =====================================
1, 2  partial / complete acquiescence to the threat    ``CD`` (target concedes)
3     sender capitulates in the threat stage           ``BD`` (coercer backs down)
4     stalemate in the threat stage                    ``BD`` (stated rule, below)
5     negotiated settlement in the threat stage        ``BD`` (stated rule, below)
6–10  sanctions imposed (whatever followed)            ``SF`` (coercer stands firm)
====  ===============================================  =====================================

*Rule for 4–5*: in both the target did not acquiesce and the threatened sanctions were never
imposed, so the threat stage ended with resistance that the coercer did not carry out — the
``BD`` branch of the game. This keeps the binary event that every score uses,
"the target acquiesced to the threat" (codes 1–2), identical to the game's ``CD``.

**Features** (the coded case; :data:`FEATURES`). Categorical codes whose labels cannot be
verified offline enter as categories with estimated effects, never hand-mapped meanings:

* ``sanction_type``: the first code listed in ``sanctiontypethreat`` (a row may list several;
  the first is taken, a stated rule); ``none_coded`` when empty;
* ``issue``: ``issue1``;
* a category seen fewer than :data:`MIN_LEVEL_COUNT` times in the *training* rows joins
  ``other`` (a level never seen in training joins ``other`` too, or the reference level
  when training pooled nothing); the reference is the most frequent level; levels are
  fixed on the training rows (:class:`Coding`), so test rows never
  shape the coding;
* ordinal codes as numbers: ``target_costs`` (``anticipatedtargetcosts``, 1–3),
  ``sender_costs`` (``anticipatedsendercosts``, 1–3), ``commitment`` (``scommit``),
  ``specificity`` (``bspecif``);
* indicators: ``institution`` (an institution is the sender), ``carrots`` (the row codes any
  carrot: ``carrots`` is not empty), ``us_sender`` (COW code 2 is the primary sender, or
  ``sender1`` when the primary sender is empty);
* sigInt dyad-decade covariates (Crisman-Cox & Gibilisco 2021, from the same TIES project,
  COW and Polity) where the dyad (primary sender, target) and the decade of the start year
  match a row of ``load("sanctions")``: ``sqrt_target_econdep``, ``sqrt_sender_econdep``,
  ``target_democracy``, ``sender_democracy``, ``lncaprat``, ``contig``, ``ally``. The outcome
  columns and first-stage probabilities of that table are never read.

*Stated prior for what a row does not say*: a missing ordinal code, indicator or dyad
covariate takes its mean over the training rows that have it (the "average training case").
Numbers enter standardized by the training mean and standard deviation (so the prior is 0
and a coefficient is the effect of one training SD);
``dyad_matched`` records whether the covariates were observed. No indicator of missingness
enters the model: missing dyad data are concentrated before 1970 and after 1999, so such an
indicator would be a disguised time trend.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coercive._errors import InputError

OUTCOME_MAP: dict[int, str] = {
    1: "CD",
    2: "CD",
    3: "BD",
    4: "BD",
    5: "BD",
    6: "SF",
    7: "SF",
    8: "SF",
    9: "SF",
    10: "SF",
}
"""TIES ``finaloutcome`` -> outcome of the threat-stage game (see the module docstring)."""

GAME_OUTCOMES: tuple[str, ...] = ("CD", "SF", "BD")

SKIP_REASONS: dict[str, str] = {
    "not_threat": "no threat stage (threat != 1)",
    "no_outcome": "final outcome missing (ongoing or not coded)",
    "bad_outcome": "final outcome not a code 1-10",
    "no_year": "start year missing",
}
"""Why a TIES row is not used, by key (counted in :attr:`CodedCases.skipped`)."""

REQUIRED_COLUMNS: tuple[str, ...] = (
    "caseid",
    "startyear",
    "threat",
    "finaloutcome",
    "targetstate",
    "primarysender",
    "sender1",
    "institution",
    "issue1",
    "sanctiontypethreat",
    "carrots",
    "anticipatedtargetcosts",
    "anticipatedsendercosts",
    "scommit",
    "bspecif",
)

CATEGORICAL: tuple[str, ...] = ("sanction_type", "issue")
DYAD_FEATURES: tuple[str, ...] = (
    "sqrt_target_econdep",
    "sqrt_sender_econdep",
    "target_democracy",
    "sender_democracy",
    "lncaprat",
    "contig",
    "ally",
)
"""The numeric features read from the dyad-year data (the rest come from the case itself)."""
NUMERIC: tuple[str, ...] = (
    "target_costs",
    "sender_costs",
    "commitment",
    "specificity",
    "institution",
    "carrots",
    "us_sender",
    *DYAD_FEATURES,
)
FEATURES: tuple[str, ...] = CATEGORICAL + NUMERIC

MIN_LEVEL_COUNT = 10
"""A category seen fewer times than this in the training rows is pooled into ``other``."""

US_COW_CODE = 2


@dataclass(frozen=True)
class CodedCases:
    """The usable TIES threat cases, raw-coded (before the training-set coding is applied).

    ``frame`` has one row per case: ``caseid``, ``year``, ``decade``, ``finaloutcome``,
    ``outcome`` (``CD``/``SF``/``BD``), ``acquiesced`` (0/1), ``dyad_matched`` and the raw
    features (categories as strings, numbers with NaN where the row is silent).
    ``skipped`` counts the rows left out, by reason key of :data:`SKIP_REASONS`.
    """

    frame: pd.DataFrame
    skipped: dict[str, int]

    @property
    def n_rows_read(self) -> int:
        return len(self.frame) + sum(self.skipped.values())

    def skipped_report(self) -> dict[str, dict[str, object]]:
        """``{key: {"count": n, "reason": text}}`` for every reason (zero counts included)."""
        return {
            key: {"count": int(self.skipped.get(key, 0)), "reason": text}
            for key, text in SKIP_REASONS.items()
        }

    def split(self, until: int) -> tuple[CodedCases, CodedCases]:
        """Cases starting in or before ``until``, and after it (skip counts go with the first)."""
        early = self.frame["year"] <= until
        return (
            CodedCases(self.frame[early].reset_index(drop=True), dict(self.skipped)),
            CodedCases(self.frame[~early].reset_index(drop=True), {}),
        )


def _first_code(value: object) -> str | None:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    text = str(value).split()
    if not text:
        return None
    head = text[0]
    try:  # "8", "8.0" and 8 are one code
        number = float(head)
    except ValueError:
        return head
    return str(int(number)) if number.is_integer() else head


def _number(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def _dyad_table(dyads: pd.DataFrame | None) -> pd.DataFrame | None:
    if dyads is None:
        return None
    needed = {
        "ccode1",
        "ccode2",
        "tenyear",
        "targetecondep",
        "senderecondep",
        "targetdemocracy",
        "senderdemocracy",
        "lncaprat",
        "contig",
        "ally",
    }
    missing = sorted(needed - set(dyads.columns))
    if missing:
        raise InputError(f"dyads: missing column {missing[0]!r} (expected sigInt's sanctions data)")
    table = pd.DataFrame(
        {
            "sender": dyads["ccode1"].astype(float),
            "target": dyads["ccode2"].astype(float),
            "decade": dyads["tenyear"].astype(float),
            "sqrt_target_econdep": np.sqrt(dyads["targetecondep"].astype(float)),
            "sqrt_sender_econdep": np.sqrt(dyads["senderecondep"].astype(float)),
            "target_democracy": dyads["targetdemocracy"].astype(float),
            "sender_democracy": dyads["senderdemocracy"].astype(float),
            "lncaprat": dyads["lncaprat"].astype(float),
            "contig": dyads["contig"].astype(float),
            "ally": dyads["ally"].astype(float),
        }
    )
    return table.drop_duplicates(["sender", "target", "decade"])


def code_cases(ties: pd.DataFrame, dyads: pd.DataFrame | None = None) -> CodedCases:
    """Code every usable threat case of a TIES frame (rows of ``load("ties")``).

    ``dyads`` is sigInt's dyad-decade table (``load("sanctions")``) or ``None`` (then every
    dyad covariate takes its stated prior).
    """
    if not isinstance(ties, pd.DataFrame):
        raise InputError(
            f"ties: expected a pandas DataFrame of TIES rows, got {type(ties).__name__}"
        )
    missing = [column for column in REQUIRED_COLUMNS if column not in ties.columns]
    if missing:
        raise InputError(f"ties: missing column {missing[0]!r} (expected TIES v4.1 case rows)")
    threat = _number(ties, "threat")
    outcome_code = _number(ties, "finaloutcome")
    year = _number(ties, "startyear")
    reasons = np.full(len(ties), "", dtype=object)
    valid_code = np.isin(outcome_code, list(OUTCOME_MAP))
    # the first failing check names the reason (order: threat, outcome, code, year)
    checks = [
        ("not_threat", threat != 1),
        ("no_outcome", np.isnan(outcome_code)),
        ("bad_outcome", ~np.isnan(outcome_code) & ~valid_code),
        ("no_year", np.isnan(year)),
    ]
    for key, failed in checks:
        reasons[(reasons == "") & failed] = key
    keep = reasons == ""
    skipped = dict(Counter(str(r) for r in reasons[~keep]))
    rows = ties.loc[keep].reset_index(drop=True)
    codes = outcome_code[keep].astype(int)
    years = year[keep].astype(int)

    primary = _number(rows, "primarysender")
    sender = np.where(np.isnan(primary), _number(rows, "sender1"), primary)
    frame = pd.DataFrame(
        {
            "caseid": rows["caseid"].to_numpy(),
            "year": years,
            "decade": (years // 10) * 10,
            "sender": sender,
            "target": _number(rows, "targetstate"),
            "finaloutcome": codes,
            "outcome": [OUTCOME_MAP[c] for c in codes],
            "acquiesced": np.isin(codes, (1, 2)).astype(float),
            "sanction_type": [_first_code(v) or "none_coded" for v in rows["sanctiontypethreat"]],
            "issue": [_first_code(v) or "none_coded" for v in rows["issue1"]],
            "target_costs": _number(rows, "anticipatedtargetcosts"),
            "sender_costs": _number(rows, "anticipatedsendercosts"),
            "commitment": _number(rows, "scommit"),
            "specificity": _number(rows, "bspecif"),
            "institution": _number(rows, "institution"),
            "carrots": rows["carrots"].map(_first_code).notna().astype(float).to_numpy(),
            "us_sender": (sender == US_COW_CODE).astype(float),
        }
    )
    table = _dyad_table(dyads)
    if table is None:
        for name in DYAD_FEATURES:
            frame[name] = np.nan
        frame["dyad_matched"] = False
    else:
        merged = frame.merge(
            table,
            how="left",
            left_on=["sender", "target", "decade"],
            right_on=["sender", "target", "decade"],
        )
        frame = merged
        frame["dyad_matched"] = frame["sqrt_target_econdep"].notna()
    return CodedCases(frame=frame, skipped=skipped)


@dataclass(frozen=True)
class Coding:
    """The coding fixed on the training rows: category levels and the stated priors.

    ``levels[name]`` lists a categorical feature's levels (reference first: the most
    frequent training level); ``priors[name]`` is the training mean that fills a missing
    number. Applied to any rows by :meth:`features`.
    """

    levels: dict[str, tuple[str, ...]]
    priors: dict[str, float]
    scales: dict[str, float] = field(default_factory=dict)
    min_level_count: int = MIN_LEVEL_COUNT
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def fit(cls, train: CodedCases, min_level_count: int = MIN_LEVEL_COUNT) -> Coding:
        frame = train.frame
        if len(frame) == 0:
            raise InputError("train: no usable TIES threat cases to fix the coding on")
        levels: dict[str, tuple[str, ...]] = {}
        for name in CATEGORICAL:
            counts = Counter(frame[name])
            kept = [level for level, n in counts.most_common() if n >= min_level_count]
            pooled = [level for level, n in counts.items() if n < min_level_count]
            levels[name] = tuple(kept) + (("other",) if pooled and "other" not in kept else ())
        priors: dict[str, float] = {}
        scales: dict[str, float] = {}
        notes = []
        for name in NUMERIC:
            values = frame[name].to_numpy(dtype=float)
            observed = values[np.isfinite(values)]
            if observed.size == 0:
                priors[name] = 0.0
                notes.append(f"{name}: never observed in the training rows; prior 0")
            else:
                priors[name] = float(observed.mean())
            spread = float(observed.std()) if observed.size > 1 else 0.0
            scales[name] = spread if spread > 0 else 1.0
        return cls(
            levels=levels,
            priors=priors,
            scales=scales,
            min_level_count=min_level_count,
            notes=tuple(notes),
        )

    def features(self, cases: CodedCases | pd.DataFrame) -> pd.DataFrame:
        """The model's features for ``cases``: categoricals on the training levels, numbers
        with missing values replaced by their priors."""
        frame = cases.frame if isinstance(cases, CodedCases) else cases
        out = pd.DataFrame(index=frame.index)
        for name in CATEGORICAL:
            levels = self.levels[name]
            # a level unseen in training joins "other", or the reference when there is none
            fallback = "other" if "other" in levels else levels[0]
            values = [v if v in levels else fallback for v in frame[name]]
            out[name] = pd.Categorical(values, categories=list(levels))
        for name in NUMERIC:
            # standardized on the training rows: 0 = the prior (training mean), 1 = one SD
            values = frame[name].astype(float).fillna(self.priors[name]).to_numpy()
            out[name] = (values - self.priors[name]) / self.scales.get(name, 1.0)
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "levels": {k: list(v) for k, v in self.levels.items()},
            "priors": dict(self.priors),
            "scales": dict(self.scales),
            "min_level_count": self.min_level_count,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object], where: str = "coding") -> Coding:
        try:
            levels = {str(k): tuple(str(x) for x in v) for k, v in dict(data["levels"]).items()}  # type: ignore[arg-type]
            priors = {str(k): float(v) for k, v in dict(data["priors"]).items()}  # type: ignore[arg-type]
            scales = {str(k): float(v) for k, v in dict(data["scales"]).items()}  # type: ignore[arg-type]
            count = int(data.get("min_level_count", MIN_LEVEL_COUNT))  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{where}: malformed coding ({exc})") from None
        for name in CATEGORICAL:
            if name not in levels:
                raise InputError(f"{where}.levels: missing feature {name!r}")
        for name in NUMERIC:
            if name not in priors:
                raise InputError(f"{where}.priors: missing feature {name!r}")
            if name not in scales or not scales[name] > 0:
                raise InputError(f"{where}.scales: feature {name!r} needs a scale > 0")
        return cls(levels=levels, priors=priors, scales=scales, min_level_count=count)


def load_coded(dyads: bool = True) -> CodedCases:
    """Code the bundled TIES v4.1 file (``load("ties")``), with the sigInt dyad-decades."""
    from coercive.datasets import load

    return code_cases(load("ties"), load("sanctions") if dyads else None)


def concat(parts: Iterable[CodedCases]) -> CodedCases:
    parts = list(parts)
    skipped: Counter[str] = Counter()
    for part in parts:
        skipped.update(part.skipped)
    frame = pd.concat([part.frame for part in parts], ignore_index=True)
    return CodedCases(frame=frame, skipped=dict(skipped))


__all__ = [
    "OUTCOME_MAP",
    "GAME_OUTCOMES",
    "SKIP_REASONS",
    "FEATURES",
    "CATEGORICAL",
    "NUMERIC",
    "DYAD_FEATURES",
    "MIN_LEVEL_COUNT",
    "CodedCases",
    "Coding",
    "code_cases",
    "load_coded",
    "concat",
]
