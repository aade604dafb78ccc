"""The historical case library: validation, sourcing, out-of-sample scoring (issue 7 §3).

Every bundled case must validate with the scenario loader, cite its sources and record an
outcome; the library's own cases must comment every number they code. The evaluation scores
the cases with the TIES-estimated constants: no outcome of the library reaches a
prediction, and the summary figures agree with the per-case rows.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coercive._errors import InputError
from coercive.policy.library import (
    OUTCOME_VALUE,
    auc,
    brier,
    evaluate,
    list_cases,
    load_library,
    log_score,
)
from coercive.policy.loader import bundled_cases, load_scenario

CASES_DIR = files("coercive") / "cases"
# the DPRK cases are coded by the policy model's author; the rest are the library's
LIBRARY_OWNED = sorted(
    entry.name[: -len(".yaml")]
    for entry in CASES_DIR.iterdir()
    if entry.name.endswith(".yaml") and not entry.name.startswith("dprk-201")
)
# few draws keep the evaluation tests fast; the full run is in docs/cases.md
SMALL_DRAWS = 100


def _text(case_id: str) -> str:
    return (CASES_DIR / f"{case_id}.yaml").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------------------
# The case files
# ----------------------------------------------------------------------------------------


def test_library_has_at_least_twelve_historical_cases() -> None:
    assert len(LIBRARY_OWNED) >= 12
    # the cases issue 4 names
    for case_id in (
        "cuba-1962",
        "laos-1961",
        "vietnam-1965",
        "libya-1986",
        "iraq-1990",
        "dprk-1994",
        "haiti-1994",
        "bosnia-1995",
        "kosovo-1999",
        "iraq-2002",
        "libya-2003",
        "iran-2013",
    ):
        assert case_id in LIBRARY_OWNED


@pytest.mark.parametrize("case_id", sorted(bundled_cases()))
def test_every_bundled_case_validates_cites_sources_and_records_an_outcome(case_id: str) -> None:
    scenario = load_scenario(case_id)
    assert scenario.id == case_id
    assert len(scenario.sources) >= 3
    assert all(source.strip() for source in scenario.sources)
    assert scenario.outcome is not None
    assert scenario.outcome.result in {"success", "failure", "partial"}
    assert scenario.outcome.summary and scenario.outcome.summary.strip()
    assert scenario.outcome.sources


# a coded value: "key: number", "key: {low: ...}" or "key: null" (keys may contain spaces)
_VALUE_LINE = re.compile(r"^\s*(-\s+)?[A-Za-z][\w ()]*:\s*(-?\d|\{\s*(low|dist|mean)\b|null\b)")
# structural numbers that are not facts of the case
_EXEMPT_KEYS = {"schema_version", "draws", "seed", "value_to_coercer", "compensation_years"}


@pytest.mark.parametrize("case_id", LIBRARY_OWNED)
def test_every_number_in_a_library_case_carries_a_comment(case_id: str) -> None:
    """Each coded value has a comment on its line or in the comment block just above it."""
    lines = _text(case_id).splitlines()
    missing = []
    for number, line in enumerate(lines):
        if not _VALUE_LINE.match(line):
            continue
        key = line.split(":", 1)[0].strip().lstrip("- ").strip()
        if key in _EXEMPT_KEYS:
            continue
        commented = "#" in line or (number > 0 and lines[number - 1].strip().startswith("#"))
        if not commented:  # a value inside a mapping whose key line is commented
            indent = len(line) - len(line.lstrip())
            for previous in reversed(lines[:number]):
                if previous.strip() and len(previous) - len(previous.lstrip()) < indent:
                    commented = "#" in previous
                    break
        if not commented:
            missing.append(f"line {number + 1}: {line.strip()}")
    assert not missing, f"{case_id}: numbers without a comment: {missing}"


@pytest.mark.parametrize("case_id", LIBRARY_OWNED)
def test_library_case_outcomes_are_recorded_and_cited(case_id: str) -> None:
    scenario = load_scenario(case_id)
    assert scenario.outcome is not None
    # success and failure are scored; a partial outcome is listed but not scored (library.py)
    assert scenario.outcome.result in {*OUTCOME_VALUE, "partial"}
    # the outcome's coding is attributed to the literature listed in the file
    cited = " ".join(scenario.sources)
    for reference in scenario.outcome.sources:
        author = re.match(r"[\w/'&]+", reference)
        assert author is not None, reference
        assert author.group(0) in cited or author.group(0) in {"IAEA", "UNMOVIC", "HSE"}, (
            f"{case_id}: outcome source {reference!r} is not among the case's sources"
        )


def test_list_cases_matches_the_files() -> None:
    cases = list_cases()
    ids = [case["id"] for case in cases]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert set(LIBRARY_OWNED) <= set(ids)
    for case in cases:
        scenario = load_scenario(case["id"])
        assert case["name"] == scenario.title
        assert case["outcome"] == scenario.outcome.result  # type: ignore[union-attr]
        assert case["sources"] == scenario.sources
        assert isinstance(case["year"], int) and 1900 < case["year"] < 2100
        assert str(case["year"]) in (case["period"] or case["id"])
    assert [s.id for s in load_library()] == ids


# ----------------------------------------------------------------------------------------
# Out-of-sample scoring with the TIES-estimated constants (issue 7 §3)
# ----------------------------------------------------------------------------------------


def test_scores_by_hand() -> None:
    outcomes = np.array([1.0, 0.0])
    assert brier(np.array([0.9, 0.2]), outcomes) == pytest.approx((0.01 + 0.04) / 2)
    assert log_score(np.array([0.9, 0.2]), outcomes) == pytest.approx(
        [math.log(0.9), math.log(0.8)]
    )
    assert auc(np.array([0.9, 0.2]), outcomes) == 1.0
    assert auc(np.array([0.2, 0.9]), outcomes) == 0.0
    assert auc(np.array([0.5, 0.5]), outcomes) == 0.5
    assert auc(np.array([0.5, 0.5]), np.array([1.0, 1.0])) is None


@settings(max_examples=50, deadline=None)
@given(
    outcomes=st.lists(st.sampled_from([0.0, 1.0]), min_size=1, max_size=12),
    other=st.floats(0.01, 0.99),
)
def test_a_perfect_forecast_never_scores_worse(outcomes: list[float], other: float) -> None:
    y = np.array(outcomes)
    perfect = np.where(y == 1.0, 0.999, 0.001)
    assert log_score(perfect, y).mean() >= log_score(np.full(len(y), other), y).mean()
    assert brier(perfect, y) <= brier(np.full(len(y), other), y)


@pytest.fixture(scope="module")
def small_evaluation() -> dict:
    return evaluate(draws=SMALL_DRAWS, resamples=300).to_dict()


def test_evaluation_summary_agrees_with_its_rows(small_evaluation: dict) -> None:
    result = small_evaluation
    rows = result["cases"]
    assert result["n_cases"] == len(rows) >= 12
    y = np.array([OUTCOME_VALUE[row["outcome"]] for row in rows])
    p = np.array([row["predicted"] for row in rows])
    assert np.all((p >= 0) & (p <= 1))
    assert [row["hit"] for row in rows] == list((p >= 0.5) == (y == 1.0))
    assert result["accuracy"] == pytest.approx(np.mean([row["hit"] for row in rows]))
    assert result["brier"] == pytest.approx(np.mean((p - y) ** 2))
    assert result["log_score"] == pytest.approx(np.mean([row["log_score"] for row in rows]))
    for i, row in enumerate(rows):
        assert row["base_rate"] == pytest.approx(np.mean(np.delete(y, i)))
    assert result["base_rate_brier"] == pytest.approx(np.mean((y.mean() - y) ** 2))
    rates = np.array([row["base_rate"] for row in rows])
    assert result["base_rate_brier_loo"] == pytest.approx(np.mean((rates - y) ** 2))
    assert result["base_rate_brier_loo"] > result["base_rate_brier"]
    pairs = [(s, f) for s in p[y == 1.0] for f in p[y == 0.0]]
    right = sum(1.0 if s > f else 0.5 if s == f else 0.0 for s, f in pairs)
    assert result["auc"] == pytest.approx(right / len(pairs))
    for comparison in result["differences"].values():
        for score in ("log_score", "brier"):
            low, high = comparison[score]["interval"]
            assert low <= comparison[score]["difference"] <= high
    assert "ties-v2" in result["constants_source"]
    json.dumps(result, allow_nan=False)


def test_outcomes_never_reach_the_predictions() -> None:
    """Nothing is fitted on the library: flipping an outcome changes no prediction."""
    scenarios = load_library(include_unscored=False)[:4]
    baseline = evaluate(draws=SMALL_DRAWS, scenarios=scenarios, resamples=100)
    flipped = list(scenarios)
    case = flipped[0]
    result = "failure" if case.outcome.result == "success" else "success"  # type: ignore[union-attr]
    flipped[0] = case.model_copy(
        update={"outcome": case.outcome.model_copy(update={"result": result})}  # type: ignore[union-attr]
    )
    again = evaluate(draws=SMALL_DRAWS, scenarios=flipped, resamples=100)
    assert [r["predicted"] for r in again.cases] == [r["predicted"] for r in baseline.cases]
    assert again.cases[0]["outcome"] == result


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"draws": 0}, "draws"),
        ({"draws": 2.5}, "draws"),
        ({"resamples": 5}, "resamples"),
        ({"scenarios": []}, "at least 3"),
    ],
)
def test_bad_evaluation_input_names_the_parameter(kwargs: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        evaluate(**kwargs)


# ----------------------------------------------------------------------------------------
# The command line
# ----------------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    return subprocess.run(
        [sys.executable, "-m", "coercive.cli", *args],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": src, "PATH": "/usr/bin:/bin", "COLUMNS": "160"},
        timeout=300,
    )


def test_cli_cases_list_json() -> None:
    result = _cli("cases", "list", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["n_cases"] == len(payload["cases"]) >= 14
    assert [case["id"] for case in payload["cases"]] == [case["id"] for case in list_cases()]


def test_cli_cases_list_table() -> None:
    result = _cli("cases", "list")
    assert result.returncode == 0, result.stderr
    for case_id in LIBRARY_OWNED:
        assert case_id in result.stdout


def test_cli_cases_evaluate_json_parses_and_is_consistent() -> None:
    result = _cli("cases", "evaluate", "--json", "--draws", "50")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    for key in ("cases", "accuracy", "brier", "log_score", "base_rate_brier", "differences"):
        assert key in payload
    outcomes = np.array([OUTCOME_VALUE[row["outcome"]] for row in payload["cases"]])
    assert payload["base_rate_brier"] == pytest.approx(np.mean((outcomes.mean() - outcomes) ** 2))
    rows = payload["cases"]
    assert payload["accuracy"] == pytest.approx(np.mean([row["hit"] for row in rows]))
    assert payload["brier"] == pytest.approx(np.mean([row["brier"] for row in rows]))
    assert payload["method"]["draws_per_case"] == 50


def test_cli_cases_evaluate_bad_draws_exits_2() -> None:
    result = _cli("cases", "evaluate", "--draws", "0")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
