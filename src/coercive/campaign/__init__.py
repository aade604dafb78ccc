"""Campaigns over time: phased instruments, a monthly game with two-sided Bayesian learning.

``run_campaign(case)`` -> :class:`CampaignResult` (``to_frame()``, ``to_dict()``, ``plot()``).
The model is in ``docs/campaign.md``; this room imports only from ``coercive.policy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from coercive.campaign.model import SANCTIONS_PRICE, Paths, campaign_inputs, simulate
from coercive.campaign.schema import Campaign, load_campaign

BAND = 0.9
SERIES = {
    "complied": "P(complied in full by month t)",
    "partial": "P(first step taken by month t)",
    "struck": "P(threat executed by month t)",
    "belief": "target's P(the coercer executes the threat at an opportunity)",
    "coercer_belief": "coercer's P(the target holds out to the end)",
    "sanctions_level": "sanctions rung in force (0 none - 3 comprehensive + full secondary)",
    "escalated": "coalition has raised the rung above the phase's coded one",
    "relented": "coalition has lowered the rung below the phase's coded one",
    "regime_cost": "regime's cumulative cost (share of one year's GDP)",
    "coercer_cost": "coercer's cumulative cost (stakes)",
    "regime_survival": "P(the regime still holds power)",
    "output": "output (1 = trend level at month 0)",
    "growth": "growth of the last 12 months' output over the 12 before",
}


@dataclass(frozen=True)
class CampaignResult:
    campaign: Campaign
    paths: Paths
    draws: int

    @property
    def converged(self) -> float:
        """Share of draws whose best-reply iteration reached a fixed point."""
        return float(self.paths.converged.mean())

    def to_frame(self) -> Any:
        """One row per month: each series' mean and 90% Monte Carlo band across draws."""
        import pandas as pd

        tail = (1.0 - BAND) / 2.0
        names = [p.name for p in self.campaign.phases]
        data: dict[str, Any] = {
            "month": np.arange(self.campaign.months),
            "phase": [names[i] for i in self.paths.phase],
        }
        for key in SERIES:
            values = getattr(self.paths, key)
            data[key] = values.mean(axis=0)
            low, high = np.quantile(values, [tail, 1.0 - tail], axis=0)
            data[f"{key}_low"], data[f"{key}_high"] = low, high
        return pd.DataFrame(data)

    def observed(self) -> list[dict[str, Any]]:
        """The campaign file's recorded growth figures beside the model's at those months."""
        frame = self.to_frame()
        rows = []
        for obs in self.campaign.spec.economy.observed:
            inside = obs.month < self.campaign.months
            row = frame.iloc[obs.month] if inside else None
            rows.append(
                {
                    "label": obs.label,
                    "month": obs.month,
                    "recorded_growth": obs.growth,
                    "source": obs.source,
                    "model_growth": None if row is None else float(row["growth"]),
                    "model_growth_band": None
                    if row is None
                    else [float(row["growth_low"]), float(row["growth_high"])],
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        frame = self.to_frame()
        spec = self.campaign.spec
        return {
            "campaign": self.campaign.id,
            "months": self.campaign.months,
            "draws": self.draws,
            "band": BAND,
            "converged": self.converged,
            "divisible": spec.partial is not None,
            "partial": None if spec.partial is None else spec.partial.model_dump(mode="json"),
            "phases": [
                {
                    "name": p.name,
                    "start_month": p.start_month,
                    "base": p.scenario.id,
                    "instruments_from": ps.instruments_from,
                    "partial_relief": ps.partial_relief,
                }
                for p, ps in zip(self.campaign.phases, spec.phases, strict=True)
            ],
            "economy": {
                "trend_growth": spec.economy.trend_growth,
                "trend_source": spec.economy.trend_source,
                "observed": self.observed(),
            },
            "series": SERIES,
            "trajectory": frame.to_dict(orient="records"),
        }

    def plot(self, path: str | Path | None = None) -> Any:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        frame = self.to_frame()
        fig, axes = plt.subplots(3, 2, figsize=(12, 10), sharex=True)
        panels = [
            ("complied", "partial", "struck"),
            ("belief", "coercer_belief"),
            ("sanctions_level",),
            ("growth",),
            ("regime_cost", "coercer_cost"),
            ("regime_survival",),
        ]
        for ax, keys in zip(axes.flat, panels, strict=True):
            for key in keys:
                ax.plot(frame.month, frame[key], label=SERIES[key])
                ax.fill_between(frame.month, frame[f"{key}_low"], frame[f"{key}_high"], alpha=0.2)
            for phase in self.campaign.phases[1:]:
                ax.axvline(phase.start_month, color="grey", ls=":")
            if keys == ("growth",):
                for obs in self.campaign.spec.economy.observed:
                    if obs.month < self.campaign.months:
                        ax.plot(obs.month, obs.growth, "kD", ms=6)
                        ax.annotate(f"recorded {obs.label}: {obs.growth:+.1%}",
                                    (obs.month, obs.growth), fontsize=7,
                                    xytext=(4, -10), textcoords="offset points")  # fmt: skip
                ax.axhline(0.0, color="grey", lw=0.5)
            ax.legend(fontsize=7)
        for ax in axes[-1]:
            ax.set_xlabel("month")
        fig.suptitle(
            f"{self.campaign.id}: means and {int(BAND * 100)}% bands, {self.draws} draws "
            "(diamonds: recorded figures, not fitted)"
        )
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=110)
        return fig


def run_campaign(
    case: str | Path | Campaign,
    settings: list[str] | None = None,
    months: int | None = None,
    draws: int | None = None,
    seed: int | None = None,
    *,
    sanctions_price: float = SANCTIONS_PRICE,
) -> CampaignResult:
    """Solve a campaign (``docs/campaign.md``); bad input raises a one-line ``InputError``."""
    campaign = case if isinstance(case, Campaign) else load_campaign(case, settings, months)
    inputs = campaign_inputs(campaign, draws, seed, sanctions_price=sanctions_price)
    paths = simulate(inputs, campaign.months, campaign.spec.economy.trend_growth)
    return CampaignResult(campaign, paths, inputs.draws)


__all__ = ["CampaignResult", "run_campaign", "load_campaign", "Campaign", "SERIES"]
