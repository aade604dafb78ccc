"""The self-contained HTML report, the matplotlib plot() methods, and their CLI commands."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from coercive.cli import main

CASE = "dprk-2017"
SMALL = ["model.draws=300"]


@pytest.fixture(scope="module")
def assessment():
    from coercive.policy.assess import assess

    return assess(CASE, SMALL)


@pytest.fixture(scope="module")
def report_html(assessment) -> str:
    from coercive.report.html import render_report

    return render_report(assessment)


class _Resources(HTMLParser):
    """Every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.fetches: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "data") and value:
                self.fetches.append((tag, name, value))


def test_report_is_self_contained(report_html: str) -> None:
    parser = _Resources()
    parser.feed(report_html)
    assert "script" not in parser.tags
    # the only references allowed are in-document ones (#id, as matplotlib's SVG uses)
    external = [item for item in parser.fetches if not item[2].startswith("#")]
    assert external == []
    assert "@import" not in report_html and "url(http" not in report_html


def test_report_has_every_section_and_chart(assessment, report_html: str) -> None:
    result = assessment.to_dict()
    # ex ante, conditions, calculus waterfall, distribution, third parties' enforcement
    assert report_html.count("<svg") == 4 + bool(result["pressure"]["factors"]["third_parties"])
    for heading in (
        "Given the challenge vs ex ante",
        "What moves the numbers",
        "Pressure on the regime",
        "Jakobsen's four conditions",
        "The target's calculus",
        "Monte Carlo distribution",
        "Sources cited in the case file",
        "Model version and calibration",
    ):
        assert heading in report_html
    for source in assessment.scenario.sources:  # every source of the case file is cited
        assert re.sub(r"&#x27;|&quot;", "", _escape(source)) in re.sub(
            r"&#x27;|&quot;", "", report_html
        )
    for name in result["conditions"]:
        assert f"<th>{name}" in report_html
    assert f"{result['model']['draws']} Monte Carlo draws" in report_html
    from coercive import __version__

    assert f"coercive {__version__}" in report_html


def test_report_presents_the_rebuilt_model(assessment, report_html: str) -> None:
    """Ex-ante beside conditional figures, the notes, third parties, constants, units."""
    from coercive.report.data import model_facts

    result = assessment.to_dict()
    text = re.sub(r"&#x27;", "'", report_html)
    assert "<th>given the challenge</th><th>ex ante</th>" in text
    for note in result["notes"]:
        assert _escape(note).replace("&#x27;", "'") in text
    for party in result["pressure"]["factors"]["third_parties"]:
        assert f"<tr><th>{_escape(party)}</th>" in text
    assert "weighted isolation" in text
    assert f"Constants in force: {result['model']['constants_source']}" in text
    facts = model_facts(assessment.constants)
    if isinstance(facts["calibration"], dict):  # the shipped calibration is in force
        for name, entry in facts["calibration"]["constants"].items():
            assert f"<th>{name}</th>" in text and f"{entry['se']:.4g}" in text
    # the calculus and the *_value_of_office figures are labelled in value-of-office units
    assert "GDP-years" not in text.split("Further outputs of the model")[0]
    assert "sanctions until resolution" in text and "value of office" in text


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def test_report_shows_fields_it_does_not_know(assessment) -> None:
    """A new output of the policy model appears in the report without a code change."""
    from coercive.report.html import render_report

    class Extended:
        scenario = assessment.scenario

        def to_dict(self):
            result = assessment.to_dict()
            result["regime_survival"] = {"probability": 0.4321, "note": "a new section"}
            return result

    text = render_report(Extended())
    assert "regime survival" in text and "0.4321" in text and "a new section" in text


def test_assessment_plot_draws_the_three_charts(assessment) -> None:
    import matplotlib

    matplotlib.use("Agg")
    figure = assessment.plot()
    conditions, calculus, distribution = figure.axes
    result = assessment.to_dict()
    # the counterfactual bars are the counterfactual compliances
    heights = [bar.get_height() for bar in conditions.patches]
    names = list(result["counterfactuals"])
    assert heights[len(names) :] == pytest.approx(
        [result["counterfactuals"][n]["compliance"] for n in names]
    )
    # the waterfall's total bars are the calculus totals
    bars = calculus.patches
    totals = [result["calculus"]["comply"]["total"], result["calculus"]["resist"]["total"]]
    n_comply = len(result["calculus"]["comply"]) - 1
    assert [bars[n_comply].get_height(), bars[-1].get_height()] == pytest.approx(totals)
    # the distribution's bars are shares of the draws: they sum to one
    assert sum(bar.get_height() for bar in distribution.patches) == pytest.approx(1.0)
    matplotlib.pyplot.close(figure)


def test_fit_plot_shows_mean_predictions(shared_data: Path) -> None:
    import matplotlib
    import pandas as pd

    from coercive.estimate import fit_deterrence

    matplotlib.use("Agg")
    data = pd.read_csv(shared_data / "war1800.csv")
    fit = fit_deterrence("esc + war ~ s_wt_re1 + revis1 | 0 | regime1 | balanc + regime2", data)
    ax = fit.plot()
    means = fit.predict().select_dtypes("number").mean()
    assert [bar.get_height() for bar in ax.patches] == pytest.approx(means.to_list())
    matplotlib.pyplot.close(ax.figure)


def test_cli_report_writes_the_file(tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.html"
    with pytest.raises(SystemExit) as done:
        main(["report", CASE, "-o", str(out), "--set", SMALL[0]])
    assert done.value.code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>") and text.count("<svg") >= 4


def test_cli_assess_report_option(tmp_path: Path, capsys) -> None:
    out = tmp_path / "assess.html"
    with pytest.raises(SystemExit) as done:
        main(["assess", CASE, "--set", SMALL[0], "--report", str(out), "--json"])
    assert done.value.code == 0
    assert out.is_file() and "<svg" in out.read_text(encoding="utf-8")
    assert '"compliance"' in capsys.readouterr().out  # --json still prints


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["report", "no-such-case", "-o", "{tmp}/r.html"], "no such file or bundled case"),
        (["report", CASE, "-o", "{tmp}/missing/dir/r.html", "--set", SMALL[0]], "cannot write"),
        (["report", CASE, "-o", "{tmp}/r.html", "--set", "model.draws=0"], "model.draws"),
        (["report", CASE], "-o"),
    ],
)
def test_cli_report_bad_input_is_one_line(tmp_path: Path, capsys, argv, needle) -> None:
    with pytest.raises(SystemExit) as done:
        main([arg.replace("{tmp}", str(tmp_path)) for arg in argv])
    assert done.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("coercive: error:")
    assert needle in err


def test_serve_binds_loopback_by_default(monkeypatch, capsys) -> None:
    pytest.importorskip("uvicorn")
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url))
    with pytest.raises(SystemExit) as done:
        main(["serve", "--no-browser"])
    assert done.value.code == 0
    assert calls == [{"host": "127.0.0.1", "port": 8000, "log_level": "warning"}]
    assert opened == []
    with pytest.raises(SystemExit):
        main(["serve", "--no-browser", "--host", "0.0.0.0", "--port", "8123"])
    assert calls[-1]["host"] == "0.0.0.0" and calls[-1]["port"] == 8123
    assert "reachable beyond this machine" in capsys.readouterr().err


def test_serve_port_in_use_is_one_line(capsys) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as done:
            main(["serve", "--no-browser", "--port", str(port)])
    assert done.value.code == 2
    err = capsys.readouterr().err.strip()
    expected = f"--port {port}: cannot listen on 127.0.0.1 (Address already in use)"
    assert err == f"coercive: error: {expected}"
