"""``coercive campaign CASE``: monthly trajectories of a phased campaign with Monte Carlo bands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from coercive._errors import InputError


def campaign_command(
    case: str = typer.Argument(
        ..., help="Bundled campaign id (e.g. dprk-2017-2018) or a YAML path."
    ),
    months: int = typer.Option(None, "--months", help="Months to report (default: the file's)."),
    settings: list[str] = typer.Option(
        None,
        "--set",
        metavar="PATH=VALUE",
        help="Override a phase's instrument (phases.1.inducements.compensation=0.05) or a "
        "base scenario field (demand.value_per_year=0.3). VALUE is YAML. Repeatable.",
    ),
    counterfactual: str = typer.Option(
        None, "--counterfactual", help="A named set of --set overrides listed in the file."
    ),
    draws: int = typer.Option(None, "--draws", help="Monte Carlo draws (default: the base's)."),
    seed: int = typer.Option(None, "--seed", help="Seed (default: the base scenario's)."),
    sanctions_price: float = typer.Option(
        None,
        "--sanctions-price",
        help="The coercer's own cost of sanctioning, stakes per target-GDP-year of economy "
        "loss (default 0.1, the prior of `coercive design`).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the trajectories as JSON."),
    plot: Path = typer.Option(None, "--plot", metavar="FILE", help="Write the plot (PNG/SVG/PDF)."),
) -> None:
    """Monthly P(complied), P(first step), P(strike), sanctions, beliefs, costs, the regime's
    survival and the economy's growth, with 90% bands."""
    from rich.console import Console
    from rich.progress import Progress

    from coercive.campaign import CampaignResult, load_campaign
    from coercive.campaign.model import SANCTIONS_PRICE, campaign_inputs, simulate

    if draws is not None and not 1 <= draws <= 200_000:
        raise InputError(f"--draws {draws}: allowed: an integer from 1 to 200000")
    if seed is not None and seed < 0:
        raise InputError(f"--seed {seed}: allowed: an integer >= 0")
    if sanctions_price is not None and not (0 <= sanctions_price <= 100):
        raise InputError(f"--sanctions-price {sanctions_price}: allowed: a number from 0 to 100")
    price = SANCTIONS_PRICE if sanctions_price is None else float(sanctions_price)
    if plot is not None and plot.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"--plot {plot}: allowed: a .png, .svg or .pdf file name")
    items = list(settings or [])
    if counterfactual is not None:
        spec = load_campaign(case, None, months).spec
        if counterfactual not in spec.counterfactuals:
            allowed = ", ".join(spec.counterfactuals) or "none in this file"
            raise InputError(f"--counterfactual {counterfactual}: allowed: {allowed}")
        items = list(spec.counterfactuals[counterfactual]) + items
    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=as_json) as progress:
        task = progress.add_task("campaign", total=3)
        campaign = load_campaign(case, items, months)
        progress.update(task, advance=1, description="mapping phases")
        inputs = campaign_inputs(campaign, draws, seed, sanctions_price=price)
        progress.update(task, advance=1, description="solving the game draw by draw")
        trend = campaign.spec.economy.trend_growth
        result = CampaignResult(campaign, simulate(inputs, campaign.months, trend), inputs.draws)
        progress.update(task, advance=1)
    if plot is not None:
        try:
            result.plot(plot)
        except OSError as exc:
            raise InputError(f"--plot {plot}: cannot write ({exc.strerror or exc})") from None
    payload = result.to_dict()
    payload["settings"] = items
    payload["sanctions_price"] = price
    if as_json:
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    _render(result, items)


def _render(result: object, items: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    frame = result.to_frame()  # type: ignore[attr-defined]
    campaign = result.campaign  # type: ignore[attr-defined]
    console = Console()
    console.print(f"\n[bold]{campaign.title or campaign.id}[/bold]  [dim]{campaign.id}[/dim]")
    phases = ", ".join(f"{p.name} from month {p.start_month}" for p in campaign.phases)
    console.print(f"[dim]Phases: {phases}. {result.draws} draws; means [90% bands].[/dim]")  # type: ignore[attr-defined]
    spec = campaign.spec
    step_name = spec.partial.name if spec.partial is not None else None
    console.print(
        f"[dim]Demand: {'divisible, first step: ' + step_name if step_name else 'indivisible'}. "
        f"Equilibrium found with rung moves in {result.converged:.0%} of draws, with the coded "  # type: ignore[attr-defined]
        f"rungs held in {result.paths.rungs_held.mean():.0%}.[/dim]"  # type: ignore[attr-defined]
    )
    if items:
        console.print(f"[dim]Overrides: {'; '.join(items)}[/dim]")
    last = len(frame) - 1
    step = max(1, len(frame) // 12)
    months = sorted(set(range(0, len(frame), step)) | {last})

    def cell(row: object, key: str, fmt: str = "{:.2f}") -> str:
        low, high = row[key + "_low"], row[key + "_high"]  # type: ignore[index]
        return f"{fmt.format(row[key])} [{fmt.format(low)}, {fmt.format(high)}]"  # type: ignore[index]

    columns = {
        "Outcomes": [
            ("P(complied)", "complied", "{:.2f}"),
            ("P(step)", "partial", "{:.2f}"),
            ("P(strike)", "struck", "{:.2f}"),
            ("belief", "belief", "{:.2f}"),
        ],
        "State": [
            ("rung", "sanctions_level", "{:.1f}"),
            ("growth", "growth", "{:+.1%}"),
            ("P(regime holds)", "regime_survival", "{:.3f}"),
            ("regime cost", "regime_cost", "{:.3f}"),
            ("coercer cost", "coercer_cost", "{:.2f}"),
        ],
    }
    for title, cols in columns.items():
        table = Table(title=title)
        table.add_column("month", justify="right")
        table.add_column("phase")
        for name, _, _ in cols:
            table.add_column(name, justify="right")
        for index in months:
            row = frame.iloc[index]
            table.add_row(
                str(int(row["month"])),
                str(row["phase"]),
                *(cell(row, key, fmt) for _, key, fmt in cols),
            )
        console.print(table)
    for obs in result.observed():  # type: ignore[attr-defined]
        if obs["model_growth"] is not None:
            low, high = obs["model_growth_band"]
            console.print(
                f"Growth {obs['label']}: recorded {obs['recorded_growth']:+.1%} "
                f"({obs['source']}); model {obs['model_growth']:+.1%} [{low:+.1%} to {high:+.1%}]"
            )
    console.print(
        "[dim]P(step): the demand's first step taken; rung: sanctions in force (0 none, 1 "
        "targeted, 2 comprehensive, 3 + full secondary); belief: the target's P(the coercer "
        "executes at an opportunity); growth: the last 12 months' output over the 12 before; "
        "regime cost: share of one year's GDP (cumulative); coercer cost: stakes, "
        "discounted to month 0 (war cost with force, carrots and assurance on compliance, "
        "its own sanctions cost).[/dim]\n"
    )
