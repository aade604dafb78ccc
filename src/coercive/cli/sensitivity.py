"""``coercive sensitivity``: what decides the answer (a thin layer over coercive.sensitivity)."""

from __future__ import annotations

import sys

import typer

SENSITIVITY_HELP = (
    "Global sensitivity of a campaign's compliance and of its binding condition: Sobol first- "
    "and total-order indices (SALib) over every uncertain input and every coding class of "
    "docs/coding.md, a tornado chart, and the smallest single recoding that flips the binding "
    "condition.\n\nCASE is a bundled case id (e.g. dprk-2017) or a scenario YAML path, or a "
    "campaign (e.g. dprk-2017-2018): then the output is P(complied by month N) (--months)."
)


def sensitivity_command(
    case: str = typer.Argument(
        ..., help="Bundled case id (e.g. dprk-2017) or a scenario YAML path."
    ),
    settings: list[str] = typer.Option(
        None, "--set", metavar="PATH=VALUE",
        help="Override a scenario field (as for assess). Repeatable.",
    ),
    samples: int = typer.Option(
        4096, "--samples",
        help="Saltelli base samples N, a power of two (rows = N x (factors + 2)).",
    ),
    seed: int | None = typer.Option(None, "--seed", help="Sampling seed (default: model.seed)."),
    plot: str | None = typer.Option(
        None, "--plot", metavar="FILE", help="Write the tornado chart (.png, .pdf, .svg)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    months: int | None = typer.Option(
        None, "--months", help="A campaign's horizon N (default: the file's)."
    ),
) -> None:
    from coercive.games._warmup import start_solver_warmup

    start_solver_warmup()  # the solver compiles (first run) or loads while the input is read
    from pathlib import Path

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from coercive._errors import InputError
    from coercive.policy.loader import load_scenario
    from coercive.sensitivity import sensitivity
    from coercive.sensitivity.analysis import check_samples, check_seed

    # every input is checked before the progress bar starts, so an error is one clean line
    check_samples(samples)
    if seed is not None:
        check_seed(seed)
    from coercive.design import is_campaign

    campaign = is_campaign(case)
    if campaign:
        from coercive.campaign.schema import load_campaign

        # every input checked before the bar
        horizon = load_campaign(case, settings or [], months).months
    elif months is not None:
        raise InputError("--months: only for a campaign file (e.g. dprk-2017-2018)")
    else:
        scenario = load_scenario(case, settings or [])

    if plot is not None and not Path(plot).resolve().parent.is_dir():
        raise InputError(f"--plot {plot}: folder {Path(plot).parent} does not exist")
    if plot is not None and Path(plot).suffix.lower() not in (".png", ".pdf", ".svg"):
        raise InputError(f"--plot {plot}: allowed: a .png, .pdf or .svg file name")
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:
        task = bar.add_task("sensitivity", total=1.0)

        def tick(stage: str, done: float) -> None:
            bar.update(task, completed=done, description=f"sensitivity: {stage}")

        if campaign:
            from coercive.sensitivity.campaign import campaign_sensitivity

            result = campaign_sensitivity(case, settings or [], samples=samples, seed=seed,
                                          months=months, progress=tick)
        else:
            result = sensitivity(scenario, samples=samples, seed=seed, progress=tick)
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        figure = result.plot()
        if campaign:  # the output is the campaign's, not the snapshot's conditional one
            figure.axes[0].set_xlabel(f"mean P(complied by month {horizon}) of the campaign")
        figure.savefig(plot, dpi=120)
    if as_json:
        sys.stdout.write(result.to_json(indent=2) + "\n")
        return
    render(result, plot, campaign)


def render(result: object, plot: str | None = None, campaign: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table

    from coercive.sensitivity import SensitivityResult

    assert isinstance(result, SensitivityResult)
    console = Console()
    console.print(
        f"[bold]{result.case}[/bold]: Sobol sensitivity, N={result.samples} base samples, "
        f"{len(result.factors.factors)} factors, {result.rows:,} model rows, "
        f"{result.seconds:.1f} s (seed {result.seed})"
    )
    console.print(
        f"Mean compliance over the factors' ranges and class moves: "
        f"{100 * result.means['compliance']:.0f}% "
        + ("(P(complied by the campaign's last month))" if campaign
           else "(conditional on the challenge)")
    )
    ranked = result.ranking("compliance", 10)
    if all(row["total_order"] == 0.0 and row["first_order"] == 0.0 for row in ranked):
        # a constant output (sensitivity.analysis gives exact zeros then): a table of zeros
        # would read as "nothing matters equally"; say what it means instead
        console.print(
            f"Compliance is {100 * result.means['compliance']:.0f}% in every one of the "
            f"{result.rows:,} model rows: no input or class move within its range changes it, "
            "so every Sobol index is 0."
        )
    table = Table(title="What decides compliance (95% intervals)")
    for column in ("factor", "kind", "first order S1", "total order ST"):
        table.add_column(column)
    for row in ranked:
        table.add_row(
            row["label"], row["kind"],
            f"{row['first_order']:.3f} ± {row['first_order_conf']:.3f}",
            f"{row['total_order']:.3f} ± {row['total_order_conf']:.3f}",
        )
    console.print(table)
    if result.binding_share:
        gains = Table(title="What decides the binding condition (gain of each condition 'met')")
        for column in ("condition", "mean gain", "binds in rows", "top factors by ST"):
            gains.add_column(column)
        for condition, share in result.binding_share.items():
            output = f"gain:{condition}"
            if output not in result.indices:
                continue
            top = ", ".join(
                f"{r['label']} {r['total_order']:.2f}" for r in result.ranking(output, 3)
            )
            gains.add_row(
                condition, f"{100 * result.means[output]:+.0f} pts", f"{100 * share:.0f}%", top
            )
        console.print(gains)
    flip = result.flip
    if flip is not None:
        console.print(
            f"Binding condition (as assess finds it): [bold]{flip.baseline or 'none'}[/bold]"
        )
        if flip.smallest is None:
            console.print(
                f"No single recoding up to {flip.steps_searched} class step(s) flips it "
                f"({len(flip.tried)} tried)."
            )
        else:
            s = flip.smallest
            console.print(
                f"Smallest single recoding that flips it: {', '.join(s.fields)} "
                f"{s.coded} -> {s.recoded} ({s.table}, {s.steps} class step(s)): binding "
                f"becomes [bold]{s.binding or 'none'}[/bold], compliance "
                f"{100 * flip.compliance:.0f}% -> {100 * s.compliance:.0f}%"
            )
    if result.factors.skipped:
        console.print("Not factors: " + "; ".join(result.factors.skipped))
    if plot is not None:
        console.print(f"Tornado chart written to {plot}")
