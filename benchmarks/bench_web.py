"""Latency of the workbench's live re-assessment: POST /api/assess on a warm server.

Goal (issue 9): a warm server answers a 2,000-draw assessment in under 150 ms. A real
uvicorn server runs on a loopback port in this process's thread; each request edits the
assurance belief (a different value every time, so nothing can be served from a cache) of
``dprk-2017`` (2,000 draws). Baseline, timed in the same run: the library call the endpoint
makes (``assess_scenario`` on the loaded scenario) and the extra per-draw solve for the
distribution chart, so the ratio shows what HTTP + JSON + the histogram add.

    PYTHONPATH=src python benchmarks/bench_web.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import time

GOAL_MS = 150.0
CASE = "dprk-2017"


def _quantiles(times: list[float]) -> str:
    ms = sorted(1000 * t for t in times)
    p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    return f"median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms   min {ms[0]:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    repeat = parser.parse_args().repeat

    import httpx

    from coercive.policy.assess import assess_scenario
    from coercive.report.data import compliance_draws
    from coercive.web._harness import running_workbench
    from coercive.web.api import ScenarioSpec, load

    values = [0.05 + 0.9 * i / max(repeat - 1, 1) for i in range(repeat)]
    http_times, library_times, draws_times = [], [], []
    with running_workbench() as base, httpx.Client(base_url=base, timeout=30) as client:
        for value in values[:3]:  # warm the request path
            warm = f"instruments.assurance.credibility={value / 2:.6f}"
            client.post("/api/assess", json={"case": CASE, "sets": [warm]}).raise_for_status()
        for value in values:
            setting = f"instruments.assurance.credibility={value:.6f}"
            start = time.perf_counter()
            response = client.post("/api/assess", json={"case": CASE, "sets": [setting]})
            http_times.append(time.perf_counter() - start)
            response.raise_for_status()
            draws = response.json()["assessment"]["model"]["draws"]

            scenario = load(ScenarioSpec(case=CASE, sets=[setting]))
            start = time.perf_counter()
            assess_scenario(scenario)
            library_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            compliance_draws(scenario)
            draws_times.append(time.perf_counter() - start)

    print(f"POST /api/assess, {CASE}, {draws} draws, {repeat} requests, each a new value")
    print(f"  HTTP round trip (warm server)     {_quantiles(http_times)}")
    print(f"  baseline: assess_scenario()       {_quantiles(library_times)}")
    print(f"  baseline: compliance_draws()      {_quantiles(draws_times)}")
    ratio = statistics.median(http_times) / statistics.median(library_times)
    verdict = "meets" if 1000 * statistics.median(http_times) < GOAL_MS else "MISSES"
    print(f"  ratio HTTP / library (median)     {ratio:.2f}x")
    print(f"  goal < {GOAL_MS:.0f} ms (median): {verdict}")


if __name__ == "__main__":
    main()
