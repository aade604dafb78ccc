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
    as_json: bool = typer.Option(False, "--json", help="Print the trajectories as JSON."),
    plot: Path = typer.Option(None, "--plot", metavar="FILE", help="Write the plot (PNG/SVG/PDF)."),
) -> None:
    """Monthly P(complied), P(strike), cumulative costs and beliefs, with 90% bands."""
    from rich.console import Console
    from rich.progress import Progress

    from coercive.campaign import CampaignResult, load_campaign
    from coercive.campaign.model import campaign_inputs, simulate

    if draws is not None and not 1 <= draws <= 200_000:
        raise InputError(f"--draws {draws}: allowed: an integer from 1 to 200000")
    if seed is not None and seed < 0:
        raise InputError(f"--seed {seed}: allowed: an integer >= 0")
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
        inputs = campaign_inputs(campaign, draws, seed)
        progress.update(task, advance=1, description="solving and simulating")
        result = CampaignResult(campaign, simulate(inputs, campaign.months), inputs.comply.shape[0])
        progress.update(task, advance=1)
    if plot is not None:
        try:
            result.plot(plot)
        except OSError as exc:
            raise InputError(f"--plot {plot}: cannot write ({exc.strerror or exc})") from None
    payload = result.to_dict()
    payload["settings"] = items
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
    if items:
        console.print(f"[dim]Overrides: {'; '.join(items)}[/dim]")
    table = Table()
    for name in (
        "month",
        "phase",
        "P(complied)",
        "P(strike)",
        "regime cost",
        "coercer cost",
        "belief",
    ):
        table.add_column(name, justify="right" if name != "phase" else "left")
    last = len(frame) - 1
    step = max(1, len(frame) // 12)
    for index in sorted(set(range(0, len(frame), step)) | {last}):
        row = frame.iloc[index]

        def cell(key: str, fmt: str = "{:.2f}", row: object = row) -> str:
            low, high = row[key + "_low"], row[key + "_high"]  # type: ignore[index]
            return f"{fmt.format(row[key])} [{fmt.format(low)}-{fmt.format(high)}]"  # type: ignore[index]

        table.add_row(
            str(int(row["month"])),
            str(row["phase"]),
            cell("complied"),
            cell("struck"),
            cell("regime_cost", "{:.3f}"),
            cell("coercer_cost"),
            cell("belief"),
        )
    console.print(table)
    console.print(
        "[dim]regime cost: share of one year's GDP lost to sanctions (expected, cumulative); "
        "coercer cost: stakes (war cost if the threat is executed, carrots if the target "
        "complies); belief: the target's that the coercer is resolute.[/dim]\n"
    )
