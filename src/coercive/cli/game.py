"""``coercive game``: solve and sweep the Lewis–Schultz crisis game from the shell."""

from __future__ import annotations

import json
import sys

import typer

app = typer.Typer(help="The Lewis–Schultz crisis game: every equilibrium.", no_args_is_help=True)

# The documented example (sigInt's generate.eq example at x = 0.5): three equilibria.
EXAMPLE = {"SA": 0.0, "VA": 1.0, "CB": 0.0, "WA": -1.9, "WB": -2.85, "a": -1.2, "VB": 1.0}
_COLUMNS = ("pC", "pR", "pF", "SQ", "CD", "SF", "BD")


def _payoff(name: str, meaning: str) -> float:
    return typer.Option(EXAMPLE[name], f"--{name}", help=f"{meaning} (default {EXAMPLE[name]}).")


@app.command("solve")
def solve(
    SA: float = _payoff("SA", "A's payoff from the status quo"),
    VA: float = _payoff("VA", "A's payoff when B concedes"),
    CB: float = _payoff("CB", "B's payoff from conceding"),
    WA: float = _payoff("WA", "A's mean payoff from standing firm (war)"),
    WB: float = _payoff("WB", "B's mean payoff from war"),
    a: float = _payoff("a", "A's mean payoff from backing down"),
    VB: float = _payoff("VB", "B's payoff when A backs down"),
    sigma: float = typer.Option(1.0, "--sigma", help="Std. deviation of the private shocks."),
    select: str = typer.Option(
        "all", "--select", help="all | most_resistance | least_resistance | stable"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print every equilibrium of one game (defaults: a documented three-equilibrium example)."""
    from coercive.games import CrisisGame

    payoffs = {"SA": SA, "VA": VA, "CB": CB, "WA": WA, "WB": WB, "a": a, "VB": VB}
    table = CrisisGame(**payoffs, sigma=sigma).equilibria(select)  # type: ignore[arg-type]
    rows = [
        {**{col: float(row[col]) for col in (*_COLUMNS, "slope")}, "stable": bool(row["stable"])}
        for _, row in table.iterrows()
    ]
    if as_json:
        # allow_nan=False: the engine certifies every root and refuses games outside its
        # range, so a NaN here would be a bug; fail loudly rather than print invalid JSON.
        json.dump(
            {"payoffs": payoffs, "sigma": sigma, "select": select, "equilibria": rows},
            sys.stdout,
            indent=2,
            allow_nan=False,
        )
        sys.stdout.write("\n")
        return
    from rich.console import Console
    from rich.table import Table

    noun = "equilibrium" if len(rows) == 1 else "equilibria"
    view = Table(title=f"Lewis–Schultz game: {len(rows)} {noun}")
    for column, meaning in (
        ("pC", "challenge"),
        ("pR", "resist"),
        ("pF", "stand firm"),
        ("SQ", "status quo"),
        ("CD", "B concedes"),
        ("SF", "war"),
        ("BD", "A backs down"),
    ):
        view.add_column(f"{column}\n{meaning}", justify="right")
    view.add_column("stable")
    for row in rows:
        view.add_row(*(f"{row[c]:.4f}" for c in _COLUMNS), "yes" if row["stable"] else "no")
    console = Console()
    console.print(view)
    console.print(
        "pR, pF: B's resistance and A's firmness in equilibrium; SQ…BD: outcome probabilities. "
        "Stable: the slope of B's best response is below 1."
    )


@app.command("sweep")
def sweep_command(
    parameter: str = typer.Argument(..., help="Payoff to sweep: SA VA CB WA WB a VB sigma."),
    start: float = typer.Option(..., "--from", help="First value."),
    stop: float = typer.Option(..., "--to", help="Last value."),
    num: int = typer.Option(101, "--num", min=2, max=1_000_000, help="Grid points."),
    plot: str | None = typer.Option(
        None, "--plot", help="Write the branches to this file (.png, .pdf, .svg, ...)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the tidy table as JSON records."),
) -> None:
    """Every equilibrium branch as one payoff moves (others at the documented example)."""
    from coercive.games.statics import check_plot_target, grid, plot_branches, save_plot, sweep

    if plot is not None:  # refuse a bad target before the work, not after
        plot = str(check_plot_target(plot))
    base = {name: value for name, value in EXAMPLE.items() if name != parameter}
    table = sweep(base, parameter, grid(start, stop, num))
    if plot is not None:
        save_plot(plot_branches(table), plot)
    if as_json:
        sys.stdout.write(table.to_json(orient="records") + "\n")
        return
    counts = table.groupby("point").size()
    print(
        f"{parameter} from {start} to {stop} ({num} points): "
        f"{int((counts > 1).sum())} points with several equilibria, "
        f"branches: {', '.join(sorted(table['branch'].unique()))}"
        + (f"; plot written to {plot}" if plot else "")
    )
