"""One self-contained HTML report of an assessment (``coercive report CASE -o report.html``).

The file needs nothing else to open: the style sheet is inline and every chart is an inline
SVG drawn by :mod:`coercive.report.plots` (matplotlib, text as paths), so there is no script,
no font and no network request. Contents: the headline probabilities with their intervals,
Jakobsen's four conditions and the binding one, the target's calculus, the Monte Carlo
distribution of compliance, the economic pressure, any further output of the model (shown
generically), the sources cited in the case file, and the model version, calibration and
constants in force.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable, Mapping
from typing import Any

_LABELS = {
    "compliance": "Compliance",
    "credibility": "Credibility",
    "war": "War (given the challenge)",
    "challenge": "Challenge",
    "war_unconditional": "War, ex ante",
}
# fields of to_dict() rendered by a dedicated section (or metadata shown in the header)
_DEDICATED = {
    "case",
    "conditioning",
    "intervals",
    "binding",
    "counterfactuals",
    "conditions",
    "calculus",
    "model",
    "ex_ante",
    "selection",
    "deadline_effect",
    "notes",
    "pressure",
}

# Units of pressure figures; value of office: 1 = the regime loses power for certain
# (docs/model.md §2).
_OFFICE = "value of office"
_UNITS = {
    "economic": "share of GDP per year",
    "exports": "share of GDP per year",
    "imports": "share of GDP per year",
    "strategic_imports": "share of GDP per year",
    "economy_loss": "share of GDP per year",
    "enforcement": "share of sanctioned trade stopped",
    "leakage": "share of sanctioned trade",
    "isolation": "weighted share of partners, 0-1",
    "horizon_years": "years",
    "until_resolution_value_of_office": _OFFICE,
    "sanctions_value_of_office": _OFFICE,
    "sanctions_hazard_per_year": "P(regime falls) per year",
    "relief_believed_value": _OFFICE,
    "expected_strike_cost_value_of_office": _OFFICE,
    "expected_strike_regime_loss": _OFFICE,
    "observed_growth": "per year",
    "carrots_value_of_office": _OFFICE,
}
_RENAMED = {
    "until_resolution_value_of_office": "sanctions until resolution",
    "expected_strike_cost_value_of_office": "expected strike cost",
    "carrots_value_of_office": "expected carrots",
}


def _label(key: str) -> str:
    return _RENAMED.get(key, key.replace("_", " "))


def _with_unit(key: str, value: Any) -> str:
    unit = _UNITS.get(key)
    if unit is None:
        return _num(value)
    return f'{_num(value)} <span class="muted">{html.escape(unit)}</span>'


_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2933;max-width:1050px;
margin:24px auto;padding:0 16px}
h1{font-size:24px;margin-bottom:4px}
h2{font-size:18px;margin-top:28px;border-bottom:1px solid #d9e2ec}
.muted{color:#52606d;font-size:13px}.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #d9e2ec;border-radius:6px;padding:8px 14px;min-width:150px}
.card b{font-size:26px;display:block}table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border-bottom:1px solid #d9e2ec;padding:4px 8px;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}tr.binding{background:#fff8e1}
figure{margin:12px 0}figure svg{max-width:100%;height:auto}figcaption{color:#52606d;font-size:13px}
.met{color:#2f7d32;font-weight:700}.partial{color:#a66300;font-weight:700}
.unmet{color:#b42318;font-weight:700}
"""


def _pct(value: float | None) -> str:
    if value is None:
        return "–"
    return "<1%" if 0 < value < 0.005 else f"{100 * value:.0f}%"


