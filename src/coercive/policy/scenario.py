"""Scenario schema for a coercion campaign (pydantic v2).

A scenario describes one coercion campaign as an analyst would: who coerces whom, what is
demanded, the target's economy, and the instruments — sanctions, the military threat, the
deadline, assurances and inducements. The four instrument blocks follow the four conditions
for successful coercive diplomacy of Jakobsen (1998, *Western Use of Coercive Diplomacy
after the Cold War*; 2011 in *Coercion: The Power to Hurt*): a threat of force able to defeat
the adversary's objective quickly at little cost, a deadline, an assurance against further
demands, and an offer of inducements for compliance (George 1991, *Forceful Persuasion*;
the seed article, Wang Fudong 2018, "Trump's Coercive Diplomacy Against North Korea").

Units (see ``docs/scenario.md`` for every field; ``docs/coding.md`` for how to code them).
The target's stakes are in units comparable across countries (schema version 2):

* **share of GDP per year** — economic flows on the target's side (the value of what it is
  asked to give up, compensation), as a fraction of its own GDP;
* **share of one year's GDP** — one-off amounts (other carrots, the economic damage of a
  strike);
* **probability of losing power** — what the regime values most is staying in power: the
  chance that complying, a strike, or exploitation after complying ends the regime;
* **shares** — fractions in [0, 1] (coverage, credibility, escalation dominance);
* **stakes** — the coercer's side: 1.0 is the value to the coercer of the target complying.

Version 1 files (raw GDP-years) are refused; ``docs/scenario.md`` gives the conversion.

Any numeric field marked *uncertain* takes either a number or a distribution::

    value_to_target: 2.0                                   # fixed
    value_to_target: {low: 1.0, high: 3.0}                 # uniform
    value_to_target: {dist: triangular, low: 1, mode: 2, high: 4}
    value_to_target: {dist: normal, mean: 2, sd: 0.5}      # clipped to the field's range

The Monte Carlo layer (:mod:`coercive.policy.montecarlo`) samples these. Field paths such as
``instruments.sanctions.kind`` are stable: the case library and the CLI's ``--set`` use them.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from coercive._errors import shown

SCHEMA_VERSION = 2

_CONFIG = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=False)


class _Model(BaseModel):
    model_config = _CONFIG


# ----------------------------------------------------------------------------------------
# Uncertain numbers
# ----------------------------------------------------------------------------------------


class Distribution(_Model):
    """An uncertain input: uniform on [low, high], triangular, or normal (clipped to range)."""

    dist: Literal["uniform", "triangular", "normal"] = Field(
        "uniform", description="Distribution family; 'uniform' when omitted."
    )
    low: float | None = Field(None, description="Lower end (uniform, triangular).")
    high: float | None = Field(None, description="Upper end (uniform, triangular).")
    mode: float | None = Field(None, description="Most likely value (triangular).")
    mean: float | None = Field(None, description="Mean (normal).")
    sd: float | None = Field(None, description="Standard deviation (normal), > 0.")

    @model_validator(mode="after")
    def _check_parameters(self) -> Distribution:
        needed = {
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "normal": ("mean", "sd"),
        }[self.dist]
        given = {
            name
            for name in ("low", "high", "mode", "mean", "sd")
            if getattr(self, name) is not None
        }
        missing = [name for name in needed if name not in given]
        extra = sorted(given - set(needed))
        if missing or extra:
            raise ValueError(
                f"a {self.dist} distribution takes exactly {', '.join(needed)}"
                + (f" (missing {', '.join(missing)})" if missing else "")
                + (f" (unexpected {', '.join(extra)})" if extra else "")
            )
        if self.dist == "uniform" and not self.low <= self.high:  # type: ignore[operator]
            raise ValueError("uniform distribution needs low <= high")
        if self.dist == "triangular" and not self.low <= self.mode <= self.high:  # type: ignore[operator]
            raise ValueError("triangular distribution needs low <= mode <= high")
        if self.dist == "normal" and not self.sd > 0:  # type: ignore[operator]
            raise ValueError("normal distribution needs sd > 0")
        return self

    def support(self) -> tuple[float, float]:
        """The interval the draws can fall in before clipping to the field's range."""
        if self.dist == "normal":
            return (-math.inf, math.inf)
        return (float(self.low), float(self.high))  # type: ignore[arg-type]

    def center(self) -> float:
        """A representative value (mean for uniform/normal, mode for triangular)."""
        if self.dist == "normal":
            return float(self.mean)  # type: ignore[arg-type]
        if self.dist == "triangular":
            return float(self.mode)  # type: ignore[arg-type]
        return 0.5 * (float(self.low) + float(self.high))  # type: ignore[arg-type]


