"""``coercive cases``: the historical case library on the command line (a thin layer).

``coercive cases list [--json]`` lists the bundled cases with their recorded outcomes;
``coercive cases evaluate [--json]`` runs the leave-one-out retrodiction of
:func:`coercive.policy.library.evaluate`. The group is registered by
:mod:`coercive.cli.policy`. Heavy imports happen inside the commands.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

app = typer.Typer(
    name="cases",
    help="The historical case library: list the cases, or retrodict them leave-one-out.",
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
        400, "--draws", min=1, max=20000, help="Monte Carlo draws per case and grid point."
    ),
) -> None:
    """Leave-one-out retrodiction: calibrate on the other cases, predict the held-out one."""
    from coercive.policy.library import evaluate

    result = evaluate(draws=draws).to_dict()
    if as_json:
        _write_json(result)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(
        title="Leave-one-out retrodiction of the case library",
        title_justify="left",
    )
    table.add_column("case", no_wrap=True)
    table.add_column("year", justify="right")
    table.add_column("outcome")
    table.add_column("predicted compliance", justify="right")
    table.add_column("hit")
    table.add_column("base rate (others)", justify="right")
    table.add_column("uncalibrated", justify="right")
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

    def verdict(base: float) -> str:
        return "better than" if result["brier"] < base else "no better than"

    fitted = result["calibrated_on_all_cases"]
    calibration = (
        ", ".join(f"{k} = {v:g}" for k, v in fitted.items())
        if fitted
        else "none applied (the optimum is at the edge of the grid: not identified), "
        "documented defaults used"
    )
    console.print(
        f"\n{result['n_cases']} cases, success rate {result['success_rate']:.2f}.\n"
        f"Model (leave-one-out):               accuracy {result['accuracy']:.2f}, "
        f"Brier {result['brier']:.3f}, AUC {_fmt(result['auc'])}, "
        f"mean prediction {result['mean_predicted']:.2f}\n"
        f"{'Base rate (whole library, ' + format(result['success_rate'], '.2f') + '):':37}"
        f"accuracy {result['base_rate_accuracy']:.2f}, Brier {result['base_rate_brier']:.3f}"
        "  [dim]base_rate_brier[/dim]\n"
        f"Base rate (rate of the other cases): accuracy {result['base_rate_accuracy_loo']:.2f}, "
        f"Brier {result['base_rate_brier_loo']:.3f}  [dim]base_rate_brier_loo[/dim]\n"
        f"Model, default constants:            accuracy "
        f"{result['default_constants_accuracy']:.2f}, "
        f"Brier {result['default_constants_brier']:.3f}\n"
        f"On the Brier score the model does {verdict(result['base_rate_brier'])} "
        f"always predicting the whole library's success rate "
        f"({result['brier']:.3f} vs {result['base_rate_brier']:.3f}), and "
        f"{verdict(result['base_rate_brier_loo'])} the leave-one-out base rate "
        f"({result['brier']:.3f} vs {result['base_rate_brier_loo']:.3f}).\n"
        f"[dim]Calibration on all cases: {calibration}[/dim]"
    )
