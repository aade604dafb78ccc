"""``coercive assess`` names the three inputs that matter most (terminal view and --json),
and leaves them out with --no-top-inputs. About 8 s (three CLI processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from coercive.policy.loader import load_scenario
from coercive.sensitivity import build_factors

ENV = {**os.environ, "PYTHONPATH": "src", "COLUMNS": "200"}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coercive", "assess", *args],
                          capture_output=True, text=True, env=ENV, check=False)


def test_terminal_view_and_json_name_three_of_the_scenarios_inputs():
    names = set(build_factors(load_scenario("dprk-2018")).names)
    text = _run("dprk-2018")
    assert text.returncode == 0, text.stderr
    assert "What matters most" in text.stdout
    data = json.loads(_run("dprk-2018", "--json").stdout)
    top = data["top_inputs"]["inputs"]
    assert len(top) == 3 and all(item["factor"] in names for item in top)
    for item in top:
        assert item["factor"] in text.stdout


def test_no_top_inputs_leaves_them_out():
    done = _run("dprk-2018", "--no-top-inputs", "--json")
    assert done.returncode == 0 and "top_inputs" not in json.loads(done.stdout)
