"""Regenerate the workbench screenshots shown in the README and docs/web.md (docs/img/*.png).

Starts the workbench on a free loopback port, drives the system Chromium with Playwright
(as the browser tests do) and saves one PNG per page, plus the HTML report:

    PYTHONPATH=src COERCIVE_DATA_DIR=/work/shared/data python scripts/screenshots.py

The Estimate page is shown fitted to war1800 (from COERCIVE_DATA_DIR), when it is there.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img"
VIEWPORT = {"width": 1400, "height": 900}


def main() -> None:
    from playwright.sync_api import sync_playwright

    from coercive.policy.assess import assess
    from coercive.report.html import render_report
    from coercive.web._harness import launch_chromium, running_workbench

    OUT.mkdir(parents=True, exist_ok=True)
    with running_workbench() as base, sync_playwright() as driver:
        browser = launch_chromium(driver)
        page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)

        page.goto(f"{base}/assess?case=dprk-2017")
        page.wait_for_selector("body[data-assessed]")
        page.screenshot(path=OUT / "assess.png")
        page.locator("#calculus").screenshot(path=OUT / "assess-calculus.png")
        # the rebuilt model's sections: given the challenge vs ex ante, the notes, the
        # third parties' chosen enforcement, the calibration in force
        page.locator("#ex-ante").screenshot(path=OUT / "assess-ex-ante.png")
        page.locator("#notes").screenshot(path=OUT / "assess-notes.png")
        page.locator("#pressure").screenshot(path=OUT / "assess-pressure.png")
        page.locator("#section-model").screenshot(path=OUT / "assess-constants.png")

        page.goto(
            f"{base}/compare?a=dprk-2017&b=dprk-2017&bset=instruments.assurance.credibility%3D0.9"
        )
        page.wait_for_selector("body[data-compared]")
        page.screenshot(path=OUT / "compare.png")
        page.locator("#compare-ex-ante").screenshot(path=OUT / "compare-ex-ante.png")

        page.goto(f"{base}/game")
        page.wait_for_selector("body[data-ready]")
        page.wait_for_selector("#chart-sweep .main-svg")
        page.screenshot(path=OUT / "game.png")

        page.goto(f"{base}/estimate")
        page.wait_for_selector("body[data-ready]")
        data = Path(os.environ.get("COERCIVE_DATA_DIR", ROOT.parent / "shared" / "data"))
        if (data / "war1800.csv").is_file():
            page.set_input_files("#csv", str(data / "war1800.csv"))
            page.click("#fit")
            page.wait_for_selector("#summary", timeout=120_000)
        page.screenshot(path=OUT / "estimate.png")

        with tempfile.TemporaryDirectory() as folder:
            report = Path(folder) / "report.html"
            report.write_text(render_report(assess("dprk-2017")), encoding="utf-8")
            page.goto(report.as_uri())
            page.screenshot(path=OUT / "report.png")
        browser.close()
    for name in sorted(OUT.glob("*.png")):
        print(f"wrote {name.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
