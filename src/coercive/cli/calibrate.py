"""``coercive calibrate`` and ``coercive validate ties``: the TIES estimation on the command line.

``coercive calibrate [--train-until 1989] [--output FILE] [--json]`` estimates the structural
threat model on the TIES cases starting by ``--train-until`` and writes a versioned
calibration file (:mod:`coercive.policy.calibration`). ``coercive validate ties
[--train-until 1989] [--json] [--plot FILE]`` scores it out of sample on the later cases
against the base rate, a logistic regression and ``fit_signaling``
(:mod:`coercive.policy.validation`). Heavy imports happen inside the commands.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

validate_app = typer.Typer(
    name="validate",
    help="Out-of-sample validation of the policy model on real cases.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _write_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, allow_nan=False) + "\n")


@contextlib.contextmanager
def _spinner(console: Console, description: str) -> Iterator[Callable[[str], None]]:
    """A transient spinner with ``description`` on ``console`` while the block runs; yields
    the function that replaces its text (a long fit's progress)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True
    ) as progress:
        task = progress.add_task(description, total=None)
        yield lambda text: progress.update(task, description=text)


def _skipped_lines(skipped: dict[str, dict[str, Any]]) -> str:
    return "; ".join(f"{v['count']} {v['reason']}" for v in skipped.values() if v["count"])


def calibrate_command(
    train_until: int = typer.Option(
        1989, "--train-until", min=1946, max=2005, help="Last start year of the training cases."
    ),
    output: str = typer.Option(
        None, "--output", "-o", help="Calibration file to write (default: print only)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the calibration as JSON."),
    spec: str = typer.Option(
        "v1",
        "--spec",
        help="Specification: v1, or v2 (the docs/validation.md protocol: select among the "
        "v2 candidates on 1980-1989 after fitting on cases by 1979, then fit the chosen one), "
        "or a candidate id (v2-tremble, v2-baseline, v2-lean).",
    ),
) -> None:
    """Estimate the mapping's resolve spreads on TIES (ML through the mapping and the engine)
    and write a versioned calibration file that `assess` can use."""
    import warnings
    from pathlib import Path

    from rich.console import Console

    from coercive._errors import InputError
    from coercive.policy.calibration import calibration_dict, write_calibration
    from coercive.policy.structural import SPECIFICATIONS, fit_mapping
    from coercive.policy.ties import load_coded
    from coercive.policy.validation import INNER_VALIDATE_UNTIL, select_specification

    if spec != "v2" and spec not in SPECIFICATIONS:
        allowed = ", ".join(["v2", *SPECIFICATIONS])
        raise InputError(f"--spec: {spec!r} is not a specification (allowed: {allowed})")
    if spec == "v2" and train_until < INNER_VALIDATE_UNTIL:
        raise InputError(
            f"--train-until {train_until}: the v2 selection validates on cases up to "
            f"{INNER_VALIDATE_UNTIL}, so v2 is fitted on cases by {INNER_VALIDATE_UNTIL} or later"
        )
    if output and not Path(output).resolve().parent.is_dir():
        raise InputError(f"--output {output}: folder {Path(output).parent} does not exist")
    console = Console(stderr=True)
    cases = load_coded()
    train, _ = cases.split(train_until)
    selection = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        with _spinner(console, "estimating") as describe:
            chosen = spec
            if spec == "v2":
                selection = select_specification(cases, progress=describe)
                chosen = selection["chosen"]

            def tick(iteration: int) -> None:
                describe(f"estimating {chosen}: BFGS iteration {iteration}")

            model = fit_mapping(train, progress=tick, spec=chosen)
    payload = calibration_dict(model, train_until, train.skipped_report(), selection)
    if output:
        write_calibration(payload, output)
    if as_json:
        _write_json(payload)
        return
    out = Console()
    if selection is not None:
        _print_selection(selection)
    out.print(model.results.summary())
    mixture = model.mixture()
    if mixture["outside_game"] is not None:
        low, high = mixture["acquiescence_bounds"]
        out.print(
            f"Outcome decided outside the game: ε = {mixture['outside_game']:.3f}; every "
            f"P(acquiescence) lies in [{low:.3f}, {high:.3f}]"
        )
    spreads = payload["constants"]
    out.print(
        "Mapping constants (natural scale): "
        + ", ".join(
            f"{k} = {v['value']:.4g}" + ("" if v["se"] is None else f" (se {v['se']:.2g})")
            for k, v in spreads.items()
        )
    )
    out.print(f"Skipped TIES rows: {_skipped_lines(train.skipped_report())}")
    for warning in caught:
        out.print(f"[yellow]note:[/yellow] {warning.message}")
    if output:
        out.print(f"Wrote {output} ({payload['name']}).")


