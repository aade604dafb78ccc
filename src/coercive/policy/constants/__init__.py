"""The policy model's global constants: data in a versioned file, loaded into frozen objects.

The constants are model constants, not case facts: the same values apply to every case.
Their documented defaults live in ``defaults-v1.json`` beside this module, each with its
value, unit and source (or ``"prior: why"``). A *calibration file* (same format, written by
``coercive calibrate``) overrides a subset of them by name; every mapping function takes the
constants as an argument, so nothing reads a global.

Format of a constants file::

    {"name": "defaults-v1", "version": 1,
     "constants": {"discount_rate": {"group": "mapping", "value": 0.2,
                                     "unit": "per year", "source": "prior: ..."}, ...}}

A calibration file may give only ``{"name": ..., "version": 1, "constants": {NAME: {"value":
x, ...}}}`` for the names it estimates; an unknown name, a name whose group differs, or a
non-finite value is refused with one line naming the constant.

This module imports nothing heavy (it is read on every ``assess``).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from coercive._errors import InputError

DEFAULTS_FILE = "defaults-v1.json"
"""The file of documented defaults (in this package)."""

CONSTANTS_VERSION = 1
"""Version of the constants' meaning. A file of another version is refused: a calibration
estimated for other constants does not apply to this code."""


def _read_defaults() -> dict[str, Any]:
    text = resources.files(__name__).joinpath(DEFAULTS_FILE).read_text(encoding="utf-8")
    return json.loads(text)


_DEFAULTS: dict[str, Any] = _read_defaults()
_VALUES: dict[str, float] = {
    name: float(entry["value"]) for name, entry in _DEFAULTS["constants"].items()
}


def _default(name: str) -> Any:
    # a KeyError here at import means the dataclass and the defaults file disagree
    return field(default=_VALUES[name])


@dataclass(frozen=True)
class MappingConstants:
    """Global constants of the mapping (``docs/model.md``; values in ``defaults-v1.json``)."""

    discount_rate: float = _default("discount_rate")
    """Per year: the rate at which every stream (target's and coercer's) is discounted."""
    open_ended_years: float = _default("open_ended_years")
    """Years: without a deadline, the expected time until the coercer decides."""
    sanctions_erosion: float = _default("sanctions_erosion")
    """Per year: rate at which the bite of sanctions decays as the target adapts."""
    trade_welfare_loss: float = _default("trade_welfare_loss")
    """GDP lost per unit of trade value stopped (the rest is re-routed or substituted)."""
    pass_through_targeted: float = _default("pass_through_targeted")
    """Share of the economy-wide loss borne by the regime under targeted sanctions."""
    pass_through_comprehensive: float = _default("pass_through_comprehensive")
    """Share of the economy-wide loss borne by the regime under comprehensive sanctions."""
    office_value_gdp_years: float = _default("office_value_gdp_years")
    """GDP-years of its own economy that the regime would give to stay in power."""
    sanctions_hazard: float = _default("sanctions_hazard")
    """Added yearly hazard of losing power per unit of regime cost (share of GDP a year)."""
    exploitation_delay_years: float = _default("exploitation_delay_years")
    """Years after compliance at which further demands or an attack would come."""
    secondary_pressure: float = _default("secondary_pressure")
    """A third party's pressure to enforce per unit of secondary sanctions x exposure."""
    isolation_pressure: float = _default("isolation_pressure")
    """A third party's pressure to enforce per unit of (weighted) isolation of the target."""
    target_resolve_spread: float = _default("target_resolve_spread")
    """Value of office: standard deviation of the target's private resolve."""
    coercer_resolve_spread: float = _default("coercer_resolve_spread")
    """Stakes: standard deviation of the coercer's private resolve."""
    public_deadline_commitment: float = _default("public_deadline_commitment")
    """Stakes added to the coercer's cost of backing down by a public deadline."""
    private_deadline_commitment: float = _default("private_deadline_commitment")
    """Same for a deadline conveyed privately or only implied."""
    limited_force_commitment: float = _default("limited_force_commitment")
    """Same for limited force already used."""

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(item.name for item in dataclasses.fields(cls))


@dataclass(frozen=True)
class ScorecardConstants:
    """Thresholds of Jakobsen's conditions and the 'met' levels of the counterfactuals."""

    threat_met: float = _default("threat_met")
    threat_partial: float = _default("threat_partial")
    threat_met_dominance: float = _default("threat_met_dominance")
    threat_met_war_cost: float = _default("threat_met_war_cost")
    deadline_met_months: float = _default("deadline_met_months")
    deadline_counterfactual_months: float = _default("deadline_counterfactual_months")
    assurance_met: float = _default("assurance_met")
    assurance_partial: float = _default("assurance_partial")
    assurance_counterfactual: float = _default("assurance_counterfactual")
    inducement_met: float = _default("inducement_met")
    inducement_partial: float = _default("inducement_partial")
    inducement_counterfactual_cover: float = _default("inducement_counterfactual_cover")
    binding_min_gain: float = _default("binding_min_gain")
    selection_note_min: float = _default("selection_note_min")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(item.name for item in dataclasses.fields(cls))


