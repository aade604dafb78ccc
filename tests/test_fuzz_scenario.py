"""Fuzzing scenario files and ``--set`` overrides in-process (issue 11, section 2).

Property, for every input: either a valid :class:`Scenario` whose numbers are all finite, or
one :class:`InputError` line of at most 300 characters. Any other exception, a multi-line or
over-long message, or a non-finite number inside an accepted scenario fails the test.

About 9,500 cases (10,100 with the CLI, estimation and loader fuzz files);
``COERCIVE_FUZZ_SCALE=0.1`` for a quick look, 10 for a long hunt. CI runs them derandomized
(tests/conftest.py).
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

import yaml
from _helpers import schema_paths
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coercive._errors import MAX_MESSAGE, InputError
from coercive.policy.loader import CASES_DIR, load_scenario, scenario_from_text
from coercive.policy.scenario import Scenario

SCALE = float(os.environ.get("COERCIVE_FUZZ_SCALE", "1"))
DPRK_2017 = (CASES_DIR / "dprk-2017.yaml").read_text(encoding="utf-8")
DPRK_LINES = DPRK_2017.splitlines()


def _examples(n: int) -> int:
    return max(10, int(n * SCALE))


def _fuzz_settings(n: int) -> settings:
    return settings(
        max_examples=_examples(n),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


PATHS = schema_paths(Scenario, ".0")
DISTRIBUTION_KEYS = ["dist", "low", "high", "mode", "mean", "sd"]


def _assert_clean(call: Any) -> Scenario | None:
    """Run ``call``: a finite Scenario or one short InputError line, nothing else."""
    try:
        scenario = call()
    except InputError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, message[:400]
        assert 0 < len(message) <= MAX_MESSAGE, message[:400]
        return None
    assert isinstance(scenario, Scenario)
    _assert_finite(scenario.model_dump(mode="python"))
    return scenario


def _assert_finite(value: Any, where: str = "") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _assert_finite(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _assert_finite(item, f"{where}.{index}")
    elif isinstance(value, float):
        assert math.isfinite(value), f"non-finite number accepted at {where}: {value}"


# --- values as an analyst (or an attacker) might type them ------------------------------
# Drawn from fixed pools (cheap for hypothesis to generate and shrink, so 10^4 cases take
# seconds, not minutes), plus free text for what nobody thought of.

_SPECIAL = [
    "10**400",
    "1e309",
    "-1e309",
    ".nan",
    ".inf",
    "-.inf",
    "1:30",
    "010",
    "0x1F",
    "0b101",
    "1_000",
    "1e-3",
    "+.5",
    "0.",
    "1:30.5",
    "2017-13-45",
    "2017-01-01",
    "٣",
    "²",
    "1e99999",
    "null",
    "~",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "targeted",
    "comprehensive",
    "none",
    "uniform",
    "triangular",
    "normal",
    "China",
    "'quoted'",
    '"dq"',
    "",
    " ",
    "-",
    "[]",
    "{}",
    "!!python/object/apply:os.system ['true']",
    "!!binary aGVsbG8=",
    "&a [1, *a]",
    "*undefined",
    "{a: 1, a: 2}",
    "{<<: {low: 0.1}, high: 0.2}",
    "[1, 2",
    "{low: 1",
    "\t",
    "a\nb",
    "\x00",
    "\u2028",
    "—",
    "💥",
    "x" * 81,
    "x" * 5000,
    "{low: 0.1, high: 0.2}",
    "{low: 0.2, high: 0.1}",
    "{dist: normal, mean: 0.5, sd: 0.1}",
    "{dist: triangular, low: 0, mode: 1, high: 2}",
    "{dist: normal, mean: 1e308, sd: 1e308}",
    "{low: -1e308, high: 1e308}",
    "[0.1, 0.2]",
    "{name: X, name: Y}",
    "{name: X}",
    "{name: X, trade_share: 0.1}",
]


def _alias_bomb(depth: int) -> str:
    """A one-line YAML value whose aliases expand to 9**depth items."""
    levels = ["&a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    levels += [f"&a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, depth)]
    return "[" + ", ".join(levels) + "]"


def _value_pool() -> list[str]:
    import random

    rng = random.Random(11)
    numbers = [repr(rng.uniform(-2, 2)) for _ in range(60)]
    numbers += [repr(rng.uniform(0, 1)) for _ in range(60)]
    numbers += [f"{rng.choice([-1, 1]) * 10 ** rng.uniform(-320, 308):.6g}" for _ in range(60)]
    numbers += [str(rng.randint(-(10**6), 10**6)) for _ in range(20)]
    ranges = [
        f"{{low: {x}, high: {y}}}" for x, y in zip(numbers[60:90], numbers[90:120], strict=True)
    ]
    return [*_SPECIAL, *numbers, *ranges, *(_alias_bomb(d) for d in range(1, 10))]


VALUE_POOL = _value_pool()
VALUES = st.one_of(st.sampled_from(VALUE_POOL), st.text(max_size=12))

_SEGMENTS = [*DISTRIBUTION_KEYS, "0", "1", "2", "99", "-1", "²", "١", "", " ", "x", "[0]", "é"]
PATHS_STRATEGY = st.one_of(
    st.sampled_from(PATHS),
    st.builds(lambda p, s: f"{p}.{s}", st.sampled_from(PATHS), st.sampled_from(_SEGMENTS)),
    st.lists(st.sampled_from(_SEGMENTS + ["actors", "economy"]), min_size=1, max_size=3).map(
        ".".join
    ),
)


# --- --set: the bulk of the cases (the case file's parse is cached, so each costs ~2 ms) --


@_fuzz_settings(2500)
@given(overrides=st.lists(st.tuples(PATHS_STRATEGY, VALUES), min_size=1, max_size=3))
# found by local runs: an earlier --set turned a mapping into a list ("-" is [None]), and a
# later one named a key below it (TypeError comparing the key with the list's length)
@example(overrides=[("actors", "-"), ("actors.coercer.name", "10**400")])
@example(overrides=[("instruments", "[&a0 [1, 1, 1]]"), ("instruments.deadline", "1")])
def test_fuzz_set_overrides(overrides: list[tuple[str, str]]) -> None:
    _assert_clean(lambda: load_scenario("dprk-2017", [f"{p}={v}" for p, v in overrides]))


@_fuzz_settings(2000)
@given(item=st.text(max_size=60))
def test_fuzz_set_raw_strings(item: str) -> None:
    _assert_clean(lambda: load_scenario("dprk-2017", [item]))


# --- files ----------------------------------------------------------------------------


@_fuzz_settings(4000)
@given(text=st.text(max_size=200))
def test_fuzz_raw_text(text: str) -> None:
    _assert_clean(lambda: scenario_from_text(text, source="fuzz.yaml"))


_DOC_KEYS = st.sampled_from(
    sorted({part for path in PATHS for part in path.split(".") if not part.isdigit()})
    + ["<<", "x", ""]
)
_LEAVES = st.one_of(
    st.sampled_from([None, True, False, 0, 1, -1, 0.5, 2.5, 1e308, -1e-308, "a", "", "China"]),
    st.sampled_from(VALUE_POOL),
)
_DOCS = st.one_of(
    _LEAVES,
    st.lists(_LEAVES, max_size=3),
    st.dictionaries(_DOC_KEYS, _LEAVES, max_size=3),
)


@_fuzz_settings(800)
@given(doc=st.dictionaries(_DOC_KEYS, _DOCS, max_size=6))
def test_fuzz_small_documents(doc: dict[str, Any]) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True)
    _assert_clean(lambda: scenario_from_text(text, source="fuzz.yaml"))


_VALUE_LINE = re.compile(r"^(\s*-?\s*[\w.]+:\s*)(\S.*)$")
MUTABLE_LINES = [i for i, line in enumerate(DPRK_LINES) if _VALUE_LINE.match(line)]


@_fuzz_settings(200)
@given(edits=st.lists(st.tuples(st.sampled_from(MUTABLE_LINES), VALUES), min_size=1, max_size=3))
def test_fuzz_mutated_case_file(edits: list[tuple[int, str]]) -> None:
    """The DPRK 2017 file with 1-3 values replaced (each whole document costs ~5 ms)."""
    lines = list(DPRK_LINES)
    for index, value in edits:
        match = _VALUE_LINE.match(DPRK_LINES[index])
        assert match is not None
        lines[index] = match.group(1) + value.replace("\n", " ")
    _assert_clean(lambda: scenario_from_text("\n".join(lines), source="mutated.yaml"))
