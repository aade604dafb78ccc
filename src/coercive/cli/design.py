"""``coercive design``: the cheapest mix of instruments reaching a target compliance.

A thin layer over :func:`coercive.design.design` (``docs/design.md``); heavy imports happen
inside the command so ``coercive --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from coercive._errors import InputError

DESIGN_HELP = (
    "Search the coercer's instruments (sanctions kind and coverage, secondary sanctions, "
    "threat posture and deadline, assurance, relief, compensation) for the Pareto frontier "
    "of compliance against the coercer's expected cost, and report the cheapest mix that "
    "reaches the target compliance. CASE is a bundled case id, a scenario YAML path, or a "
    "campaign (e.g. dprk-2017-2018): then each phase's instruments and the month each phase "
    "starts are searched, against P(complied by month N). --months N: a campaign's horizon; "
    "for a single scenario, the horizon of the coercer's cost streams."
)


def register(app: typer.Typer) -> None:
    """Add ``design`` to the main typer app."""
    app.command("design", help=DESIGN_HELP)(design_command)


def _bounds(items: list[str] | None) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for item in items or []:
        name, sep, rest = item.partition("=")
        low, sep2, high = rest.partition(":")
        if not sep or not sep2:
            raise InputError(f"--bound: expected NAME=LOW:HIGH, got {item!r}")
        try:
            out[name.strip()] = (float(low), float(high))
        except ValueError:
            raise InputError(f"--bound {name.strip()}: LOW and HIGH must be numbers") from None
    return out


def design_command(
    case: str = typer.Argument(..., help="Bundled case id (e.g. dprk-2018) or a YAML path."),
    target_compliance: float = typer.Option(
        0.5, "--target-compliance", help="Compliance the mix must reach, in (0, 1)."
    ),
    bound: list[str] = typer.Option(
        None, "--bound", metavar="NAME=LOW:HIGH",
        help="Narrow an instrument's range (LOW = HIGH fixes it). Repeatable.",
    ),
    months: int = typer.Option(
        None, "--months", help="Horizon in months (campaign: P(complied by N) and cost by N; "
        "scenario: the cost streams' horizon). Default: the campaign's, or the whole stream.",
    ),
    draws: int = typer.Option(
        None, "--draws", help="Monte Carlo draws shared by all mixes (200; campaign 100)."
    ),
    pop_size: int = typer.Option(None, "--pop-size", help="NSGA-II population (60; 40)."),
    generations: int = typer.Option(
        None, "--generations", help="NSGA-II generations (40; campaign 30)."
    ),
    seed: int = typer.Option(0, "--seed"),
    sanctions_price: float = typer.Option(
        None, "--sanctions-price", help="Coercer's stakes per target GDP-year of sanctions loss."
    ),
    carrot_price: float = typer.Option(
        None, "--carrot-price", help="Coercer's stakes per target GDP-year of carrots paid."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the frontier plot (PNG)."),
) -> None:
    from coercive.games._warmup import start_solver_warmup

    start_solver_warmup()  # the solver compiles (first run) or loads while the input is read
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from coercive.design import COST_PARTS, design

    bounds = _bounds(bound)
    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=as_json) as bar:
        task = bar.add_task("NSGA-II generations", total=generations)
        result = design(
            case, target_compliance=target_compliance, bounds=bounds, draws=draws,
            pop_size=pop_size, generations=generations, seed=seed,
            sanctions_price=sanctions_price, carrot_price=carrot_price,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            months=months,
        )
    if plot is not None:
        result.plot(str(plot))
    if as_json:
        print(json.dumps(result.to_dict(), indent=2))
        return
    out = Console()
    today = result.today_row()
    cheapest = result.cheapest
    out.print(f"[bold]{result.case}[/]: frontier of {len(result.to_frame())} mixes "
              f"({result.settings['draws']} common draws); {result.settings['objective']}")
    out.print(f"Today's policy: compliance {today['compliance']:.1%}, cost "
              f"{today['cost']:.3f} stakes")
    if cheapest is None:
        best = result.to_frame()["compliance"].max()
        out.print(f"No mix within the bounds reaches {result.target:.0%} compliance "
                  f"(the frontier's highest: {best:.1%}).")
    else:
        out.print(f"Cheapest mix reaching {result.target:.0%}: compliance "
                  f"{cheapest['compliance']:.1%}, cost {cheapest['cost']:.3f} stakes; uses "
                  f"{', '.join(result.used(cheapest)) or 'nothing'}")
        table = Table("instrument", "today", "cheapest")
        for name in result.names:
            table.add_row(name, f"{today[name]:.2f}", f"{cheapest[name]:.2f}")
        for name in COST_PARTS:
            table.add_row(f"cost: {name}", f"{today['cost_' + name]:.3f}",
                          f"{cheapest['cost_' + name]:.3f}")
        out.print(table)
    table = Table("on the frontier", "min", "max", "share of mixes using it")
    for name, info in result.on_frontier().items():
        table.add_row(name, f"{info['min']:.2f}", f"{info['max']:.2f}",
                      f"{info['share_used']:.0%}")
    out.print(table)