_GROUPS: dict[str, type] = {"mapping": MappingConstants, "scorecard": ScorecardConstants}


@dataclass(frozen=True)
class AllConstants:
    """The constants in force: the mapping's, the scorecard's, and where they come from."""

    mapping: MappingConstants = field(default_factory=MappingConstants)
    scorecard: ScorecardConstants = field(default_factory=ScorecardConstants)
    source: str = DEFAULTS_FILE.removesuffix(".json")
    """Name of the file(s) the values come from, e.g. ``defaults-v1`` or
    ``defaults-v1 + ties-calibration-v1``."""

    def replace(self, values: Mapping[str, float], source: str | None = None) -> AllConstants:
        """A copy with some constants changed by name (either group); unknown names refused."""
        checked = _check_values(values, where="constants")
        mapping = {k: v for k, v in checked.items() if k in MappingConstants.names()}
        scorecard = {k: v for k, v in checked.items() if k in ScorecardConstants.names()}
        return AllConstants(
            mapping=dataclasses.replace(self.mapping, **mapping),
            scorecard=dataclasses.replace(self.scorecard, **scorecard),
            source=self.source if source is None else source,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "mapping": dataclasses.asdict(self.mapping),
            "scorecard": dataclasses.asdict(self.scorecard),
        }


def _check_values(values: Mapping[str, Any], where: str) -> dict[str, float]:
    known = set(MappingConstants.names()) | set(ScorecardConstants.names())
    checked: dict[str, float] = {}
    for name, value in values.items():
        if name not in known:
            raise InputError(
                f"{where}: unknown constant {name!r}; allowed: the names in {DEFAULTS_FILE}"
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"{where}: constant {name!r} must be a number, got {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise InputError(f"{where}: constant {name!r} must be finite, got {value!r}")
        checked[name] = number
    return checked


def read_constants_file(path: str | Path) -> tuple[str, dict[str, float]]:
    """(name, {constant: value}) of a constants or calibration file, validated.

    Refused with one line naming the file and the constant: a version other than
    :data:`CONSTANTS_VERSION`, an unknown constant, a group that does not match the code's,
    a missing or non-finite value.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read constants file ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("constants"), dict):
        raise InputError(f"{path}: expected an object with a 'constants' object")
    if data.get("version") != CONSTANTS_VERSION:
        raise InputError(
            f"{path}: version {data.get('version')!r} does not match the code's constants "
            f"(allowed: {CONSTANTS_VERSION})"
        )
    values: dict[str, Any] = {}
    for name, entry in data["constants"].items():
        if not isinstance(entry, dict) or "value" not in entry:
            raise InputError(f"{path}: constant {name!r} needs an object with a 'value'")
        group = entry.get("group")
        expected = next((g for g, cls in _GROUPS.items() if name in cls.names()), None)
        if group is not None and expected is not None and group != expected:
            raise InputError(
                f"{path}: constant {name!r} is in group {expected!r} in the code, not {group!r}"
            )
        values[name] = entry["value"]
    name = str(data.get("name") or path.stem)
    return name, _check_values(values, where=str(path))


def default_constants() -> AllConstants:
    """The documented defaults of ``defaults-v1.json``."""
    return AllConstants()


def load_constants(*files: str | Path) -> AllConstants:
    """The defaults, overridden in order by each constants/calibration file given."""
    const = AllConstants()
    for file in files:
        name, values = read_constants_file(file)
        const = const.replace(values, source=f"{const.source} + {name}")
    return const


def describe() -> dict[str, dict[str, Any]]:
    """Name -> {group, value, unit, source} of every default (for docs and ``--json``)."""
    return {name: dict(entry) for name, entry in _DEFAULTS["constants"].items()}


def _check_file_matches_code() -> None:
    in_file = set(_VALUES)
    in_code = set(MappingConstants.names()) | set(ScorecardConstants.names())
    if in_file != in_code:
        extra = sorted(in_file ^ in_code)
        raise RuntimeError(f"{DEFAULTS_FILE} and the code's constants differ: {extra}")
    for name, entry in _DEFAULTS["constants"].items():
        cls = _GROUPS[entry["group"]]
        if name not in cls.names():
            raise RuntimeError(f"{DEFAULTS_FILE}: {name!r} is not in group {entry['group']!r}")


_check_file_matches_code()

__all__ = [
    "AllConstants",
    "CONSTANTS_VERSION",
    "DEFAULTS_FILE",
    "MappingConstants",
    "ScorecardConstants",
    "default_constants",
    "describe",
    "load_constants",
    "read_constants_file",
]
