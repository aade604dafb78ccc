"""Campaign files: a base scenario plus an ordered list of phases (``docs/campaign.md``).

A phase starts at a month and puts instruments in force, either copied whole from a case file
(``instruments_from``) and/or as dotted overrides of the base scenario's ``instruments``
paths. Each phase's scenario is validated by the policy loader, so an instrument outside its
range is refused with the policy's own words; every error is one line naming the campaign
file and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coercive._errors import InputError
from coercive.policy.loader import load_scenario, resolve_case
from coercive.policy.scenario import Scenario, Share

CAMPAIGNS_DIR = Path(__file__).resolve().parent.parent / "campaigns"
MAX_MONTHS = 240


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PhaseSpec(_Model):
    name: str = Field(..., min_length=1)
    start_month: int = Field(..., ge=0, le=MAX_MONTHS)
    instruments_from: str | None = Field(
        None, description="A bundled case id whose whole `instruments` block is in force."
    )
    instruments: dict[str, Any] = Field(
        default_factory=dict,
        description="Dotted paths under the base scenario's `instruments` -> value (YAML).",
    )
    partial_relief: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Share of the sanctions relief offered (at the phase's delivery "
        "credibility) for the demand's first step (`partial`); 0 = none offered.",
    )
    source: str | None = None


class PartialStep(_Model):
    """The demand's first step (freeze before dismantle): present only if it can be split."""

    name: str = Field(..., min_length=1)
    share: Share = Field(
        ...,
        description="Share of the demand the step gives up (0-1, both ends excluded): of its "
        "value to the regime, the power it costs and the further-demands risk it opens.",
    )
    source: str = Field(..., min_length=1)


class ObservedGrowth(_Model):
    label: str = Field(..., min_length=1)
    month: int = Field(..., ge=0, le=MAX_MONTHS, description="Last month of the 12 it covers.")
    growth: float = Field(..., ge=-1.0, le=1.0, description="Real GDP growth (share).")
    source: str = Field(..., min_length=1)


class EconomyRecord(_Model):
    trend_growth: float = Field(
        0.0, ge=-0.5, le=0.5, description="Real growth a year before the campaign (share)."
    )
    trend_source: str | None = None
    observed: list[ObservedGrowth] = Field(default_factory=list)


class CampaignSpec(_Model):
    campaign_version: int = Field(..., ge=1, le=1)
    id: str = Field(..., min_length=1)
    title: str = ""
    base: str = Field(..., description="Bundled case id or scenario path: actors, demand, economy.")
    months: int = Field(36, ge=1, le=MAX_MONTHS)
    phases: list[PhaseSpec] = Field(..., min_length=1)
    partial: PartialStep | None = Field(
        None, description="The demand's first step; absent = the demand cannot be split."
    )
    economy: EconomyRecord = Field(default_factory=EconomyRecord)
    counterfactuals: dict[str, list[str]] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Phase:
    name: str
    start_month: int
    scenario: Scenario


@dataclass(frozen=True)
class Campaign:
    id: str
    title: str
    months: int
    phases: tuple[Phase, ...]
    source: str
    spec: CampaignSpec

    @property
    def base(self) -> Scenario:
        return self.phases[0].scenario


def bundled_campaigns() -> list[str]:
    return sorted(path.stem for path in CAMPAIGNS_DIR.glob("*.yaml"))


def _resolve(path_or_id: str | Path) -> tuple[Path, str]:
    text = str(path_or_id)
    path = Path(text)
    if path.is_file():
        return path, text
    bundled = CAMPAIGNS_DIR / f"{text}.yaml"
    if bundled.is_file():
        return bundled, bundled.name
    allowed = ", ".join(bundled_campaigns()) or "none"
    raise InputError(f"CASE {text!r}: no such campaign file; allowed: a YAML path or {allowed}")


def _flat(prefix: str, value: Any) -> dict[str, Any]:
    """Flatten a nested instruments mapping to dotted paths; {low, high}/{dist...} are leaves."""
    if isinstance(value, dict) and value and not ({"low", "high", "dist"} & set(value)):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flat(f"{prefix}.{key}", inner))
        return out
    return {prefix: value}


def _split_sets(settings: list[str] | None, source: str) -> tuple[list[str], dict[int, list[str]]]:
    """``--set`` items: ``phases.N.PATH=VALUE`` (PATH under instruments) or a base path."""
    base: list[str] = []
    phased: dict[int, list[str]] = {}
    for item in settings or []:
        path, sep, raw = str(item).partition("=")
        if not sep:
            raise InputError(f"--set {item}: expected PATH=VALUE, e.g. phases.1.deadline.months=6")
        parts = path.strip().split(".")
        if parts[0] == "phases":
            if len(parts) < 3 or not parts[1].isdigit():
                raise InputError(
                    f"--set {item}: expected phases.N.PATH=VALUE with N a phase index "
                    "and PATH under instruments"
                )
            rest = ".".join(parts[3:] if parts[2] == "instruments" else parts[2:])
            phased.setdefault(int(parts[1]), []).append(f"instruments.{rest}={raw}")
        else:
            base.append(str(item))
    return base, phased