def _num(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return html.escape(str(value))
    return f"{value:.4g}"


def _svg(figure: Any, title: str) -> str:
    """The figure as inline SVG markup (no XML prolog), then closed to free its memory."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    start = text.index("<svg")
    svg = text[start:]
    return svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(title)}" ', 1)


def _figure(draw: Any, title: str, size: tuple[float, float]) -> str:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=size, layout="constrained")
    draw(ax)
    caption = f"<figcaption>{html.escape(title)}</figcaption>"
    return f'<figure class="chart">{_svg(figure, title)}{caption}</figure>'


def _generic(value: Any) -> str:
    """Any JSON value as nested tables (so new outputs of the model are never dropped)."""
    if isinstance(value, Mapping):
        rows = "".join(
            f"<tr><th>{html.escape(str(key).replace('_', ' '))}</th><td>{_generic(item)}</td></tr>"
            for key, item in value.items()
        )
        return f"<table>{rows}</table>"
    if isinstance(value, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in value):
            return ", ".join(_num(item) for item in value)
        return "<ol>" + "".join(f"<li>{_generic(item)}</li>" for item in value) + "</ol>"
    if value is None:
        return '<span class="muted">none</span>'
    return _num(value)


def _headline(result: Mapping[str, Any]) -> str:
    intervals = result.get("intervals", {})
    level = intervals.get("level", 0.9)
    cards = []
    for key, value in result.items():
        if isinstance(value, int | float) and not isinstance(value, bool) and key in intervals:
            low, high = intervals[key]
            cards.append(
                f'<div class="card" data-figure="{html.escape(key)}">'
                f"{html.escape(_LABELS.get(key, key.replace('_', ' ')))}"
                f'<b>{_pct(value)}</b><span class="muted">{level:.0%} interval '
                f"{_pct(low)}–{_pct(high)}</span></div>"
            )
    return f'<div class="cards">{"".join(cards)}</div>'


def _conditions(result: Mapping[str, Any]) -> str:
    rows = []
    skip = {"status", "quantity", "value", "met_at", "meaning"}
    for name, condition in result["conditions"].items():
        counter = result["counterfactuals"].get(name, {})
        extra = ", ".join(
            f"{html.escape(_label(k))} {_with_unit(k, v)}"
            for k, v in condition.items()
            if k not in skip
        )
        marker = " (binding)" if name == result.get("binding") else ""
        status = html.escape(str(condition.get("status")))
        rows.append(
            f'<tr class="{"binding" if marker else ""}"><th>{html.escape(name)}{marker}</th>'
            f'<td class="{status}">{status}</td>'
            f"<td>{html.escape(str(condition.get('quantity', '')))} {_num(condition.get('value'))}"
            f' (met at {_num(condition.get("met_at"))})<br><span class="muted">'
            f"{html.escape(str(condition.get('meaning', '')))}</span>"
            f'{"<br><span class=muted>" + extra + "</span>" if extra else ""}</td>'
            f'<td class="num">{_pct(counter.get("compliance"))}</td>'
            f'<td class="num">{_pct(counter.get("compliance_ex_ante"))}</td>'
            f'<td class="num">{_pct(counter.get("credibility"))}</td>'
            f'<td class="num">{100 * counter.get("gain", 0.0):+.0f} pts</td></tr>'
        )
    binding = result.get("binding")
    if binding is None:
        sentence = "No single condition is binding (every counterfactual gain is below the "
        sentence += "threshold)."
    else:
        sentence = (
            f"Binding condition: <b>{html.escape(binding)}</b>. Raising it to 'met' moves "
            f"compliance from {_pct(result['compliance'])} to "
            f"{_pct(result['counterfactuals'][binding]['compliance'])} (counterfactual runs)."
        )
    return (
        f"<p>{sentence}</p><table><tr><th>condition</th><th>status</th><th>what the model sees"
        "</th><th>compliance if met (given the challenge)</th><th>compliance if met (ex ante)"
        f"</th><th>credibility if met</th><th>gain</th></tr>{''.join(rows)}</table>"
    )


def _calculus_table(calculus: Mapping[str, Any]) -> str:
    rows = []
    for side in ("comply", "resist"):
        for name, value in calculus[side].items():
            words = name.replace("_", " ")
            label = f"<b>{side}: total</b>" if name == "total" else f"{side}: {words}"
            rows.append(f'<tr><td>{label}</td><td class="num">{value:+.3f}</td></tr>')
    return (
        f'<p class="muted">{html.escape(str(calculus.get("units", "")))}. '
        f"{html.escape(str(calculus.get('meaning', '')))}</p>"
        f"<table>{''.join(rows)}<tr><td><b>margin (resist - comply)</b></td>"
        f'<td class="num">{calculus["margin"]:+.3f}</td></tr></table>'
    )


def _ex_ante(result: Mapping[str, Any]) -> str:
    """The headline figures (given the challenge) beside the same figures ex ante."""
    ex_ante = result["ex_ante"]
    rows = [
        ("The coercer challenges", "100% (given)", ex_ante.get("challenge")),
        ("The target complies", _pct(result["compliance"]), ex_ante.get("compliance")),
        ("The threat is executed (war)", _pct(result["war"]), ex_ante.get("war")),
        ("The target resists, the coercer backs down", "–", ex_ante.get("backdown")),
        ("No challenge (status quo)", "–", ex_ante.get("status_quo")),
    ]
    body = "".join(
        f'<tr><th>{text}</th><td class="num">{given}</td><td class="num">{_pct(value)}</td></tr>'
        for text, given, value in rows
        if value is not None
    )
    return (
        '<p class="muted">Given the challenge: the campaign is under way (the headline '
        "figures). Ex ante: before the coercer decides whether to challenge - P(it challenges "
        "and then each outcome).</p>"
        "<table><tr><th>outcome</th><th>given the challenge</th><th>ex ante</th></tr>"
        f"{body}</table>"
    )


def _notes(result: Mapping[str, Any]) -> str:
    """The model's one-sentence notes and the selection and deadline figures behind them."""
    notes = result.get("notes") or []
    listed = (
        "<ul>" + "".join(f"<li>{html.escape(str(note))}</li>" for note in notes) + "</ul>"
        if notes
        else '<p class="muted">No selection or deadline effect moves a figure by the '
        "model's threshold.</p>"
    )
    facts = []
    selection = result.get("selection")
    if selection:
        facts.append(
            f"Selection: credibility among coercers who challenge "
            f"{_pct(selection['credibility_challengers'])}, over all coercer types "
            f"{_pct(selection['credibility_all_coercers'])} "
            f"(gap {100 * selection['gap']:+.1f} pts)."
        )
    deadline = result.get("deadline_effect")
    if deadline:
        facts.append(
            f"Deadline ({12 * deadline['deadline_years']:.3g} months): compliance "
            f"{_pct(deadline['compliance_with_deadline'])} with it, "
            f"{_pct(deadline['compliance_without_deadline'])} with none (the coercer then "
            f"decides after {deadline['open_ended_years']:g} years; credibility "
            f"{_pct(deadline['credibility_without_deadline'])})."
        )
    else:
        facts.append("No deadline set: no deadline comparison.")
    return listed + '<ul class="muted">' + "".join(f"<li>{f}</li>" for f in facts) + "</ul>"


def _kv(entries: Iterable[tuple[str, Any]]) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(_label(key))}</th><td>"
        f"{_with_unit(key, value) if isinstance(value, int | float) else _generic(value)}"
        "</td></tr>"
        for key, value in entries
    )
    return f"<table>{rows}</table>"


