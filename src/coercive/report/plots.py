"""Matplotlib figures of an assessment and of a fitted model (``plot()`` on the results).

Each function takes the plain data (``Assessment.to_dict()``, a histogram, fit results) and
an optional ``ax``; :func:`plot_assessment` composes the three assessment charts into one
figure. The HTML report embeds these same figures as inline SVG.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_BLUE, _GREY, _RED, _GREEN, _PURPLE = "#2f6f9f", "#9aa5b1", "#c0504d", "#4f9d69", "#7a5195"


def _axes(ax: Axes | None, size: tuple[float, float] = (6.4, 3.6)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def plot_calculus(result: Mapping[str, Any], ax: Axes | None = None) -> Axes:
    """The target's calculus as a waterfall: each side's items, then its total.

    In value-of-office units (1 = the regime loses power for certain; docs/model.md §2).
    """
    ax = _axes(ax)
    calculus = result["calculus"]
    labels: list[str] = []
    position = 0
    for side, total_colour in (("comply", _BLUE), ("resist", _PURPLE)):
        running = 0.0
        for name, value in calculus[side].items():
            if name == "total":
                continue
            colour = _GREEN if value >= 0 else _RED
            ax.bar(position, value, bottom=running, color=colour, width=0.7)
            running += value
            labels.append(f"{side}: {name.replace('_', ' ')}")
            position += 1
        ax.bar(position, calculus[side]["total"], color=total_colour, width=0.7)
        ax.annotate(
            f"{calculus[side]['total']:+.2f}",
            (position, calculus[side]["total"]),
            ha="center",
            va="top",
            xytext=(0, -3),
            textcoords="offset points",
            fontsize=8,
        )
        labels.append(f"{side}: total")
        position += 1
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right", fontsize=8)
    ax.set_ylabel("value of office (expected)")
    ax.set_title(
        f"The target's calculus (margin resist - comply {calculus['margin']:+.2f})", fontsize=10
    )
    return ax


def _paired_bars(
    ax: Axes,
    ticks: Sequence[str],
    left: tuple[Sequence[float], str, str],
    right: tuple[Sequence[float], str, str],
    *,
    ylabel: str,
    title: str,
) -> Axes:
    """Two bars a tick, ``left`` and ``right`` each ``(values, colour, legend label)``, on a
    0-1 probability axis."""
    x = np.arange(len(ticks))
    for offset, (values, color, label) in ((-0.2, left), (0.2, right)):
        ax.bar(x + offset, values, width=0.4, color=color, label=label)
    ax.set_xticks(x, ticks, fontsize=9)
    ax.set_ylim(0, 1)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_conditions(result: Mapping[str, Any], ax: Axes | None = None) -> Axes:
    """Compliance now and if each of Jakobsen's conditions were met (counterfactual runs)."""
    ax = _axes(ax)
    names = list(result["counterfactuals"])
    met = [result["counterfactuals"][name]["compliance"] for name in names]
    ticks = [f"{name}\n(binding)" if name == result.get("binding") else name for name in names]
    return _paired_bars(
        ax,
        ticks,
        ([result["compliance"]] * len(names), _GREY, "now"),
        (met, _BLUE, "if met"),
        ylabel="compliance",
        title="Compliance if each condition were met",
    )


def plot_distribution(histogram: Mapping[str, Any], ax: Axes | None = None) -> Axes:
    """The Monte Carlo distribution of compliance (share of draws per bin)."""
    ax = _axes(ax)
    edges = np.asarray(histogram["edges"], dtype=float)
    counts = np.asarray(histogram["counts"], dtype=float)
    ax.bar(
        edges[:-1],
        counts / max(histogram["draws"], 1),
        width=np.diff(edges),
        align="edge",
        color=_BLUE,
        edgecolor="white",
    )
    ax.set_xlim(0, 1)
    ax.set_xlabel("compliance")
    ax.set_ylabel("share of draws")
    ax.set_title(f"Compliance over {histogram['draws']} Monte Carlo draws", fontsize=10)
    return ax


def plot_ex_ante(result: Mapping[str, Any], ax: Axes | None = None) -> Axes:
    """Compliance and war given the challenge (the headline) beside the ex-ante figures."""
    ax = _axes(ax)
    ex_ante = result["ex_ante"]
    names = ["compliance", "war"]
    return _paired_bars(
        ax,
        names,
        ([result[n] for n in names], _BLUE, "given the challenge"),
        ([ex_ante[n] for n in names], _GREY, "ex ante"),
        ylabel="probability",
        title="Given the challenge vs ex ante (before it)",
    )


def plot_third_parties(result: Mapping[str, Any], ax: Axes | None = None) -> Axes:
    """Each third party's chosen enforcement (share of its sanctioned trade it stops)."""
    ax = _axes(ax)
    factors = result["pressure"]["factors"]
    parties = factors.get("third_parties", {})
    names = list(parties)
    ax.bar(range(len(names)), [parties[n] for n in names], color=_BLUE)
    ax.set_xticks(range(len(names)), names, rotation=35, ha="right", fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("chosen enforcement")
    ax.set_title(
        f"Third parties' enforcement (overall {factors['enforcement']:.0%}, "
        f"weighted isolation {factors['isolation']:.3g})",
        fontsize=10,
    )
    return ax


def plot_assessment(assessment: Any) -> Figure:
    """The three charts of an :class:`coercive.policy.assess.Assessment` in one figure."""
    import matplotlib.pyplot as plt

    from coercive.report.data import compliance_draws, histogram

    result = assessment.to_dict()
    figure, axes = plt.subplots(1, 3, figsize=(15, 4.2), layout="constrained")
    plot_conditions(result, axes[0])
    plot_calculus(result, axes[1])
    plot_distribution(
        histogram(compliance_draws(assessment.scenario, assessment.constants)), axes[2]
    )
    figure.suptitle(result["case"]["title"], fontsize=11)
    return figure


def plot_fit(results: Any, ax: Axes | None = None) -> Axes:
    """Mean predicted probability of each column of ``results.predict()`` (fitted rows)."""
    ax = _axes(ax)
    predicted = results.predict().select_dtypes("number")
    means = predicted.mean()
    ax.bar(range(len(means)), means.to_numpy(), color=_BLUE)
    ax.set_xticks(
        range(len(means)), [str(name) for name in means.index], rotation=30, ha="right", fontsize=8
    )
    ax.set_ylim(0, 1)
    ax.set_ylabel("mean predicted probability")
    ax.set_title(f"{results.model} ({results.nobs} observations)", fontsize=10)
    return ax


__all__ = [
    "plot_assessment",
    "plot_calculus",
    "plot_conditions",
    "plot_distribution",
    "plot_ex_ante",
    "plot_fit",
    "plot_third_parties",
]