UncertainValue = float | Distribution

_DISTRIBUTION_HELP = (
    "a number, {low, high} (uniform), {dist: triangular, low, mode, high} "
    "or {dist: normal, mean, sd}"
)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def _uncertain(low: float, high: float, nullable: bool = False) -> Any:
    """An uncertain number in [low, high]: a fixed value or a :class:`Distribution` on it.

    Validated by one plain function so that a bad value gives one clear message (a union
    of ``float | Distribution`` would report a failure per member).
    """
    allowed = f"allowed: {_DISTRIBUTION_HELP} within [{low:g}, {high:g}]"

    def parse(value: Any) -> UncertainValue | None:
        if value is None and nullable:
            return None
        if isinstance(value, Distribution):
            dist = value
        elif isinstance(value, dict):
            try:
                dist = Distribution.model_validate(value)
            except ValidationError as exc:
                raise ValueError(f"bad distribution ({_first_error(exc)}); {allowed}") from None
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(
                f"expected a number or a distribution, got {shown(value)}; {allowed}"
            )
        else:
            try:
                number = float(value)
            except OverflowError:
                raise ValueError(f"{shown(value)} is too large; {allowed}") from None
            if not math.isfinite(number):
                raise ValueError(f"must be finite, got {shown(value)}; {allowed}")
            if not low <= number <= high:
                raise ValueError(f"{number:g} is out of range; {allowed}")
            return number
        if dist.dist == "normal":
            if not low <= float(dist.mean) <= high:  # type: ignore[arg-type]
                raise ValueError(f"normal mean {dist.mean:g} is out of range; {allowed}")
        else:
            lo, hi = dist.support()
            if lo < low or hi > high:
                raise ValueError(f"distribution range [{lo:g}, {hi:g}] is out of range; {allowed}")
        return dist

    parse.bounds = (low, high)  # type: ignore[attr-defined]  # read by the Monte Carlo sampler
    number_schema: dict[str, Any] = {"type": "number", "minimum": low, "maximum": high}
    options: list[dict[str, Any]] = [number_schema, Distribution.model_json_schema()]
    if nullable:
        options.append({"type": "null"})
    schema = {
        "anyOf": options,
        "description": f"uncertain: {_DISTRIBUTION_HELP}; range [{low:g}, {high:g}]",
    }
    return Annotated[
        UncertainValue,
        PlainValidator(parse),
        PlainSerializer(_dump_uncertain),
        WithJsonSchema(schema),
    ]


def _dump_uncertain(value: UncertainValue | None) -> Any:
    # One serializer for the validated value: a union schema would try float first and
    # warn on every distribution.
    if isinstance(value, Distribution):
        return value.model_dump(mode="json", exclude_none=True)
    return value


ShareOrNull = _uncertain(0.0, 1.0, nullable=True)
"""An uncertain fraction in [0, 1], or null for the model default."""

Share = _uncertain(0.0, 1.0)
"""An uncertain fraction in [0, 1]."""

GdpShare = _uncertain(0.0, 100.0)
"""An uncertain non-negative amount in shares of the target's GDP (per year or one-off)."""

Ratio = _uncertain(0.0, 100.0)
"""An uncertain non-negative ratio (at most 100)."""

Stakes = _uncertain(0.0, 100.0)
"""An uncertain non-negative amount in the coercer's stakes units (at most 100)."""

