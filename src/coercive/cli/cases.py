"""``coercive cases``: the historical case library on the command line (a thin layer).

``coercive cases list [--json]`` lists the bundled cases with their recorded outcomes;
``coercive cases evaluate [--json]`` scores the library out of sample with the
TIES-estimated constants (:func:`coercive.policy.library.evaluate`). The group is registered by
:mod:`coercive.cli.policy`. Heavy imports happen inside the commands.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

app = typer.Typer(
    name="cases",
    help="The historical case library: list the cases, or score them out of sample.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_OUTCOME_STYLE = {"success": "green", "failure": "red", "partial": "yellow"}


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _write_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2) + "\n")


@app.command("list")
def list_command(
    as_json: bool = typer.Option(False, "--json", help="Print the cases as JSON."),
) -> None:
    """List the bundled historical cases with their recorded outcomes and sources."""
    from coercive.policy.library import list_cases

    cases = list_cases()
    if as_json:
        _write_json({"cases": cases, "n_cases": len(cases)})
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Historical case library", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("years", no_wrap=True)
    table.add_column("coercer")
    table.add_column("target")
    table.add_column("outcome")
    table.add_column("sources", justify="right")
    for case in cases:
        style = _OUTCOME_STYLE.get(case["outcome"], "")
        table.add_row(
            case["id"],
            case["period"] or "",
            case["coercer"],
            case["target"],
            f"[{style}]{case['outcome']}[/]",
            str(len(case["sources"])),
        )
    console = Console()
    console.print(table)
    console.print("[dim]Demands, outcome notes and full sources: --json.[/dim]")


@app.command("evaluate")
def evaluate_command(
    as_json: bool = typer.Option(False, "--json", help="Print the evaluation as JSON."),
    draws: int = typer.Option(
        None, "--draws", min=1, max=20000, help="Monte Carlo draws per case (default: its own)."
    ),
    spec: str = typer.Option(
        None, "--spec", help="TIES calibration to score: v1 or v2 (default: the one in force)."
    ),
) -> None:
    """Score the library out of sample with the TIES-estimated constants (none fitted here)."""
    from coercive.policy.calibration import calibration_path
    from coercive.policy.library import evaluate

    path = None if spec is None else calibration_path(spec)
    result = evaluate(draws=draws, calibration=path).to_dict()
    if as_json:
        _write_json(result)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(
        title=f"Case library, out of sample (constants: {result['constants_source']})",
        title_justify="left",
    )
    table.add_column("case", no_wrap=True)
    table.add_column("year", justify="right")
    table.add_column("outcome")
    table.add_column("predicted compliance", justify="right")
    table.add_column("hit")
    table.add_column("base rate (others)", justify="right")
    table.add_column("default constants", justify="right")
    for case in result["cases"]:
        style = _OUTCOME_STYLE.get(case["outcome"], "")
        table.add_row(
            case["id"],
            "" if case["year"] is None else str(case["year"]),
            f"[{style}]{case['outcome']}[/]",
            f"{case['predicted']:.2f}",
            "yes" if case["hit"] else "[bold]no[/bold]",
            f"{case['base_rate']:.2f}",
            f"{case['default_constants_predicted']:.2f}",
        )
    console.print(table)
    scores = Table(title="Scores (log score: higher is better; Brier: lower)", title_justify="left")
    for column in ("model", "log score", "Brier", "accuracy", "AUC"):
        scores.add_column(column, justify="left" if column == "model" else "right")
    labels = {
        "calibrated": "TIES-calibrated constants",
        "base_rate_loo": "base rate of the other cases",
        "base_rate_whole_library": "whole-library rate (in sample)",
        "default_constants": "documented default constants",
        "calibrated_mixture": "TIES-calibrated, with the outcome-outside-the-game mixture",
        "mixture_vs_base_rate_loo": "(with the mixture) vs the base rate of the other cases",
    }
    for key, row in result["models"].items():
        scores.add_row(
            labels[key],
            f"{row['log_score']:.3f}",
            f"{row['brier']:.3f}",
            f"{row['accuracy']:.2f}",
            _fmt(row["auc"]),
        )
    console.print(scores)
    diff = Table(title="Calibrated minus baseline, bootstrap 90% intervals", title_justify="left")
    for column in ("baseline", "log score", "Brier"):
        diff.add_column(column)
    for key, row in result["differences"].items():
        log, brier = row["log_score"], row["brier"]
        diff.add_row(
            labels[key],
            f"{log['difference']:+.3f} [{log['interval'][0]:+.3f}, {log['interval'][1]:+.3f}]",
            f"{brier['difference']:+.3f} [{brier['interval'][0]:+.3f}, "
            f"{brier['interval'][1]:+.3f}]",
        )
    console.print(diff)
    console.print(
        f"[dim]{result['n_cases']} scored cases, success rate {result['success_rate']:.2f}; "
        "nothing is fitted on these cases.[/dim]"
    )
