"""End-to-end: the workbench and the report in a real browser (Playwright driving Chromium).

One server (uvicorn on a free loopback port) and one browser serve the whole module. Every
page is loaded with all non-local requests blocked and recorded, so a passing test also
shows the page works offline. Playwright's own browser download is not used: the tests drive
the system Chromium (``/usr/bin/chromium``, or ``COERCIVE_CHROMIUM``), and are skipped, with
that reason, only when neither Playwright nor a Chromium binary is installed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from coercive.web._harness import chromium_path, launch_chromium, running_workbench

if os.environ.get("COERCIVE_BROWSER_TESTS") == "required":
    import playwright.sync_api as playwright_sync  # in CI a missing Playwright is a failure
else:
    playwright_sync = pytest.importorskip("playwright.sync_api", reason="playwright is missing")
pytest.importorskip("uvicorn")

CHROMIUM = chromium_path()
if not Path(CHROMIUM).is_file():
    _REASON = f"no Chromium binary at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("COERCIVE_BROWSER_TESTS") == "required":  # .ci/run sets this
        raise RuntimeError(f"browser tests are required, but {_REASON}")
    pytest.skip(_REASON, allow_module_level=True)

CASES_DIR = Path(__file__).resolve().parents[1] / "src" / "coercive" / "cases"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_workbench() as base:  # the engine compiled before the browser times anything
        yield base


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as driver:
        chromium = launch_chromium(driver)
        yield chromium
        chromium.close()


class Watched:
    """A page with its console errors, page errors and blocked (non-local) requests."""

    def __init__(self, page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.blocked: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

        def route(route) -> None:
            url = route.request.url
            if url.startswith(("http://127.0.0.1", "file://", "data:", "blob:")):
                route.continue_()
            else:
                self.blocked.append(url)
                route.abort()

        page.route("**/*", route)
        page.set_default_timeout(TIMEOUT_MS)

    def clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.blocked == [], self.blocked


@pytest.fixture(scope="module")
def context(browser):
    # one context for the module: plotly.js is fetched and compiled once, not per test
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    yield context
    context.close()


@pytest.fixture
def watched(context) -> Iterator[Watched]:
    page = context.new_page()
    yield Watched(page)
    page.close()


def _compliance(page) -> float:
    return float(page.locator("#fig-compliance .card-value").get_attribute("data-value"))


def _wait_assessed(page, after: int = 0) -> int:
    page.wait_for_function(f"Number(document.body.dataset.assessed || 0) > {after}")
    return int(page.evaluate("document.body.dataset.assessed"))


ASSURANCE = "instruments.assurance.credibility"


def test_assess_assurance_slider_moves_compliance(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{server}/assess?case=dprk-2017")
    count = _wait_assessed(page)
    before = _compliance(page)
    # Move both ends of the assurance belief to the top with the keyboard, waiting after each
    # move for the assessment it starts. Two presses more than the 150 ms debounce apart (a
    # loaded machine) are two assessments; waiting only for "a new one" after both could read
    # the one with the high end moved alone, which the reload below (both moved) then differs
    # from. A counter past the one seen before a move is an assessment begun after that move.
    for end in ("high", "low"):
        slider = page.locator(f'[id="f-{ASSURANCE}-{end}"]')
        slider.focus()
        page.keyboard.press("End")
        count = _wait_assessed(page, count)
    after = _compliance(page)
    assert after != before
    # the address now holds the edit: opening it again reproduces the view
    assert ASSURANCE in re.sub("%2E", ".", page.url.replace("%3D", "="))
    link = page.url
    page.goto(link)
    _wait_assessed(page)
    assert _compliance(page) == after
    watched.clean()


def test_assess_presents_the_rebuilt_model(server: str, watched: Watched) -> None:
    """Conditional beside ex-ante figures, the notes, third parties, constants, units."""
    from coercive.policy.assess import assess

    expected = assess("dprk-2017").to_dict()
    page = watched.page
    page.goto(f"{server}/assess?case=dprk-2017")
    _wait_assessed(page)
    row = page.locator('#ex-ante-table tr[data-row="compliance"]')
    assert float(row.locator("[data-conditional]").get_attribute("data-conditional")) == (
        pytest.approx(expected["compliance"], rel=1e-12)
    )
    assert float(row.locator("[data-ex-ante]").get_attribute("data-ex-ante")) == pytest.approx(
        expected["ex_ante"]["compliance"], rel=1e-12
    )
    assert page.locator("#notes-list .note").count() == len(expected["notes"])
    assert page.locator("#third-parties tbody tr").count() == len(
        expected["pressure"]["factors"]["third_parties"]
    )
    assert "weighted isolation" in page.locator("#pressure").inner_text()
    assert expected["model"]["constants_source"] in page.locator("#constants-source").inner_text()
    # the calculus and the *_value_of_office figures are labelled in value-of-office units
    assert "GDP-years" not in page.locator("#calculus").inner_text()
    assert "value of office" in page.locator("#pressure-factors").inner_text()
    for chart in ("#chart-ex-ante", "#chart-third-parties", "#chart-calculus"):
        assert page.locator(f"{chart} .main-svg").count() >= 1
    watched.clean()


def test_bad_yaml_upload_shows_the_error_beside_the_field(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{server}/assess?case=dprk-2017")
    _wait_assessed(page)
    text = (CASES_DIR / "dprk-2017.yaml").read_text(encoding="utf-8")
    bad = text.replace("kind: comprehensive", "kind: total")
    page.set_input_files(
        "#upload", files=[{"name": "bad.yaml", "mimeType": "text/yaml", "buffer": bad.encode()}]
    )
    error = page.locator("#err-upload")
    error.wait_for(state="visible")
    message = error.inner_text()
    assert message.startswith("bad.yaml:") and "instruments.sanctions.kind" in message
    # beside the upload control: in the same field block
    assert page.locator(".field", has=page.locator("#upload")).locator("#err-upload").count() == 1
    # the only console error is the browser's note of the expected 422 answer
    assert all("422" in line for line in watched.errors), watched.errors
    assert watched.blocked == []


def test_out_of_range_value_shows_the_cli_message_beside_its_control(
    server: str, watched: Watched
) -> None:
    page = watched.page
    page.goto(f"{server}/assess?case=dprk-2017")
    _wait_assessed(page)
    box = page.locator(f'[id="f-{ASSURANCE}-low--value"]')
    box.fill("5")
    box.press("Tab")
    error = page.locator(f'[id="err-{ASSURANCE}"]')
    error.wait_for(state="visible")
    assert error.inner_text().startswith(f"--set {ASSURANCE}=")
    assert "out of range" in error.inner_text()
    field = page.locator(f'.field[data-path="{ASSURANCE}"]')
    assert field.locator(f'[id="err-{ASSURANCE}"]').count() == 1


def test_compare_page_shows_differences(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{server}/compare?a=dprk-2017&b=dprk-2017&bset={ASSURANCE}%3D0.9")
    page.wait_for_selector("body[data-compared]")
    diffs = page.locator("[data-diff]")
    assert diffs.count() >= 3
    compliance_diff = float(
        page.locator('#comparison .card[data-figure="compliance"] [data-diff]').get_attribute(
            "data-diff"
        )
    )
    assert compliance_diff != 0
    assert page.locator("#differences tbody tr").count() > 20
    assert page.locator("#chart-compare .main-svg").count() >= 1
    assert page.locator("#compare-ex-ante tbody tr").count() >= 2
    assert page.locator("#compare-third-parties tbody tr").count() >= 2
    assert "ex ante" in page.locator("#compare-ex-ante").inner_text()
    watched.clean()


def test_game_page_tree_table_and_statics(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{server}/game")
    page.wait_for_selector("body[data-ready]")
    rows = page.locator("#equilibria tbody tr")
    assert rows.count() == 3  # the documented three-equilibrium example
    assert page.locator("#tree svg text", has_text="resist pR").count() == 1
    assert page.locator("#chart-sweep .main-svg").count() >= 1
    first = page.locator("#tree svg").inner_html()
    slider = page.locator("#p-WB")
    slider.focus()
    page.keyboard.press("Home")  # WB to the bottom of its range: B dreads war
    page.wait_for_function("document.querySelectorAll('#equilibria tbody tr').length == 1")
    assert page.locator("#tree svg").inner_html() != first
    assert "WB=-5" in page.url
    watched.clean()


def test_estimate_page_fits_an_uploaded_csv(server: str, watched: Watched, shared_data) -> None:
    page = watched.page
    page.goto(f"{server}/estimate")
    page.wait_for_selector("body[data-ready]")
    page.set_input_files("#csv", str(shared_data / "war1800.csv"))
    page.click("#fit")
    summary = page.locator("#summary")
    summary.wait_for(state="visible", timeout=60_000)
    assert "Log-likelihood" in summary.inner_text()
    assert page.locator("#predicted tbody tr").count() == 20
    watched.clean()


@pytest.mark.parametrize(
    "path, ready",
    [
        ("/assess", "body[data-assessed]"),
        ("/compare", "body[data-compared]"),
        ("/game", "body[data-ready]"),
        ("/estimate", "body[data-ready]"),
    ],
)
def test_no_console_errors_and_labelled_controls(
    server: str, watched: Watched, path: str, ready: str
) -> None:
    page = watched.page
    page.goto(f"{server}{path}")
    page.wait_for_selector(ready)
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter((c) => c.type !== 'hidden')
            .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label'))
            .map((c) => c.id || c.outerHTML.slice(0, 80))"""
    )
    assert unlabelled == []
    watched.clean()