ShareFixed = Annotated[float, Field(ge=0.0, le=1.0)]


# ----------------------------------------------------------------------------------------
# Actors, demand, economy
# ----------------------------------------------------------------------------------------


class Actor(_Model):
    name: str = Field(..., min_length=1, description="Name of the state or coalition.")
    note: str | None = Field(None, description="Free text: who decides, sources.")


class ThirdParty(_Model):
    """A third state that chooses how far to enforce the sanctions (``docs/model.md`` step 1).

    It weighs its stake in the target against the pressure to enforce (the sanctions regime,
    the coercer's secondary sanctions on its exposed firms and banks, the target's isolation);
    its chosen enforcement, weighted by its share of the target's trade, decides the leakage.
    """

    name: str = Field(
        ..., min_length=1, description="Name; keys instruments.sanctions.enforcement."
    )
    trade_share: ShareFixed = Field(
        ..., description="Share of the target's total foreign trade (0-1) with this party."
    )
    weight: ShareFixed | None = Field(
        None,
        description="Importance of the party to the target (trade, aid, diplomatic), share "
        "(0-1); weights the party in the isolation index. null = its trade_share.",
    )
    ties: Literal["maintained", "downgraded", "cut"] = Field(
        "maintained",
        description="Diplomatic ties with the target during the campaign: maintained, "
        "downgraded (ambassador expelled, economic ties reduced) or cut (relations broken).",
    )
    secondary_exposure: ShareFixed = Field(
        0.5,
        description="How exposed the party is to the coercer's secondary sanctions (0 = not at "
        "all, 1 = its banks and firms cannot afford losing access to the coercer's market).",
    )
    stake_in_target: Ratio = Field(
        1.0,
        description="What the party gives up by enforcing (trade with the target, the target's "
        "survival as ally or buffer) relative to the baseline pressure to enforce: without "
        "secondary sanctions or isolation it enforces 1 / (1 + stake) of the sanctioned trade "
        "(0 = enforces fully, 1 = half, 9 = a tenth).",
    )
    note: str | None = Field(None, description="Free text and sources.")


class Actors(_Model):
    coercer: Actor = Field(..., description="The coercing state (player A, the challenger).")
    target: Actor = Field(..., description="The target state (player B).")
    third_parties: list[ThirdParty] = Field(
        default_factory=list,
        description="Third parties with their trade shares and diplomatic ties; the rest of the "
        "target's trade (1 - sum of shares) is with the coercer and its coalition.",
    )

    @model_validator(mode="after")
    def _check_parties(self) -> Actors:
        names = [party.name for party in self.third_parties]
        if len(set(names)) != len(names):
            raise ValueError("third party names must be unique")
        if sum(party.trade_share for party in self.third_parties) > 1.0 + 1e-9:
            raise ValueError("third-party trade shares must sum to at most 1")
        weights = [
            party.trade_share if party.weight is None else party.weight
            for party in self.third_parties
        ]
        if sum(weights) > 1.0 + 1e-9:
            raise ValueError("third-party weights must sum to at most 1")
        return self


class Demand(_Model):
    """What the target is asked to do or give up, and what it is worth."""

    description: str = Field(..., min_length=1, description="The demand in words.")
    value_per_year: GdpShare = Field(
        ...,
        description="Value the regime puts on what it is asked to give up, beyond its security "
        "(prestige, rents, leverage), as a share of its GDP per year, for as long as it keeps it.",
    )
    power_given_up: Share = Field(
        0.0,
        description="Probability that complying itself ends the regime (1 = the demand is that "
        "the rulers leave power; 0 = the demand leaves them in place).",
    )
    exploited_regime_loss: Share = Field(
        ...,
        description="Probability that the regime loses power if, having complied, it faces the "
        "further demands or attack of a coercer able and willing to exploit it (before the "
        "weights escalation_dominance x (1 - assurance) and discounting).",
    )
    value_to_coercer: Stakes = Field(
        1.0,
        description="Value to the coercer of compliance (stakes units; 1.0 defines the unit).",
    )


