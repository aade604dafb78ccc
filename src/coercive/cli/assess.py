"""What ``assess`` adds to its answer: the three inputs that matter most (Morris screening).

Called by the ``assess`` command (``coercive.cli.policy``): on by default, since the screening
(:func:`coercive.sensitivity.screening.screen_inputs`, one engine call on a few thousand
rows) adds about a tenth of a second; ``--no-top-inputs`` leaves it out.
"""

from __future__ import annotations

from typing import Any

TOP = 3


def import_screening() -> None:
    """Import the screening's libraries (SALib and the scipy.stats it brings, ~0.5 s) now.

    ``assess`` calls this right after starting the solver's warm-up thread, so that these
    imports happen while the solver compiles rather than after the assessment.
    """
    import SALib.analyze.morris  # noqa: F401
    import SALib.sample.morris  # noqa: F401


def top_inputs_block(assessment: Any, k: int = TOP) -> dict[str, Any]:
    """The ``k`` factors with the largest Morris ``mu*`` for compliance, JSON-ready."""
    from coercive.sensitivity.screening import LEVELS, TRAJECTORIES, screen_inputs

    ranked = screen_inputs(assessment.scenario, k=k, const=assessment.constants)
    return {
        "method": f"Morris elementary effects (SALib), {TRAJECTORIES} trajectories, "
        f"{LEVELS} levels; mu* = mean |effect| on compliance, 95% bootstrap interval",
        "inputs": [item.to_dict() for item in ranked],
    }


def render_top_inputs(block: dict[str, Any]) -> None:
    from rich.console import Console

    console = Console()
    inputs = block["inputs"]
    if not inputs:
        console.print("\n[bold]What matters most[/bold]: nothing is uncertain in this scenario.")
        return
    console.print(f"\n[bold]What matters most[/bold] (the {len(inputs)} inputs whose moves "
                  "change compliance most; [dim]coercive sensitivity for the full analysis[/dim]):")
    for rank, item in enumerate(inputs, start=1):
        kind = "coding class" if item["kind"] == "class" else "uncertain input"
        console.print(
            f"  {rank}. {item['label']} [dim]({kind}: {item['factor']})[/dim] — "
            f"mu* {item['mu_star']:.3f} ± {item['mu_star_conf']:.3f}"
        )
    stars = [item["mu_star"] for item in inputs]
    confs = [item["mu_star_conf"] for item in inputs]
    if len(stars) > 1 and stars[0] - confs[0] < stars[-1] + confs[-1]:
        console.print("  [dim]Their intervals overlap: the order among them is not "
                      "settled by the screening.[/dim]")


__all__ = ["TOP", "render_top_inputs", "top_inputs_block"]
