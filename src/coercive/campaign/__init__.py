"""Campaigns over time: phased instruments, monthly decisions, Bayesian learning.

``run_campaign(case)`` -> :class:`CampaignResult` (``to_frame()``, ``to_dict()``, ``plot()``).
The model is in ``docs/campaign.md``; this room imports only from ``coercive.policy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from coercive.campaign.model import Paths, campaign_inputs, simulate
from coercive.campaign.schema import Campaign, load_campaign

BAND = 0.9
SERIES = {
    "complied": "P(complied by month t)",
    "struck": "P(threat executed by month t)",
    "regime_cost": "regime's cumulative cost (share of one year's GDP)",
    "coercer_cost": "coercer's cumulative cost (stakes)",
    "belief": "target's belief that the coercer is resolute",
}


@dataclass(frozen=True)
class CampaignResult:
    campaign: Campaign
    paths: Paths
    draws: int

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

    def to_dict(self) -> dict[str, Any]:
        frame = self.to_frame()
        return {
            "campaign": self.campaign.id,
            "months": self.campaign.months,
            "draws": self.draws,
            "band": BAND,
            "phases": [
                {
                    "name": p.name,
                    "start_month": p.start_month,
                    "base": p.scenario.id,
                    "instruments_from": spec.instruments_from,
                }
                for p, spec in zip(self.campaign.phases, self.campaign.spec.phases, strict=True)
            ],
            "series": SERIES,
            "trajectory": frame.to_dict(orient="records"),
        }

    def plot(self, path: str | Path | None = None) -> Any:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        frame = self.to_frame()
        fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
        panels = [("complied", "struck"), ("belief",), ("regime_cost",), ("coercer_cost",)]
        for ax, keys in zip(axes.flat, panels, strict=True):
            for key in keys:
                ax.plot(frame.month, frame[key], label=SERIES[key])
                ax.fill_between(frame.month, frame[f"{key}_low"], frame[f"{key}_high"], alpha=0.2)
            for phase in self.campaign.phases[1:]:
                ax.axvline(phase.start_month, color="grey", ls=":")
            ax.legend(fontsize=7)
        for ax in axes[1]:
            ax.set_xlabel("month")
        fig.suptitle(f"{self.campaign.id}: means and {int(BAND * 100)}% bands, {self.draws} draws")
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
) -> CampaignResult:
    campaign = case if isinstance(case, Campaign) else load_campaign(case, settings, months)
    inputs = campaign_inputs(campaign, draws, seed)
    n = inputs.comply.shape[0]
    return CampaignResult(campaign, simulate(inputs, campaign.months), n)


__all__ = ["CampaignResult", "run_campaign", "load_campaign", "Campaign", "SERIES"]