def _pressure(result: Mapping[str, Any]) -> str:
    """Economic and military pressure, each third party's chosen enforcement, with units."""
    pressure = result["pressure"]
    factors = pressure["factors"]
    parties = factors.get("third_parties", {})
    trade = factors.get("third_party_trade", {})
    low, high = pressure["economic_interval"]
    party_rows = "".join(
        f'<tr><th>{html.escape(name)}</th><td class="num">{_pct(trade.get(name))}</td>'
        f'<td class="num">{_pct(value)}</td></tr>'
        for name, value in parties.items()
    )
    rest = [(k, v) for k, v in factors.items() if k not in ("third_parties", "third_party_trade")]
    return (
        f"<p>Economic cost borne by the regime: {_pct(pressure['economic'])} of GDP per year "
        f"(90% interval {_pct(low)}–{_pct(high)}); overall enforcement "
        f"{_pct(factors['enforcement'])} (leakage {_pct(factors['leakage'])}); weighted "
        f"isolation {_num(factors['isolation'])} (partners counted by weight, 0-1).</p>"
        + (
            "<table><caption>Third parties: each chooses its enforcement (share of its "
            "sanctioned trade with the target it stops)</caption><tr><th>party</th>"
            "<th>share of the target's trade</th><th>chosen enforcement</th></tr>"
            f"{party_rows}</table>"
            if parties
            else '<p class="muted">No third parties in this scenario.</p>'
        )
        + "<h3>Economic parts</h3>"
        + _kv(pressure["parts"].items())
        + "<h3>Factors</h3>"
        + _kv(rest)
        + "<h3>Military</h3>"
        + _kv(pressure["military"].items())
        + '<p class="muted">Value of office: 1 = the regime loses power for certain '
        "(docs/model.md §2). Observed growth "
        f"{_num(pressure.get('observed_growth'))} per year.</p>"
    )


def _calibration(facts: Mapping[str, Any]) -> str:
    calibration = facts["calibration"]
    source = html.escape(str(facts.get("constants_source", "")))
    if isinstance(calibration, str):
        return f"<p>Constants in force: {source}. {html.escape(calibration)}</p>"
    rows = "".join(
        f'<tr><th>{html.escape(name)}</th><td class="num">{_num(entry["value"])}</td>'
        f'<td class="num">{_num(entry["se"]) if entry["se"] is not None else "–"}</td>'
        f"<td>{html.escape(str(entry.get('unit') or ''))}</td>"
        f'<td class="muted">{html.escape(str(entry.get("source") or ""))}</td></tr>'
        for name, entry in calibration["constants"].items()
    )
    return (
        f"<p>Constants in force: {source}. Calibration "
        f"<b>{html.escape(str(calibration['name']))}</b>: estimated on "
        f"{html.escape(str(calibration['data']))} (cases starting by "
        f"{html.escape(str(calibration['train_until']))}, n = "
        f"{html.escape(str(calibration['n_cases']))}); the estimated constants are drawn per "
        "Monte Carlo draw from their sampling distribution.</p>"
        "<table><tr><th>constant</th><th>estimate</th><th>se</th><th>unit</th><th>source</th>"
        f"</tr>{rows}</table>"
    )