def test_controls_are_reachable_with_the_keyboard(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{server}/assess?case=dprk-2017")
    _wait_assessed(page)
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    assert "case" in reached and "upload" in reached and "download" in reached
    # a slider deep in the form takes keyboard focus and responds to arrow keys
    slider = page.locator(f'[id="f-{ASSURANCE}-high"]')
    slider.focus()
    value = float(slider.input_value())
    page.keyboard.press("ArrowRight")
    assert float(slider.input_value()) > value
    watched.clean()


def test_report_renders_every_chart_offline(watched: Watched, tmp_path: Path) -> None:
    from coercive.policy.assess import assess
    from coercive.report.html import render_report

    assessment = assess("dprk-2017", ["model.draws=300"])
    out = tmp_path / "report.html"
    out.write_text(render_report(assessment), encoding="utf-8")
    page = watched.page
    page.goto(out.as_uri())
    charts = page.locator("figure.chart svg")
    # ex ante, conditions, calculus, distribution, and third parties' enforcement if any
    parties = assessment.to_dict()["pressure"]["factors"]["third_parties"]
    assert charts.count() == 4 + bool(parties)
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100
    assert page.locator("h2", has_text="Sources cited in the case file").count() == 1
    watched.clean()


def test_good_upload_is_assessed_and_download_holds_the_edits(
    server: str, watched: Watched
) -> None:
    import yaml

    page = watched.page
    page.goto(f"{server}/assess?case=dprk-2017")
    count = _wait_assessed(page)
    case_compliance = _compliance(page)
    text = (CASES_DIR / "dprk-2017.yaml").read_text(encoding="utf-8")
    # the assurance's credibility set to 0.95, whatever the case file codes it as
    mine = re.sub(
        r"(?m)^(  assurance:\n    credibility:) [^\n]*$", r"\1 0.95", text, count=1
    )
    assert mine != text
    page.set_input_files(
        "#upload", files=[{"name": "mine.yaml", "mimeType": "text/yaml", "buffer": mine.encode()}]
    )
    count = _wait_assessed(page, count)
    assert _compliance(page) != case_compliance
    # the form now shows the uploaded value; edit another field, then download
    assert page.locator(f'[id="f-{ASSURANCE}--value"]').input_value() == "0.95"
    page.select_option('[id="f-instruments.sanctions.kind"]', "targeted")
    # the edit's own assessment (the status line already read "assessed" from the upload's)
    _wait_assessed(page, count)
    with page.expect_download() as download:
        page.click("#download")
    saved = yaml.safe_load(Path(download.value.path()).read_text(encoding="utf-8"))
    assert saved["instruments"]["assurance"]["credibility"] == 0.95
    assert saved["instruments"]["sanctions"]["kind"] == "targeted"
    watched.clean()
