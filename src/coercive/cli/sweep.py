"""``coercive sweep SPEC.yaml`` and ``coercive runs ...``: studies on Dask, kept in a run store.

``register(app)`` adds the ``sweep`` command and the ``runs`` group. The work is done by
:mod:`coercive.studies`; this module parses options and renders answers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from coercive._errors import InputError

runs_app = typer.Typer(
    help="Inspect, query, export and plot the runs of `coercive sweep`.", no_args_is_help=True
)

_STORE_HELP = "Run store folder (default: runs/ in the user data directory)."


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep_command)
    app.add_typer(runs_app, name="runs")


def sweep_command(
    spec: str | None = typer.Argument(
        None, help="Study spec YAML, or a bundled study name (e.g. game-grid)."
    ),
    resume: str | None = typer.Option(
        None, "--resume", metavar="RUN", help="Resume a run (its id, a unique prefix, or last)."
    ),
    store: Path | None = typer.Option(None, "--store", help=_STORE_HELP),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="A Dask scheduler (tcp://host:8786) or scheduler file; default: a local cluster.",
    ),
    workers: int = typer.Option(
        2, "--workers", min=0, max=512, help="Local workers (0: run in this process, no Dask)."
    ),
    threads: bool = typer.Option(
        False, "--threads", help="Local workers as threads of this process (no subprocesses)."
    ),
    timeout: float = typer.Option(
        10.0, "--timeout", min=0.1, help="Seconds to wait for --scheduler to answer."
    ),
    allow_code_change: bool = typer.Option(
        False, "--allow-code-change", help="Resume even though the code changed (mixes results)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON (no bar)."),
) -> None:
    """Run a study spec chunk by chunk on Dask, saving each chunk; resumable after a kill."""
    from coercive.studies import runner
    from coercive.studies import store as run_store
    from coercive.studies.spec import read_spec

    if (spec is None) == (resume is None):
        raise InputError("sweep: give SPEC.yaml or --resume RUN (exactly one)")
    from coercive.studies.spec import compile_spec

    root = run_store.open_store(store, create=True)
    if resume is not None:
        run = run_store.find_run(root, resume)
        plan = runner.reopen_run(run, allow_code_change)
    else:
        assert spec is not None
        study, text = read_spec(spec)
        plan = compile_spec(study, spec)  # every spec error before any cluster or run exists
    client = cluster = None
    close = _no_bar
    run: Any = run if resume is not None else None
    try:
        if workers > 0 or scheduler is not None:
            client, cluster = runner.connect_client(scheduler, workers, not threads, timeout)
        if resume is None:
            run, plan = runner.start_run(root, study, text, spec, plan)
        progress, close = _progress_bar(quiet=as_json, run_id=run.id)
        outcome = runner.execute(run, plan, client, progress)
    except KeyboardInterrupt:
        close()
        started = run.id if run is not None else None
        hint = f"; resume with 'coercive sweep --resume {started}'" if started else ""
        print(f"coercive: interrupted{hint}", file=sys.stderr)
        raise typer.Exit(130) from None
    finally:
        close()
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    result = {
        "run": run.id,
        "status": outcome.status,
        "chunks_done": outcome.chunks_done,
        "chunks_total": outcome.chunks_total,
        "chunks_computed": outcome.computed,
        "wall_seconds": round(outcome.wall_seconds, 3),
        "store": str(root),
        "events": outcome.events,
    }
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    print(
        f"run {run.id}: {outcome.status}, {outcome.chunks_done}/{outcome.chunks_total} chunks "
        f"({outcome.computed} computed now, {outcome.wall_seconds:.1f} s). "
        f'Query it: coercive runs sql {run.id} "SELECT * FROM results LIMIT 5"'
    )


def _no_bar() -> None:
    return None


def _progress_bar(quiet: bool, run_id: str) -> tuple[Any, Any]:
    from coercive.studies.runner import Progress

    if quiet:
        return Progress(), lambda: None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as Bar

    console = Console(stderr=True)
    bar = Bar(
        TextColumn(f"[bold]{run_id}[/bold] chunks"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )
    state: dict[str, Any] = {"task": None, "units": 0, "t0": None}

    def start(total: int, done: int, done_units: int) -> None:
        import time

        bar.start()
        state["task"] = bar.add_task("sweep", total=total, completed=done, rate="")
        state["t0"] = time.perf_counter()

    def advance(units: int) -> None:
        import time

        state["units"] += units
        rate = state["units"] / max(time.perf_counter() - state["t0"], 1e-9)
        bar.update(state["task"], advance=1, rate=f"{rate:,.0f} units/s")

    def note(message: str) -> None:
        console.print(f"[yellow]{message}[/yellow]")

    closed = {"done": False}

    def close() -> None:
        if not closed["done"]:
            closed["done"] = True
            bar.stop()

    return Progress(start=start, advance=advance, note=note), close


# ----------------------------------------------------------------------------------------
# coercive runs ...
# ----------------------------------------------------------------------------------------


def _root(store: Path | None) -> Path:
    from coercive.studies.store import open_store

    return open_store(store, create=False)


@runs_app.command("list")
def runs_list(
    store: Path | None = typer.Option(None, "--store", help=_STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of runs."),
) -> None:
    """Every run in the store: id, spec, status, chunks done of total."""
    from coercive.studies.store import default_store, list_runs

    root = store if store is not None else default_store()
    rows = [run.summary() for run in list_runs(root)] if root.is_dir() else []
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Runs ({len(rows)})", title_justify="left")
    for column in ("run", "spec", "kind", "status", "chunks", "created"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["run"],
            str(row["spec"]),
            row["kind"],
            row["status"],
            f"{row['chunks_done']}/{row['chunks_total']}",
            str(row["created"]),
        )
    Console().print(table)


@runs_app.command("show")
def runs_show(
    run: str = typer.Argument(..., help="Run id (or unique prefix, or last)."),
    store: Path | None = typer.Option(None, "--store", help=_STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the manifest as JSON."),
) -> None:
    """A run's manifest: spec, hash, code version, calibration, seeds, plan, timings."""
    from coercive.studies.store import find_run

    found = find_run(_root(store), run)
    manifest = found.read_manifest()
    summary = found.summary()
    for key in ("status", "chunks_done", "chunks_total", "path"):
        manifest[key] = summary[key]
    timings = found.chunk_timings()
    if timings:
        seconds = [t["seconds"] for t in timings]
        manifest["chunk_timings"] = {
            "chunks": len(seconds),
            "seconds_mean": sum(seconds) / len(seconds),
            "seconds_max": max(seconds),
            "seconds_total": sum(seconds),
        }
    if as_json:
        sys.stdout.write(json.dumps(manifest, indent=2) + "\n")
        return
    from rich.console import Console

    console = Console()
    console.print(
        f"[bold]{found.id}[/bold]  {manifest['status']}  "
        f"{manifest['chunks_done']}/{manifest['chunks_total']} chunks"
    )
    for key in (
        "spec_name",
        "spec_hash",
        "code_version",
        "seeds",
        "plan",
        "chunk_timings",
        "calibration",
        "events",
    ):
        if key in manifest:
            console.print(f"[bold]{key}[/bold]: {json.dumps(manifest[key])}", soft_wrap=True)


