"""Mechanical conversion of a scenario file from schema version 1 to version 2.

Version 1 coded the target's stakes in raw GDP-years; version 2 in units comparable across
countries (``docs/scenario.md``). The conversion preserves each value's meaning under the
documented defaults (``constants/defaults-v1.json``) and changes nothing else; the file's
comments and layout are kept (line-level edits, so a reviewer can diff it). Every converted
file is marked ``coding.status: awaiting_independent_recoding``: the converted numbers are
the old coder's judgments in new units, not a coding to ``docs/coding.md``.

=====================================  ===============================================
version 1                              version 2
=====================================  ===============================================
``demand.value_to_target`` (GDP-yrs)   ``demand.value_per_year`` = v × r (a perpetuity
                                       worth v GDP-years at the discount rate r = 0.2)
``demand.loss_if_exploited`` (GDP-yrs) ``demand.exploited_regime_loss`` = min(v / V, 1),
                                       V = office_value_gdp_years = 5
``threat.target_war_cost`` (GDP-yrs)   ``threat.strike_regime_loss`` = min(v / V, 1)
``sanctions.enforcement.P`` = e        party P's ``stake_in_target`` = (1 − e) / e, capped
                                       at 100 (so it enforces e without secondary
                                       sanctions or isolation); a party without an entry
                                       (e = 0) gets the cap
``inducements.other`` (GDP-years)      unchanged number, unit "share of one year's GDP"
=====================================  ===============================================

A distribution converts parameter by parameter (uniform and triangular ends, normal mean
and sd by the linear factor); where the map is decreasing (the stake) the ends swap; where
it clips (at 1 or 100) the end clips. The non-linear stake map turns a uniform enforcement
range into a uniform stake range between the converted ends: an approximation, recorded in
the file. Run::

    python -m coercive.policy.migrate FILE.yaml [...]      # rewrites in place
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from coercive.policy.constants import default_constants

STAKE_CAP = 100.0


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _convert(value: Any, func: Callable[[float], float], decreasing: bool = False) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return func(float(value))
    if isinstance(value, dict):
        out = dict(value)
        dist = value.get("dist", "uniform")
        if dist == "normal":
            # linear maps only (the stake map is never applied to a normal in the library)
            mean = func(float(value["mean"]))
            scale = func(float(value["mean"]) + 1.0) - mean
            out["mean"] = mean
            out["sd"] = abs(scale) * float(value["sd"])
            return out
        low, high = func(float(value["low"])), func(float(value["high"]))
        if decreasing:
            low, high = high, low
        out["low"], out["high"] = low, high
        if "mode" in value:
            out["mode"] = func(float(value["mode"]))
        return out
    raise ValueError(f"cannot convert {value!r}")


def _dump(value: Any) -> str:
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{k}: {_fmt(v) if isinstance(v, float) else v}" for k, v in value.items())
            + "}"
        )
    return _fmt(value)


def migrate_text(text: str, name: str = "scenario") -> str:
    """The version-2 text of a version-1 scenario file (comments kept)."""
    data = yaml.safe_load(text)
    if data.get("schema_version") != 1:
        raise ValueError(f"{name}: schema_version is {data.get('schema_version')!r}, not 1")
    mapping = default_constants().mapping
    rate = mapping.discount_rate
    office = mapping.office_value_gdp_years

    def per_year(v: float) -> float:
        return v * rate

    def regime_loss(v: float) -> float:
        return min(v / office, 1.0)

    def stake(e: float) -> float:
        return STAKE_CAP if e <= 1.0 / (1.0 + STAKE_CAP) else min((1.0 - e) / e, STAKE_CAP)

    demand = data["demand"]
    threat = data["instruments"]["threat"]
    sanctions = data["instruments"]["sanctions"]
    enforcement = sanctions.get("enforcement") or {}

    lines = text.splitlines()
    # the coder's comments on the removed enforcement entries, by party, to carry over
    entry_comments: dict[str, str] = {}
    block: int | None = None
    for line in lines:
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if block is not None and stripped and indent > block:
            entry = re.match(r"^\s*(.+?):\s.*?\s(#.*)$", line)
            if entry:
                entry_comments[entry.group(1)] = entry.group(2).lstrip("# ")
            continue
        block = indent if re.match(r"^\s{4}enforcement:", line) else None
    out: list[str] = []
    skip_indent: int | None = None
    for line in lines:
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if skip_indent is not None:
            # inside the removed enforcement block: drop deeper-indented lines
            if stripped and indent > skip_indent:
                continue
            skip_indent = None
        key = re.match(r"^(\s*)([A-Za-z_]+):(.*)$", line)
        # the coder's own comment on a converted line is kept after the conversion note
        kept = re.search(r"\s(#.*)$", line)
        tail = f"; was: {kept.group(1).lstrip('# ')}" if kept else ""
        if re.match(r"^schema_version:\s*1\b", line):
            out.append("schema_version: 2")
            continue
        if key and key.group(2) == "value_to_target" and indent == 2:
            new = _convert(demand["value_to_target"], per_year)
            out.append(
                f"  value_per_year: {_dump(new)}  # migrated: value_to_target "
                f"{_dump(demand['value_to_target'])} GDP-years x r = {rate:g}{tail}"
            )
            continue
        if key and key.group(2) == "loss_if_exploited" and indent == 2:
            new = _convert(demand["loss_if_exploited"], regime_loss)
            out.append(
                f"  exploited_regime_loss: {_dump(new)}  # migrated: loss_if_exploited "
                f"{_dump(demand['loss_if_exploited'])} GDP-years / V = {office:g}, max 1{tail}"
            )
            continue
        if key and key.group(2) == "target_war_cost" and indent == 4:
            new = _convert(threat["target_war_cost"], regime_loss)
            out.append(
                f"    strike_regime_loss: {_dump(new)}  # migrated: target_war_cost "
                f"{_dump(threat['target_war_cost'])} GDP-years / V = {office:g}, max 1{tail}"
            )
            continue
        if key and key.group(2) == "enforcement" and indent == 4:
            skip_indent = indent
            out.append(
                "    # migrated: the per-party enforcement moved to each third party's "
                "stake_in_target" + tail
            )
            continue
        party = re.match(r"^(\s*)- name:\s*(.+?)\s*(#.*)?$", line)
        if party and indent == 4:
            out.append(line)
            party_name = yaml.safe_load(party.group(2))
            old = enforcement.get(party_name, 0.0)
            new = _convert(old, stake, decreasing=True)
            out.append(
                f"      stake_in_target: {_dump(new)}  # migrated: enforcement "
                f"{_dump(old)} -> (1 - e) / e, max {STAKE_CAP:g}"
                + (f"; was: {entry_comments[party_name]}" if party_name in entry_comments else "")
            )
            continue
        out.append(line)
    text_out = "\n".join(out) + "\n"
    if "coding:" not in text_out:
        text_out += (
            "\ncoding:\n"
            "  protocol: coding-v1\n"
            "  status: awaiting_independent_recoding\n"
            "  migrated_from: schema_version 1\n"
            "  note: >-\n"
            "    Values converted mechanically from schema 1 by coercive.policy.migrate (the old\n"
            "    coder's judgments in the new units; a uniform enforcement range becomes a\n"
            "    uniform stake range between the converted ends). Not yet coded to\n"
            "    docs/coding.md by an independent coder.\n"
        )
    # the result must be valid YAML with the same non-migrated values
    yaml.safe_load(text_out)
    return text_out


def main(argv: list[str] | None = None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    for path in map(Path, paths):
        path.write_text(migrate_text(path.read_text(encoding="utf-8"), str(path)), "utf-8")
        print(f"migrated {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
