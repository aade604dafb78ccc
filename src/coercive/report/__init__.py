"""Shareable output of an assessment: matplotlib figures and a self-contained HTML report.

* :mod:`coercive.report.data` — the per-draw compliance distribution and the model facts
  (version, calibration in force) the report and the workbench show beside the assessment;
* :mod:`coercive.report.plots` — matplotlib figures (``Assessment.plot()`` delegates here);
* :mod:`coercive.report.html` — ``build_report``: one HTML file, every chart an inline SVG,
  no script and no network needed to open it (``coercive report CASE -o report.html``).
"""

from __future__ import annotations

__all__ = ["build_report"]


def __getattr__(name: str) -> object:
    if name == "build_report":
        from coercive.report.html import build_report

        return build_report
    raise AttributeError(f"module 'coercive.report' has no attribute {name!r}")