def _query(run: str, store: Path | None, query: str) -> Any:
    import duckdb

    from coercive.studies.store import connect, find_run

    con = connect(find_run(_root(store), run))
    try:
        return con.execute(query).df()
    except duckdb.Error as exc:
        raise InputError(f"sql: {' '.join(str(exc).split())}") from None


@runs_app.command("sql")
def runs_sql(
    run: str = typer.Argument(..., help="Run id (or unique prefix, or last)."),
    query: str = typer.Argument(..., help="DuckDB SQL over the view `results`."),
    store: Path | None = typer.Option(None, "--store", help=_STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON records."),
    limit: int = typer.Option(50, "--limit", min=1, help="Rows shown in the table view."),
) -> None:
    """Query a run with DuckDB: its rows are the view `results` (quote dotted column names)."""
    frame = _query(run, store, query)
    if as_json:
        sys.stdout.write(frame.to_json(orient="records") + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(caption=f"{len(frame)} rows" + (f", first {limit}" if len(frame) > limit else ""))
    for column in frame.columns:
        table.add_column(str(column), justify="right")
    for row in frame.head(limit).itertuples(index=False):
        table.add_row(*(f"{v:.6g}" if isinstance(v, float) else str(v) for v in row))
    Console().print(table)


@runs_app.command("export")
def runs_export(
    run: str = typer.Argument(..., help="Run id (or unique prefix, or last)."),
    out: Path = typer.Argument(..., help="Output file: .csv or .parquet."),
    store: Path | None = typer.Option(None, "--store", help=_STORE_HELP),
) -> None:
    """Write a run's rows, ordered by work unit, to CSV or Parquet."""
    from coercive.studies.store import connect, find_run

    if out.suffix not in (".csv", ".parquet"):
        raise InputError(f"{out}: unknown format {out.suffix!r}; allowed: .csv, .parquet")
    found = find_run(_root(store), run)
    con = connect(found)
    target = str(out).replace("'", "''")
    options = "(HEADER)" if out.suffix == ".csv" else "(FORMAT PARQUET)"
    try:
        con.execute(f"COPY (SELECT * FROM results ORDER BY unit) TO '{target}' {options}")
    except Exception as exc:  # duckdb raises IOException and friends
        raise InputError(f"{out}: cannot write ({' '.join(str(exc).split())})") from None
    print(f"{found.id}: written to {out}")


@runs_app.command("plot")
def runs_plot(
    run: str = typer.Argument(..., help="Run id (or unique prefix, or last)."),
    x: str = typer.Argument(..., help="Column on the x axis (an axis path)."),
    y: str = typer.Argument(..., help="Output column to plot (its mean over other axes)."),
    by: str | None = typer.Option(None, "--by", help="One line per value of this column."),
    out: Path = typer.Option(Path("plot.png"), "--out", help="PNG file to write."),
    store: Path | None = typer.Option(None, "--store", help=_STORE_HELP),
) -> None:
    """Plot the mean of an output against an axis (5–95% band over the other axes)."""
    from coercive.studies.store import connect, find_run

    found = find_run(_root(store), run)
    con = connect(found)
    columns = [row[0] for row in con.execute("DESCRIBE results").fetchall()]
    for name, what in ((x, "x"), (y, "y"), (by, "--by")):
        if name is not None and name not in columns:
            raise InputError(f"{what} {name!r}: no such column; allowed: {', '.join(columns)}")

    def q(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    group = f"{q(by)}, {q(x)}" if by else q(x)
    frame = con.execute(
        f"SELECT {group}, avg({q(y)}::DOUBLE) AS mean, quantile_cont({q(y)}::DOUBLE, 0.05) AS lo,"
        f" quantile_cont({q(y)}::DOUBLE, 0.95) AS hi FROM results GROUP BY {group} "
        f"ORDER BY {group}"
    ).df()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(6, 4))
    groups = frame.groupby(by) if by else [(None, frame)]
    for value, part in groups:
        label = None if by is None else f"{by} = {value}"
        ax.plot(part[x], part["mean"], label=label)
        ax.fill_between(part[x], part["lo"], part["hi"], alpha=0.2)
    ax.set_xlabel(x)
    ax.set_ylabel(f"{y} (mean; band 5–95%)")
    ax.set_title(found.id)
    if by:
        ax.legend(fontsize="small")
    figure.savefig(out, dpi=120, bbox_inches="tight")
    print(f"{found.id}: {y} against {x} written to {out}")