@validate_app.command("ties")
def validate_ties_command(
    train_until: int = typer.Option(
        1989, "--train-until", min=1946, max=2004, help="Last start year of the training cases."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    plot: str = typer.Option(None, "--plot", help="Write the reliability diagram to FILE."),
    resamples: int = typer.Option(2000, "--bootstrap", min=100, max=100000),
    features: bool = typer.Option(
        False, "--features", help="Also fit the free-payoff-index game (about 15 s more)."
    ),
    folds: int = typer.Option(
        0,
        "--folds",
        min=0,
        max=20,
        help="Instead of the time split: random K-fold cross-validation (slow: K fits).",
    ),
    spec: str = typer.Option(
        "v1",
        "--spec",
        help="Structural specification: v1, v2 (the one ties-v2.json records) or a "
        "candidate id (v2-tremble, v2-baseline, v2-lean).",
    ),
) -> None:
    """Fit on the TIES cases up to --train-until, score the later ones against baselines."""
    import warnings
    from pathlib import Path

    from rich.console import Console

    from coercive._errors import InputError
    from coercive.policy.validation import resolve_spec, validate_ties

    spec = resolve_spec(spec)
    if plot and not Path(plot).resolve().parent.is_dir():
        raise InputError(f"--plot {plot}: folder {Path(plot).parent} does not exist")
    console = Console(stderr=True)
    if folds == 1:
        raise InputError("--folds: needs at least 2 folds (0 = the time split)")
    if folds:
        from coercive.policy.ties import load_coded
        from coercive.policy.validation import cross_validate

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            with _spinner(console, "cross-validating") as describe:
                payload = cross_validate(
                    load_coded(), folds, resamples=resamples, progress=describe, spec=spec
                )
        if as_json:
            _write_json(payload)
        else:
            _print_folds(payload)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with _spinner(console, "validating") as describe:
            result = validate_ties(
                train_until, resamples=resamples, features=features, progress=describe, spec=spec
            )
    if plot:
        result.plot(plot)
    payload = result.to_dict()
    if as_json:
        _write_json(payload)
        return
    _print_validation(payload, plot)


def _print_selection(selection: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=(
            f"v2 selection: fitted on {selection['fit_years'][0]}–{selection['fit_years'][1]} "
            f"(n = {selection['n_fit']}), scored on {selection['validate_years'][0]}–"
            f"{selection['validate_years'][1]} (n = {selection['n_validate']})"
        ),
        title_justify="left",
    )
    for column in ("specification", "log score", "Brier", "AUC", "mean p"):
        table.add_column(column, justify="left" if column == "specification" else "right")
    for key, row in selection["scores"].items():
        label = key + (" (chosen)" if key == selection["chosen"] else "")
        table.add_row(
            label,
            _fmt(row["log_score"]),
            _fmt(row["brier"]),
            _fmt(row["auc"], 2),
            _fmt(row["mean_prediction"], 2),
        )
    Console().print(table)


def _print_folds(payload: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(
        title=f"TIES threat cases, {payload['folds']} random folds (n = {payload['n']}), "
        f"structural specification {payload['specification']}",
        title_justify="left",
    )
    for column in ("model", "log score", "Brier", "AUC"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for key, row in payload["models"].items():
        table.add_row(key, _fmt(row["log_score"]), _fmt(row["brier"]), _fmt(row["auc"], 2))
    console.print(table)
    for key, row in payload["comparisons"].items():
        log, brier = row["log_score"], row["brier"]
        console.print(
            f"structural - {key}: log score {log['difference']:+.3f} "
            f"[{log['interval'][0]:+.3f}, {log['interval'][1]:+.3f}], Brier "
            f"{brier['difference']:+.4f} [{brier['interval'][0]:+.4f}, {brier['interval'][1]:+.4f}]"
        )


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _print_validation(payload: dict[str, Any], plot: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    split = payload["split"]
    table = Table(
        title=(
            f"TIES threat cases: trained on {split['train_years'][0]}–{split['train_years'][1]} "
            f"(n = {split['n_train']}), scored on {split['test_years'][0]}–"
            f"{split['test_years'][1]} (n = {split['n_test']}); structural specification "
            f"{payload['specification']}"
        ),
        title_justify="left",
    )
    for column in ("model", "n", "log score", "Brier", "AUC", "mean p"):
        table.add_column(column, justify="left" if column == "model" else "right")
    labels = {
        "structural": "structural, through the mapping",
        "structural_features": "structural, free payoff indices",
        "features_vs_base_rate": "(free indices vs base rate)",
        "base_rate": "training base rate",
        "logistic": "logistic, same features",
        "signaling": "fit_signaling (dyad subset)",
        "structural_on_dyad_subset": "structural (dyad subset)",
    }
    for key, row in payload["models"].items():
        table.add_row(
            labels.get(key, key),
            str(row["n"]),
            _fmt(row["log_score"]),
            _fmt(row["brier"]),
            _fmt(row["auc"], 2),
            _fmt(row["mean_prediction"], 2),
        )
    console.print(table)
    diff = Table(title="Structural minus baseline, bootstrap 90% intervals", title_justify="left")
    for column in ("baseline", "log score diff (>0 better)", "Brier diff (<0 better)"):
        diff.add_column(column)
    for key, row in payload["comparisons"].items():
        log, brier = row["log_score"], row["brier"]
        diff.add_row(
            labels.get(key, key),
            f"{log['difference']:+.3f} [{log['interval'][0]:+.3f}, {log['interval'][1]:+.3f}]",
            f"{brier['difference']:+.4f} [{brier['interval'][0]:+.4f}, "
            f"{brier['interval'][1]:+.4f}]",
        )
    console.print(diff)
    for side in ("train", "test"):
        console.print(f"Skipped TIES rows ({side}): {_skipped_lines(payload['skipped'][side])}")
    for key, label in (
        ("estimation_mapping", "through the mapping"),
        ("estimation_features", "free payoff indices"),
    ):
        est = payload[key]
        if est is None:
            continue
        console.print(
            f"[dim]Estimation ({label}): llf {est['llf']:.2f}, converged {est['converged']}, "
            f"covariance {est['covariance']}.[/dim]"
        )
    spreads = payload["estimation_mapping"]["mapping_constants"]
    console.print(
        "[dim]Mapping constants on the training cases: "
        + ", ".join(
            f"{k} = {v['value']:.3g}" + ("" if v["se"] is None else f" (se {v['se']:.2g})")
            for k, v in spreads.items()
        )
        + f"; {payload['seconds']:.1f} s in all.[/dim]"
    )
    mixture = payload["estimation_mapping"]["mixture"]
    if mixture["outside_game"] is not None:
        low, high = mixture["acquiescence_bounds"]
        console.print(
            f"[dim]Outcome decided outside the game: ε = {mixture['outside_game']:.3f}, "
            f"P(acquiescence) bounded to [{low:.3f}, {high:.3f}].[/dim]"
        )
    if plot:
        console.print(f"Reliability diagram written to {plot}.")