class Economy(_Model):
    """The target's economy before coercion."""

    gdp_usd_bn: float = Field(..., gt=0, description="Annual GDP, billions of US dollars.")
    export_share: Share = Field(..., description="Exports as a share of GDP (0-1).")
    import_dependence: Share = Field(..., description="Imports as a share of GDP (0-1).")
    strategic_import_dependence: Share = Field(
        0.0,
        description="Share of GDP that depends on strategic imports such as oil (0-1): the "
        "output lost if those imports stopped entirely.",
    )
    observed_growth: float | None = Field(
        None,
        description="Observed real GDP growth during the campaign (share, e.g. -0.035); "
        "informational, shown beside the model's estimated loss, never an input.",
    )


# ----------------------------------------------------------------------------------------
# Instruments
# ----------------------------------------------------------------------------------------


class Sanctions(_Model):
    kind: Literal["none", "targeted", "comprehensive"] = Field(
        ...,
        description="targeted: entities and individuals tied to the demand (little passes "
        "through to the regime); comprehensive: an economy-wide blockade; none: no sanctions.",
    )
    status: Literal["in_force", "threatened"] = Field(
        "in_force",
        description="in_force: imposed now and kept until lifted (also if the coercer backs "
        "down); threatened: imposed only if the target resists and the coercer carries out "
        "its threat.",
    )
    export_coverage: Share = Field(0.0, description="Share of the target's exports banned (0-1).")
    import_coverage: Share = Field(0.0, description="Share of the target's imports banned (0-1).")
    strategic_import_cut: Share = Field(
        0.0,
        description="Cut in strategic imports (oil) imposed by caps, share of pre-sanction level.",
    )
    secondary: Share = Field(
        0.0,
        description="Strength of secondary sanctions on third parties that trade with the "
        "target (0 = none, 1 = fully enforced against every exposed party).",
    )
    coalition_enforcement: Share = Field(
        0.9,
        description="Enforcement on the trade not with listed third parties (the coercer and "
        "its coalition), share stopped (0-1).",
    )
    pass_through: ShareOrNull = Field(
        None,
        description="Share of the economy-wide loss borne by the regime; null = the model "
        "default for the sanctions kind (docs/model.md).",
    )


class Threat(_Model):
    kind: Literal["force", "sanctions"] = Field(
        "force",
        description="force: executing the threat is a military strike; sanctions: executing "
        "it is imposing the (threatened) sanctions, with no strike.",
    )
    escalation_dominance: Share = Field(
        ...,
        description="The coercer's ability to defeat the target's aim quickly and at little "
        "cost if it executes the threat (0-1; Jakobsen's first condition).",
    )
    coercer_war_cost: Stakes = Field(
        ..., description="Cost to the coercer of executing the threat (stakes units)."
    )
    backdown_cost: Stakes = Field(
        0.0,
        description="Audience and reputation cost to the coercer of backing down after the "
        "target resists (stakes units), before the deadline's commitment effect.",
    )
    strike_regime_loss: Share = Field(
        0.0,
        description="Probability that a strike by a dominant coercer ends the regime (scaled "
        "by escalation_dominance); 0 when the threat is not force.",
    )
    strike_damage: GdpShare = Field(
        0.0,
        description="Economic damage of a strike by a dominant coercer, share of one year's "
        "GDP (one-off; scaled by escalation_dominance).",
    )
    limited_force_used: bool = Field(
        False, description="Limited force already used (demonstrates resolve, commits the coercer)."
    )


class Deadline(_Model):
    months: float | None = Field(
        ...,
        gt=0,
        le=240,
        description="Time given for compliance in months, or null for no deadline.",
    )
    public: bool = Field(True, description="The deadline was stated publicly (engages commitment).")


class Assurance(_Model):
    credibility: Share = Field(
        ...,
        description="The target's belief (0-1) that compliance brings no further demands; "
        "security guarantees, treaties and guarantors raise it.",
    )
    guarantees: list[str] = Field(
        default_factory=list, description="The assurances offered, in words (informational)."
    )


