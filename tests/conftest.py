"""Shared test setup: tests read reference data from ../shared/data, never the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

if "COERCIVE_DATA_DIR" not in os.environ and SHARED_DATA.is_dir():
    os.environ["COERCIVE_DATA_DIR"] = str(SHARED_DATA)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = Path(os.environ.get("COERCIVE_DATA_DIR", SHARED_DATA))
    if not path.is_dir():
        pytest.fail(f"reference data not found at {path}; set COERCIVE_DATA_DIR")
    return path


# CI runs the property tests with a fixed seed so that a landing never hinges on a lucky draw;
# locally hypothesis explores fresh examples on every run.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")


# With `--dist loadfile` (pyproject addopts) a pytest-xdist worker takes one test file at a
# time, in collection order. Alphabetical order would hand out a long file (test_sweep_resume)
# near the end, leaving one core idle while the other finishes it; so the longest files go
# first. Their order is from `pytest --junitxml` per-file totals (2026-12-02, 2-core machine,
# after the CLI tests moved in-process);
# a file missing from the list only keeps its alphabetical place.
LONGEST_FILES = (
    "test_browser.py",
    "test_certification.py",
    "test_fuzz_scenario.py",
    "test_design_campaign.py",
    "test_sweep_resume.py",
    "test_campaign.py",
    "test_scenario_input.py",
    "test_signaling.py",
    "test_fuzz_cli.py",
    "test_fuzz_estimate.py",
    "test_sweep.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: files stay whole
