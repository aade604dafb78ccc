"""The study spec: what to run (a kind of work and its base), over which axes, with what seed.

A spec is YAML validated by :class:`StudySpec`::

    kind: game                 # assess | game | estimate (see coercive.studies.kinds)
    base: {SA: 0, VA: 1, CB: 0, WA: -1.9, WB: -2.85, a: -1.2, VB: 1}
    axes:                      # field path -> values; the grid is their Cartesian product
      WA: {from: -3, to: -0.5, num: 100}        # a range (inclusive, evenly spaced)
      WB: [-3, -2.85, -2]                       # a list
      VB: {dist: uniform, low: 0.5, high: 1.5, n: 50}   # n values drawn from a distribution
    draws: 1                   # Monte Carlo draws (or replicates) per grid point
    outputs: [pR, pF, SF]      # what to keep (default: the kind's defaults)
    seed: 2026
    chunk: 200000              # work units per task (default: the kind's, about a second)

Compiling a spec (:func:`compile_spec`) checks every field path and value against the kind,
materializes the axes (a distribution axis is drawn from a stream seeded by the spec seed
and the axis path) and fixes the chunk plan, so identical spec + seed + code give an
identical plan.
"""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coercive._errors import InputError

_MAX_UNITS = 10**12


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RangeAxis(_Strict):
    """``{from: a, to: b, num: n}``: ``n`` evenly spaced values from ``a`` to ``b`` inclusive."""

    start: float = Field(alias="from")
    stop: float = Field(alias="to")
    num: Annotated[int, Field(ge=1, le=10**9)]


class DistributionAxis(_Strict):
    """``{dist: uniform, low, high, n}`` or ``{dist: normal, mean, sd, n}``: ``n`` draws."""

    dist: Literal["uniform", "normal"]
    n: Annotated[int, Field(ge=1, le=10**9)]
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: Annotated[float, Field(gt=0)] | None = None


AxisSpec = list[Any] | RangeAxis | DistributionAxis


class StudySpec(_Strict):
    """A study: one kind of work, its base, the axes of the grid, draws, outputs and seed."""

    kind: str
    name: str | None = None
    description: str | None = None
    base: dict[str, Any] = Field(default_factory=dict)
    axes: dict[str, AxisSpec] = Field(default_factory=dict)
    draws: Annotated[int, Field(ge=1, le=10**7)] = 1
    outputs: list[str] | None = None
    seed: Annotated[int, Field(ge=0, lt=2**63)]
    chunk: Annotated[int, Field(ge=1, le=10**8)] | None = None


# ----------------------------------------------------------------------------------------
# Values
# ----------------------------------------------------------------------------------------


def check_plain(value: Any, where: str) -> None:
    """Refuse values that do not survive JSON (dates, binary, NaN, inf) by their path."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"{where}: {value} is not finite; allowed: finite numbers")
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            check_plain(item, f"{where}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InputError(f"{where}: key {key!r} is not a string; allowed: string keys")
            check_plain(item, f"{where}.{key}")
        return
    raise InputError(
        f"{where}: {value!r} ({type(value).__name__}) is not a plain value; allowed: numbers, "
        "strings, booleans, null, and lists or mappings of those"
    )


def canonical_json(value: Any) -> str:
    """The one JSON text of a plain value (sorted keys, no spaces): the basis of the hash."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def spec_hash(spec: StudySpec) -> str:
    """sha256 of the spec's canonical JSON (comments and key order do not matter)."""
    data = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


# ----------------------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------------------


def _format_error(exc: ValidationError, source: str) -> str:
    error = exc.errors()[0]
    loc = ".".join(str(part) for part in error["loc"])
    # pydantic reports which union member failed; keep the user's path, not the member names
    for member in ("list[any]", "RangeAxis", "DistributionAxis"):
        loc = loc.replace(f".{member}", "")
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown field"
        allowed = {
            "axes": "a list, {from, to, num} or {dist, n, low/high or mean/sd}",
        }.get(loc.split(".")[0], ", ".join(StudySpec.model_fields))
        message += f"; allowed: {allowed}"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return " ".join(f"{source}: {loc}: {message}{more}".split())


