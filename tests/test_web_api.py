"""The workbench's JSON API through FastAPI's TestClient: every endpoint, good and bad input.

The answers are checked against the library called directly (the API must add nothing and
lose nothing), and bad input against the CLI's own one-line messages.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from coercive._errors import InputError  # noqa: E402
from coercive.web.api import MAX_BODY_BYTES, flatten  # noqa: E402
from coercive.web.app import create_app, plotly_js  # noqa: E402
from coercive.web.errors import field_of  # noqa: E402

CASE = "dprk-2017"
CASES_DIR = Path(__file__).resolve().parents[1] / "src" / "coercive" / "cases"
SMALL = {"model.draws": 200}  # keeps each assessment quick; the API path is the same


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app()) as test_client:
        yield test_client


def _detail(response) -> dict:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    return detail[0]


def _cli_message(settings: list[str]) -> str:
    from coercive.policy.assess import assess

    with pytest.raises(InputError) as info:
        assess(CASE, settings)
    return str(info.value)


# ---------------------------------------------------------------------------- pages, files


def test_pages_and_static_files(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307) and response.headers["location"] == "/assess"
    for page in ("assess", "compare", "game", "estimate"):
        html = client.get(f"/{page}")
        assert html.status_code == 200 and "text/html" in html.headers["content-type"]
        # offline: every script and style sheet is served by the app itself
        assert "http://" not in html.text and "https://" not in html.text
        assert '<script src="/vendor/plotly.min.js">' in html.text
        assert f'<script type="module" src="/static/{page}.js">' in html.text
        assert client.get(f"/static/{page}.js").status_code == 200
        # the shared layout: the page's own title, and its own link the one marked current
        assert f"<title>{page.capitalize()} · coercive workbench</title>" in html.text
        assert html.text.count('aria-current="page"') == 1
        assert f'<a href="/{page}" aria-current="page">' in html.text
        assert html.text.count('<main id="main">') == 1 and html.text.rstrip().endswith("</html>")
    assert client.get("/static/style.css").status_code == 200
    bundle = client.get("/vendor/plotly.min.js")
    assert bundle.status_code == 200
    assert bundle.content == plotly_js().read_bytes()


def test_static_files_cannot_escape_their_folder(client: TestClient) -> None:
    for path in (
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/../../cases/dprk-2017.yaml",
    ):
        response = client.get(path)
        assert response.status_code == 404, path


def test_version_and_schema(client: TestClient) -> None:
    from coercive import __version__
    from coercive.policy.mapping import constants
    from coercive.policy.scenario import json_schema

    facts = client.get("/api/version").json()
    assert facts["version"] == __version__
    assert facts["constants_source"] == constants().source
    # the calibration named is the one in force: its estimates are the constants used
    calibration = facts["calibration"]
    if isinstance(calibration, dict):
        for name, entry in calibration["constants"].items():
            assert getattr(constants().mapping, name) == pytest.approx(entry["value"], rel=1e-12)
            assert entry["se"] is None or entry["se"] > 0
    else:
        assert constants().source == "defaults-v1"
    assert client.get("/api/schema").json() == json_schema()


# ---------------------------------------------------------------------------- cases, scenarios


def test_cases_list_is_the_bundled_library(client: TestClient) -> None:
    from coercive.policy.loader import bundled_cases

    cases = client.get("/api/cases").json()
    assert [case["id"] for case in cases] == bundled_cases()
    assert all(case["title"] for case in cases)


def test_case_document_round_trips(client: TestClient) -> None:
    from coercive.policy.loader import load_scenario, scenario_from_text

    doc = client.get(f"/api/cases/{CASE}").json()
    assert doc["scenario"] == load_scenario(CASE).model_dump(mode="json")
    # the YAML offered for download is a valid scenario with the same content
    again = scenario_from_text(doc["yaml"], source="download.yaml")
    assert again.model_dump(mode="json") == doc["scenario"]


@pytest.mark.parametrize("name", ["no-such-case", "..%2F..%2Fetc%2Fpasswd", "dprk-2017.yaml"])
def test_unknown_case_is_refused_without_reading_a_file(client: TestClient, name: str) -> None:
    response = client.get(f"/api/cases/{name}")
    if response.status_code == 404:  # the router itself refused a path with slashes
        return
    detail = _detail(response)
    assert detail["loc"] == ["path", "case_id"]
    assert "no such bundled case" in detail["msg"]


def test_scenario_endpoint_validates_uploads(client: TestClient) -> None:
    text = (CASES_DIR / f"{CASE}.yaml").read_text(encoding="utf-8")
    good = client.post("/api/scenario", json={"yaml": text, "filename": "mine.yaml"})
    assert good.status_code == 200
    assert good.json()["scenario"]["id"] == CASE

    bad_value = text.replace("kind: comprehensive", "kind: total")
    detail = _detail(client.post("/api/scenario", json={"yaml": bad_value, "filename": "b.yaml"}))
    assert detail["field"] == "instruments.sanctions.kind"
    assert detail["loc"] == ["body", "instruments", "sanctions", "kind"]
    assert detail["msg"].startswith("b.yaml:")  # the file and its line, as the CLI says it
    assert "'none', 'targeted' or 'comprehensive'" in detail["msg"]

    detail = _detail(client.post("/api/scenario", json={"yaml": "a: [", "filename": "b.yaml"}))
    assert detail["field"] is None and "invalid YAML" in detail["msg"]


def test_upload_filename_is_only_a_label(client: TestClient) -> None:
    for name in ("../etc/passwd", "a/b.yaml", "c:\\x.yaml", ""):
        response = client.post("/api/scenario", json={"yaml": "id: x", "filename": name})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "filename"]


# ---------------------------------------------------------------------------- assess


def test_assess_is_the_cli_assessment(client: TestClient) -> None:
    from coercive.policy.assess import assess
    from coercive.policy.loader import load_scenario
    from coercive.report.data import compliance_draws

    payload = client.post("/api/assess", json={"case": CASE}).json()
    expected = json.loads(assess(CASE).to_json())
    assert payload["assessment"] == expected
    histogram = payload["distribution"]["compliance"]
    assert sum(histogram["counts"]) == histogram["draws"] == expected["model"]["draws"]
    # the histogram's draws are the assessment's own: their mean is its compliance
    draws = compliance_draws(load_scenario(CASE))
    assert math.isclose(float(np.mean(draws)), expected["compliance"], rel_tol=1e-12)
    counts, _ = np.histogram(draws, bins=len(histogram["counts"]), range=(0, 1))
    assert counts.tolist() == histogram["counts"]


def test_assess_overrides_change_the_answer_as_on_the_cli(client: TestClient) -> None:
    from coercive.policy.assess import assess

    setting = "instruments.assurance.credibility=0.9"
    base = client.post("/api/assess", json={"case": CASE, "overrides": SMALL}).json()
    as_set = client.post(
        "/api/assess", json={"case": CASE, "overrides": SMALL, "sets": [setting]}
    ).json()
    as_json = client.post(
        "/api/assess",
        json={"case": CASE, "overrides": {**SMALL, "instruments.assurance.credibility": 0.9}},
    ).json()
    direct = assess(CASE, ["model.draws=200", setting]).to_dict()
    assert as_set["assessment"]["compliance"] == direct["compliance"]
    assert as_json["assessment"]["compliance"] == direct["compliance"]
    assert as_set["assessment"]["compliance"] != base["assessment"]["compliance"]


@pytest.mark.parametrize(
    "setting",
    [
        "instruments.assurance.credibility=2",
        "instruments.sanctions.kind=total",
        "instruments.nothing=1",
        "model.draws=0",
        "instruments.deadline.months=-1",
    ],
)
def test_assess_bad_set_has_the_cli_message_and_field(client: TestClient, setting: str) -> None:
    detail = _detail(client.post("/api/assess", json={"case": CASE, "sets": [setting]}))
    assert detail["msg"] == _cli_message([setting])
    path = setting.split("=")[0]
    assert detail["field"] == path
    assert detail["loc"] == ["body", "overrides", path]


def test_assess_refuses_nan_and_inf(client: TestClient) -> None:
    for bad in ("NaN", "Infinity"):
        body = '{"case": "dprk-2017", "overrides": {"instruments.assurance.credibility": %s}}'
        response = client.post(
            "/api/assess", content=body % bad, headers={"content-type": "application/json"}
        )
        assert response.status_code == 422, bad


@pytest.mark.parametrize(
    "body, loc",
    [
        ({}, ["body", "case"]),
        ({"case": CASE, "yaml": "id: x"}, ["body", "case"]),
        ({"case": CASE, "colour": "red"}, ["body", "colour"]),
        ({"case": 3}, ["body", "case"]),
        ({"case": CASE, "sets": "x=1"}, ["body", "sets"]),
    ],
)
def test_assess_bad_request_shape(client: TestClient, body: dict, loc: list) -> None:
    assert _detail(client.post("/api/assess", json=body))["loc"] == loc


def test_request_bodies_over_one_megabyte_are_refused(client: TestClient) -> None:
    filler = "#" + "x" * MAX_BODY_BYTES + "\n"
    response = client.post("/api/assess", json={"yaml": filler, "filename": "big.yaml"})
    assert response.status_code == 413
    assert "request body over" in response.json()["detail"][0]["msg"]

    def chunks():  # no Content-Length: the limit counts the bytes received
        yield b'{"yaml": "#'
        for _ in range(11):
            yield b"x" * 100_000
        yield b'"}'

    response = client.post(
        "/api/assess", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    # just under the limit is still parsed (and then refused for its content, not its size)
    small = client.post("/api/assess", json={"yaml": "#" + "x" * 1000, "filename": "s.yaml"})
    assert small.status_code == 422


# ---------------------------------------------------------------------------- compare


def test_compare_reports_every_figure_and_its_difference(client: TestClient) -> None:
    body = {
        "a": {"case": CASE, "overrides": SMALL},
        "b": {"case": CASE, "overrides": SMALL, "sets": ["instruments.assurance.credibility=0.9"]},
    }
    result = client.post("/api/compare", json=body).json()
    left = flatten(result["a"]["assessment"])
    right = flatten(result["b"]["assessment"])
    rows = {row["path"]: row for row in result["differences"]}
    assert set(rows) == set(left) | set(right)
    for path, row in rows.items():
        if path in left and path in right:
            assert row["diff"] == pytest.approx(right[path] - left[path])
    assert rows["compliance"]["diff"] != 0


def test_compare_error_names_the_side(client: TestClient) -> None:
    body = {"a": {"case": CASE}, "b": {"case": CASE, "sets": ["instruments.sanctions.kind=x"]}}
    detail = _detail(client.post("/api/compare", json=body))
    assert detail["loc"][:2] == ["body", "b"]
    assert detail["field"] == "instruments.sanctions.kind"


def test_flatten_skips_booleans_and_non_finite() -> None:
    assert flatten({"a": 1, "b": {"c": [2.5, True]}, "d": "x", "e": float("nan")}) == {
        "a": 1.0,
        "b.c.0": 2.5,
    }


# ---------------------------------------------------------------------------- game


def test_game_lists_every_equilibrium_of_the_engine(client: TestClient) -> None:
    from coercive.games import CrisisGame

    payoffs = {"SA": 0, "VA": 1, "CB": 0, "WA": -1.9, "WB": -2.85, "a": -1.2, "VB": 1}
    result = client.post("/api/game", json=payoffs).json()
    table = CrisisGame(**payoffs).equilibria("all").sort_values("pR")
    assert [row["pR"] for row in result["equilibria"]] == pytest.approx(table["pR"].tolist())
    assert [row["stable"] for row in result["equilibria"]] == table["stable"].tolist()
    for row in result["equilibria"]:  # outcome probabilities sum to one
        assert row["SQ"] + row["CD"] + row["SF"] + row["BD"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "body, loc",
    [({"sigma": 0}, ["body", "sigma"]), ({"WB": "low"}, ["body", "WB"]), ({"x": 1}, ["body", "x"])],
)
def test_game_bad_input(client: TestClient, body: dict, loc: list) -> None:
    assert _detail(client.post("/api/game", json=body))["loc"] == loc


def test_sweep_is_the_engine_sweep(client: TestClient) -> None:
    from coercive.games import sweep

    body = {"parameter": "WB", "low": -3.0, "high": -2.7, "points": 31}
    result = client.post("/api/game/sweep", json=body).json()
    fixed = {"SA": 0.0, "VA": 1.0, "CB": 0.0, "WA": -1.9, "a": -1.2, "VB": 1.0, "sigma": 1.0}
    table = sweep(fixed, "WB", np.linspace(-3.0, -2.7, 31))
    assert len(result["rows"]) == len(table)
    assert [row["pR"] for row in result["rows"]] == pytest.approx(table["pR"].tolist())
    assert {row["branch"] for row in result["rows"]} == set(table["branch"])


@pytest.mark.parametrize(
    "body, loc",
    [
        ({"low": 1, "high": 1}, ["body", "high"]),
        ({"low": 0, "high": 1, "points": 10_000}, ["body", "points"]),
        ({"parameter": "sigma", "low": 0, "high": 1}, ["body", "low"]),
        ({"parameter": "Q", "low": 0, "high": 1}, ["body", "parameter"]),
        ({"high": 1}, ["body", "low"]),
    ],
)
def test_sweep_bad_input(client: TestClient, body: dict, loc: list) -> None:
    assert _detail(client.post("/api/game/sweep", json=body))["loc"] == loc


# ---------------------------------------------------------------------------- estimate

FORMULA = "esc + war ~ s_wt_re1 + revis1 | 0 | regime1 | balanc + regime2"


@pytest.fixture(scope="module")
def war1800_csv(shared_data: Path) -> str:
    return (shared_data / "war1800.csv").read_text(encoding="utf-8")


def test_estimate_is_fit_deterrence(client: TestClient, war1800_csv: str) -> None:
    import io

    from coercive.estimate import fit_deterrence

    result = client.post(
        "/api/estimate", json={"csv": war1800_csv, "formula": FORMULA, "model": "deterrence"}
    )
    assert result.status_code == 200, result.text
    payload = result.json()
    fit = fit_deterrence(FORMULA, pd.read_csv(io.StringIO(war1800_csv)))
    assert payload["llf"] == pytest.approx(fit.llf, rel=1e-10)
    assert f"{fit.llf:.4f}" in payload["summary"]  # the library's own summary table
    names = [row["name"] for row in payload["coefficients"]]
    assert names == list(fit.params.index)
    coefficients = [row["coef"] for row in payload["coefficients"]]
    assert coefficients == pytest.approx(fit.params.to_list(), rel=1e-6)
    predicted = fit.predict().select_dtypes("number")
    assert payload["predicted"]["total"] == len(predicted)
    assert payload["predicted"]["columns"] == [str(c) for c in predicted.columns]
    first = payload["predicted"]["columns"][0]
    assert payload["predicted"]["mean"][first] == pytest.approx(predicted[first].mean())


@pytest.mark.parametrize(
    "change, loc",
    [
        ({"csv": '"unclosed\n1,2'}, ["body", "csv"]),
        ({"csv": "a,b\n"}, ["body", "csv"]),
        ({"formula": "esc + war ~ no_such_column | 0 | 1 | 1"}, ["body", "formula"]),
        ({"model": "neural"}, ["body", "model"]),
        ({"formula": ""}, ["body", "formula"]),
    ],
)
def test_estimate_bad_input(client: TestClient, war1800_csv: str, change: dict, loc: list) -> None:
    body = {"csv": war1800_csv, "formula": FORMULA, **change}
    detail = _detail(client.post("/api/estimate", json=body))
    assert detail["loc"] == loc
    assert detail["msg"]


def test_models_are_the_published_models(client: TestClient) -> None:
    from coercive.datasets import PUBLISHED_MODELS

    models = client.get("/api/models").json()
    assert {name: spec["formula"] for name, spec in models.items()} == PUBLISHED_MODELS
    assert models["war1800"]["model"] == "deterrence"
    assert models["sanctions"]["model"] == "signaling"


# ---------------------------------------------------------------------------- error paths


@pytest.mark.parametrize(
    "message, field",
    [
        (
            "b.yaml:86: instruments.sanctions.kind: Input should be 'none'",
            "instruments.sanctions.kind",
        ),
        ("b.yaml: demand: required field is missing", "demand"),
        ("b.yaml:2: invalid YAML: did not find expected node", None),
        ("b.yaml: the document is empty; expected a mapping", None),
        ("--set model.draws=0: model.draws: Input should be >= 1", "model.draws"),
        ("--set model.draws: model.draws: Input should be >= 1", "model.draws"),
        ("b.yaml:4: actors.third_parties.0.name: too short", "actors.third_parties.0.name"),
    ],
)
def test_field_of_reads_the_loader_message(message: str, field: str | None) -> None:
    assert field_of(message, "b.yaml") == field


def test_package_data_ships_every_page_and_static_file() -> None:
    import fnmatch
    import tomllib

    from coercive.web.app import PAGES_DIR, STATIC_DIR

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["coercive"]
    package = root / "src" / "coercive"
    for path in [*PAGES_DIR.iterdir(), *STATIC_DIR.iterdir()]:
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), relative


# Built from st.text, not st.from_regex: the same strings, but the regex strategies' first
# draw took over a second on a loaded machine and failed Hypothesis's too_slow health check.
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_SEGMENT = st.builds(
    str.__add__, st.sampled_from(_LOWER + "_"), st.text(_LOWER + "0123456789_", max_size=8)
)
_SOURCE = st.builds(
    lambda head, tail, ext: f"{head}{tail}.{ext}",
    st.sampled_from(_LOWER),
    st.text(_LOWER + "0123456789_-", max_size=10),
    st.sampled_from(["yaml", "yml"]),
)


@given(
    path=st.lists(st.one_of(_SEGMENT, st.integers(0, 20).map(str)), min_size=1, max_size=5),
    line=st.one_of(st.none(), st.integers(1, 10_000)),
    source=_SOURCE,
)
def test_field_of_finds_any_path_after_any_source(path, line, source) -> None:
    if path[0].isdigit():
        path = ["x", *path]
    dotted = ".".join(path)
    where = source if line is None else f"{source}:{line}"
    assert field_of(f"{where}: {dotted}: something is wrong: a: b", source) == dotted
    assert field_of(f"--set {dotted}=1: {dotted}: bad", source) == dotted
