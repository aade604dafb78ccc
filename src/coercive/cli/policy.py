"""``coercive assess``: the coercive-diplomacy model on the command line (a thin layer).

``register(app)`` adds the ``assess`` command and the ``cases`` group to the main typer app.
The work is done by :func:`coercive.policy.assess.assess`; this module only parses options
and renders the answer (rich tables for an analyst, or JSON).
Heavy imports happen inside the command so ``coercive --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

ASSESS_HELP = (
    "Assess a coercion campaign: how likely the target is to comply, why, and which of "
    "Jakobsen's four conditions (threat, deadline, assurance, inducement) is binding.\n\n"
    "CASE is a bundled case id (e.g. dprk-2017) or the path of a scenario YAML file. "
    "Probabilities are conditional on the campaign being under way (the challenge made)."
)


def register(app: typer.Typer) -> None:
    """Add ``assess`` (and, if available, the ``cases`` group) to ``app``."""
    from coercive.cli import cases

    app.command("assess", help=ASSESS_HELP)(assess_command)
    app.add_typer(cases.app, name="cases")


def assess_command(
    case: str = typer.Argument(
        ..., help="Bundled case id (e.g. dprk-2017) or a scenario YAML path."
    ),
    settings: list[str] = typer.Option(
        None,
        "--set",
        metavar="PATH=VALUE",
        help="Override a scenario field, e.g. --set instruments.deadline.months=6 "
        "(VALUE is YAML: null, true, 0.5, {low: 0.2, high: 0.4}). Repeatable.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the assessment as JSON."),
    constants_files: list[str] = typer.Option(
        None,
        "--constants",
        metavar="FILE",
        help="A constants or calibration file (docs/mapping-api.md) applied over the "
        "documented defaults instead of the calibration in force. Repeatable (in order).",
    ),
    report: Path | None = typer.Option(None, "--report", help="Also write an HTML report."),
    top_inputs: bool = typer.Option(
        True, "--top-inputs/--no-top-inputs",
        help="Name the three inputs that matter most (Morris screening, ~0.1 s).",
    ),
) -> None:
    from coercive.games._warmup import start_solver_warmup

    # The solver compiles (first run) or loads on a thread while the rest is read.
    start_solver_warmup()
    if top_inputs:
        from coercive.cli.assess import import_screening

        import_screening()
    from coercive.policy.assess import assess

    const = None
    if constants_files:
        from coercive.policy.constants import load_constants

        const = load_constants(*constants_files)
    assessment = assess(case, settings or [], const=const)
    if report is not None:
        from coercive.cli.web import write_report

        write_report(assessment, report)
    block = None
    if top_inputs:
        from coercive.cli.assess import top_inputs_block

        block = top_inputs_block(assessment)
    if as_json:
        if block is None:
            sys.stdout.write(assessment.to_json(indent=2) + "\n")
        else:
            import json

            data = {**assessment.to_dict(), "top_inputs": block}
            sys.stdout.write(json.dumps(data, indent=2, allow_nan=False) + "\n")
        return
    render(assessment.to_dict())
    if block is not None:
        from coercive.cli.assess import render_top_inputs

        render_top_inputs(block)


# ----------------------------------------------------------------------------------------
# The terminal view
# ----------------------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{100.0 * value:.0f}%" if value >= 0.005 or value == 0 else "<1%"


def _likelihood(probability: float) -> str:
    for bound, words in (
        (0.05, "very unlikely"),
        (0.25, "unlikely"),
        (0.45, "less likely than not"),
        (0.55, "about as likely as not"),
        (0.75, "more likely than not"),
        (0.95, "likely"),
    ):
        if probability < bound:
            return words
    return "very likely"


_STATUS_STYLE = {"met": "bold green", "partial": "bold yellow", "unmet": "bold red"}
_CONDITION_WORDS = {
    "threat": "Threat (defeat the aim quickly, cheaply)",
    "deadline": "Deadline",
    "assurance": "Assurance (no further demands)",
    "inducement": "Inducement (carrots)",
}


def _condition_value(name: str, condition: dict[str, Any]) -> str:
    if name == "threat":
        return (
            f"potency {condition['value']:.2f} (credibility {_pct(condition['credibility'])} "
            f"x dominance {condition['escalation_dominance']:.2f})"
        )
    if name == "deadline":
        if condition["value"] is None:
            return "none"
        public = "public" if condition["public"] else "not public"
        months = condition["value"]
        length = f"{months:g} months" if months >= 1 else f"{months * 365.25 / 12:.0f} days"
        return f"{length}, {public}"
    if name == "assurance":
        return f"believed at {_pct(condition['value'])}"
    relief = "relief offered" if condition["sanctions_relief"] else "no relief"
    return f"carrots cover {_pct(condition['value'])} of what is given up; {relief}"


def render(result: dict[str, Any]) -> None:
    """Explain an assessment in plain words (rich)."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    case = result["case"]
    intervals = result["intervals"]
    compliance = result["compliance"]
    title = case["title"]
    if case.get("period") and case["period"] not in title:
        title += f" ({case['period']})"
    console.print(f"\n[bold]{title}[/bold]  [dim]{case['id']}[/dim]")
    console.print(f"[dim]All probabilities are {result['conditioning']}.[/dim]\n")

    low, high = intervals["compliance"]
    console.print(
        f"[bold]Compliance {_pct(compliance)}[/bold] (90% interval {_pct(low)}-{_pct(high)}): "
        f"the target is {_likelihood(compliance)} to comply."
    )
    console.print(
        f"[bold]Credibility {_pct(result['credibility'])}[/bold]: if the target resists, the "
        f"coercer carries out the threat {_pct(result['credibility'])} of the time."
    )
    # war is conditional on the challenge (see result["conditioning"]); say so, and give
    # the ex-ante figure (challenge x war) beside it when the assessment reports one
    war_line = (
        f"[bold]War {_pct(result['war'])} if the target is challenged[/bold]: the chance "
        "that the threat is executed once the campaign is under way."
    )
    if result.get("war_unconditional") is not None:
        war_line += (
            f" Before any challenge (the coercer launches the campaign "
            f"{_pct(result['challenge'])} of the time), "
            f"{_pct(result['war_unconditional'])} unconditionally."
        )
    console.print(war_line)
    ex_ante = result.get("ex_ante")
    if ex_ante is not None:
        console.print(
            f"[dim]Ex ante, before any challenge: the coercer keeps the status quo "
            f"{_pct(ex_ante['status_quo'])}, challenges and gets compliance "
            f"{_pct(ex_ante['compliance'])}, war {_pct(ex_ante['war'])}, backs down "
            f"{_pct(ex_ante['backdown'])}.[/dim]"
        )
    if result["multiple_equilibria"] > 0:
        console.print(
            f"[dim]{_pct(result['multiple_equilibria'])} of draws have several equilibria; "
            f"the '{result['model']['equilibrium']}' one is used.[/dim]"
        )
    sensitivity = result.get("equilibrium_sensitivity")
    if sensitivity is not None:
        console.print(
            f"[dim]Equilibrium selection ('{sensitivity['rule_used']}' used): compliance "
            f"{_pct(sensitivity['compliance_least_resistance'])} under least resistance, "
            f"{_pct(sensitivity['compliance_most_resistance'])} under most resistance.[/dim]"
        )

    pressure = result["pressure"]
    factors = pressure["factors"]
    if factors["kind"] == "none":
        line = "\n[bold]Economic pressure[/bold]: none (no sanctions in this scenario)."
    else:
        line = (
            f"\n[bold]Economic pressure[/bold]: {factors['kind']} sanctions cost the regime "
            f"{_pct(pressure['economic'])} of GDP a year (the economy loses "
            f"{_pct(factors['economy_loss'])}; {_pct(factors['pass_through'])} of that reaches "
            f"the regime). Enforcement stops {_pct(factors['enforcement'])} of the sanctioned "
            f"trade (leakage {_pct(factors['leakage'])})."
        )
    if pressure.get("observed_growth") is not None:
        line += f" Observed growth in the period: {100 * pressure['observed_growth']:+.1f}%."
    console.print(line)
    trade = factors.get("third_party_trade", {})
    parties = {
        name: share
        for name, share in factors.get("third_parties", {}).items()
        if factors["kind"] != "none" and trade.get(name, 0.0) > 0
    }
    if parties:
        # the largest trading partners first: they decide the leakage
        shown = sorted(parties.items(), key=lambda item: -trade[item[0]])[:4]
        console.print(
            "[dim]Third parties' chosen enforcement (stake in the target against secondary "
            "sanctions and isolation): "
            + ", ".join(f"{name} {_pct(share)}" for name, share in shown)
            + (" ..." if len(parties) > len(shown) else "")
            + "; isolation (partners by weight) "
            + f"{_pct(factors['isolation'])}.[/dim]"
        )

    table = Table(title="Jakobsen's four conditions", title_justify="left", expand=False)
    table.add_column("condition")
    table.add_column("status")
    table.add_column("what the model sees")
    table.add_column("compliance if met (given the challenge; ex ante)", justify="right")
    for name, condition in result["conditions"].items():
        counterfactual = result["counterfactuals"][name]
        gain = counterfactual["gain"]
        marker = " <- binding" if name == result["binding"] else ""
        table.add_row(
            _CONDITION_WORDS[name],
            f"[{_STATUS_STYLE[condition['status']]}]{condition['status']}[/]",
            _condition_value(name, condition),
            f"{_pct(counterfactual['compliance'])} ({100 * gain:+.0f} pts)"
            + (
                f"; ex ante {_pct(counterfactual['compliance_ex_ante'])}"
                if "compliance_ex_ante" in counterfactual
                else ""
            )
            + marker,
        )
    console.print()
    console.print(table)
    binding = result["binding"]
    if binding is None:
        console.print(
            "No single condition is binding: raising any of them to 'met' changes compliance "
            "by less than half a point."
        )
    else:
        best = result["counterfactuals"][binding]
        console.print(
            f"[bold]Binding condition: {binding}[/bold]. Raising it to 'met' moves compliance "
            f"from {_pct(compliance)} to {_pct(best['compliance'])}, more than any other "
            "condition (counterfactual runs of the model)."
        )

    calculus = result["calculus"]
    calc = Table(
        title="The target's calculus (value of office: 1 = losing power; expected)",
        title_justify="left",
        expand=False,
    )
    calc.add_column("if it complies")
    calc.add_column("", justify="right")
    calc.add_column("if it resists")
    calc.add_column("", justify="right")
    comply = [(k, v) for k, v in calculus["comply"].items() if k != "total"]
    resist = [(k, v) for k, v in calculus["resist"].items() if k != "total"]
    for row in range(max(len(comply), len(resist))):
        left = comply[row] if row < len(comply) else ("", None)
        right = resist[row] if row < len(resist) else ("", None)
        calc.add_row(
            left[0].replace("_", " "),
            "" if left[1] is None else f"{left[1]:+.2f}",
            right[0].replace("_", " "),
            "" if right[1] is None else f"{right[1]:+.2f}",
        )
    calc.add_row(
        "[bold]total[/bold]",
        f"[bold]{calculus['comply']['total']:+.2f}[/bold]",
        "[bold]total[/bold]",
        f"[bold]{calculus['resist']['total']:+.2f}[/bold]",
    )
    console.print()
    console.print(calc)
    margin = calculus["margin"]
    better = "resisting" if margin > 0 else "complying"
    spread = result["model"]["constants"]["mapping"]["target_resolve_spread"]
    console.print(
        f"On average {better} looks better to the regime by {abs(margin):.2f} (value of "
        f"office); its private resolve (spread {spread:.2g}) decides the rest."
    )
    notes = result.get("notes") or []
    if notes:
        console.print("\n[bold]Why some figures move[/bold]")
        for note in notes:
            console.print(f"- {note}")
    source = result["model"].get("constants_source")
    if source:
        console.print(f"[dim]Constants: {source}.[/dim]")
    console.print()