def parse_spec(data: Any, source: str) -> StudySpec:
    """Validate already-parsed YAML as a :class:`StudySpec` (one-line InputError)."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise InputError(f"{source}: the document is {kind}; expected a mapping of spec fields")
    check_plain(data, source)
    try:
        return StudySpec.model_validate(data)
    except ValidationError as exc:
        raise InputError(_format_error(exc, source)) from None


def read_spec(path: str | Path) -> tuple[StudySpec, str]:
    """Read a spec file (or a bundled study name); returns the spec and its text."""
    file = resolve_study(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise InputError(f"{where}: invalid YAML: {' '.join(str(problem).split())}") from None
    return parse_spec(data, str(path)), text


STUDIES_DIR = Path(__file__).resolve().parent


def bundled_studies() -> list[str]:
    """Names of the example studies shipped in ``coercive/studies/*.yaml``."""
    return sorted(path.stem for path in STUDIES_DIR.glob("*.yaml"))


def resolve_study(path: str | Path) -> Path:
    file = Path(path)
    if file.is_file():
        return file
    bundled = STUDIES_DIR / f"{path}.yaml"
    if "/" not in str(path) and bundled.is_file():
        return bundled
    raise InputError(
        f"{path}: no such spec file or bundled study; bundled: {', '.join(bundled_studies())}"
    )


# ----------------------------------------------------------------------------------------
# Axes and the plan
# ----------------------------------------------------------------------------------------


def axis_values(path: str, axis: AxisSpec, seed: int) -> list[Any]:
    """The values of one axis (a distribution axis: draws seeded by spec seed and path)."""
    where = f"axes.{path}"
    if isinstance(axis, list):
        if not axis:
            raise InputError(f"{where}: empty axis; allowed: at least one value")
        return list(axis)
    if isinstance(axis, RangeAxis):
        return [float(v) for v in np.linspace(axis.start, axis.stop, axis.num)]
    rng = np.random.default_rng([seed, zlib.crc32(path.encode("utf-8"))])
    if axis.dist == "uniform":
        if axis.low is None or axis.high is None or not axis.low <= axis.high:
            raise InputError(f"{where}: uniform needs low <= high")
        drawn = rng.uniform(axis.low, axis.high, axis.n)
    else:
        if axis.mean is None or axis.sd is None:
            raise InputError(f"{where}: normal needs mean and sd > 0")
        drawn = rng.normal(axis.mean, axis.sd, axis.n)
    return [float(v) for v in drawn]


@dataclass(frozen=True)
class Plan:
    """Everything a worker needs to compute any chunk; identical spec -> identical plan.

    ``units`` are numbered ``0 .. n_units - 1``; a kind with replicates has
    ``n_points * draws`` units (unit ``u`` is point ``u // draws``, replicate ``u % draws``),
    otherwise one unit per point. Chunk ``i`` holds units ``[i * chunk, (i + 1) * chunk)``.
    """

    kind: str
    base: dict[str, Any]
    axis_names: tuple[str, ...]
    axis_values: tuple[tuple[Any, ...], ...]
    draws: int
    replicated: bool
    outputs: tuple[str, ...]
    seed: int
    chunk: int
    prepared: dict[str, Any]

    @property
    def n_points(self) -> int:
        return math.prod(len(values) for values in self.axis_values)

    @property
    def n_units(self) -> int:
        return self.n_points * (self.draws if self.replicated else 1)

    @property
    def n_chunks(self) -> int:
        return -(-self.n_units // self.chunk)

    def chunk_units(self, index: int) -> tuple[int, int]:
        start = index * self.chunk
        return start, min(start + self.chunk, self.n_units)


def compile_spec(spec: StudySpec, source: str = "spec") -> Plan:
    """Check the spec against its kind and fix the plan (one-line InputError on bad input)."""
    from coercive.studies.kinds import get_kind

    kind = get_kind(spec.kind)
    names = tuple(spec.axes)
    values = tuple(tuple(axis_values(name, spec.axes[name], spec.seed)) for name in names)
    prepared = kind.prepare(spec.base, dict(zip(names, values, strict=True)), spec.draws, source)
    outputs = tuple(spec.outputs) if spec.outputs is not None else kind.default_outputs(prepared)
    if not outputs:
        raise InputError(f"{source}: outputs: empty; allowed: {', '.join(kind.outputs(prepared))}")
    allowed = kind.outputs(prepared)
    for output in outputs:
        if output not in allowed:
            raise InputError(
                f"{source}: outputs: unknown output {output!r} for kind {spec.kind!r}; "
                f"allowed: {', '.join(allowed)}"
            )
    plan = Plan(
        kind=spec.kind,
        base=spec.base,
        axis_names=names,
        axis_values=values,
        draws=spec.draws,
        replicated=kind.replicated,
        outputs=outputs,
        seed=spec.seed,
        chunk=spec.chunk or kind.default_chunk,
        prepared=prepared,
    )
    if plan.n_units > _MAX_UNITS:
        raise InputError(f"{source}: {plan.n_units:.3g} work units; allowed: at most 1e12")
    return plan


def unit_seed(seed: int, unit: int) -> np.random.SeedSequence:
    """The random stream of one work unit: from the spec seed and the unit's index alone,
    so results do not depend on the chunk size, the worker, or the order of completion."""
    return np.random.SeedSequence([seed, unit])


__all__ = [
    "StudySpec",
    "Plan",
    "read_spec",
    "parse_spec",
    "compile_spec",
    "spec_hash",
    "canonical_json",
    "bundled_studies",
    "unit_seed",
]