def _extent(value: Any) -> tuple[float, float]:
    """Range of a Distribution (normal: mean +- 4 sd, clipped by the Share bounds later)."""
    if value.dist == "normal":
        return float(value.mean) - 4 * float(value.sd), float(value.mean) + 4 * float(value.sd)
    return float(value.low), float(value.high)


def load_campaign(
    path_or_id: str | Path, settings: list[str] | None = None, months: int | None = None
) -> Campaign:
    """Read and validate a campaign file (one-line :class:`InputError` on any bad input)."""
    path, source = _resolve(path_or_id)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{source}: cannot read as YAML ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping of campaign fields")
    try:
        spec = CampaignSpec.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        raise InputError(" ".join(f"{source}: {where}: {message}".split())) from None
    if spec.partial is not None:
        share = spec.partial.share
        low, high = (share, share) if isinstance(share, float) else _extent(share)
        if not (0.0 < low and high < 1.0):
            raise InputError(
                f"{source}: partial.share: {low:g}-{high:g}; allowed: strictly between 0 and 1 "
                "(0 is no step, 1 the whole demand)"
            )
    for index, phase in enumerate(spec.phases):
        if phase.partial_relief > 0 and spec.partial is None:
            raise InputError(
                f"{source}: phases.{index}.partial_relief: {phase.partial_relief:g} but the "
                "demand cannot be split; allowed: 0, or a `partial` block naming the first step"
            )
    if spec.economy.trend_growth != 0.0 and not spec.economy.trend_source:
        raise InputError(
            f"{source}: economy.trend_source: missing; allowed: the source of trend_growth"
        )
    horizon = spec.months if months is None else months
    if not isinstance(horizon, int) or not 1 <= horizon <= MAX_MONTHS:
        raise InputError(f"--months {horizon}: allowed: an integer from 1 to {MAX_MONTHS}")
    starts = [phase.start_month for phase in spec.phases]
    if starts[0] != 0:
        raise InputError(
            f"{source}: phases.0.start_month: {starts[0]}; allowed: 0 (the campaign's start)"
        )
    for index in range(1, len(starts)):
        if starts[index] <= starts[index - 1]:
            raise InputError(
                f"{source}: phases.{index}.start_month: {starts[index]} overlaps or precedes "
                f"phase {index - 1} (starts {starts[index - 1]}); allowed: strictly increasing"
            )
    for index, start in enumerate(starts):
        if start >= horizon:
            raise InputError(
                f"{source}: phases.{index}.start_month: {start} is after the horizon; "
                f"allowed: below months = {horizon}"
            )
    base_sets, phase_sets = _split_sets(settings, source)
    for index in phase_sets:
        if index >= len(spec.phases):
            raise InputError(
                f"--set phases.{index}: no such phase; allowed: 0 to {len(spec.phases) - 1}"
            )
    base_ref = spec.base
    if not Path(base_ref).is_file() and (path.parent / base_ref).is_file():
        base_ref = str(path.parent / base_ref)
    try:
        resolve_case(base_ref)
    except InputError as exc:
        raise InputError(f"{source}: base: {exc}") from None
    phases = []
    for index, phase in enumerate(spec.phases):
        overrides: list[tuple[str, Any] | str] = list(base_sets)
        if phase.instruments_from is not None:
            try:
                donor = load_scenario(phase.instruments_from)
            except InputError as exc:
                raise InputError(f"{source}: phases.{index}.instruments_from: {exc}") from None
            overrides.append(("instruments", donor.model_dump(mode="json")["instruments"]))
        for key, value in phase.instruments.items():
            for dotted, leaf in _flat(f"instruments.{key}", value).items():
                overrides.append((dotted, leaf))
        overrides.extend(phase_sets.get(index, []))
        try:
            scenario = load_scenario(base_ref, overrides)
        except InputError as exc:
            message = str(exc)
            # the loader names a tuple override "--set PATH: PATH: ..."; say the phase's field
            named = re.match(r"^--set (instruments[\w.]*): (?:\1: )?", message)
            for item in phase_sets.get(index, []):
                dotted = item.partition("=")[0]
                if f" {dotted}: " in f" {message}":  # the culprit is a --set of this phase
                    rest = message[message.index(f"{dotted}: ") + len(dotted) + 2 :]
                    shown = item[len("instruments.") :]
                    raise InputError(f"--set phases.{index}.{shown}: {rest}") from None
            from_cli = re.match(r"^--set instruments\.[\w.]*=", message)
            if from_cli:  # a --set phases.N.PATH=VALUE from the command line: name it so
                raise InputError(
                    f"--set phases.{index}.{message[len('--set instruments.') :]}"
                ) from None
            if named:
                message = f"phases.{index}.{named.group(1)}: {message[named.end() :]}"
            elif not message.startswith("phases."):
                message = f"phases.{index}: {message}"
            raise InputError(f"{source}: {message}") from None
        phases.append(Phase(phase.name, phase.start_month, scenario))
    return Campaign(spec.id, spec.title, horizon, tuple(phases), source, spec)