class Inducements(_Model):
    sanctions_relief: bool = Field(
        ..., description="Sanctions are lifted on compliance (a concrete, offered plan)."
    )
    compensation: Share = Field(
        0.0, description="Economic compensation on compliance, share of the target's GDP per year."
    )
    compensation_years: float = Field(
        10.0, gt=0, le=100, description="Years over which compensation is paid."
    )
    other: GdpShare = Field(
        0.0,
        description="Other carrots (aid, normalization, a peace treaty), share of one year's "
        "GDP (one-off).",
    )
    delivery_credibility: Share = Field(
        1.0, description="The target's belief (0-1) that the promised carrots will be delivered."
    )
    cost_to_coercer: Stakes = Field(
        0.0, description="Political and budget cost to the coercer of the carrots (stakes units)."
    )


class Instruments(_Model):
    sanctions: Sanctions
    threat: Threat
    deadline: Deadline
    assurance: Assurance
    inducements: Inducements


# ----------------------------------------------------------------------------------------
# Model settings, outcome, scenario
# ----------------------------------------------------------------------------------------


class ModelSettings(_Model):
    draws: int = Field(2000, ge=1, le=200_000, description="Monte Carlo draws.")
    seed: int = Field(20170808, ge=0, description="Seed of the numpy Generator.")
    equilibrium: Literal["stable", "most_resistance", "least_resistance"] = Field(
        "stable",
        description="Equilibrium selected in each draw when the game has several "
        "(stable = the stable one with most resistance).",
    )


class Outcome(_Model):
    """The recorded outcome of a historical case (library cases only)."""

    result: Literal["success", "partial", "failure"] = Field(
        ..., description="Did the target comply with the demand?"
    )
    summary: str | None = Field(None, description="What happened, in words.")
    sources: list[str] = Field(default_factory=list, description="Where the coding comes from.")


class Coding(_Model):
    """The coding record of a case (``docs/coding.md``)."""

    protocol: str = Field(..., min_length=1, description="Protocol version, e.g. coding-v1.")
    status: Literal["awaiting_independent_recoding", "coded", "recoded"] = Field(
        ..., description="awaiting_independent_recoding: values migrated mechanically."
    )
    coder: str | None = Field(None, description="Who coded the values.")
    date: str | None = Field(None, description="When (ISO date).")
    migrated_from: str | None = Field(None, description="Schema the values were converted from.")
    disagreements: list[str] = Field(
        default_factory=list, description="Where coders disagreed, and how it was settled."
    )
    note: str | None = None


class Scenario(_Model):
    """One coercion campaign. See ``docs/scenario.md``."""

    schema_version: Literal[2] = Field(
        2, description="Version of this schema (2; version 1 files: see docs/scenario.md)."
    )
    id: str = Field(..., pattern=r"^[a-z0-9][a-z0-9._-]*$", description="Case id, e.g. dprk-2017.")
    title: str = Field(..., min_length=1)
    period: str | None = Field(None, description="When the campaign ran, e.g. '2017'.")
    summary: str | None = None
    sources: list[str] = Field(default_factory=list, description="Sources for the coding.")
    actors: Actors
    demand: Demand
    economy: Economy
    instruments: Instruments
    model: ModelSettings = Field(default_factory=ModelSettings)  # type: ignore[arg-type]
    outcome: Outcome | None = None

    coding: Coding | None = Field(
        None, description="Who coded the case, when, by which protocol (docs/coding.md)."
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (committed as ``scenario.schema.json``)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://coercive.invalid/scenario.schema.json"
    return schema


__all__ = [
    "SCHEMA_VERSION",
    "Distribution",
    "Scenario",
    "Actors",
    "Actor",
    "ThirdParty",
    "Demand",
    "Economy",
    "Sanctions",
    "Threat",
    "Deadline",
    "Assurance",
    "Inducements",
    "Instruments",
    "ModelSettings",
    "Outcome",
    "Coding",
    "json_schema",
]