def _sources(scenario: Any) -> str:
    items: list[str] = list(getattr(scenario, "sources", []) or [])
    outcome = getattr(scenario, "outcome", None)
    if outcome is not None:
        items += [f"(outcome) {source}" for source in getattr(outcome, "sources", []) or []]
    if not items:
        return '<p class="muted">The case file cites no sources.</p>'
    return "<ol>" + "".join(f"<li>{html.escape(str(item))}</li>" for item in items) + "</ol>"


def render_report(assessment: Any, draws: Iterable[float] | None = None) -> str:
    """The HTML text of the report for an :class:`coercive.policy.assess.Assessment`."""
    import numpy as np

    from coercive.report import plots
    from coercive.report.data import compliance_draws, histogram, model_facts

    result = assessment.to_dict()
    scenario = assessment.scenario
    const = getattr(assessment, "constants", None)
    values = (
        compliance_draws(scenario, const) if draws is None else np.asarray(list(draws), float)
    )
    hist = histogram(values)
    facts = model_facts(const)
    case = result["case"]
    title = html.escape(str(case["title"]))
    other = {
        k: v
        for k, v in result.items()
        if k not in _DEDICATED and k not in result.get("intervals", {})
    }
    summary = getattr(scenario, "summary", None)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title} · coercive report</title><style>{_STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
        f'<p class="muted">Case <code>{html.escape(str(case["id"]))}</code>'
        f"{' · ' + html.escape(str(case['period'])) if case.get('period') else ''} · "
        f"coercive {html.escape(facts['version'])} · {result['model']['draws']} Monte Carlo "
        f"draws, seed {result['model']['seed']}, equilibrium rule "
        f"'{html.escape(str(result['model']['equilibrium']))}'</p>",
        f"<p>{html.escape(summary)}</p>" if summary else "",
        "<h2>Assessment</h2>",
        f'<p class="muted">All probabilities are {html.escape(result["conditioning"])}.</p>',
        _headline(result),
        "<h2>Given the challenge vs ex ante</h2>",
        _ex_ante(result),
        _figure(
            lambda ax: plots.plot_ex_ante(result, ax),
            "Compliance and war given the challenge and ex ante",
            (6.0, 2.8),
        ),
        "<h2>What moves the numbers</h2>",
        _notes(result),
        "<h2>Jakobsen's four conditions</h2>",
        _conditions(result),
        _figure(
            lambda ax: plots.plot_conditions(result, ax),
            "Compliance now and if each condition were met",
            (7.0, 3.2),
        ),
        "<h2>The target's calculus</h2>",
        _figure(
            lambda ax: plots.plot_calculus(result, ax),
            "The target's calculus (waterfall, value of office: 1 = loses power for certain)",
            (8.0, 4.0),
        ),
        _calculus_table(result["calculus"]),
        "<h2>Monte Carlo distribution</h2>",
        _figure(
            lambda ax: plots.plot_distribution(hist, ax),
            "Distribution of compliance over the Monte Carlo draws",
            (7.0, 3.0),
        ),
        "<h2>Pressure on the regime</h2>",
        _pressure(result),
        _figure(
            lambda ax: plots.plot_third_parties(result, ax),
            "Each third party's chosen enforcement",
            (7.0, 3.0),
        )
        if result["pressure"]["factors"].get("third_parties")
        else "",
        "<h2>Further outputs of the model</h2>",
        _generic(other),
        "<h2>Sources cited in the case file</h2>",
        _sources(scenario),
        "<h2>Model version and calibration</h2>",
        f"<p>coercive {html.escape(facts['version'])}. Units: "
        + "; ".join(
            f"{html.escape(str(side))} - {html.escape(str(unit))}"
            for side, unit in result["model"]["units"].items()
        )
        + ".</p>",
        _calibration(facts),
        "<details><summary>Constants in force</summary>",
        _generic(result["model"]["constants"]),
        "</details>",
        "</body></html>",
    ]
    return "\n".join(part for part in parts if part)


def build_report(case: Any, overrides: Any = None) -> str:
    """Assess ``case`` (a bundled id, a YAML path or a Scenario) and return the report's HTML."""
    from coercive.policy.assess import assess

    return render_report(assess(case, overrides))


__all__ = ["build_report", "render_report"]
