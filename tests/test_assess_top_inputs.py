"""``coercive assess`` names the three inputs that matter most (terminal view and --json),
and leaves them out with --no-top-inputs. About 2 s (the CLI run in-process)."""

from __future__ import annotations

import json

import pytest

from coercive.cli import main
from coercive.policy.loader import load_scenario
from coercive.sensitivity import build_factors


def _run(capsys, monkeypatch, *args: str) -> str:
    monkeypatch.setenv("COLUMNS", "200")
    try:
        main(["assess", *args])
    except SystemExit as exc:  # the CLI may end with sys.exit(0)
        assert exc.code in (0, None)
    return capsys.readouterr().out


@pytest.fixture(scope="module")
def names() -> set[str]:
    return set(build_factors(load_scenario("dprk-2018")).names)


def test_terminal_view_and_json_name_three_of_the_scenarios_inputs(capsys, monkeypatch, names):
    text = _run(capsys, monkeypatch, "dprk-2018")
    assert "What matters most" in text
    top = json.loads(_run(capsys, monkeypatch, "dprk-2018", "--json"))["top_inputs"]["inputs"]
    assert len(top) == 3 and all(item["factor"] in names for item in top)
    for item in top:
        assert item["factor"] in text


def test_no_top_inputs_leaves_them_out(capsys, monkeypatch):
    data = json.loads(_run(capsys, monkeypatch, "dprk-2018", "--no-top-inputs", "--json"))
    assert "top_inputs" not in data and "compliance" in data
    assert "What matters most" not in _run(capsys, monkeypatch, "dprk-2018", "--no-top-inputs")
