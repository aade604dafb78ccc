"""The ``assess`` kind: a grid of scenario variants, each assessed by :mod:`coercive.policy`.

``base``: ``case`` (a bundled case id or a scenario YAML path, read once by the client and
shipped to the workers as text) and ``set`` (fixed overrides, ``{field.path: value}``). Axes
are scenario field paths, exactly as ``coercive assess --set`` takes them (so new scenario
fields work without a change here), e.g. ``instruments.threat.credibility``. ``draws`` is
the scenario's ``model.draws``; the spec seed becomes ``model.seed`` of every point, so all
points share common random numbers and differences along an axis are not Monte Carlo noise.

Outputs are the scalar leaves of the assessment's ``to_dict()`` named by dotted path
(``compliance``, ``intervals.compliance.0``, ``pressure.economic``, ``binding``...), read
from a trial assessment of the base, so new fields of the assessment are available as soon
as they exist.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from coercive._errors import InputError
from coercive.studies.kinds import check_keys, unit_axes

_CHECK_VALUES = 64
"""Per axis, at most this many values are validated at compile time (all, if fewer; else
evenly spread ones including both ends); the rest are validated when their chunk runs."""


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """Scalar leaves of a nested dict/list, by dotted path."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_leaves(item, f"{prefix}{key}."))
        return out
    if isinstance(value, list | tuple):
        out = {}
        for index, item in enumerate(value):
            out.update(_leaves(item, f"{prefix}{index}."))
        return out
    return {prefix[:-1]: value}


def _scenario(text: str, source: str, overrides: dict[str, Any]) -> Any:
    from coercive.policy.loader import scenario_from_text

    return scenario_from_text(text, source=source, overrides=overrides)


@lru_cache(maxsize=4)
def _base_leaves(text: str, source: str, fixed: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    from coercive.policy.assess import assess_scenario

    return _leaves(assess_scenario(_scenario(text, source, dict(fixed))).to_dict())


class AssessKind:
    name = "assess"
    replicated = False
    default_chunk = 8

    def prepare(
        self, base: dict[str, Any], axes: dict[str, tuple[Any, ...]], draws: int, source: str
    ) -> dict[str, Any]:
        from coercive.policy.loader import resolve_case

        check_keys(base, ("case", "set"), f"{source}: base")
        if "case" not in base:
            raise InputError(f"{source}: base.case: missing; allowed: a case id or YAML path")
        overrides = base.get("set") or {}
        if not isinstance(overrides, dict):
            raise InputError(f"{source}: base.set: expected a mapping {{field.path: value}}")
        path = resolve_case(str(base["case"]))
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{source}: base.case: cannot read {path} ({exc})") from None
        case_source = f"{source}: base.case {base['case']}"
        for name in ("model.draws", "model.seed"):
            if name in axes or name in overrides:
                raise InputError(
                    f"{source}: {name}: set by the spec ('draws' and 'seed'), not by a path"
                )
        fixed = {**overrides, "model.draws": draws}
        _scenario(text, case_source, fixed)
        for axis, values in axes.items():
            step = max(1, len(values) // _CHECK_VALUES)
            picked = sorted({*range(0, len(values), step), len(values) - 1})
            for index in picked:
                try:
                    _scenario(text, case_source, {**fixed, axis: values[index]})
                except InputError as exc:
                    raise InputError(f"{source}: axes.{axis}[{index}]: {exc}") from None
        return {"text": text, "source": case_source, "fixed": fixed}

    def _outputs(self, prepared: dict[str, Any], seed: int = 0) -> dict[str, Any]:
        fixed = tuple(sorted({**prepared["fixed"], "model.seed": seed}.items()))
        return _base_leaves(prepared["text"], prepared["source"], fixed)

    def outputs(self, prepared: dict[str, Any]) -> tuple[str, ...]:
        leaves = self._outputs(prepared)
        return tuple(leaves)

    def default_outputs(self, prepared: dict[str, Any]) -> tuple[str, ...]:
        return (
            "compliance",
            "intervals.compliance.0",
            "intervals.compliance.1",
            "credibility",
            "war",
            "challenge",
            "war_unconditional",
            "multiple_equilibria",
            "binding",
        )

    def calibration(self, prepared: dict[str, Any]) -> dict[str, Any]:
        from coercive.policy import calibration
        from coercive.policy.mapping import constants

        return {
            "calibrated": dict(calibration.CALIBRATED),
            "constants": dataclasses.asdict(constants()),
        }

    def run(
        self,
        prepared: dict[str, Any],
        points: dict[str, list[Any]],
        units: np.ndarray,
        seed: int,
        draws: int,
        outputs: tuple[str, ...],
    ) -> pd.DataFrame:
        from coercive.policy.assess import assess_scenario

        # the spec seed is every point's model.seed: common random numbers along the axes
        rows: dict[str, list[Any]] = {"unit": list(units)}
        for output in outputs:
            rows[output] = []
        for position in range(len(units)):
            overrides = {**prepared["fixed"], "model.seed": seed}
            overrides.update(unit_axes(points, position))
            result = _leaves(
                assess_scenario(
                    _scenario(prepared["text"], prepared["source"], overrides)
                ).to_dict()
            )
            for output in outputs:
                rows[output].append(result.get(output))
        return pd.DataFrame(rows)


KIND = AssessKind()
